"""A utility wrapper that checks, caches and counts evaluations.

Every estimator calls the utility through :class:`CachedUtility`, so a coalition is never
evaluated twice and the number of real evaluations (the cost of a method) is known.
Coalitions are cached by bitmask (bit i set ⇔ client i in S): a million of them, all
coalitions of 20 players, then take about 100 MB instead of most of a gigabyte as frozensets.

A utility may offer a batch path, ``utilities(masks) -> array`` (see :class:`BatchUtility`);
:meth:`CachedUtility.values` then evaluates every missing coalition of a list in one call.
Plain callables still work: they are called once per missing coalition.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Protocol, runtime_checkable

import numpy as np

from cst_ref.checks import positive_int

Utility = Callable[[frozenset[int]], float]

#: Bitmasks are int64 arrays in the batch path; wider federations fall back to Python ints.
MAX_MASK_PLAYERS = 62


@runtime_checkable
class BatchUtility(Protocol):
    """A utility that can also value many coalitions, given as bitmasks, in one call."""

    def __call__(self, coalition: frozenset[int]) -> float: ...

    def utilities(self, masks: np.ndarray) -> np.ndarray: ...


class CachedUtility:
    """``v(S)`` with memoisation; rejects non-numbers and NaN/inf with a ``ValueError``."""

    def __init__(self, utility: Utility, n_players: int) -> None:
        self.utility = utility
        self.n_players = check_players(n_players)
        self.cache: dict[int, float] = {}

    @property
    def evaluations(self) -> int:
        return len(self.cache)

    def __call__(self, coalition: Iterable[int]) -> float:
        mask = self.mask(coalition)
        if mask not in self.cache:
            self.cache[mask] = self._checked(self.utility(members(mask)), mask)
        return self.cache[mask]

    def values(self, masks: Iterable[int]) -> np.ndarray:
        """v(S) for every bitmask in ``masks``; the missing ones in one batch when offered.

        Beyond ``MAX_MASK_PLAYERS`` players a bitmask no longer fits an int64: masks are then
        Python ints and every coalition is evaluated on its own.
        """
        wide = self.n_players > MAX_MASK_PLAYERS
        keys: list[int] = []  # the masks as Python ints when wide
        array = np.empty(0, dtype=np.int64)  # the masks as int64 otherwise
        if wide:
            keys = [int(m) for m in np.asarray(masks, dtype=object).ravel()]
            low, high = (min(keys), max(keys)) if keys else (0, 0)
        else:
            array = np.asarray(masks, dtype=np.int64).ravel()
            low, high = (int(array.min()), int(array.max())) if len(array) else (0, 0)
        if not 0 <= low <= high < 2**self.n_players:
            raise ValueError(f"bitmasks must lie in 0..2^{self.n_players} − 1")

        def ordered() -> list[int]:
            """Every mask in order, as Python ints (converted only where needed: a million take time)."""
            return keys if wide else array.tolist()

        missing: list[int]
        if not wide and not self.cache:  # nothing cached (an exact method's first call): no per-mask look-ups
            missing = array[np.sort(np.unique(array, return_index=True)[1])].tolist()
        else:
            missing = [m for m in dict.fromkeys(ordered()) if m not in self.cache]
        if not missing:
            return np.array([self.cache[m] for m in ordered()])
        if not wide and isinstance(self.utility, BatchUtility):
            computed = np.asarray(self.utility.utilities(np.array(missing, dtype=np.int64)))
            if computed.shape != (len(missing),) or computed.dtype.kind not in "fiu":
                raise ValueError(
                    f"utility {_name(self.utility)} returned a batch of shape {computed.shape} "
                    f"and dtype {computed.dtype} for {len(missing)} coalitions"
                )
            computed = computed.astype(float)
            if not np.isfinite(computed).all():
                bad = int(np.flatnonzero(~np.isfinite(computed))[0])
                self._checked(computed[bad], missing[bad])  # raises, naming the coalition
            self.cache.update(zip(missing, computed.tolist()))  # checked in bulk: a million at C speed
            if len(missing) == len(array) and np.array_equal(missing, array):
                return computed
        else:
            for mask in missing:
                self.cache[mask] = self._checked(self.utility(members(mask)), mask)
        return np.array([self.cache[m] for m in ordered()])

    def mask(self, coalition: Iterable[int]) -> int:
        """The bitmask of ``coalition``; a member outside 0..n−1 raises ``ValueError``."""
        mask = 0
        for member in coalition:
            try:
                member = operator.index(member)
            except TypeError:
                raise ValueError(f"coalition members must be integers, got {member!r}") from None
            if not 0 <= member < self.n_players:
                raise ValueError(f"coalition member {member} is outside 0..{self.n_players - 1}")
            mask |= 1 << member
        return mask

    def _checked(self, value: object, mask: int) -> float:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ValueError(
                f"utility {_name(self.utility)} returned {value!r} ({type(value).__name__}), "
                f"not a number, for coalition {sorted(members(mask))}"
            )
        if not math.isfinite(value):
            raise NonFiniteUtility(
                float(value), f"utility {_name(self.utility)} returned {value} for coalition {sorted(members(mask))}"
            )
        return float(value)


class NonFiniteUtility(ValueError):
    """A utility returned NaN or an infinity: the model of some coalition diverged (a learning
    rate too large, say). ``value`` is what it returned."""

    def __init__(self, value: float, message: str) -> None:
        super().__init__(message)
        self.value = value


def members(mask: int) -> frozenset[int]:
    """The players whose bits are set in ``mask``."""
    return frozenset(i for i in range(mask.bit_length()) if mask >> i & 1)


def member_bits(masks: np.ndarray, n: int) -> np.ndarray:
    """(len(masks), n) 0/1 matrix: row r has bit i set ⇔ client i is in coalition masks[r]."""
    return (masks[:, None] >> np.arange(n)) & 1


def as_cached(utility: Utility, n_players: int) -> CachedUtility:
    """Wrap ``utility`` unless it already is a cache for ``n_players`` (then share it)."""
    if isinstance(utility, CachedUtility):
        if utility.n_players != check_players(n_players):
            raise ValueError(f"utility is cached for {utility.n_players} players, not {n_players}")
        return utility
    return CachedUtility(utility, n_players)


def check_players(n_players: int) -> int:
    return positive_int("n_players", n_players)


def _name(utility: object) -> str:
    return getattr(utility, "__qualname__", type(utility).__name__)
