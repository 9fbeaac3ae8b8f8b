"""Partitioners: who holds which samples. Each returns one index array per client.

All take the label vector, the number of clients and a seed, so a partition is a pure
function of its arguments (same seed, same split).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cst_ref.checks import check_int, check_options, check_real, check_seed, positive_int


def _integer_labels(labels: np.ndarray) -> np.ndarray:
    """Labels as an integer array: a NaN or fractional label would match no class and be dropped."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu":
        return labels
    if labels.dtype.kind != "f":
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if not np.all(np.isfinite(labels) & (labels == np.round(labels))):
        raise ValueError("labels must be integers; found NaN, infinite or fractional labels")
    return labels.astype(np.int64)


def _check(labels: np.ndarray, n_clients: int, seed: int) -> np.ndarray:
    check_seed("seed", seed)
    positive_int("n_clients", n_clients)
    labels = _integer_labels(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a vector, got shape {labels.shape}")
    if n_clients > len(labels):
        raise ValueError(f"more clients ({n_clients}) than samples ({len(labels)})")
    return labels


def _split_by_sizes(indices: np.ndarray, sizes: np.ndarray) -> list[np.ndarray]:
    return [np.sort(part) for part in np.split(indices, np.cumsum(sizes)[:-1])]


def _proportional_sizes(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer sizes ∝ weights, each ≥ 1, summing to ``total`` (largest remainder)."""
    spare = total - len(weights)
    exact = weights / weights.sum() * spare
    sizes = np.floor(exact).astype(int)
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[: spare - sizes.sum()]] += 1
    return sizes + 1


def iid(labels: np.ndarray, n_clients: int, seed: int = 0) -> list[np.ndarray]:
    """Shuffle, then deal out equal-sized shards (sizes differ by at most one)."""
    labels = _check(labels, n_clients, seed)
    order = np.random.default_rng(seed).permutation(len(labels))
    return [np.sort(part) for part in np.array_split(order, n_clients)]


def dirichlet(
    labels: np.ndarray, n_clients: int, alpha: float, seed: int = 0, min_size: int = 10, max_tries: int = 1000
) -> list[np.ndarray]:
    """Label skew: each class is split over clients in proportions drawn from Dir(α).

    Small α gives each client few dominant classes, large α approaches IID
    (Hsu et al. 2019). Draws repeat until every client holds at least ``min_size`` samples.
    """
    labels = _check(labels, n_clients, seed)
    alpha = check_real("alpha", alpha, positive=True)
    check_int("min_size", min_size)
    positive_int("max_tries", max_tries)
    if min_size * n_clients > len(labels):
        raise ValueError(f"min_size {min_size} × {n_clients} clients exceeds the {len(labels)} samples")
    rng = np.random.default_rng(seed)
    classes = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    for _ in range(max_tries):
        parts: list[list[np.ndarray]] = [[] for _ in range(n_clients)]
        for members in classes:
            cuts = (np.cumsum(rng.dirichlet(np.full(n_clients, alpha))) * len(members)).astype(int)[:-1]
            for client, chunk in enumerate(np.split(members, cuts)):
                parts[client].append(chunk)
        result = [np.sort(np.concatenate(p)) for p in parts]
        if min(len(p) for p in result) >= min_size:
            return result
    raise ValueError(f"no Dirichlet(α={alpha}) draw gave every client ≥ {min_size} samples in {max_tries} tries")


def quantity_skew(
    labels: np.ndarray, n_clients: int, kind: str = "linear", seed: int = 0, base: float = 1.5
) -> list[np.ndarray]:
    """Size skew with IID labels: client i gets a share ∝ i+1 (linear) or base**i (exponential).

    Every client keeps at least one sample. Exponential weights are taken relative to the
    largest, base**(i − n + 1), so a large base underflows small shares to 0 instead of
    overflowing the total to inf.
    """
    labels = _check(labels, n_clients, seed)
    if kind == "linear":
        weights = np.arange(1, n_clients + 1, dtype=float)
    elif kind == "exponential":
        base = check_real("base", base, minimum=1.0, exclusive=True)
        weights = base ** np.arange(1 - n_clients, 1, dtype=float)
    else:
        raise ValueError(f"unknown quantity skew {kind!r}; expected 'linear' or 'exponential'")
    order = np.random.default_rng(seed).permutation(len(labels))
    return _split_by_sizes(order, _proportional_sizes(weights, len(labels)))


def k_classes(labels: np.ndarray, n_clients: int, k: int = 2, seed: int = 0) -> list[np.ndarray]:
    """Pathological label skew: each client holds exactly k classes (McMahan et al. 2017).

    Classes are dealt cyclically after a seeded shuffle, so every class has an owner when
    ``n_clients * k`` ≥ the number of classes; each class is split evenly among its owners.
    """
    labels = _check(labels, n_clients, seed)
    classes = np.unique(labels)
    if not 1 <= positive_int("k", k) <= len(classes):
        raise ValueError(f"k must lie in 1..{len(classes)}, got {k}")
    if n_clients * k < len(classes):
        raise ValueError(f"{n_clients} clients × {k} classes cannot cover all {len(classes)} classes")
    rng = np.random.default_rng(seed)
    deck = rng.permutation(classes)
    owned = [[deck[(client * k + j) % len(classes)] for j in range(k)] for client in range(n_clients)]
    parts: list[list[np.ndarray]] = [[] for _ in range(n_clients)]
    for c in classes:
        owners = [client for client in range(n_clients) if c in owned[client]]
        members = rng.permutation(np.flatnonzero(labels == c))
        for client, chunk in zip(owners, np.array_split(members, len(owners))):
            parts[client].append(chunk)
    result = [np.sort(np.concatenate(p)) for p in parts]
    if min(len(p) for p in result) == 0:
        raise ValueError("a client received no samples; use fewer clients or a larger k")
    return result


PARTITIONERS: dict[str, Callable[..., list[np.ndarray]]] = {
    "iid": iid,
    "dirichlet": dirichlet,
    "quantity_skew": quantity_skew,
    "k_classes": k_classes,
}


def partition(
    method: str, labels: np.ndarray, n_clients: int, seed: int = 0, **options: float | str
) -> list[np.ndarray]:
    """Dispatch by name: ``"iid"``, ``"dirichlet"``, ``"quantity_skew"`` or ``"k_classes"``."""
    if method not in PARTITIONERS:
        raise ValueError(f"unknown partition method {method!r}; expected one of {sorted(PARTITIONERS)}")
    partitioner = PARTITIONERS[method]
    check_options(f"partition method {method!r}", partitioner, labels, n_clients, seed=seed, **options)
    return partitioner(labels, n_clients, seed=seed, **options)


def label_histogram(labels: np.ndarray, parts: list[np.ndarray], n_classes: int) -> np.ndarray:
    """Counts per (client, class): the picture that shows how non-IID a split is."""
    labels = _integer_labels(labels)
    positive_int("n_classes", n_classes)
    held = labels[np.concatenate(parts)] if parts else labels[:0]
    if len(held) and not 0 <= held.min() <= held.max() < n_classes:
        raise ValueError(f"labels run outside the {n_classes} classes 0..{n_classes - 1}")
    return np.stack([np.bincount(labels[p], minlength=n_classes) for p in parts])
