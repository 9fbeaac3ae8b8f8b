"""What a client-specific token is worth to its holders: the payouts behind it, discounted.

A stated model, each of whose parts a reader can change:

- **Shares.** A client's expected share of every future round is its share of everything
  allocated so far (the cumulative settlement pays towards exactly that); before the first
  round every client expects an equal share. A client that has left expects nothing.
- **Budgets.** The scenario's budgets and revenue are public. The treasury pays a round's
  budget while it can: its free balance now, plus each later round's revenue as it arrives
  (mint spends no treasury). A departed client's part stays in the treasury.
- **Discount.** A payout ``k`` rounds ahead counts ``1 / (1 + rate)^k``.
- **Value per token.** The base in the client's pool now, plus the discounted base the
  federation is expected to put into it (buy-back and inject), over the CST supply (every
  token, the client's unvested ones included; under mint, plus the tokens still to be minted
  to the client). It is what a token fetches on average if every holder sells at the end, fees
  aside: ``n`` tokens sold into a constant-product pool of reserves ``(R, B)`` fetch
  ``B·n / (R + n)``, and ``R + n`` is the whole supply. Exact for buy-back to the client and
  for inject; a lower bound under buy-back and burn, which also takes tokens out.

The spot price ``B / R`` counts only the tokens in the pool, so it lies above this value while
holders keep tokens out of it: the difference is what the holders who sell last will not get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cst_ref.backends.state import PoolState
from cst_ref.checks import check_int, check_real
from cst_ref.twins import SHARE_SCALE

if TYPE_CHECKING:  # the market imports the agents, which use this model
    from .market import MarketResult, Scenario


def expected_shares(scenario: Scenario, t: int) -> np.ndarray:
    """Each client's share of what rounds ``0 .. t-1`` allocated (equal before any), 0 for a
    client that has left by round ``t``."""
    n = scenario.system.n_clients
    allocated = np.array(
        [sum(p.budget * p.shares[i] // SHARE_SCALE for p in scenario.plans[:t]) for i in range(n)], dtype=float
    )
    shares = allocated / allocated.sum() if allocated.sum() > 0 else np.full(n, 1 / n)
    shares[list(scenario.departed(t))] = 0.0
    return shares


@dataclass(frozen=True)
class ValueModel:
    """The model above, with its one free parameter: the discount rate per round."""

    rate: float = 0.01

    def __post_init__(self) -> None:
        check_real("rate", self.rate, minimum=0.0, maximum=10.0)

    def expected_base(self, scenario: Scenario, t: int, treasury: int) -> np.ndarray:
        """Per client: the discounted base rounds ``t ..`` are expected to put into its pool, in
        wei (floats), from the free ``treasury`` as round ``t`` opens (its revenue already in)."""
        shares = expected_shares(scenario, min(t, len(scenario.plans)))
        spent, expected = shares.sum(), np.zeros(len(shares))
        for k in range(t, len(scenario.plans)):
            plan = scenario.plans[k]
            if k > t:
                treasury += plan.revenue
            pay = min(plan.budget, treasury)
            expected += shares * pay / (1 + self.rate) ** (k - t)
            treasury -= int(pay * spent)
        return expected

    def values(self, scenario: Scenario, t: int, pools: Sequence[PoolState], treasury: int) -> np.ndarray:
        """Each CST's value per token in base, as round ``t`` opens (``t`` = the number of rounds:
        after the last), from its pools and free treasury of that moment."""
        check_int("t", t, maximum=len(scenario.plans))
        base = np.array([p.reserve_base for p in pools], dtype=float)
        supply = np.array([p.cst_supply for p in pools], dtype=float)
        if scenario.rule == "mint":  # no base comes; every future round's tokens dilute
            shares = expected_shares(scenario, t)
            minted = sum(plan.budget for plan in scenario.plans[t:])
            return base / (supply + shares * minted)
        return (base + self.expected_base(scenario, t, treasury)) / supply

    def path(self, result: MarketResult) -> np.ndarray:
        """A finished market's values, one row per row of its ``prices``."""
        return np.array(
            [
                self.values(result.scenario, t, pools, treasury)
                for t, (pools, treasury) in enumerate(zip(result.pools, result.treasury))
            ]
        )

    def mispricing(self, result: MarketResult) -> np.ndarray:
        """|log(spot / value)| per row of ``prices`` and client: 0 where price equals value."""
        return np.abs(np.log(result.prices / self.path(result)))
