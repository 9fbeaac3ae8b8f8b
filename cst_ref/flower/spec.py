"""What a Flower federation trains: one seeded description that every process rebuilds alike.

Flower runs the ServerApp and each ClientApp in different processes (Ray actors here, other
machines in a deployment), so nothing is shipped but this small description: every process
partitions the digits with ``cst_ref.data`` from the same seed and takes its own part. The
same fields travel as Flower's flat run config (``[tool.flwr.app.config]`` in pyproject.toml),
validated once where an app reads them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator
from torch import nn

from cst_ref.data import ClientData, Dataset, FreeRider, build_clients, load_digits, partition, split_holdout
from cst_ref.fl import FedAvgConfig
from cst_ref.models import mlp
from cst_ref.sections import ConfigError, Section, validated
from cst_ref.twins import MAX_CLIENTS

RECORD_PATH = "record-path"
"""The run config's one key beside the setup: the file the ServerApp writes its record to (empty: none).
A deployment's ServerApp runs in a process Flower starts, so a file is how its run comes back."""


class FlowerSetup(Section):
    """Digits, partitioned over ``n_clients``, an MLP, FedAvg hyperparameters; all from ``fedavg.seed``.

    A :class:`~cst_ref.sections.Section` like every part of ``cst-ref run``'s config: a bad
    value is refused where it comes in (the apps read it from Flower's run config with
    :meth:`from_run_config`), with its place and what was given.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    n_clients: int = Field(default=10, ge=1, le=MAX_CLIENTS)
    partition: Literal["iid", "dirichlet"] = "iid"
    alpha: float = Field(default=0.5, gt=0, allow_inf_nan=False)
    free_riders: tuple[int, ...] = ()
    hidden: int = Field(default=64, ge=1)
    validation_fraction: float = Field(default=0.2, gt=0, lt=1)
    fedavg: FedAvgConfig = Field(default_factory=lambda: FedAvgConfig(rounds=3, progress=False))

    @model_validator(mode="after")
    def _riders_are_clients(self) -> FlowerSetup:
        bad = [c for c in self.free_riders if not 0 <= c < self.n_clients]
        if bad:
            raise ValueError(f"free_riders names clients {bad} outside 0..{self.n_clients - 1}")
        return self

    def to_run_config(self) -> dict[str, int | float | str]:
        """The flat key-value form Flower's run config carries (``--run-config`` overrides it)."""
        own = {name.replace("_", "-"): getattr(self, name) for name in type(self).model_fields if name != "fedavg"}
        own["free-riders"] = ",".join(map(str, self.free_riders))
        training = {
            f.name.replace("_", "-"): getattr(self.fedavg, f.name) for f in fields(self.fedavg) if f.name != "progress"
        }
        return {**own, **training}

    @classmethod
    def from_run_config(cls, config: Mapping[str, object]) -> FlowerSetup:
        """Read a run config; a key not in :meth:`to_run_config` is an error (a typo would pass
        silently), and so is every bad value: one ``ConfigError`` lists them all. :data:`RECORD_PATH`
        is not the setup's: it is skipped here and read by the ServerApp."""
        known = cls().to_run_config()
        unknown = sorted(set(config) - set(known) - {RECORD_PATH})
        if unknown:
            raise ConfigError(
                [f"run config has unknown keys {unknown}; expected keys from {sorted(known)} (and {RECORD_PATH!r})"]
            )
        values = {**known, **{key: value for key, value in config.items() if key != RECORD_PATH}}
        riders = str(values.pop("free-riders"))
        try:
            # the run config's values as given: FedAvgConfig checks them (a ValueError otherwise)
            given: dict[str, Any] = {
                f.name: values.pop(f.name.replace("_", "-")) for f in fields(FedAvgConfig) if f.name != "progress"
            }
            training = FedAvgConfig(**given, progress=False)
            free_riders = tuple(int(c) for c in riders.split(",") if c.strip())
        except ValueError as error:
            raise ConfigError([f"run config: {error}"]) from None
        own = {key.replace("-", "_"): value for key, value in values.items()}
        return validated(cls, {**own, "free_riders": free_riders, "fedavg": training})


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
