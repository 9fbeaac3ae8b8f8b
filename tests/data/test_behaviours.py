"""Client behaviours and Sybil splits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cst_ref.data import FreeRider, LabelFlip, Noisy, build_clients, iid, load_digits, sybil_split

X = torch.zeros(200, 4)
Y = torch.arange(200) % 10


def test_full_label_flip_changes_every_label_within_range() -> None:
    _, flipped = LabelFlip(1.0).corrupt(X, Y, 10, seed=0)
    assert torch.all(flipped != Y) and flipped.min() >= 0 and flipped.max() <= 9
    assert torch.equal(flipped, LabelFlip(1.0).corrupt(X, Y, 10, seed=0)[1])


def test_partial_label_flip_changes_about_that_fraction() -> None:
    _, flipped = LabelFlip(0.3).corrupt(X, Y, 10, seed=0)
    assert 0.2 < float((flipped != Y).float().mean()) < 0.4


def test_noise_changes_features_only() -> None:
    x, y = Noisy(0.5).corrupt(X, Y, 10, seed=0)
    assert torch.equal(y, Y)
    assert 0.4 < float(x.std()) < 0.6


def test_sybil_split_spreads_one_clients_data_over_identities() -> None:
    parts = iid(np.zeros(100), 4, seed=0)
    split = sybil_split(parts, client=1, k=3, seed=0)
    assert len(split.parts) == 6
    assert split.owners.tolist() == [0, 1, 1, 1, 2, 3]
    np.testing.assert_array_equal(np.sort(np.concatenate(split.parts[1:4])), parts[1])
    assert max(len(p) for p in split.parts[1:4]) - min(len(p) for p in split.parts[1:4]) <= 1
    assert np.array_equal(split.parts[4], parts[2])


def test_build_clients_applies_behaviours_to_the_right_client() -> None:
    digits = load_digits()
    parts = iid(digits.labels, 3, seed=0)
    clients = build_clients(digits, parts, {2: LabelFlip(1.0), 1: FreeRider()})
    assert torch.equal(clients[0].y, digits.y[torch.as_tensor(parts[0])])
    assert torch.all(clients[2].y != digits.y[torch.as_tensor(parts[2])])
    assert isinstance(clients[1].behaviour, FreeRider) and len(clients[1]) == len(parts[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: FreeRider(mode="lazy"), "unknown free-rider mode"),
        (lambda: LabelFlip(1.5).corrupt(X, Y, 10, 0), "fraction"),
        (lambda: LabelFlip(float("nan")), "fraction"),
        (lambda: LabelFlip(0.5).corrupt(X, Y, 1, 0), "at least 2 classes"),
        (lambda: Noisy(float("nan")), "sigma"),
        (lambda: Noisy(-1.0), "sigma"),
        (lambda: FreeRider("noise", scale=float("nan")), "scale"),
        (lambda: sybil_split([np.arange(3)], client=0, k=4), "cannot split"),
        (lambda: sybil_split([np.arange(3)], client=2, k=1), "not in a partition"),
        (lambda: build_clients(load_digits(), [np.arange(5)], {3: FreeRider()}), "outside"),
        (lambda: build_clients(load_digits(), [np.arange(5)], {0: FreeRider}), "Behaviour instances"),
        (lambda: build_clients(load_digits(), [np.arange(5)], seed=-1), "seed must be non-negative"),
        (lambda: LabelFlip("all"), "fraction must be a real number"),
        (lambda: Noisy(float("inf")), "sigma must be finite"),
        (lambda: FreeRider("noise", scale="0.1"), "scale must be a real number"),
        (lambda: sybil_split([np.arange(3)], client=-1, k=1), "client must be non-negative"),
        (lambda: sybil_split([np.arange(3)], client=0.5, k=1), "client must be an int"),
        (lambda: sybil_split([np.arange(3)], client=0, k=1, seed=1.5), "seed must be an int"),
    ],
)
def test_bad_behaviour_input_raises(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
