"""How a client behaves: honestly, or by corrupting its data or its update.

Data-level behaviours transform a client's (x, y) once, before training; a free rider
keeps its data (and the sample count it reports) but sends no real work. A Sybil split
is a change of identities, so it acts on the partition itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from cst_ref.checks import check_int, check_real, check_seed, positive_int


@dataclass(frozen=True)
class Behaviour:
    """Base class: ``corrupt`` transforms a client's data before training (identity here)."""

    def corrupt(self, x: torch.Tensor, y: torch.Tensor, n_classes: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        return x, y


@dataclass(frozen=True)
class Honest(Behaviour):
    """Trains on its own data as asked."""


@dataclass(frozen=True)
class LabelFlip(Behaviour):
    """Replaces a ``fraction`` of labels by a different class chosen at random."""

    fraction: float = 1.0

    def __post_init__(self) -> None:
        check_real("fraction", self.fraction, minimum=0.0, maximum=1.0)

    def corrupt(self, x: torch.Tensor, y: torch.Tensor, n_classes: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        if n_classes < 2:
            raise ValueError(f"label flipping needs at least 2 classes, got {n_classes}")
        rng = np.random.default_rng(seed)
        flipped = y.numpy().copy()
        chosen = rng.random(len(flipped)) < self.fraction
        flipped[chosen] = (flipped[chosen] + rng.integers(1, n_classes, chosen.sum())) % n_classes
        return x, torch.from_numpy(flipped)


@dataclass(frozen=True)
class Noisy(Behaviour):
    """Adds Gaussian noise of standard deviation ``sigma`` to the features."""

    sigma: float = 1.0

    def __post_init__(self) -> None:
        check_real("sigma", self.sigma, minimum=0.0)

    def corrupt(self, x: torch.Tensor, y: torch.Tensor, n_classes: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
        return x + self.sigma * noise, y


@dataclass(frozen=True)
class FreeRider(Behaviour):
    """Reports its sample count but returns the global model unchanged (``mode="global"``)
    or the global model plus Gaussian noise of scale ``scale`` (``mode="noise"``)."""

    mode: str = "global"
    scale: float = 0.01

    def __post_init__(self) -> None:
        if self.mode not in ("global", "noise"):
            raise ValueError(f"unknown free-rider mode {self.mode!r}; expected 'global' or 'noise'")
        check_real("scale", self.scale, minimum=0.0)


class SybilSplit(NamedTuple):
    """A partition after one client split its data over several identities."""

    parts: list[np.ndarray]
    owners: np.ndarray  # owners[identity] = original client


def sybil_split(parts: list[np.ndarray], client: int, k: int, seed: int = 0) -> SybilSplit:
    """Spread ``client``'s samples evenly over ``k`` identities placed where it stood.

    Qi & Zhu (2024) show Shapley-based rewards can pay such a split more than the original.
    """
    check_seed("seed", seed)
    if check_int("client", client, numpy_ok=True) >= len(parts):
        raise ValueError(f"client {client} is not in a partition of {len(parts)} clients")
    if not 1 <= positive_int("k", k) <= len(parts[client]):
        raise ValueError(f"cannot split {len(parts[client])} samples over {k} identities")
    shuffled = np.random.default_rng(seed).permutation(parts[client])
    pieces = [np.sort(piece) for piece in np.array_split(shuffled, k)]
    new_parts = list(parts[:client]) + pieces + list(parts[client + 1 :])
    owners = np.array(list(range(client)) + [client] * k + list(range(client + 1, len(parts))))
    return SybilSplit(new_parts, owners)
