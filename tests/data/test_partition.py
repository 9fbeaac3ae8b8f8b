"""Partitioners: complete, disjoint, seeded, and skewed the way their names promise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cst_ref.data import dirichlet, iid, k_classes, label_histogram, partition, quantity_skew

LABELS = np.repeat(np.arange(10), 60)  # 600 samples, 10 balanced classes

SPLITS = {
    "iid": {},
    "dirichlet": {"alpha": 0.5},
    "quantity_skew": {"kind": "linear"},
    "quantity_skew_exp": {"kind": "exponential"},
    "k_classes": {"k": 2},
}


def run(name: str, n_clients: int, seed: int) -> list[np.ndarray]:
    method = "quantity_skew" if name.startswith("quantity_skew") else name
    return partition(method, LABELS, n_clients, seed=seed, **SPLITS[name])


@pytest.mark.parametrize("name", SPLITS)
def test_every_sample_is_assigned_exactly_once(name: str) -> None:
    parts = run(name, 8, seed=3)
    assert len(parts) == 8
    assert sum(len(p) for p in parts) == len(LABELS)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(len(LABELS)))


@pytest.mark.parametrize("name", SPLITS)
def test_same_seed_same_partition_other_seed_other_partition(name: str) -> None:
    first, again, other = run(name, 6, seed=1), run(name, 6, seed=1), run(name, 6, seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


@given(n_clients=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_iid_sizes_differ_by_at_most_one(n_clients: int, seed: int) -> None:
    sizes = [len(p) for p in iid(LABELS, n_clients, seed)]
    assert sum(sizes) == len(LABELS) and max(sizes) - min(sizes) <= 1


def mean_label_distance(alpha: float) -> float:
    """Mean total-variation distance of client label mixes from the global mix (5 seeds)."""
    distances = []
    for seed in range(5):
        hist = label_histogram(LABELS, dirichlet(LABELS, 10, alpha, seed=seed, min_size=5), 10)
        mix = hist / hist.sum(1, keepdims=True)
        distances.append(0.5 * np.abs(mix - 0.1).sum(1).mean())
    return float(np.mean(distances))


def test_dirichlet_skew_grows_as_alpha_shrinks() -> None:
    distances = [mean_label_distance(alpha) for alpha in (100.0, 1.0, 0.1)]
    assert distances[0] < 0.15 < distances[1] < distances[2]


def test_dirichlet_respects_min_size() -> None:
    assert min(len(p) for p in dirichlet(LABELS, 10, 0.1, seed=0, min_size=20)) >= 20


@given(n_clients=st.integers(2, 12), seed=st.integers(0, 1000))
def test_linear_quantity_skew_grows_linearly(n_clients: int, seed: int) -> None:
    sizes = np.array([len(p) for p in quantity_skew(LABELS, n_clients, "linear", seed)])
    ideal = np.arange(1, n_clients + 1) / np.arange(1, n_clients + 1).sum() * len(LABELS)
    assert sizes.sum() == len(LABELS)
    assert np.all(np.abs(sizes - ideal) <= 1.5)


def test_exponential_quantity_skew_ratio_is_the_base() -> None:
    sizes = np.array([len(p) for p in quantity_skew(LABELS, 5, "exponential", seed=0, base=2.0)])
    np.testing.assert_allclose(sizes[1:] / sizes[:-1], 2.0, rtol=0.05)


@given(n_clients=st.integers(1, 50), base=st.floats(1.01, 1e300), seed=st.integers(0, 100))
def test_exponential_quantity_skew_assigns_every_sample_once_whatever_the_base(
    n_clients: int, base: float, seed: int
) -> None:
    """A huge base once overflowed the weights to inf: 551 of 200 samples, 9 empty clients."""
    parts = quantity_skew(LABELS[:200], n_clients, "exponential", seed=seed, base=base)
    assert len(parts) == n_clients and min(len(p) for p in parts) >= 1
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(200))


def test_exponential_quantity_skew_with_a_huge_base_gives_the_last_client_the_rest() -> None:
    sizes = [len(p) for p in quantity_skew(LABELS[:200], 50, "exponential", seed=0, base=1e10)]
    assert sizes == [1] * 49 + [151]


def test_float_labels_with_whole_values_are_accepted() -> None:
    parts = iid(LABELS.astype(float), 4, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(parts, iid(LABELS, 4, seed=0)))


def test_k_classes_gives_each_client_exactly_k_classes() -> None:
    hist = label_histogram(LABELS, k_classes(LABELS, 7, k=3, seed=0), 10)
    assert np.all((hist > 0).sum(1) == 3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: dirichlet(LABELS, 5, alpha=0.0), "alpha must be > 0"),
        (lambda: dirichlet(LABELS, 5, alpha=-1.0), "alpha must be > 0"),
        (lambda: iid(LABELS[:3], 4), "more clients"),
        (lambda: dirichlet(LABELS[:3], 4, alpha=1.0), "more clients"),
        (lambda: iid(LABELS, 0), "at least 1"),
        (lambda: iid(LABELS, 2.5), "integer"),
        (lambda: iid(LABELS.reshape(-1, 2), 2), "vector"),
        (lambda: label_histogram(LABELS, [np.arange(len(LABELS))], 2), "outside the 2 classes"),
        (lambda: label_histogram(LABELS - 1, [np.arange(len(LABELS))], 10), "outside the 10 classes"),
        (lambda: label_histogram(LABELS, [np.arange(3)], 0), "n_classes"),
        (lambda: dirichlet(np.where(LABELS == 3, np.nan, LABELS), 5, alpha=1.0), "labels must be integers"),
        (lambda: iid(LABELS + 0.5, 2), "fractional"),
        (lambda: iid(LABELS.astype(str), 2), "labels must be integers, got dtype"),
        (lambda: dirichlet(LABELS, 5, alpha="0.5"), "alpha must be a real number"),
        (lambda: dirichlet(LABELS, 5, alpha=float("inf")), "alpha must be finite"),
        (lambda: dirichlet(LABELS, 5, alpha=1.0, min_size=-1), "min_size"),
        (lambda: dirichlet(LABELS, 5, alpha=1.0, max_tries=0), "max_tries"),
        (lambda: quantity_skew(LABELS, 4, kind="exponential", base=1.0), "base must be > 1"),
        (lambda: quantity_skew(LABELS, 4, kind="exponential", base="2"), "base must be a real number"),
        (lambda: quantity_skew(LABELS, 4, kind="exponential", base=float("inf")), "base must be finite"),
        (lambda: iid(LABELS, 4, seed=-1), "seed must be non-negative"),
        (lambda: iid(LABELS, 4, seed=1.5), "seed must be an int"),
        (lambda: dirichlet(LABELS, 4, alpha=1.0, seed="0"), "seed must be an int"),
        (lambda: k_classes(LABELS, 4, seed=2**32), "seed must be at most"),
        (lambda: partition("iid", LABELS, 4, alpha=0.5), "'iid'.*alpha"),
        (lambda: partition("shards", LABELS, 4), "unknown partition method"),
        (lambda: quantity_skew(LABELS, 4, kind="square"), "unknown quantity skew"),
        (lambda: k_classes(LABELS, 3, k=2), "cannot cover"),
        (lambda: dirichlet(LABELS, 10, 1.0, min_size=100), "exceeds"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
