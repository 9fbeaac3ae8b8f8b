"""What a federation's chain holds, read the same way from either backend.

The round loop reads a :class:`SystemState` after the run to value each client's holdings,
and the parity test compares the state of the ``twin`` and ``evm`` backends field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cst_ref.amm import burn_amounts, get_amount_out


@dataclass(frozen=True)
class PoolState:
    """Client i's pool and token: reserves, LP share supply and the CST's total supply."""

    reserve_token: int
    reserve_base: int
    lp_supply: int
    cst_supply: int


@dataclass(frozen=True)
class Holdings:
    """One account's base tokens, and its CST and LP shares in each client's token and pool."""

    base: int
    cst: tuple[int, ...]
    lp: tuple[int, ...]


@dataclass(frozen=True)
class SystemState:
    """Treasury, base supply, every pool and the holdings of every account the run knows."""

    treasury: int
    base_supply: int
    fee_bps: int
    pools: tuple[PoolState, ...]
    holdings: Mapping[str, Holdings]

    def liquidation_value(self, account: str) -> int:
        """Base tokens ``account`` would hold after withdrawing all its liquidity and selling
        every CST it holds into its pool, each pool on its own (they share no reserve).

        This is what a holder can really take out, slippage and fees included, unlike a
        valuation at the spot price.
        """
        held = self.holdings[account]
        value = held.base
        for pool, cst, lp in zip(self.pools, held.cst, held.lp):
            reserve_token, reserve_base = pool.reserve_token, pool.reserve_base
            if lp:
                out_token, out_base = burn_amounts(lp, reserve_token, reserve_base, pool.lp_supply)
                cst, value = cst + out_token, value + out_base
                reserve_token, reserve_base = reserve_token - out_token, reserve_base - out_base
            if cst and reserve_token and reserve_base:
                value += get_amount_out(cst, reserve_token, reserve_base, self.fee_bps)
        return value

    def spot_value(self, account: str) -> float:
        """``account``'s base, CST and LP shares valued at the pools' spot prices, in wei
        (an LP share is worth its part of both reserves, i.e. of twice the base reserve)."""
        held = self.holdings[account]
        value = float(held.base)
        for pool, cst, lp in zip(self.pools, held.cst, held.lp):
            value += cst * pool.reserve_base / pool.reserve_token
            if lp:
                value += 2 * pool.reserve_base * lp / pool.lp_supply
        return value
