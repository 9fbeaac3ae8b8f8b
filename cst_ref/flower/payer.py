"""Pay each Flower round through the tokens: value the clients that delivered, hand shares to the protocol.

Round t is valued over its participants only: their updates, their FedAvg weights
renormalised among them (which rebuilds exactly the global model Flower made), any
per-round method of ``cst_ref.valuation``. Left-out clients get no score this round (NaN,
which the settlement counts as 0; under cumulative settlement what they earned before is
still settled), and the round's :class:`~cst_ref.protocol.round_loop.RoundResult` lists them
in ``left_out``.
"""

from __future__ import annotations

import numpy as np

from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.protocol.round_loop import FederationRun, Payout, RoundPayment, RoundResult
from cst_ref.protocol.valuer import round_seed
from cst_ref.valuation import METHODS


def participant_view(history: History, t: int, participants: tuple[int, ...]) -> History:
    """Round ``t`` as a one-round history of ``participants`` alone (indices in that order)."""
    index = list(participants)
    return History(
        history.model,
        history.global_params[t : t + 2],
        [history.updates[t][index]],
        history.sample_counts[index],
        history.metrics[t : t + 1],
    )


class RoundPayer:
    """Per-round payouts of ``payout`` on backend ``backend``, through the protocol's
    :class:`~cst_ref.protocol.round_loop.RoundPayment`; the results collect in :attr:`run`."""

    def __init__(self, payout: Payout, validation: Dataset, backend: str = "twin", seed: int = 0) -> None:
        if payout.timing != "round":
            raise ValueError(
                f"payout.timing must be 'round' for Flower runs (clients may miss rounds, so "
                f"whole-training methods have no complete history), got {payout.timing!r}"
            )
        self.step = RoundPayment(payout, backend)
        self.validation = validation
        self.seed = seed

    @property
    def run(self) -> FederationRun:
        return self.step.run

    def __call__(self, history: History, t: int, participants: tuple[int, ...]) -> RoundResult:
        """Value and pay round ``t``; clients not in ``participants`` are left out (score NaN)."""
        n = history.n_clients
        if n != self.run.payout.system.n_clients:
            raise ValueError(f"the system registers {self.run.payout.system.n_clients} clients but {n} train")
        money = self.step.open(history, t)
        scores = np.full(n, np.nan)
        if participants:
            view = participant_view(history, t, participants)
            method = METHODS[self.run.payout.method].run
            scores[list(participants)] = method(
                view, self.validation, round_seed(self.seed, t), **self.run.payout.utility
            ).values
        return self.step.pay(t, money, scores, tuple(i for i in range(n) if i not in set(participants)))
