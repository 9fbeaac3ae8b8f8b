"""What a coalition is scored by: validation loss as well as accuracy, federation weights as
well as FedAvg among the members; the batch path agrees with the per-coalition path on each."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cst_ref.models import mlp, small_cnn
from cst_ref.valuation import CoalitionEvaluator, exact_shapley, leave_one_out, per_round, round_utility
from cst_ref.valuation.batch import BatchForward

from .test_batch import random_round


def per_coalition(evaluator: CoalitionEvaluator, masks: np.ndarray) -> np.ndarray:
    n = evaluator.n_clients
    return np.array([evaluator([i for i in range(n) if m >> i & 1]) for m in masks])


@pytest.mark.parametrize("weights", ["coalition", "federation"])
@pytest.mark.parametrize("strategy", ["plain", "mix"])
def test_loss_batch_equals_per_coalition(digits_split, weights, strategy):
    _, validation = digits_split
    model = mlp(seed=1)
    base, updates, counts = random_round(model, 6, 1, scale=0.3)
    evaluator = CoalitionEvaluator(model, base, updates, counts, validation, strategy, metric="loss",
                                   weights=weights)
    masks = np.random.default_rng(0).permutation(np.arange(2**6))
    batch = evaluator.utilities(masks)
    np.testing.assert_allclose(batch, per_coalition(evaluator, masks), rtol=1e-5)
    assert (batch < 0).all()  # a negative cross-entropy


def test_federation_weights_accuracy_batch_equals_per_coalition(digits_split):
    _, validation = digits_split
    model = mlp(seed=2)
    base, updates, counts = random_round(model, 6, 2, scale=0.3)
    evaluator = CoalitionEvaluator(model, base, updates, counts, validation, "plain", weights="federation")
    masks = np.arange(2**6)
    # float sums in another order may flip an image whose two best logits tie: at most one image
    assert np.abs(evaluator.utilities(masks) - per_coalition(evaluator, masks)).max() <= 1 / len(validation)


def test_federation_weights_build_each_members_part_of_the_round(digits_split):
    _, validation = digits_split
    model = mlp(seed=3)
    base, updates, counts = random_round(model, 4, 3, scale=0.3)
    evaluator = CoalitionEvaluator(model, base, updates, counts, validation, weights="federation")
    share = torch.tensor(counts / counts.sum(), dtype=torch.float32)
    assert torch.allclose(evaluator.params([1, 3]), base + share[1] * updates[1] + share[3] * updates[3])
    assert torch.equal(evaluator.params([]), base)
    assert torch.allclose(evaluator.params(range(4)), base + share @ updates)  # the grand coalition: FedAvg


def test_cnn_takes_the_loss_and_federation_weights_too():
    generator = torch.Generator().manual_seed(0)
    from cst_ref.data import Dataset

    x, y = torch.randn(24, 3, 32, 32, generator=generator), torch.randint(0, 10, (24,), generator=generator)
    model = small_cnn(seed=0)
    base, updates, counts = random_round(model, 3, 0, scale=0.05)
    evaluator = CoalitionEvaluator(model, base, updates, counts, Dataset(x, y, 10, "noise"), metric="loss",
                                   weights="federation")
    masks = np.arange(2**3)
    np.testing.assert_allclose(evaluator.utilities(masks), per_coalition(evaluator, masks), rtol=1e-5)


def test_an_empty_update_is_a_null_player_only_under_federation_weights(free_rider_run):
    history, validation, _ = free_rider_run  # client 4 sends the global model back unchanged
    for t in range(history.rounds):
        federation = round_utility(history, t, validation, metric="loss", weights="federation")
        values = exact_shapley(5, federation)
        assert values[4] == pytest.approx(0, abs=1e-6)
        assert leave_one_out(5, federation)[4] == pytest.approx(0, abs=1e-6)
    # among the members alone it shortens every step it joins, which the loss notices
    coalition = per_round(history, validation, "exact_shapley", metric="loss", weights="coalition")
    assert np.abs(coalition.per_round[:, 4]).max() > 1e-4


def test_the_loss_tells_a_harmful_update_from_a_useless_one(free_rider_run):
    history, validation, _ = free_rider_run
    result = per_round(history, validation, "exact_shapley", metric="loss", weights="federation")
    honest = result.values[:4]
    assert (honest > 0).all() and result.values[4] == pytest.approx(0, abs=1e-5)


@pytest.mark.parametrize("option, value, message", [
    ("metric", "f1", "unknown utility metric"),
    ("weights", "equal", "unknown coalition weights"),
])
def test_unknown_options_are_refused(digits_split, option, value, message):
    _, validation = digits_split
    model = mlp(seed=0)
    base, updates, counts = random_round(model, 2, 0, scale=0.1)
    with pytest.raises(ValueError, match=message):
        CoalitionEvaluator(model, base, updates, counts, validation, **{option: value})
    with pytest.raises(ValueError, match=message):
        BatchForward(model, base, updates, counts, validation.x, validation.y, **{option: value})
