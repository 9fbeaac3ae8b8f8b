"""GTG-Shapley's rules: position-balanced cycles, truncation, convergence, evaluation counts."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from cst_ref.data import Dataset, build_clients, dirichlet
from cst_ref.fl import FedAvgConfig, evaluate, run_fedavg
from cst_ref.models import mlp, small_cnn
from cst_ref.valuation import CachedUtility, CoalitionEvaluator, gtg_shapley
from cst_ref.valuation.games import additive, airport
from cst_ref.valuation.multi_round import choose_sampler
from cst_ref.valuation.sampling import (
    cycle_marginals,
    cycle_shapley,
    latin_cycle,
    regression_budget,
    regression_shapley,
)
from cst_ref.valuation.single_round import estimate


def test_a_cycle_puts_every_client_in_every_position_once() -> None:
    for n in (1, 4, 7):
        cycle = latin_cycle(n, np.random.default_rng(n))
        for line in (*cycle, *cycle.T):
            assert sorted(line) == list(range(n))
    assert np.array_equal(latin_cycle(6, np.random.default_rng(0)), latin_cycle(6, np.random.default_rng(0)))


def test_untruncated_cycles_give_exact_values_on_closed_form_games() -> None:
    """Additive game: every permutation pays each player its weight. Airport game: a full
    cycle is an unbiased estimate, and 400 cycles come within 3 % of Littlechild–Owen."""
    game = additive([0.5, -0.2, 0.1, 0.4])
    cached = CachedUtility(game.utility, game.n)
    np.testing.assert_allclose(cycle_marginals(cached, latin_cycle(4, np.random.default_rng(0)), 0.0)[0], 4 * game.shapley)
    game = airport([1.0, 2.0, 2.0, 3.0, 5.0, 8.0])
    values, cycles = cycle_shapley(CachedUtility(game.utility, game.n), np.random.default_rng(0), 0.0, 0.0, 1, 400)
    assert cycles == 400
    np.testing.assert_allclose(values, game.shapley, atol=0.03 * game.shapley.max())


class Spy:
    """A batch utility that records every coalition it is asked to value."""

    def __init__(self, game) -> None:
        self.game, self.asked = game, []

    def __call__(self, coalition: frozenset[int]) -> float:
        raise AssertionError("the sampler should use the batch path")

    def utilities(self, masks: np.ndarray) -> np.ndarray:
        self.asked.extend(masks.tolist())
        return np.array([self.game.utility(frozenset(i for i in range(self.game.n) if m >> i & 1)) for m in masks])


def one_at_a_time(game, orders: np.ndarray, tolerance: float) -> set[int]:
    """The coalitions a sequential truncated walk of ``orders`` reads (written independently)."""
    full = game.utility(frozenset(range(game.n)))
    read = {0, 2**game.n - 1}
    for order in orders:
        prefix: set[int] = set()
        for player in order:
            if abs(full - game.utility(frozenset(prefix))) < tolerance:
                break
            prefix.add(int(player))
            read.add(sum(1 << i for i in prefix))
    return read


@pytest.mark.parametrize("tolerance", [0.0, 1.0, 2.5])
def test_evaluations_count_the_distinct_coalitions_a_sequential_walk_reads(tolerance: float) -> None:
    game = airport([1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 8.0])
    spy = Spy(game)
    cached = CachedUtility(spy, game.n)
    _, cycles = cycle_shapley(cached, np.random.default_rng(3), tolerance, 0.0, 1, 3)
    replay = np.random.default_rng(3)
    orders = np.concatenate([latin_cycle(game.n, replay) for _ in range(cycles)])
    expected = one_at_a_time(game, orders, tolerance)
    assert cached.evaluations == len(expected) and set(spy.asked) == expected
    assert len(spy.asked) == len(set(spy.asked))  # nothing valued twice


def test_relative_truncation_never_evaluates_more_coalitions_than_none(linear_skew_run) -> None:
    history, validation = linear_skew_run
    fixed = dict(min_cycles=2, max_cycles=2, seed=3)  # only truncation differs between the runs
    full = gtg_shapley(history, validation, truncation=0.0, **fixed)
    for truncation in (0.05, 0.2, 0.5):
        assert gtg_shapley(history, validation, truncation=truncation, **fixed).evaluations <= full.evaluations
    assert gtg_shapley(history, validation, truncation=1.0, **fixed).evaluations < full.evaluations


def test_convergence_stops_by_the_cap_and_not_before_the_minimum() -> None:
    game = airport([1.0, 2.0, 3.0, 5.0])
    cached = CachedUtility(game.utility, game.n)
    assert cycle_shapley(cached, np.random.default_rng(0), 0.0, 0.0, 2, 5)[1] == 5  # 0 is never met
    assert cycle_shapley(cached, np.random.default_rng(0), 0.0, np.inf, 3, 5)[1] == 3  # ∞ is met at once


def test_gtg_is_reproducible_and_skips_rounds_below_tolerance(linear_skew_run) -> None:
    history, validation = linear_skew_run
    a, b = gtg_shapley(history, validation, seed=1), gtg_shapley(history, validation, seed=1)
    assert np.array_equal(a.values, b.values) and a.evaluations == b.evaluations
    skipped = gtg_shapley(history, validation, round_tolerance=1.0)
    assert np.all(skipped.values == 0) and skipped.evaluations == 2 * history.rounds


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(min_cycles=0), "min_cycles"),
        (dict(min_cycles=10, max_cycles=5), "min_cycles"),
        (dict(max_cycles=1.5), "max_cycles"),
        (dict(truncation=-0.1), "truncation"),
        (dict(truncation=float("nan")), "truncation"),
        (dict(truncation_tolerance=float("inf")), "truncation_tolerance"),
        (dict(round_tolerance=float("nan")), "round_tolerance"),
        (dict(standard_error=-0.1), "standard_error"),
        (dict(sampler="kernel"), "sampler"),
        (dict(per_size=0), "per_size"),
    ],
)
def test_bad_gtg_options_raise_value_error(linear_skew_run, options, message: str) -> None:
    history, validation = linear_skew_run
    with pytest.raises(ValueError, match=message):
        gtg_shapley(history, validation, **options)


def test_channels_last_cnn_evaluation_matches_the_plain_forward_pass() -> None:
    """The evaluator stores images channels-last for speed; accuracy must not change."""
    generator = torch.Generator().manual_seed(0)
    x, y = torch.randn(64, 3, 32, 32, generator=generator), torch.randint(0, 10, (64,), generator=generator)
    validation = Dataset(x, y, 10, "noise")
    model = small_cnn(seed=0)
    base = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    updates = 0.05 * torch.randn(3, base.numel(), generator=generator)
    counts = np.array([10, 20, 30])
    for strategy in ("plain", "mix"):
        evaluator = CoalitionEvaluator(model, base, updates, counts, validation, strategy)
        for coalition in ((), (0,), (1, 2), (0, 1, 2)):
            plain = evaluate(_model_with(model, evaluator.params(coalition)), validation)[0]
            assert evaluator(coalition) == pytest.approx(plain, abs=1e-9)


def _model_with(model: torch.nn.Module, params: torch.Tensor) -> torch.nn.Module:
    rebuilt = copy.deepcopy(model)
    torch.nn.utils.vector_to_parameters(params, rebuilt.parameters())
    return rebuilt


def test_gtg_sampling_handles_more_players_than_an_int64_mask():
    """A 100-client round: bitmasks become Python ints and the additive game's values are exact."""
    weights = np.linspace(0.0, 1.0, 100)
    utility = CachedUtility(lambda coalition: float(sum(weights[i] for i in coalition)), 100)
    values, cycles = cycle_shapley(utility, np.random.default_rng(0), 0.0, 0.01, 2, 3)
    np.testing.assert_allclose(values, weights, atol=1e-9)
    assert cycles == 2 and utility.values([2**100 - 1])[0] == pytest.approx(weights.sum())


