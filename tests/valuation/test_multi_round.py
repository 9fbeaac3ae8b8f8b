"""OR, MR and GTG-Shapley on recorded histories: reconstruction and economics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from cst_ref.fl import FedAvgConfig, evaluate
from cst_ref.models import mlp
from cst_ref.valuation import (
    METHODS,
    CoalitionEvaluator,
    exact_shapley,
    gtg_shapley,
    labelled,
    one_round,
    per_round,
    retrain_utility,
    round_utility,
    run_methods,
    value_history,
)


def test_reconstructed_grand_coalition_is_the_fedavg_global_model(free_rider_run) -> None:
    history, validation, _ = free_rider_run
    everyone = range(history.n_clients)
    for t in range(history.rounds):
        for strategy in ("plain", "mix"):
            evaluator = CoalitionEvaluator(
                history.model, history.global_params[t], history.updates[t], history.sample_counts, validation, strategy
            )
            torch.testing.assert_close(evaluator.params(everyone), history.global_params[t + 1])
            assert evaluator(everyone) == pytest.approx(history.metrics[t]["accuracy"], abs=1e-6)
            assert evaluator(()) == pytest.approx(evaluate(history.model_with(history.global_params[t]), validation)[0])


def test_mixing_first_layer_outputs_equals_the_plain_forward_pass(free_rider_run) -> None:
    history, validation, _ = free_rider_run
    args = (history.model, history.global_params[1], history.updates[1], history.sample_counts, validation)
    plain, mix = CoalitionEvaluator(*args, strategy="plain"), CoalitionEvaluator(*args, strategy="mix")
    for coalition in ({0}, {1, 3}, {0, 2, 4}, {1, 2, 3, 4}):
        assert plain(coalition) == pytest.approx(mix(coalition), abs=1e-6)


def test_one_round_grand_coalition_is_the_final_model(free_rider_run) -> None:
    history, validation, _ = free_rider_run
    result = one_round(history, validation, method="leave_one_out")
    assert result.evaluations == history.n_clients + 1
    totals = torch.stack(history.updates).sum(0)
    rebuilt = CoalitionEvaluator(history.model, history.global_params[0], totals, history.sample_counts, validation)
    torch.testing.assert_close(rebuilt.params(range(5)), history.global_params[-1], atol=1e-5, rtol=1e-5)


def test_per_round_values_are_efficient_and_discounted(free_rider_run) -> None:
    history, validation, _ = free_rider_run
    mr = per_round(history, validation)
    assert mr.per_round.shape == (history.rounds, 5) and mr.evaluations == history.rounds * 2**5
    for t in range(history.rounds):
        v = round_utility(history, t, validation)
        assert mr.per_round[t].sum() == pytest.approx(v(range(5)) - v(()), abs=1e-9)
    # λ-MR against per-round Shapley computed independently (plain callables, no batch path),
    # weighted by hand: a wrong exponent, a reversed round order or a missing round shows.
    evaluators = [round_utility(history, t, validation).utility for t in range(4)]
    rounds = [exact_shapley(5, lambda s, evaluator=evaluator: evaluator(s)) for evaluator in evaluators]
    discounted = per_round(history, validation, discount=0.5)
    np.testing.assert_allclose(discounted.values, rounds[0] + rounds[1] / 2 + rounds[2] / 4 + rounds[3] / 8, atol=1e-12)


def test_a_free_rider_is_worth_about_nothing(free_rider_run) -> None:
    """IID data, client 4 returns the global model: its OR, MR and GTG values are ≤ 0.02
    (an honest client earns ≥ 0.05 under each) and the lowest of all clients."""
    history, validation, _ = free_rider_run
    for result in (one_round(history, validation), per_round(history, validation), gtg_shapley(history, validation)):
        assert result.values[4] <= 0.02
        assert result.values[4] == result.values.min()
        assert result.values[:4].min() >= 0.05


def test_under_linear_quantity_skew_shapley_ranks_like_data_size(linear_skew_run) -> None:
    """Tolerance: Spearman ρ ≥ 0.8 between sample counts and OR/MR Shapley (6 clients)."""
    history, validation = linear_skew_run
    for result in (one_round(history, validation), per_round(history, validation)):
        assert spearmanr(history.sample_counts, result.values)[0] >= 0.8


def test_gtg_costs_fewer_evaluations_than_exact_mr_and_agrees_with_it(linear_skew_run) -> None:
    history, validation = linear_skew_run
    exact, gtg = per_round(history, validation), gtg_shapley(history, validation, seed=0)
    assert gtg.evaluations < exact.evaluations
    assert spearmanr(gtg.values, exact.values)[0] >= 0.8
    again = gtg_shapley(history, validation, seed=0)
    assert np.array_equal(gtg.values, again.values) and gtg.evaluations == again.evaluations


def test_gtg_skips_rounds_whose_gain_is_below_tolerance(linear_skew_run) -> None:
    history, validation = linear_skew_run
    skipped = gtg_shapley(history, validation, round_tolerance=1.0)
    assert np.all(skipped.values == 0) and skipped.evaluations == 2 * history.rounds


def test_retraining_the_grand_coalition_reproduces_the_run(free_rider_run) -> None:
    history, validation, clients = free_rider_run
    config = FedAvgConfig(rounds=history.rounds, seed=0, progress=False)
    retrain = retrain_utility(mlp(seed=0), clients, validation, config)
    assert retrain(frozenset(range(5))) == pytest.approx(history.metrics[-1]["accuracy"])
    assert retrain(frozenset()) == pytest.approx(evaluate(history.model, validation)[0])
    # A lone client that really trains beats its OR reconstruction, whose summed updates were
    # computed around the federation's models rather than its own: reconstruction is biased.
    totals = torch.stack(history.updates).sum(0)
    rebuilt = CoalitionEvaluator(history.model, history.global_params[0], totals, history.sample_counts, validation)
    alone = retrain(frozenset({0}))
    assert alone > 0.5 and alone > rebuilt({0})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h, v: value_history("owen_round", h, v), "unknown multi-round method"),
        (lambda h, v: per_round(h, v, discount=0.0), "discount"),
        (lambda h, v: per_round(h, v, discount=float("nan")), "discount"),
        (lambda h, v: per_round(h, v, discount="0.8"), "discount"),
        (lambda h, v: per_round(h, v, method="owen"), "unknown valuation method"),
        (lambda h, v: round_utility(h, 99, v), "outside"),
        (lambda h, v: one_round(h, v, strategy="gpu"), "unknown evaluator strategy"),
    ],
)
def test_bad_input_raises_value_error(free_rider_run, call, message: str) -> None:
    history, validation, _ = free_rider_run
    with pytest.raises(ValueError, match=message):
        call(history, validation)


def test_method_line_up_runs_every_method_and_rejects_unknown_names(free_rider_run) -> None:
    history, validation, clients = free_rider_run
    results = run_methods(history, validation)
    assert set(results) == set(METHODS)
    np.testing.assert_allclose(results["equal"].values, 0.2)
    # Each client's share of the training data, counted from the clients' own data.
    sizes = [len(client) for client in clients]
    np.testing.assert_allclose(results["data_size"].values, [size / sum(sizes) for size in sizes])
    assert results["mr_shapley"].evaluations == history.rounds * 2**5
    with pytest.raises(ValueError, match="unknown valuation method 'MR Owen'"):
        run_methods(history, validation, ["MR Owen"])
    with pytest.raises(ValueError, match="'MR Shapley' is a method's label; name it by its id 'mr_shapley'"):
        run_methods(history, validation, ["MR Shapley"])
    assert list(labelled(run_methods(history, validation, ["mr_loo", "data_size"]))) == ["MR leave-one-out", "data size"]
