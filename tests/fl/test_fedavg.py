"""FedAvg: aggregation arithmetic, reproducibility, behaviours, bad configs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils import parameters_to_vector

from cst_ref.data import FreeRider, build_clients, dirichlet, iid, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig, evaluate, fedavg_weights, run_fedavg
from cst_ref.models import mlp

torch.set_num_threads(1)
TRAIN, VALIDATION = split_holdout(load_digits(), 0.2, seed=0)
CONFIG = FedAvgConfig(rounds=3, seed=7, progress=False)


def federation(free_rider: FreeRider | None = None):
    parts = dirichlet(TRAIN.labels, 4, alpha=1.0, seed=0)
    return build_clients(TRAIN, parts, {3: free_rider} if free_rider else None, seed=0)


def test_same_seed_gives_the_same_history_and_another_seed_does_not() -> None:
    first = run_fedavg(mlp(seed=1), federation(), VALIDATION, CONFIG)
    again = run_fedavg(mlp(seed=1), federation(), VALIDATION, CONFIG)
    other = run_fedavg(mlp(seed=1), federation(), VALIDATION, FedAvgConfig(rounds=3, seed=8, progress=False))
    assert all(torch.equal(a, b) for a, b in zip(first.global_params, again.global_params))
    assert all(torch.equal(a, b) for a, b in zip(first.updates, again.updates))
    assert first.metrics == again.metrics
    assert not torch.equal(first.global_params[-1], other.global_params[-1])


def test_server_step_is_the_sample_weighted_mean_of_updates() -> None:
    history = run_fedavg(mlp(seed=1), federation(), VALIDATION, CONFIG)
    weights = history.sample_counts / history.sample_counts.sum()
    assert history.rounds == 3 and len(history.global_params) == 4
    for t in range(history.rounds):
        expected = history.global_params[t] + torch.tensor(weights, dtype=torch.float32) @ history.updates[t]
        torch.testing.assert_close(history.global_params[t + 1], expected)
    assert [m["round"] for m in history.metrics] == [1, 2, 3]


def test_training_learns_and_leaves_the_input_model_untouched() -> None:
    model = mlp(seed=1)
    before = parameters_to_vector(model.parameters()).detach().clone()
    clients = build_clients(TRAIN, iid(TRAIN.labels, 4, seed=0))
    history = run_fedavg(model, clients, VALIDATION, FedAvgConfig(rounds=5, progress=False))
    assert history.metrics[-1]["accuracy"] > 0.8  # chance is 0.1
    assert history.metrics[-1]["loss"] < history.metrics[0]["loss"]
    torch.testing.assert_close(parameters_to_vector(model.parameters()), before)
    torch.testing.assert_close(history.global_params[0], before)


def test_free_riders_send_nothing_or_noise() -> None:
    silent = run_fedavg(mlp(seed=1), federation(FreeRider("global")), VALIDATION, CONFIG)
    noisy = run_fedavg(mlp(seed=1), federation(FreeRider("noise", scale=0.01)), VALIDATION, CONFIG)
    assert all(float(u[3].abs().max()) == 0.0 for u in silent.updates)
    assert all(0.008 < float(u[3].std()) < 0.012 for u in noisy.updates)
    assert silent.sample_counts[3] > 0  # it still reports (and is weighted by) its data size


@pytest.mark.parametrize(
    ("options", "message"),
    [({"rounds": 0}, "rounds"), ({"lr": 0.0}, "lr"), ({"batch_size": 0}, "batch_size"), ({"local_epochs": 0}, "local_epochs"),
     ({"rounds": 2.5}, "rounds"), ({"batch_size": True}, "batch_size"), ({"lr": float("nan")}, "lr"),
     ({"lr": float("inf")}, "lr must be finite"), ({"lr": -0.1}, "lr must be > 0"), ({"lr": "0.1"}, "lr must be a real"),
     ({"seed": -1}, "seed must be non-negative"), ({"seed": 1.5}, "seed must be an int"),
     ({"progress": "no"}, "progress must be True or False")],
)
def test_bad_config_raises(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FedAvgConfig(**options)


def test_empty_federation_raises() -> None:
    with pytest.raises(ValueError, match="at least one client"):
        run_fedavg(mlp(), [], VALIDATION, CONFIG)
    with pytest.raises(ValueError, match="validation set is empty"):
        run_fedavg(mlp(), federation(), VALIDATION.subset(np.arange(0)), CONFIG)


def test_config_must_be_a_fedavg_config() -> None:
    with pytest.raises(ValueError, match="config must be a FedAvgConfig"):
        run_fedavg(mlp(), federation(), VALIDATION, {"rounds": 3})


def test_evaluate_refuses_empty_data_and_bad_batches() -> None:
    with pytest.raises(ValueError, match="empty dataset"):
        evaluate(mlp(), VALIDATION.subset(np.arange(0)))
    with pytest.raises(ValueError, match="batch_size"):
        evaluate(mlp(), VALIDATION, batch_size=0)


def test_coalitions_outside_the_federation_raise() -> None:
    with pytest.raises(ValueError, match="outside 0..2"):
        fedavg_weights(np.array([5, 5, 5]), [-1])
    with pytest.raises(ValueError, match="outside 0..2"):
        fedavg_weights(np.array([5, 5, 5]), [0, 3])


@pytest.mark.parametrize(
    ("counts", "coalition", "message"),
    [
        ([0, 0, 5], [0, 1], r"coalition \[0, 1\] has no samples"),
        ([0, 5, 5], [0], r"coalition \[0\] has no samples"),
        ([-5, 10, 5], [1, 2], "sample_counts must be non-negative"),
        ([5, float("nan"), 5], [0], "sample_counts must be finite"),
    ],
)
def test_weights_of_a_coalition_without_samples_raise_instead_of_nan(counts, coalition, message) -> None:
    with pytest.raises(ValueError, match=message):
        fedavg_weights(np.array(counts), coalition)


def test_the_empty_coalition_has_zero_weights_whatever_the_counts() -> None:
    """The empty coalition's model is the base model: zero weights, not an error."""
    assert not fedavg_weights(np.array([0, 0, 5]), []).any()
    assert fedavg_weights(np.array([0, 3, 1]), [0, 1, 2]).tolist() == [0.0, 0.75, 0.25]


def test_local_batches_are_even_so_no_single_sample_takes_a_full_step() -> None:
    train, _ = split_holdout(load_digits(), 0.2, seed=0)
    client = build_clients(train, [np.arange(33)])[0]
    model = mlp(seed=0)
    sizes: list[int] = []
    model.register_forward_pre_hook(lambda _, inputs: sizes.append(len(inputs[0])))
    from cst_ref.fl import local_update

    start = parameters_to_vector(model.parameters()).detach()
    local_update(model, start, client, FedAvgConfig(local_epochs=2, batch_size=16, progress=False), seed=0)
    assert sizes == [11, 11, 11] * 2  # ⌈33 / 16⌉ = 3 steps an epoch, not 16 + 16 + 1
