"""Single-round contribution estimators on one interface.

Each takes ``(n_players, utility, **options)`` with ``utility(coalition: frozenset[int])``
and returns a length-``n_players`` array. Exact methods enumerate all 2^n coalitions;
sampling methods walk random permutations (Ghorbani & Zou 2019).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from math import factorial

import numpy as np

from cst_ref.checks import check_options, check_real, check_seed, check_vector, positive_int
from cst_ref.valuation.sampling import cycle_marginals
from cst_ref.valuation.utility import MAX_MASK_PLAYERS, CachedUtility, Utility, as_cached, check_players

#: Exact enumeration beyond this many players would take 2^n evaluations; refuse it.
MAX_EXACT_PLAYERS = 20


def _known_players(utility: Utility) -> int | None:
    """How many players ``utility`` knows, if it says: a cache's ``n_players``, a coalition
    evaluator's ``n_clients``; a plain callable cannot say."""
    for name in ("n_players", "n_clients"):
        count = getattr(utility, name, None)
        if isinstance(count, int):
            return count
    return None


def _exact_players(n_players: int, utility: Utility, enumerates: bool = True) -> int:
    """``n_players`` for an exact method: at least 1, at most the players ``utility`` knows
    and, if the method ``enumerates`` all 2^n coalitions, at most ``MAX_EXACT_PLAYERS``."""
    n = check_players(n_players)
    known = _known_players(utility)
    if known is not None and n > known:
        raise ValueError(f"n_players = {n} exceeds the {known} players the utility knows")
    if enumerates and n > MAX_EXACT_PLAYERS:
        raise ValueError(
            f"n_players = {n}: exact enumeration needs 2^{n} coalitions; use at most {MAX_EXACT_PLAYERS} players"
        )
    return n


@contextmanager
def _players_known(n: int) -> Iterator[None]:
    """A plain callable cannot say how many players it knows; one it lacks typically fails
    in its own code as ``clients[i]`` or ``weights[i]``: say which argument is at fault."""
    try:
        yield
    except IndexError as error:
        raise ValueError(
            f"the utility raised IndexError ({error}) for n_players = {n}: does it know {n} players?"
        ) from error


def _all_values(n: int, v: CachedUtility) -> np.ndarray:
    """v(S) for every bitmask S in 0..2^n−1 (bit j set ⇔ player j in S)."""
    with _players_known(n):
        return v.values(np.arange(2**n))  # one batch when the utility offers one