def test_regression_sampler_is_exact_when_every_stratum_is_valued_or_the_game_is_additive() -> None:
    """All coalitions valued (per_size ≥ every stratum): the strata means, hence Shapley, are
    exact. An additive game: the surrogate fits it, so a few samples per size are exact too."""
    game = airport([1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 8.0, 9.0])
    cached = CachedUtility(game.utility, game.n)
    np.testing.assert_allclose(regression_shapley(cached, np.random.default_rng(0), 100), game.shapley, atol=1e-9)
    assert cached.evaluations == 2**game.n
    game = additive(np.linspace(-0.5, 1.0, 12))
    np.testing.assert_allclose(regression_shapley(CachedUtility(game.utility, game.n), np.random.default_rng(0), 2),
                               game.shapley, atol=1e-9)


def test_regression_sampler_is_exact_on_a_game_quadratic_in_the_fedavg_weights() -> None:
    """v(S) = c_|S| + Σ_{j∈S} a_j + w_Sᵀ A w_S with w_S the FedAvg weights of S: the surrogate's
    own form, so a few coalitions a size recover it and the estimate is exact. With equal
    weights in its place the surrogate misses the game and the estimate is not."""
    rng = np.random.default_rng(3)
    n, counts = 9, rng.integers(20, 200, 9).astype(float)
    level, single, pairs = rng.normal(size=n + 1), rng.normal(size=n), rng.normal(size=(n, n))

    def game(coalition: frozenset[int]) -> float:
        members = sorted(coalition)
        w = counts[members] / counts[members].sum() if members else np.zeros(0)
        return float(level[len(members)] + single[members].sum() + w @ pairs[np.ix_(members, members)] @ w)

    exact = estimate("exact_shapley", n, game)
    weighted = regression_shapley(CachedUtility(game, n), np.random.default_rng(0), 8, counts)
    np.testing.assert_allclose(weighted, exact, atol=1e-9)
    equal = regression_shapley(CachedUtility(game, n), np.random.default_rng(0), 8)
    assert np.abs(equal - exact).max() > 1e-3


