"""GTG-Shapley's rules: guided antithetic sampling, relative truncation, convergence cap."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from cst_ref.data import Dataset
from cst_ref.fl import evaluate
from cst_ref.models import small_cnn
from cst_ref.valuation import CoalitionEvaluator, gtg_shapley, round_utility
from cst_ref.valuation.multi_round import _guided_permutations
from cst_ref.valuation.single_round import permutation_shapley


def test_guided_permutations_cycle_the_first_client_and_antithetic_pairs_are_reverses() -> None:
    rng = np.random.default_rng(0)
    draws = _guided_permutations(5, rng, antithetic=True)
    orders = [next(draws) for _ in range(20)]
    for k in range(0, 20, 2):
        assert orders[k][0] == (k // 2) % 5
        np.testing.assert_array_equal(orders[k + 1], orders[k][::-1])
        assert sorted(orders[k]) == list(range(5))
    plain = _guided_permutations(5, np.random.default_rng(0))
    assert [next(plain)[0] for _ in range(7)] == [0, 1, 2, 3, 4, 0, 1]


def test_relative_truncation_never_evaluates_more_coalitions_than_none(linear_skew_run) -> None:
    history, validation = linear_skew_run
    # A fixed number of permutations, so that only truncation differs between the runs.
    fixed = dict(min_permutations=12, max_permutations=12, seed=3)
    for truncation in (0.05, 0.2, 0.5):
        truncated = gtg_shapley(history, validation, truncation=truncation, **fixed)
        full = gtg_shapley(history, validation, truncation=0.0, **fixed)
        assert truncated.evaluations <= full.evaluations
    assert gtg_shapley(history, validation, truncation=1.0, **fixed).evaluations < full.evaluations


def test_convergence_stops_by_the_cap_and_not_before_the_minimum(linear_skew_run) -> None:
    history, validation = linear_skew_run
    n = history.n_clients
    utility = round_utility(history, 0, validation)
    # convergence 0 can never be met: the cap stops the round.
    def walk(antithetic: bool = False, **options: float) -> int:
        draws = _guided_permutations(n, np.random.default_rng(0), antithetic)
        return permutation_shapley(n, utility, draws, 9, tolerance=0.0, **options)[1]

    used = walk(min_permutations=3, convergence=0.0)
    assert used == 9
    # convergence ∞ is met at once: the minimum stops it (rounded up to whole antithetic pairs).
    used = walk(min_permutations=5, convergence=np.inf, window=3)
    assert used == 5
    used = walk(True, min_permutations=5, convergence=np.inf, step=2)
    assert used == 6
    one = gtg_shapley(history, validation, min_permutations=1, max_permutations=1, truncation=0.0)
    assert one.evaluations <= history.rounds * (n + 1)


def test_antithetic_gtg_is_reproducible_and_tracks_the_default(linear_skew_run) -> None:
    history, validation = linear_skew_run
    a, b = gtg_shapley(history, validation, antithetic=True), gtg_shapley(history, validation, antithetic=True)
    assert np.array_equal(a.values, b.values) and a.evaluations == b.evaluations
    assert np.corrcoef(a.values, gtg_shapley(history, validation).values)[0, 1] > 0.8


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(min_permutations=0), "min_permutations"),
        (dict(min_permutations=10, max_permutations=5), "min_permutations"),
        (dict(window=0), "window"),
        (dict(truncation=-0.1), "truncation"),
        (dict(truncation=float("nan")), "truncation"),
        (dict(truncation_tolerance=float("inf")), "truncation_tolerance"),
        (dict(round_tolerance=float("nan")), "round_tolerance"),
        (dict(convergence=-0.1), "convergence"),
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
