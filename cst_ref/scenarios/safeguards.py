"""Safeguards measured: what a sandwich takes from a buy-back under a bound and the guards.

``cst_ref.scenarios.patient`` measures the attacker who moves a price long before a round.

Each measurement runs a small market (one client, its pool, the federation, an attacker)
on a backend, with and without the attacker, so the federation's loss is a difference of
two real runs rather than a formula.
"""

from __future__ import annotations

from dataclasses import dataclass

from cst_ref.checks import check_int, check_real
from cst_ref.twins import SHARE_SCALE, WAD, Guards, SystemConfig

from .agents import SandwichAttacker
from .market import RoundPlan, Scenario, run_market

BLOCK_SECONDS = 12


@dataclass(frozen=True)
class SandwichOutcome:
    """An attacked buy-back against the same buy-back left alone (amounts in tokens)."""

    attacker_profit: float
    cst_bought: float
    """CST the buy-back bought for the client under attack ..."""
    cst_alone: float
    """... and without the attacker."""
    skipped: int
    """Client-rounds the federation's guards held back (their part stays owed to the client)."""

    @property
    def federation_loss(self) -> float:
        """CST the reward lost to the attack, valued at the unattacked buy-back's own price."""
        return 0.0 if self.cst_alone == 0 else (self.cst_alone - self.cst_bought) / self.cst_alone


def sandwich_outcome(
    tolerance_bps: int,
    guards: Guards | None = None,
    guard_aware: bool = True,
    splits: int = 1,
    budget: float = 100.0,
    pool: float = 1_000.0,
    capital: float = 10_000.0,
    backend: str = "twin",
) -> SandwichOutcome:
    """A ``budget``-token buy-back into a ``pool``/``pool`` pool, paid in ``splits`` equal parts
    in consecutive blocks, with bounds ``tolerance_bps`` below the operator's quotes, sandwiched
    by an attacker with ``capital`` tokens (``guards`` ``None``: the contract's defaults)."""
    check_int("splits", splits, positive=True)
    for name, value in (("budget", budget), ("pool", pool), ("capital", capital)):
        check_real(name, value, positive=True)
    system = SystemConfig(
        n_clients=1, treasury=int((pool + 2 * budget) * WAD), seed_token=int(pool * WAD), seed_base=int(pool * WAD)
    )
    plans = (RoundPlan((SHARE_SCALE,), int(budget * WAD) // splits),) * splits
    scenario = Scenario(
        "buyback", plans, system, (1.0,), round_seconds=BLOCK_SECONDS, tolerance_bps=tolerance_bps, guards=guards
    )

    def bought(result) -> float:
        return sum(r.tokens_out[0] for r in result.records if r) / WAD

    attacker = SandwichAttacker("attacker", capital, guard_aware, (guards or Guards()).max_deviation_bps)
    attacked = run_market(scenario, [attacker], backend)
    alone = run_market(scenario, [], backend)
    skipped = sum(1 for r in attacked.records if r and r.skipped[0])
    return SandwichOutcome(attacked.pnl_exit["attacker"], bought(attacked), bought(alone), skipped)