def test_regression_sampler_refuses_bad_weights() -> None:
    cached = CachedUtility(lambda coalition: 0.0, 4)
    for weights, message in (([1.0, 2.0, 3.0], "3 values for 4 clients"), ([1.0, 0.0, 2.0, 3.0], "positive"),
                             ([1.0, float("nan"), 2.0, 3.0], "finite"), ("abcd", "list of numbers")):
        with pytest.raises(ValueError, match=message):
            regression_shapley(cached, np.random.default_rng(0), 3, weights)


def test_regression_sampler_counts_distinct_coalitions_and_is_reproducible() -> None:
    """n = 10: sizes 0, 1, 2, 9, 10 in full (67 coalitions) plus per_size at each of sizes 3–8."""
    game = airport([1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 8.0, 9.0, 9.5, 12.0])
    spy = Spy(game)
    cached = CachedUtility(spy, game.n)
    first = regression_shapley(cached, np.random.default_rng(4), 5)
    assert cached.evaluations == 67 + 6 * 5 and len(spy.asked) == len(set(spy.asked))
    sizes = np.bincount([bin(m).count("1") for m in spy.asked], minlength=game.n + 1)
    assert sizes.tolist() == [1, 10, 45, 5, 5, 5, 5, 5, 5, 10, 1]
    again = regression_shapley(CachedUtility(game.utility, game.n), np.random.default_rng(4), 5)
    assert np.array_equal(first, again)
    assert abs(first.sum() - game.shapley.sum()) < 0.05 * game.shapley.sum()  # near efficiency


def test_regression_sampler_draws_by_rejection_beyond_enumerable_sizes() -> None:
    """25 players: middle sizes are sampled by rejection; an additive game stays exact."""
    weights = np.linspace(0.0, 1.0, 25)
    utility = CachedUtility(lambda coalition: float(sum(weights[i] for i in coalition)), 25)
    np.testing.assert_allclose(regression_shapley(utility, np.random.default_rng(0), 3), weights, atol=1e-9)
    assert utility.evaluations == 1 + 25 + 300 + 21 * 3 + 25 + 1
    with pytest.raises(ValueError, match="at most"):
        regression_shapley(CachedUtility(lambda coalition: 0.0, 70), np.random.default_rng(0), 3)
    with pytest.raises(ValueError, match="per_size"):
        regression_shapley(CachedUtility(lambda coalition: 0.0, 5), np.random.default_rng(0), 0)


def test_gtg_with_the_regression_sampler_is_reproducible(linear_skew_run) -> None:
    history, validation = linear_skew_run
    a = gtg_shapley(history, validation, sampler="regression", per_size=2, seed=1)
    b = gtg_shapley(history, validation, sampler="regression", per_size=2, seed=1)
    assert np.array_equal(a.values, b.values) and a.evaluations == b.evaluations
    assert a.per_round.shape == (history.rounds, history.n_clients)


def test_auto_sampler_takes_the_regression_sampler_from_10_to_20_clients(linear_skew_run, digits_split) -> None:
    """Where the regression sampler's fixed cost is at most a quarter of all coalitions and
    n ≤ 20; the cycles elsewhere. The default is that choice, not a third method."""
    assert [choose_sampler(n) for n in (2, 8, 9, 10, 16, 20, 21, 50)] == ["cycles"] * 3 + ["regression"] * 3 + ["cycles"] * 2
    assert choose_sampler(10, per_size=60) == "cycles"  # 67 + 6 × 60 coalitions: over a quarter of 1,024
    assert regression_budget(10, 20) == 187 and regression_budget(8, 20) == 126
    history, validation = linear_skew_run  # six clients: the cycles
    default, cycles = gtg_shapley(history, validation, seed=3), gtg_shapley(history, validation, seed=3, sampler="cycles")
    assert np.array_equal(default.values, cycles.values) and default.evaluations == cycles.evaluations
    train, validation = digits_split
    clients = build_clients(train, dirichlet(train.labels, 10, alpha=0.5, seed=0))
    history = run_fedavg(mlp(seed=0), clients, validation, FedAvgConfig(rounds=2, seed=0, progress=False))
    default = gtg_shapley(history, validation, seed=3)
    regression = gtg_shapley(history, validation, seed=3, sampler="regression")
    assert np.array_equal(default.values, regression.values) and default.evaluations == 2 * 187


def test_the_first_cycles_walked_together_give_the_numbers_of_one_cycle_at_a_time() -> None:
    """min_cycles cycles in one walk (larger batches): the same estimate, bit for bit, as
    walking them one after another, and the same coalitions."""
    game = airport([1.0, 2.0, 2.0, 3.0, 5.0, 8.0, 8.0])
    together = CachedUtility(game.utility, game.n)
    values, cycles = cycle_shapley(together, np.random.default_rng(5), 1.0, np.inf, 3, 6)
    replay, apart = np.random.default_rng(5), CachedUtility(game.utility, game.n)
    estimates = [cycle_marginals(apart, latin_cycle(game.n, replay), 1.0)[0] / game.n for _ in range(3)]
    assert cycles == 3 and np.array_equal(values, np.mean(estimates, 0)) and together.cache == apart.cache
