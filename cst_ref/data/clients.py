"""Turn a partition plus behaviours into the clients a federation trains with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from cst_ref.checks import check_seed
from cst_ref.data.behaviours import Behaviour, Honest
from cst_ref.data.datasets import Dataset


@dataclass(frozen=True)
class ClientData:
    """One client's local (already corrupted, if so behaving) data and its behaviour."""

    x: torch.Tensor
    y: torch.Tensor
    behaviour: Behaviour = field(default_factory=Honest)

    def __len__(self) -> int:
        return len(self.y)


def build_clients(
    dataset: Dataset,
    parts: Sequence[np.ndarray],
    behaviours: Mapping[int, Behaviour] | None = None,
    seed: int = 0,
) -> list[ClientData]:
    """Give each client its slice of ``dataset``; ``behaviours`` maps client → behaviour."""
    check_seed("seed", seed)
    behaviours = dict(behaviours or {})
    unknown = [c for c in behaviours if not 0 <= c < len(parts)]
    if unknown:
        raise ValueError(f"behaviours name clients {unknown} outside 0..{len(parts) - 1}")
    not_behaviours = {c: b for c, b in behaviours.items() if not isinstance(b, Behaviour)}
    if not_behaviours:  # e.g. the class FreeRider instead of an instance FreeRider()
        raise ValueError(f"behaviours must be Behaviour instances, got {not_behaviours}")
    clients = []
    for i, indices in enumerate(parts):
        local = dataset.subset(indices)
        behaviour = behaviours.get(i, Honest())
        x, y = behaviour.corrupt(local.x, local.y, dataset.n_classes, seed=seed * 1_000_003 + i)
        clients.append(ClientData(x, y, behaviour))
    return clients
