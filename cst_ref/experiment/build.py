"""From a validated config to the federation it describes: data, partition, clients, model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from cst_ref.data import (
    Behaviour,
    ClientData,
    Dataset,
    FreeRider,
    Honest,
    LabelFlip,
    Noisy,
    build_clients,
    load_cifar10,
    load_digits,
    load_mnist,
    partition,
    split_holdout,
)
from cst_ref.fl import FedAvgConfig
from cst_ref.models import mlp, small_cnn
from cst_ref.protocol.budget import BudgetSchedule
from cst_ref.protocol.round_loop import Payout
from cst_ref.twins import SystemConfig

from .config import BehaviourConfig, ConfigError, ExperimentConfig, to_wei

#: The folder each torchvision dataset reads below ``data_dir``.
DATA_FOLDERS = {"cifar10": "cifar-10-batches-py", "mnist": "MNIST/raw"}


@dataclass(frozen=True)
class Federation:
    """Everything a run trains and pays: the model, the clients, the validation set, the payout."""

    model: nn.Module
    clients: list[ClientData]
    validation: Dataset
    fedavg: FedAvgConfig
    payout: Payout
    behaviours: list[str]


def load_data(config: ExperimentConfig, data_dir: str | Path | None = None) -> Dataset:
    """The configured dataset; a clear ``ConfigError`` (never a download) when its files are absent."""
    name = config.data.dataset
    if name == "digits":
        dataset = load_digits(image=config.model.architecture == "cnn")
    else:
        root = data_dir or config.data.data_dir
        folder = Path(root or ".") / DATA_FOLDERS[name]
        if root is None or not folder.is_dir():
            raise ConfigError(
                [
                    (
                        f"data.dataset: {name!r} needs its files in {folder} (torchvision's layout); nothing is "
                        f"downloaded. Put the extracted files there, or point elsewhere with data.data_dir in the "
                        f"config or `cst-ref run --data-dir DIR`"
                    )
                ]
            )
        dataset = load_cifar10(root) if name == "cifar10" else load_mnist(root)
    if config.data.limit is not None and config.data.limit < len(dataset):
        dataset = dataset.subset(np.arange(config.data.limit))
    return dataset


def behaviour(spec: BehaviourConfig) -> Behaviour:
    if spec.kind == "free_rider":
        return FreeRider(spec.mode, spec.scale)
    if spec.kind == "label_flip":
        return LabelFlip(spec.fraction)
    if spec.kind == "noisy":
        return Noisy(spec.sigma)
    return Honest()


def partition_options(config: ExperimentConfig) -> dict[str, Any]:
    """The configured partition method's keyword options: numbers, and quantity_skew's ``kind``."""
    data = config.data
    options: dict[str, dict[str, Any]] = {
        "iid": {},
        "dirichlet": {"alpha": data.alpha, "min_size": data.min_size},
        "quantity_skew": {"kind": data.skew, "base": data.base},
        "k_classes": {"k": data.k},
    }
    return options[data.partition]


def build_model(config: ExperimentConfig, train: Dataset, seed: int) -> nn.Module:
    shape = tuple(train.x.shape[1:])
    if len(shape) == 1:
        if config.model.architecture == "cnn":
            raise ConfigError(
                [
                    (
                        "model.architecture: 'cnn' needs image data; digits load as images only "
                        "when the config asks for the CNN"
                    )
                ]
            )
        return mlp(shape[0], train.n_classes, hidden=config.model.hidden, seed=seed)
    if config.model.architecture == "mlp":
        raise ConfigError([f"model.architecture: 'mlp' needs flat features, {train.name} has images {shape}"])
    try:
        return small_cnn(shape[0], shape[1], train.n_classes, seed=seed)
    except ValueError as error:  # e.g. digits' 8×8 images for the CNN's two 5×5 convolutions
        raise ConfigError(
            [f"model.architecture: 'cnn' cannot run on {train.name}: {error}; use 'mlp' or 'auto'"]
        ) from None


def build_federation(
    config: ExperimentConfig, seed: int, data_dir: str | Path | None = None, progress: bool = False
) -> Federation:
    """Load, split, partition and corrupt the data as configured; everything seeded by ``seed``."""
    data = config.data
    train, validation = split_holdout(load_data(config, data_dir), data.validation_fraction, seed=seed)
    try:
        parts = partition(data.partition, train.labels, data.n_clients, seed=seed, **partition_options(config))
    except ValueError as error:
        raise ConfigError([f"data.partition: {error}"]) from None
    specs = {b.client: b for b in config.behaviours}
    clients = build_clients(train, parts, {c: behaviour(s) for c, s in specs.items()}, seed=seed)
    system = config.system
    payout = Payout(
        method=config.payout.method,
        timing=config.payout.timing,
        settlement=config.payout.settlement,
        metric=config.valuation.metric,
        weights=config.valuation.weights,
        rules=tuple(config.payout.rules),
        budget=BudgetSchedule(
            config.budget.kind, to_wei(config.budget.amount), config.budget.decay, config.budget.share
        ),
        system=SystemConfig(
            data.n_clients,
            to_wei(system.treasury),
            to_wei(system.client_supply),
            to_wei(system.seed_token),
            to_wei(system.seed_base),
            system.fee_bps,
        ),
        round_seconds=config.payout.round_seconds,
    )
    training = config.training
    fedavg = FedAvgConfig(training.rounds, training.local_epochs, training.lr, training.batch_size, seed, progress)
    return Federation(
        build_model(config, train, seed),
        clients,
        validation,
        fedavg,
        payout,
        [specs[i].kind if i in specs else "honest" for i in range(data.n_clients)],
    )