def _marginals(n: int, values: np.ndarray, weight: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Σ_{S∌i} weight(|S|)·(v(S∪{i}) − v(S)) for every player i.

    Viewed as (2^(n−i−1), 2, 2^i), the bitmasks without player i are ``[:, 0, :]`` and the same
    ones with i are ``[:, 1, :]``: strided views, no index arrays (0.65 → 0.1 s at n = 20).
    """
    weights = weight(np.bitwise_count(np.arange(2**n)))
    result = np.zeros(n)
    for i in range(n):
        v, w = values.reshape(-1, 2, 2**i), weights.reshape(-1, 2, 2**i)
        result[i] = np.sum(w[:, 0] * (v[:, 1] - v[:, 0]))
    return result


def exact_shapley(n_players: int, utility: Utility) -> np.ndarray:
    """φ_i = Σ_{S⊆N∖i} |S|!(n−|S|−1)!/n! · (v(S∪i) − v(S)) (Shapley 1953); 2^n evaluations."""
    n = _exact_players(n_players, utility)
    v = as_cached(utility, n)
    # |S| runs to n − 1 for S ∌ i; the grand coalition's entry (|S| = n) is never read
    coefficient = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)] + [0.0])
    return _marginals(n, _all_values(n, v), lambda sizes: coefficient[sizes])


def banzhaf(n_players: int, utility: Utility) -> np.ndarray:
    """β_i = mean over the 2^(n−1) coalitions S∌i of v(S∪i) − v(S) (Banzhaf 1965)."""
    n = _exact_players(n_players, utility)
    v = as_cached(utility, n)
    return _marginals(n, _all_values(n, v), lambda sizes: np.full(len(sizes), 0.5 ** (n - 1)))


def leave_one_out(n_players: int, utility: Utility) -> np.ndarray:
    """v(N) − v(N∖i): what the federation loses without client i; n+1 evaluations."""
    n = _exact_players(n_players, utility, enumerates=False)
    v = as_cached(utility, n)
    everyone = frozenset(range(n))
    with _players_known(n):
        return np.array([v(everyone) - v(everyone - {i}) for i in range(n)])


def _random_permutations(n: int, seed: int) -> Iterator[np.ndarray]:
    """Endless seeded permutations; the seed is checked now, not at the first draw."""
    rng = np.random.default_rng(check_seed("seed", seed))
    return (rng.permutation(n) for _ in itertools.count())


def monte_carlo_shapley(n_players: int, utility: Utility, permutations: int = 200, seed: int = 0) -> np.ndarray:
    """Permutation-sampling Shapley estimate from ``permutations`` random orders.

    Nothing stops a permutation early, so every prefix of every permutation is valued in one
    batch, permutation after permutation: a permutation's prefixes share most of their
    clients, which the batch path's table look-ups reward. Measured at n = 16 on digits, 50
    permutations: 0.051 s, against 0.072 s a permutation at a time and 0.174 s walked
    position by position in lockstep, as TMC must.
    """
    positive_int("permutations", permutations)
    n = check_players(n_players)
    v = as_cached(utility, n)
    orders = np.array(list(itertools.islice(_random_permutations(n, seed), permutations)))
    if n > MAX_MASK_PLAYERS:  # bitmasks beyond int64: the lockstep walk handles Python ints
        return cycle_marginals(v, orders, 0.0)[0] / permutations
    prefixes = np.bitwise_or.accumulate(np.left_shift(1, orders), axis=1)
    values = v.values(np.hstack([np.zeros((permutations, 1), dtype=np.int64), prefixes]).ravel())
    total = np.zeros(n)
    np.add.at(total, orders, np.diff(values.reshape(permutations, n + 1), axis=1))
    return total / permutations


def tmc_shapley(
    n_players: int, utility: Utility, permutations: int = 200, tolerance: float = 0.01, seed: int = 0
) -> np.ndarray:
    """Truncated Monte Carlo Shapley (Ghorbani & Zou 2019): stop a permutation once the
    prefix is within ``tolerance`` of v(N), since later marginals are then negligible.

    Every permutation runs to its truncation, so all of them are walked in lockstep, position
    by position, each step's prefixes valued in one batch (:func:`cycle_marginals`): the same
    coalitions, hence the same evaluation count, as walking them one at a time.
    """
    positive_int("permutations", permutations)
    n = check_players(n_players)
    check_real("tolerance", tolerance, minimum=0.0)
    orders = np.array(list(itertools.islice(_random_permutations(n, seed), permutations)))
    return cycle_marginals(as_cached(utility, n), orders, tolerance)[0] / permutations


def equal(n_players: int, utility: Utility | None = None) -> np.ndarray:
    """Baseline: everyone gets 1/n, whatever they did."""
    n = check_players(n_players)
    return np.full(n, 1.0 / n)


def data_size(n_players: int, utility: Utility | None = None, sizes: Sequence[int] | None = None) -> np.ndarray:
    """Baseline: scores ∝ the sample counts clients report (what free riders exploit)."""
    n = check_players(n_players)
    if sizes is None or len(sizes) != n:
        raise ValueError(f"data_size needs sizes for all {n} players")
    values = check_vector("sizes", sizes)
    if np.any(values < 0) or values.sum() <= 0:
        raise ValueError("sizes must be non-negative with a positive total")
    return values / values.sum()


ESTIMATORS: dict[str, Callable[..., np.ndarray]] = {
    "exact_shapley": exact_shapley,
    "banzhaf": banzhaf,
    "leave_one_out": leave_one_out,
    "monte_carlo_shapley": monte_carlo_shapley,
    "tmc_shapley": tmc_shapley,
    "equal": equal,
    "data_size": data_size,
}


def estimate(method: str, n_players: int, utility: Utility, **options: object) -> np.ndarray:
    """Run the single-round estimator called ``method``."""
    if method not in ESTIMATORS:
        raise ValueError(f"unknown valuation method {method!r}; expected one of {sorted(ESTIMATORS)}")
    estimator = ESTIMATORS[method]
    check_options(f"valuation method {method!r}", estimator, n_players, utility, **options)
    return estimator(n_players, utility, **options)
