"""What a Flower federation trains: one seeded description that every process rebuilds alike.

Flower runs the ServerApp and each ClientApp in different processes (Ray actors here, other
machines in a deployment), so nothing is shipped but this small description: every process
partitions the digits with ``cst_ref.data`` from the same seed and takes its own part. The
same fields travel as Flower's flat run config (``[tool.flwr.app.config]`` in pyproject.toml).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
from torch import nn

from cst_ref.checks import check_real, positive_int
from cst_ref.data import ClientData, Dataset, FreeRider, build_clients, load_digits, partition, split_holdout
from cst_ref.fl import FedAvgConfig
from cst_ref.models import mlp

PARTITIONS = ("iid", "dirichlet")


@dataclass(frozen=True)
class FlowerSetup:
    """Digits, partitioned over ``n_clients``, an MLP, FedAvg hyperparameters; all from ``fedavg.seed``."""

    n_clients: int = 10
    partition: str = "iid"
    alpha: float = 0.5
    free_riders: tuple[int, ...] = ()
    hidden: int = 64
    validation_fraction: float = 0.2
    fedavg: FedAvgConfig = field(default_factory=lambda: FedAvgConfig(rounds=3, progress=False))

    def __post_init__(self) -> None:
        positive_int("n_clients", self.n_clients)
        if self.partition not in PARTITIONS:
            raise ValueError(f"partition must be one of {PARTITIONS}, got {self.partition!r}")
        check_real("alpha", self.alpha, positive=True)
        bad = [c for c in self.free_riders if not isinstance(c, int) or not 0 <= c < self.n_clients]
        if bad:
            raise ValueError(f"free_riders names clients {bad} outside 0..{self.n_clients - 1}")
        positive_int("hidden", self.hidden)
        check_real("validation_fraction", self.validation_fraction, minimum=0.0, maximum=1.0, exclusive=True)
        if not isinstance(self.fedavg, FedAvgConfig):
            raise ValueError(f"fedavg must be a FedAvgConfig, got {type(self.fedavg).__name__}")

    def to_run_config(self) -> dict[str, int | float | str]:
        """The flat key-value form Flower's run config carries (``--run-config`` overrides it)."""
        own = {f.name.replace("_", "-"): getattr(self, f.name) for f in fields(self) if f.name != "fedavg"}
        own["free-riders"] = ",".join(map(str, self.free_riders))
        training = {f.name.replace("_", "-"): getattr(self.fedavg, f.name) for f in fields(self.fedavg)
                    if f.name != "progress"}
        return {**own, **training}

    @classmethod
    def from_run_config(cls, config: Mapping[str, object]) -> FlowerSetup:
        """Read a run config; a key not in :meth:`to_run_config` is an error (a typo would pass silently)."""
        known = cls().to_run_config()
        unknown = sorted(set(config) - set(known))
        if unknown:
            raise ValueError(f"run config has unknown keys {unknown}; expected keys from {sorted(known)}")
        values = {**known, **config}
        riders = str(values.pop("free-riders"))
        training = {f.name: values.pop(f.name.replace("_", "-")) for f in fields(FedAvgConfig) if f.name != "progress"}
        own = {key.replace("-", "_"): value for key, value in values.items()}
        return cls(**own, free_riders=tuple(int(c) for c in riders.split(",") if c.strip()),
                   fedavg=FedAvgConfig(**training, progress=False))


@dataclass(frozen=True)
class FlowerFederation:
    """The model θ_0, every client's local data and the server's held-out validation set."""

    model: nn.Module
    clients: list[ClientData]
    validation: Dataset


@functools.lru_cache(maxsize=4)
def federation(setup: FlowerSetup) -> FlowerFederation:
    """Build (once per process) the federation ``setup`` describes, exactly as every other process does."""
    seed = setup.fedavg.seed
    train, validation = split_holdout(load_digits(), setup.validation_fraction, seed=seed)
    options = {"alpha": setup.alpha} if setup.partition == "dirichlet" else {}
    parts = partition(setup.partition, train.labels, setup.n_clients, seed=seed, **options)
    clients = build_clients(train, parts, {c: FreeRider() for c in setup.free_riders}, seed=seed)
    return FlowerFederation(mlp(train.x.shape[1], train.n_classes, hidden=setup.hidden, seed=seed), clients, validation)


def client_seed(seed: int, t: int, n_clients: int, client: int) -> int:
    """The local-SGD seed ``cst_ref.fl.fedavg_rounds`` gives ``client`` in round ``t`` (0-based)."""
    return int(np.random.SeedSequence([seed, t]).generate_state(n_clients)[client])
