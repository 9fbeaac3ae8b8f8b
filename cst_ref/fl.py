"""FedAvg simulation on the CPU that records everything valuation needs.

Each round every client starts from the global parameters θ_t, runs local SGD and sends
its update Δ_i = θ_i − θ_t; the server sets θ_{t+1} = θ_t + Σ_i (n_i / Σ_j n_j) Δ_i
(McMahan et al. 2017). The :class:`History` keeps θ_t, every Δ_i and n_i, so any
coalition's model can be rebuilt later without retraining.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters
from tqdm.auto import tqdm

from cst_ref.checks import check_bool, check_real, check_seed, check_vector, positive_int
from cst_ref.data import ClientData, Dataset, FreeRider


@contextmanager
def one_thread() -> Iterator[None]:
    """torch's kernels on one thread inside the block; the caller's setting comes back after.

    Same seed, same numbers: torch's float sums depend on its thread count. And speed: the batch
    valuation spreads its work over threads of its own, and torch's intra-op threads on top of
    them make every small kernel wait for a descheduled partner on a busy machine (exact
    per-round Shapley at n = 16: 2.81 s at torch's default of two threads against 0.97 s at one
    beside two busy processes; 25-46 s against 1.6-1.9 s beside five).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@dataclass(frozen=True)
class FedAvgConfig:
    """Training hyperparameters. Defaults suit the digits MLP (see docs/decisions.md)."""

    rounds: int = 10
    local_epochs: int = 2
    lr: float = 0.1
    batch_size: int = 16
    seed: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        for name in ("rounds", "local_epochs", "batch_size"):
            positive_int(name, getattr(self, name))
        check_real("lr", self.lr, positive=True)  # an inf or NaN step trains on NaNs silently
        check_seed("seed", self.seed)
        check_bool("progress", self.progress)


def fedavg_weights(sample_counts: np.ndarray, coalition: Iterable[int]) -> torch.Tensor:
    """n_i / Σ_{j∈S} n_j for members i of S, zero for everyone else (all zero if S is empty:
    the empty coalition's model is the base model).

    A non-empty coalition without samples has no average: its weights would be NaN, and
    so would every parameter of its model.
    """
    counts = check_vector("sample_counts", sample_counts)
    if np.any(counts < 0):
        raise ValueError(f"sample_counts must be non-negative, got {counts.tolist()}")
    w = np.zeros(len(counts))
    members = sorted(coalition)
    if members:
        if not 0 <= members[0] <= members[-1] < len(counts):  # a negative index would wrap silently
            raise ValueError(f"coalition {members} names clients outside 0..{len(counts) - 1}")
        total = counts[members].sum()
        if total == 0:
            raise ValueError(f"coalition {members} has no samples: its FedAvg weights n_i / Σ n_j are undefined")
        w[members] = counts[members] / total
    return torch.tensor(w, dtype=torch.float32)


@dataclass
class History:
    """A FedAvg run: θ_0..θ_T, each round's client updates (n × P), sample counts, metrics."""

    model: nn.Module
    global_params: list[torch.Tensor]
    updates: list[torch.Tensor]
    sample_counts: np.ndarray
    metrics: list[dict[str, float]] = field(default_factory=list)

    @property
    def n_clients(self) -> int:
        return len(self.sample_counts)

    @property
    def rounds(self) -> int:
        return len(self.updates)

    def model_with(self, params: torch.Tensor) -> nn.Module:
        """A copy of the architecture carrying the flat parameter vector ``params``."""
        model = copy.deepcopy(self.model)
        vector_to_parameters(params.clone(), model.parameters())  # clone: params become views
        return model


