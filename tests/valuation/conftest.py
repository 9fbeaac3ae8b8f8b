"""Small recorded federations shared by the valuation tests (digits MLP, a few rounds)."""

from __future__ import annotations

import pytest
import torch

from cst_ref.data import FreeRider, build_clients, iid, load_digits, quantity_skew, split_holdout
from cst_ref.fl import FedAvgConfig, run_fedavg
from cst_ref.models import mlp

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits_split():
    return split_holdout(load_digits(), 0.2, seed=0)


@pytest.fixture(scope="session")
def free_rider_run(digits_split):
    """Five clients, IID data; client 4 free-rides (returns the global model)."""
    train, validation = digits_split
    clients = build_clients(train, iid(train.labels, 5, seed=0), {4: FreeRider()})
    history = run_fedavg(mlp(seed=0), clients, validation, FedAvgConfig(rounds=4, seed=0, progress=False))
    return history, validation, clients


@pytest.fixture(scope="session")
def linear_skew_run(digits_split):
    """Six honest clients whose data sizes grow linearly (1:2:…:6)."""
    train, validation = digits_split
    clients = build_clients(train, quantity_skew(train.labels, 6, "linear", seed=0))
    history = run_fedavg(mlp(seed=0), clients, validation, FedAvgConfig(rounds=4, seed=0, progress=False))
    return history, validation
