"""Estimators on games with closed-form values, and the Shapley axioms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cst_ref.valuation import banzhaf, exact_shapley, leave_one_out, monte_carlo_shapley, tmc_shapley
from cst_ref.valuation.games import Game, additive, airport, glove, unanimity, weighted_voting

GAMES = [
    additive([0.5, 1.0, 2.0, -0.3]),
    unanimity(5, {1, 3}),
    glove(3),
    airport([1.0, 2.0, 2.0, 5.0, 7.0]),
    weighted_voting(),
]
IDS = [g.name for g in GAMES]


@pytest.mark.parametrize("game", GAMES, ids=IDS)
def test_exact_methods_match_closed_forms(game: Game) -> None:
    np.testing.assert_allclose(exact_shapley(game.n, game.utility), game.shapley, atol=1e-12)
    np.testing.assert_allclose(banzhaf(game.n, game.utility), game.banzhaf, atol=1e-12)
    np.testing.assert_allclose(leave_one_out(game.n, game.utility), game.leave_one_out, atol=1e-12)


def test_weighted_voting_values_by_hand() -> None:
    game = weighted_voting()
    np.testing.assert_allclose(exact_shapley(4, game.utility), [0.5, 1 / 6, 1 / 6, 1 / 6])


@pytest.mark.parametrize("game", GAMES, ids=IDS)
def test_sampling_estimators_converge_to_exact_shapley(game: Game) -> None:
    """2,000 permutations, seed 0: within 0.03 of the exact value (scaled by the game's range)."""
    scale = max(1.0, float(np.abs(game.shapley).max()))
    mc = monte_carlo_shapley(game.n, game.utility, permutations=2000, seed=0)
    tmc = tmc_shapley(game.n, game.utility, permutations=2000, tolerance=1e-9, seed=0)
    np.testing.assert_allclose(mc, game.shapley, atol=0.03 * scale)
    np.testing.assert_allclose(tmc, game.shapley, atol=0.03 * scale)


def test_tmc_truncation_saves_evaluations_on_a_saturating_game() -> None:
    """Once a prefix holds both carriers, v is already v(N): TMC stops walking."""
    game = unanimity(8, {0, 1})
    calls: list[frozenset[int]] = []

    def counting(coalition: frozenset[int]) -> float:
        calls.append(coalition)
        return game.utility(coalition)

    values = tmc_shapley(game.n, counting, permutations=300, tolerance=1e-9, seed=0)
    np.testing.assert_allclose(values, game.shapley, atol=0.06)
    assert len(calls) < 2**game.n


def random_game(n: int, table: list[float]):
    return lambda s: table[sum(1 << i for i in s)]


games = st.integers(2, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.floats(-10, 10), min_size=2**n, max_size=2**n))
)


@given(games)
def test_efficiency(game: tuple[int, list[float]]) -> None:
    n, table = game
    phi = exact_shapley(n, random_game(n, table))
    assert np.isclose(phi.sum(), table[-1] - table[0], atol=1e-9)


@given(games)
def test_null_player_gets_zero(game: tuple[int, list[float]]) -> None:
    """Player n (added) never changes v: Shapley, Banzhaf and LOO all pay it 0."""
    n, table = game
    base = random_game(n, table)
    extended = lambda s: base(s - {n})  # noqa: E731
    for method in (exact_shapley, banzhaf, leave_one_out):
        assert abs(method(n + 1, extended)[n]) < 1e-9


@given(games)
def test_symmetric_players_get_equal_values(game: tuple[int, list[float]]) -> None:
    """Make players 0 and 1 interchangeable by symmetrising v; they must then be paid alike."""
    n, table = game

    def swap(s: frozenset[int]) -> frozenset[int]:
        return frozenset({1: 0, 0: 1}.get(i, i) for i in s)

    base = random_game(n, table)
    symmetric = lambda s: base(s) + base(swap(s))  # noqa: E731
    for method in (exact_shapley, banzhaf):
        values = method(n, symmetric)
        assert np.isclose(values[0], values[1], atol=1e-9)


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=6))
def test_additive_games_pay_the_weights(weights: list[float]) -> None:
    game = additive(weights)
    for method in (exact_shapley, banzhaf, leave_one_out):
        np.testing.assert_allclose(method(game.n, game.utility), weights, atol=1e-9)


def test_exact_shapley_matches_the_permutation_definition() -> None:
    game = airport([1.0, 3.0, 4.0, 8.0])
    totals = np.zeros(4)
    for order in itertools.permutations(range(4)):
        prefix: set[int] = set()
        for player in order:
            before = game.utility(frozenset(prefix))
            prefix.add(player)
            totals[player] += game.utility(frozenset(prefix)) - before
    np.testing.assert_allclose(exact_shapley(4, game.utility), totals / 24)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: unanimity(3, set()), "at least one player"),
        (lambda: unanimity(3, {0, 3}), "carriers \\[0, 3\\] must be players in 0..2"),
        (lambda: unanimity(0, {0}), "n must be"),
        (lambda: additive([]), "weights must be a non-empty list"),
        (lambda: additive([1.0, float("inf")]), "weights must be finite"),
        (lambda: additive(["a"]), "weights must be a list of numbers"),
        (lambda: airport([]), "costs must be a non-empty list"),
        (lambda: airport([2.0, 1.0]), "sorted ascending"),
        (lambda: glove(1), "at least two right gloves"),
        (lambda: glove(2.5), "n_right must be an int"),
    ],
)
def test_bad_game_parameters_raise_value_error(call, message: str) -> None:
    """unanimity(n, set()) once returned NaN values (0/0) instead of refusing."""
    with pytest.raises(ValueError, match=message):
        call()