def evaluate(model: nn.Module, data: Dataset, batch_size: int = 1024) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of ``model`` on ``data``."""
    positive_int("batch_size", batch_size)
    if len(data) == 0:
        raise ValueError("cannot evaluate on an empty dataset")
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            logits = model(data.x[start : start + batch_size])
            y = data.y[start : start + batch_size]
            correct += int((logits.argmax(1) == y).sum())
            loss += float(nn.functional.cross_entropy(logits, y, reduction="sum"))
    return correct / len(data), loss / len(data)


def local_update(
    model: nn.Module, start: torch.Tensor, client: ClientData, config: FedAvgConfig, seed: int
) -> torch.Tensor:
    """Client work for one round: local SGD from ``start``; returns the update Δ.

    An epoch takes ⌈n / batch_size⌉ steps on batches whose sizes differ by at most one: a
    ragged last batch of one sample would take a full step on that sample alone, and that
    artefact moved payout shares by up to 15 points when the batch size changed by one.
    """
    if isinstance(client.behaviour, FreeRider):
        if client.behaviour.mode == "global":
            return torch.zeros_like(start)
        noise = torch.randn(start.shape, generator=torch.Generator().manual_seed(seed))
        return client.behaviour.scale * noise
    vector_to_parameters(start.clone(), model.parameters())  # clone: SGD must not write into start
    model.train()
    optimiser = torch.optim.SGD(model.parameters(), lr=config.lr)
    rng = np.random.default_rng(seed)
    batches = -(-len(client) // config.batch_size)
    for _ in range(config.local_epochs):
        order = torch.from_numpy(rng.permutation(len(client)))
        for batch in order.tensor_split(batches):  # even sizes: no one-sample step weighs as a full batch
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(client.x[batch]), client.y[batch]).backward()
            optimiser.step()
    return parameters_to_vector(model.parameters()).detach() - start


def run_fedavg(
    model: nn.Module, clients: Sequence[ClientData], validation: Dataset, config: FedAvgConfig = FedAvgConfig()
) -> History:
    """Simulate ``config.rounds`` rounds of FedAvg with every client taking part.

    ``model`` supplies the architecture and θ_0 (it is not modified). The progress bar shows
    the round and the global model's validation accuracy; ``config.progress=False`` hides it.
    """
    *_, history = fedavg_rounds(model, clients, validation, config)
    return history


def fedavg_rounds(
    model: nn.Module, clients: Sequence[ClientData], validation: Dataset, config: FedAvgConfig = FedAvgConfig()
) -> Iterator[History]:
    """FedAvg one round at a time: yields the growing :class:`History` after each round.

    The WallStreetFeds round loop values and pays round t before round t+1 trains, as a
    live federation would; :func:`run_fedavg` is this generator run to the end.
    """
    if not isinstance(config, FedAvgConfig):
        raise ValueError(f"config must be a FedAvgConfig, got {type(config).__name__}")
    if len(clients) < 1:
        raise ValueError("FedAvg needs at least one client")
    if any(len(c) == 0 for c in clients):
        raise ValueError("every client needs at least one sample")
    if len(validation) == 0:
        raise ValueError("the validation set is empty")
    template = copy.deepcopy(model)
    worker = copy.deepcopy(model)
    counts = np.array([len(c) for c in clients], dtype=np.int64)
    weights = fedavg_weights(counts, range(len(clients)))
    theta = parameters_to_vector(template.parameters()).detach().clone()
    history = History(template, [theta.clone()], [], counts)
    bar = tqdm(range(config.rounds), desc="FedAvg", disable=not config.progress)
    for t in bar:
        seeds = np.random.SeedSequence([config.seed, t]).generate_state(len(clients))
        updates = torch.stack([local_update(worker, theta, c, config, int(s)) for c, s in zip(clients, seeds)])
        theta = theta + weights @ updates
        accuracy, loss = evaluate(history.model_with(theta), validation)
        history.updates.append(updates)
        history.global_params.append(theta.clone())
        history.metrics.append({"round": t + 1, "accuracy": accuracy, "loss": loss})
        bar.set_postfix(accuracy=f"{accuracy:.3f}")
        yield history
