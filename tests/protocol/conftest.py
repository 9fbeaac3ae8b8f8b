"""A small federation every round-loop test trains: digits, 3 clients, one free rider."""

from __future__ import annotations

import pytest
import torch

from cst_ref.data import FreeRider, build_clients, dirichlet, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig
from cst_ref.models import mlp


@pytest.fixture(scope="session")
def small_federation():
    torch.set_num_threads(1)
    train, validation = split_holdout(load_digits(), 0.2, seed=0)
    clients = build_clients(train, dirichlet(train.labels, 3, 1.0, seed=0), {2: FreeRider()}, seed=0)
    return mlp(seed=0), clients, validation, FedAvgConfig(rounds=2, progress=False)
