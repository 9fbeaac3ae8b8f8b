"""Settlement: how a round's scores become what the round pays, here and only here.

Valuation is noisy where little is learned: late rounds' scores are mostly noise, and
normalising each round's clipped scores to shares amplifies that noise into real money
(measured: a free rider paid 14-24 % of a run's budget). Two settlements:

* ``cumulative`` (the default): the federation keeps a running account. After round t a
  client is entitled to the positive part of its share of the valuation so far (summed
  per-round scores) times the budget so far; the round pays every client's shortfall
  against that entitlement, scaled so that the round spends exactly the budget not yet
  paid. A round whose scores are small moves the sums little, so its noise moves little
  money; a client already paid more than its entitlement waits. Nothing is paid while no
  client has a positive sum: the budget carries over.
* ``round``: each round's own clipped scores, normalised (equal shares when no score is
  positive): the round is paid in full by its own valuation alone.

Amounts are integers in wei. The contract takes integer shares and a budget, so a
settlement returns both, and what each client is credited is what the contract pays:
``budget * share // SHARE_SCALE`` (``cst_ref.twins.split_budget``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cst_ref.checks import check_int
from cst_ref.twins import split_budget, to_shares

from .round_shares import round_shares

SETTLEMENTS = ("cumulative", "round")


def check_settlement(name: str) -> str:
    if name not in SETTLEMENTS:
        raise ValueError(f"settlement must be one of {SETTLEMENTS}, got {name!r}")
    return name


@dataclass(frozen=True)
class Allocation:
    """What one round pays: integer shares (summing to 10^18) of ``budget`` wei, or nothing
    (``shares`` is ``None`` when the round carries its budget over)."""

    shares: tuple[int, ...] | None
    budget: int

    def amounts(self) -> list[int]:
        """Each client's part in wei, as the contract splits it."""
        return split_budget(self.shares, self.budget) if self.shares is not None else []


@dataclass
class Settlement:
    """The running account of one federation's payouts (``kind``: see the module)."""

    kind: str
    n_clients: int
    scores: np.ndarray = field(init=False)
    """Sum of every round's scores so far (NaN, a client left out of a round, counts 0)."""
    budget: int = field(init=False, default=0)
    """Reward budget of every round so far, in wei."""
    paid: list[int] = field(init=False)
    """What each client has been allocated so far, in wei."""

    def __post_init__(self) -> None:
        check_settlement(self.kind)
        check_int("n_clients", self.n_clients, positive=True)
        self.scores = np.zeros(self.n_clients)
        self.paid = [0] * self.n_clients

    @property
    def unpaid(self) -> int:
        """Budget of past rounds not yet allocated (carried over), in wei."""
        return self.budget - sum(self.paid)

    def settle(self, scores: Sequence[float] | np.ndarray, budget: int) -> Allocation:
        """Book round scores and the round's ``budget`` (wei); return what the round pays.

        ``budget`` is what the round may spend (the treasury may cap it: pass what it
        allows); a left-out client's score is NaN and counts as 0. A round in which nobody
        delivered (every score NaN) made no model: it pays nothing and its budget does not accrue.
        """
        check_int("budget", budget)
        scores = np.asarray(scores, dtype=float)
        if scores.shape != (self.n_clients,):
            raise ValueError(f"need one score per client ({self.n_clients}), got shape {scores.shape}")
        if np.isinf(scores).any():
            raise ValueError("scores must be finite or NaN (left out), got inf")
        participants = ~np.isnan(scores)
        if not participants.any():
            return Allocation(None, 0)
        self.scores = self.scores + np.where(participants, scores, 0.0)
        self.budget += budget
        if self.kind == "round":
            if budget == 0:
                return self._book(None, 0)
            shares = np.zeros(self.n_clients, dtype=object)
            shares[participants] = round_shares(scores[participants])
            return self._book(tuple(int(s) for s in shares), budget)
        return self._book(*self._cumulative())

    def _cumulative(self) -> tuple[tuple[int, ...] | None, int]:
        """Shortfalls against the entitlement to date, scaled to spend all that is unpaid."""
        unpaid = self.unpaid
        positive = np.clip(self.scores, 0.0, None)
        if unpaid == 0 or not positive.max() > 0:
            return None, 0
        entitled = split_budget(to_shares(positive.tolist()), self.budget)
        shortfall = [max(0, e - p) for e, p in zip(entitled, self.paid)]
        if sum(shortfall) == 0:  # rounding left only dust unpaid: it waits for the next round
            return None, 0
        return tuple(to_shares(shortfall)), unpaid

    def _book(self, shares: tuple[int, ...] | None, budget: int) -> Allocation:
        allocation = Allocation(shares, budget)
        for i, amount in enumerate(allocation.amounts()):
            self.paid[i] += amount
        return allocation
