"""Cooperative games whose values are known in closed form.

They test the estimators (an estimator must reproduce these numbers) and give the book
small examples where intuition can be checked by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cst_ref.checks import check_int, check_vector, positive_int


@dataclass(frozen=True)
class Game:
    """A game ``utility`` on ``n`` players and its known Shapley, Banzhaf and LOO values."""

    name: str
    n: int
    utility: Callable[[frozenset[int]], float]
    shapley: np.ndarray
    banzhaf: np.ndarray
    leave_one_out: np.ndarray


def additive(weights: list[float]) -> Game:
    """v(S) = Σ_{i∈S} w_i: every method pays each player exactly its weight."""
    w = check_vector("weights", weights)
    return Game("additive", len(w), lambda s: float(sum(w[i] for i in s)), w, w, w)


def unanimity(n: int, carriers: set[int]) -> Game:
    """v(S) = 1 iff S ⊇ T: the carriers T split the unit; Banzhaf gives each 2^(1−|T|)."""
    positive_int("n", n)
    t = frozenset(carriers)
    if not t:  # v would be 1 for every coalition and the values 0/0
        raise ValueError("carriers must name at least one player")
    if not t <= set(range(n)):
        raise ValueError(f"carriers {sorted(t)} must be players in 0..{n - 1}")
    inside = np.array([i in t for i in range(n)], dtype=float)
    return Game("unanimity", n, lambda s: float(t <= s), inside / len(t), inside * 0.5 ** (len(t) - 1), inside)


def glove(n_right: int) -> Game:
    """One left glove (player 0) and ``n_right`` right gloves; v(S) = number of pairs.

    Shapley: left k/(k+1), each right 1/(k(k+1)); Banzhaf: left 1 − 2^−k, right 2^−k;
    LOO: left 1, right 0 when k ≥ 2 (the scarce glove takes almost everything).
    """
    k = check_int("n_right", n_right, numpy_ok=True)
    if k < 2:
        raise ValueError("the glove game needs at least two right gloves")
    shapley = np.array([k / (k + 1)] + [1 / (k * (k + 1))] * k)
    banzhaf = np.array([1 - 0.5**k] + [0.5**k] * k)
    loo = np.array([1.0] + [0.0] * k)
    return Game("glove", k + 1, lambda s: float(0 in s and len(s) > 1), shapley, banzhaf, loo)


def airport(costs: list[float]) -> Game:
    """v(S) = max cost in S (a runway long enough for the largest plane).

    Littlechild–Owen: with costs sorted, φ_i = Σ_{j≤i} (c_j − c_{j−1}) / (n − j + 1): each
    runway segment is shared equally by the planes that need it. Banzhaf replaces
    1/(n − j + 1) by 2^−(n−j); LOO charges only the largest plane the gap to the second.
    """
    c = check_vector("costs", costs)
    if np.any(np.diff(c) < 0) or np.any(c < 0):
        raise ValueError("airport costs must be non-negative and sorted ascending")
    n = len(c)
    steps = np.diff(np.concatenate(([0.0], c)))
    shapley = np.cumsum(steps / (n - np.arange(n)))
    banzhaf = np.cumsum(steps * 0.5 ** (n - 1 - np.arange(n)))
    loo = np.zeros(n)
    loo[-1] = c[-1] - (c[-2] if n > 1 else 0.0)
    return Game("airport", n, lambda s: float(max((c[i] for i in s), default=0.0)), shapley, banzhaf, loo)


def weighted_voting() -> Game:
    """Quota 3, weights (2, 1, 1, 1): the big player is pivotal in half of all orders.

    Shapley (1/2, 1/6, 1/6, 1/6); Banzhaf (3/4, 1/4, 1/4, 1/4); LOO all zero, since no
    single player can break the grand coalition's majority.
    """
    weights = (2, 1, 1, 1)
    return Game(
        "weighted voting",
        4,
        lambda s: float(sum(weights[i] for i in s) >= 3),
        np.array([1 / 2, 1 / 6, 1 / 6, 1 / 6]),
        np.array([3 / 4, 1 / 4, 1 / 4, 1 / 4]),
        np.zeros(4),
    )
