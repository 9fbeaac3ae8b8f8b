"""Ground truth for tiny federations: the utility of a coalition that really trains.

Reconstruction reuses updates computed around the *grand* coalition's models; retraining
runs FedAvg with only S's clients. Comparing the two shows what reconstruction costs in
accuracy (2^n training runs, so only for n ≤ ~5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from torch import nn

from cst_ref.data import ClientData, Dataset
from cst_ref.fl import FedAvgConfig, evaluate, run_fedavg
from cst_ref.valuation.utility import Utility


def retrain_utility(
    model: nn.Module, clients: Sequence[ClientData], validation: Dataset, config: FedAvgConfig
) -> Utility:
    """``v(S)`` = validation accuracy after FedAvg with S's clients from the same θ_0 and seed."""
    quiet = replace(config, progress=False)

    def utility(coalition: frozenset[int]) -> float:
        if not coalition:
            return evaluate(model, validation)[0]
        history = run_fedavg(model, [clients[i] for i in sorted(coalition)], validation, quiet)
        return history.metrics[-1]["accuracy"]

    return utility
