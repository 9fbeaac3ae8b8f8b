"""Pay each Flower round through the tokens: value the clients that delivered, hand shares to the protocol.

Round t is valued over its participants only: their updates, their FedAvg weights
renormalised among them (which rebuilds exactly the global model Flower made), any
per-round method of ``cst_ref.valuation``. Left-out clients get no score (NaN) and share 0,
and the round's :class:`~cst_ref.protocol.round_loop.RoundResult` lists them in ``left_out``.
"""

from __future__ import annotations

import numpy as np

from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.protocol.backends import make_backend
from cst_ref.protocol.round_loop import FederationRun, Payout, RoundResult, open_round, pay_rules
from cst_ref.protocol.shares import round_shares
from cst_ref.protocol.valuer import round_seed
from cst_ref.valuation import METHODS


def participant_view(history: History, t: int, participants: tuple[int, ...]) -> History:
    """Round ``t`` as a one-round history of ``participants`` alone (indices in that order)."""
    index = list(participants)
    return History(history.model, history.global_params[t : t + 2], [history.updates[t][index]],
                   history.sample_counts[index], history.metrics[t : t + 1])


class RoundPayer:
    """Per-round payouts of ``payout`` on backend ``backend``; the results collect in :attr:`run`."""

    def __init__(self, payout: Payout, validation: Dataset, backend: str = "model", seed: int = 0) -> None:
        if payout.timing != "round":
            raise ValueError(f"payout.timing must be 'round' for Flower runs (clients may miss rounds, so "
                             f"whole-training methods have no complete history), got {payout.timing!r}")
        backends = {rule: make_backend(backend, payout.system) for rule in payout.rules}
        self.run = FederationRun(None, payout, backends, {rule: b.state() for rule, b in backends.items()})  # type: ignore[arg-type]
        self.validation = validation
        self.seed = seed

    def __call__(self, history: History, t: int, participants: tuple[int, ...]) -> RoundResult:
        """Value and pay round ``t``; clients not in ``participants`` are left out, not paid."""
        n = history.n_clients
        if n != self.run.payout.system.n_clients:
            raise ValueError(f"the system registers {self.run.payout.system.n_clients} clients but {n} train")
        run, payout = self.run, self.run.payout
        run.history = history
        money = open_round(run.backends, payout, t)
        scores, shares, payments = np.full(n, np.nan), None, {}
        if participants:
            view = participant_view(history, t, participants)
            scores[list(participants)] = METHODS[payout.method](view, self.validation, round_seed(self.seed, t)).values
            full = np.zeros(n, dtype=object)
            full[list(participants)] = round_shares(scores[list(participants)])
            shares = tuple(int(s) for s in full)
            payments = pay_rules(run.backends, shares, money.budget)
        metrics = history.metrics[t]
        result = RoundResult(t + 1, metrics["accuracy"], metrics["loss"], money.revenue, money.budget,
                             tuple(float(s) for s in scores), shares, payments,
                             tuple(i for i in range(n) if i not in set(participants)))
        run.rounds.append(result)
        return result
