"""Paying a Flower round over the clients that delivered (no Ray: the payer alone)."""

import math

import numpy as np
import pytest
import torch

from cst_ref.data import build_clients, iid, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig, run_fedavg
from cst_ref.flower.payer import RoundPayer, participant_view
from cst_ref.models import mlp
from cst_ref.protocol.round_loop import Payout
from cst_ref.protocol.valuer import round_scores, round_view
from cst_ref.twins import SHARE_SCALE, SystemConfig


@pytest.fixture(scope="module")
def federation():
    torch.set_num_threads(1)
    train, validation = split_holdout(load_digits(), seed=0)
    clients = build_clients(train, iid(train.labels, 3, seed=0), seed=0)
    history = run_fedavg(mlp(seed=0), clients, validation, FedAvgConfig(rounds=2, progress=False))
    return history, validation


def payer(validation, method="mr_shapley"):
    return RoundPayer(Payout(method=method, rules=("mint",), system=SystemConfig(n_clients=3)), validation)


def test_with_everyone_it_pays_what_the_round_loop_pays(federation):
    history, validation = federation
    assert torch.equal(participant_view(history, 1, (0, 1, 2)).updates[0], round_view(history, 1).updates[0])
    result = payer(validation)(history, 1, (0, 1, 2))
    assert result.scores == tuple(round_scores("mr_shapley", history, 1, validation, 0,
                                                 metric="loss", weights="federation"))
    assert result.left_out == () and sum(result.shares) == SHARE_SCALE


def test_a_left_out_client_is_named_not_valued_and_not_paid(federation):
    history, validation = federation
    pay = payer(validation)
    result = pay(history, 0, (0, 2))
    assert result.left_out == (1,)
    assert math.isnan(result.scores[1]) and result.shares[1] == 0
    assert sum(result.shares) == SHARE_SCALE
    event = result.payments["mint"].record
    assert event.amounts[1] == 0 and event.amounts[0] > 0 and event.amounts[2] > 0
    nobody = pay(history, 1, ())
    assert nobody.left_out == (0, 1, 2) and nobody.shares is None and nobody.payments == {}
    assert [r.round for r in pay.run.rounds] == [1, 2]


def test_the_view_rebuilds_the_participants_model(federation):
    history, _ = federation
    view = participant_view(history, 0, (0, 2))
    counts = np.asarray(view.sample_counts, dtype=float)
    rebuilt = view.global_params[0] + torch.tensor(counts / counts.sum(), dtype=torch.float32) @ view.updates[0]
    assert view.n_clients == 2 and rebuilt.shape == history.global_params[1].shape


def test_end_timing_is_refused(federation):
    _, validation = federation
    with pytest.raises(ValueError, match="timing"):
        RoundPayer(Payout(method="or_shapley", timing="end", system=SystemConfig(n_clients=3)), validation)
