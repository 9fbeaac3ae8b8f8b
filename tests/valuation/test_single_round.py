"""The single-round interface: caching, baselines, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cst_ref.valuation import (
    ESTIMATORS,
    CachedUtility,
    banzhaf,
    data_size,
    equal,
    estimate,
    exact_shapley,
    leave_one_out,
    monte_carlo_shapley,
    tmc_shapley,
)
from cst_ref.valuation.games import additive, glove


#: The closed-form value (an attribute of Game) each estimator should reproduce; a new
#: estimator fails here until it is given one.
TARGETS = {
    "exact_shapley": "shapley",
    "banzhaf": "banzhaf",
    "leave_one_out": "leave_one_out",
    "monte_carlo_shapley": "shapley",
    "tmc_shapley": "shapley",
}


@pytest.mark.parametrize("method", sorted(set(ESTIMATORS) - {"equal", "data_size"}))
def test_every_estimator_has_the_common_interface(method: str) -> None:
    """Called by name, each returns one value per player, the right ones for the glove game.

    Sampling methods must land within 0.06 (two standard errors at 200 permutations): close
    enough to tell Shapley from Banzhaf, which differ by 0.125 for the scarce glove.
    """
    game = glove(3)
    values = estimate(method, game.n, game.utility)
    assert isinstance(values, np.ndarray) and values.shape == (4,)
    sampled = method in ("monte_carlo_shapley", "tmc_shapley")
    np.testing.assert_allclose(values, getattr(game, TARGETS[method]), atol=0.06 if sampled else 1e-12)


def test_each_coalition_is_evaluated_once() -> None:
    calls: list[frozenset[int]] = []

    def utility(coalition: frozenset[int]) -> float:
        calls.append(coalition)
        return float(len(coalition) ** 2)

    exact_shapley(4, utility)
    assert len(calls) == len(set(calls)) == 16
    cached = CachedUtility(utility, 4)
    monte_carlo_shapley(4, cached, permutations=50, seed=0)
    banzhaf(4, cached)  # shares the cache: no coalition is evaluated again
    assert cached.evaluations == 16 and len(calls) == 32


def test_sampling_is_seeded() -> None:
    game = glove(4)
    a = tmc_shapley(game.n, game.utility, permutations=20, seed=5)
    b = tmc_shapley(game.n, game.utility, permutations=20, seed=5)
    c = tmc_shapley(game.n, game.utility, permutations=20, seed=6)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_baselines() -> None:
    np.testing.assert_allclose(equal(4), 0.25)
    np.testing.assert_allclose(data_size(3, None, sizes=[10, 30, 60]), [0.1, 0.3, 0.6])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: estimate("owen", 3, lambda s: 0.0), "unknown valuation method"),
        (lambda: exact_shapley(0, lambda s: 0.0), "n_players"),
        (lambda: leave_one_out_nan(), "nan"),
        (lambda: exact_shapley(3, lambda s: math.nan if len(s) == 2 else 1.0), "nan"),
        (lambda: monte_carlo_shapley(3, lambda s: 0.0, permutations=0), "permutations"),
        (lambda: data_size(3, None, sizes=[1, 2]), "sizes"),
        (lambda: data_size(2, None, sizes=[1, float("nan")]), "finite"),
        (lambda: monte_carlo_shapley(3, lambda s: 0.0, permutations=2.5), "permutations"),
        (lambda: tmc_shapley(3, lambda s: 0.0, tolerance=float("nan")), "tolerance"),
        (lambda: exact_shapley(21, lambda s: 0.0), "2\\^21"),
        (lambda: monte_carlo_shapley(3, lambda s: 0.0, seed=-1), "seed must be non-negative"),
        (lambda: tmc_shapley(3, lambda s: 0.0, seed=1.5), "seed must be an int"),
        (lambda: tmc_shapley(3, lambda s: 0.0, tolerance="0.01"), "tolerance must be a real number"),
        (lambda: tmc_shapley(3, lambda s: 0.0, tolerance=-0.1), "tolerance must be ≥ 0"),
        (lambda: tmc_shapley(3, lambda s: 0.0, permutations="20"), "permutations"),
        (lambda: data_size(2, None, sizes=["a", "b"]), "sizes must be a list of numbers"),
        (lambda: data_size(2, None, sizes=[-1, 2]), "non-negative"),
        (lambda: estimate("exact_shapley", 3, lambda s: 0.0, seed=0), "'exact_shapley'.*seed"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


class ThreeClients:
    """A utility that says how many players it knows, as a coalition evaluator does."""

    n_clients = 3

    def __call__(self, coalition: frozenset[int]) -> float:
        return float(len(coalition))


@pytest.mark.parametrize("method", [exact_shapley, banzhaf, leave_one_out])
@pytest.mark.parametrize(
    ("utility", "message"),
    [
        (lambda: additive([1.0, 2.0, 3.0]).utility, "IndexError.*n_players = 5"),
        (ThreeClients, "n_players = 5 exceeds the 3 players the utility knows"),
        (lambda: CachedUtility(lambda s: 0.0, 3), "n_players = 5 exceeds the 3 players the utility knows"),
    ],
)
def test_exact_methods_refuse_more_players_than_the_utility_knows(method, utility, message) -> None:
    with pytest.raises(ValueError, match=message):
        method(5, utility())


@pytest.mark.parametrize("method", [exact_shapley, banzhaf, leave_one_out])
def test_exact_methods_refuse_fewer_than_one_player(method) -> None:
    with pytest.raises(ValueError, match="n_players must be an integer, at least 1"):
        method(0, ThreeClients())


def test_exact_enumeration_limit_is_checked_before_any_evaluation() -> None:
    def utility(coalition: frozenset[int]) -> float:
        raise AssertionError("evaluated")

    with pytest.raises(ValueError, match=r"n_players = 21: exact enumeration needs 2\^21"):
        banzhaf(21, utility)


def test_exact_methods_take_fewer_players_than_the_utility_knows() -> None:
    np.testing.assert_allclose(exact_shapley(2, ThreeClients()), [1.0, 1.0])
    np.testing.assert_allclose(leave_one_out(3, additive([1.0, 2.0, 3.0]).utility), [1.0, 2.0, 3.0])


def leave_one_out_nan() -> np.ndarray:
    return estimate("leave_one_out", 2, lambda s: float("nan"))


def test_monte_carlo_beyond_int64_bitmasks_walks_python_int_coalitions() -> None:
    """70 players: bitmasks no longer fit an int64, yet an additive game's values stay exact."""
    weights = np.linspace(-1.0, 1.0, 70)
    utility = CachedUtility(lambda coalition: float(sum(weights[i] for i in coalition)), 70)
    np.testing.assert_allclose(monte_carlo_shapley(70, utility, permutations=3, seed=2), weights, atol=1e-9)
    assert 70 < utility.evaluations <= 2 + 3 * 69
