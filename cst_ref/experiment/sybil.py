"""Sybil splitting and free riding, seen through each valuation method.

A client that spreads its data over k identities (Qi & Zhu 2024) trains the same model but
enters the valuation k times; per-client tokens make the question concrete: does the sum of
the k identities' rewards exceed what the one client would have earned?
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from torch import nn

from cst_ref.data import Dataset, build_clients, sybil_split
from cst_ref.fl import FedAvgConfig, run_fedavg
from cst_ref.protocol.valuer import total_scores
from cst_ref.valuation import shares_from_scores


@dataclass(frozen=True)
class SybilOutcome:
    """Per method: the client's share alone, and its identities' summed share after the split."""

    alone: dict[str, float]
    split: dict[str, float]

    def gain(self, method: str) -> float:
        """Split over alone: above 1 the split pays."""
        return self.split[method] / self.alone[method] if self.alone[method] else float("inf")


def sybil_outcome(
    train: Dataset,
    validation: Dataset,
    parts: Sequence[np.ndarray],
    client: int,
    k: int,
    methods: Sequence[str],
    model: Callable[[], nn.Module],
    fedavg: FedAvgConfig,
    seed: int = 0,
) -> SybilOutcome:
    """Train and value the federation twice, with ``client`` whole and split over ``k`` identities."""
    split = sybil_split(list(parts), client, k, seed=seed)
    results = []
    for layout, owners in ((list(parts), np.arange(len(parts))), (split.parts, split.owners)):
        history = run_fedavg(model(), build_clients(train, layout, seed=seed), validation, fedavg)
        results.append(
            {
                m: float(shares_from_scores(total_scores(m, history, validation, seed))[owners == client].sum())
                for m in methods
            }
        )
    return SybilOutcome(*results)
