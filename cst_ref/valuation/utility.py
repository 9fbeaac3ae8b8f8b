"""A utility wrapper that checks, caches and counts evaluations.

Every estimator calls the utility through :class:`CachedUtility`, so a coalition is never
evaluated twice and the number of real evaluations (the cost of a method) is known.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from cst_ref.checks import positive_int

Utility = Callable[[frozenset[int]], float]


class CachedUtility:
    """``v(S)`` with memoisation; rejects NaN/inf values with a ``ValueError``."""

    def __init__(self, utility: Utility, n_players: int) -> None:
        self.utility = utility
        self.n_players = check_players(n_players)
        self.cache: dict[frozenset[int], float] = {}

    @property
    def evaluations(self) -> int:
        return len(self.cache)

    def __call__(self, coalition: Iterable[int]) -> float:
        key = frozenset(coalition)
        if key not in self.cache:
            value = float(self.utility(key))
            if not math.isfinite(value):
                raise ValueError(f"utility returned {value} for coalition {sorted(key)}")
            self.cache[key] = value
        return self.cache[key]


def as_cached(utility: Utility, n_players: int) -> CachedUtility:
    """Wrap ``utility`` unless it already is a cache for ``n_players`` (then share it)."""
    if isinstance(utility, CachedUtility):
        if utility.n_players != check_players(n_players):
            raise ValueError(f"utility is cached for {utility.n_players} players, not {n_players}")
        return utility
    return CachedUtility(utility, n_players)


def check_players(n_players: int) -> int:
    return positive_int("n_players", n_players)
