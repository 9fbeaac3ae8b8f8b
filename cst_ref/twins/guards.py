"""The federation's guards on spending the treasury into a pool, and the wrappers' bounds.

An attacker who moves a pool just before a buy-back or inject round takes part of the
reward (a sandwich, a front-run, just-in-time liquidity). The contract
therefore keeps an ``Observation`` of each client's pool and skips a client's part when
the pool looks manipulated against it; this module is the twin of that check, and of
the ``min_out`` bounds the Python wrappers derive from a quote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cst_ref.amm import oracle
from cst_ref.checks import check_int

from .constants import (
    DEFAULT_MAX_DEVIATION_BPS,
    DEFAULT_MAX_LP_GROWTH_BPS,
    DEFAULT_MAX_SPEND_BPS,
    SHARE_SCALE,
    SKIP_DEVIATION,
    SKIP_LP_GROWTH,
    SKIP_RESERVE,
)
from .pool import PoolModel

BPS = 10_000
_MASK224 = 2**224 - 1


@dataclass(frozen=True)
class Guards:
    """The owner's bounds (``federation.vy``'s ``guards``); ``GUARD_OFF`` switches one off."""

    max_deviation_bps: int = DEFAULT_MAX_DEVIATION_BPS
    max_spend_bps: int = DEFAULT_MAX_SPEND_BPS
    max_lp_growth_bps: int = DEFAULT_MAX_LP_GROWTH_BPS


@dataclass(frozen=True)
class Observation:
    """A pool as the federation last saw it, packed as the contract stores it.

    ``price_and_time`` is the spot price (UQ112x112, base per CST) with the time mod 2**32
    in its top 32 bits, so the struct reads back from the chain field for field.
    """

    price_cumulative: int
    price_and_time: int
    lp_supply: int

    @property
    def price(self) -> int:
        return self.price_and_time & _MASK224

    @property
    def time(self) -> int:
        return self.price_and_time >> 224


def pool_now(pool: PoolModel, timestamp: int) -> tuple[int, int, int]:
    """Reserves and the price accumulator as if the pool were updated at ``timestamp``.

    A trade earlier in the same block does not count: the pool accumulates the price
    from before each block's first update (Uniswap V2's ``currentCumulativePrices``).
    """
    cumulative = pool.price_token_cumulative_last
    elapsed = oracle.elapsed_seconds(timestamp, pool.block_timestamp_last)
    if elapsed:
        cumulative = oracle.accumulate(cumulative, oracle.encode_price(pool.reserve_base, pool.reserve_token),
                                       elapsed)
    return pool.reserve_token, pool.reserve_base, cumulative


def observe(pool: PoolModel, timestamp: int) -> Observation:
    """The observation the contract records for ``pool`` at ``timestamp``."""
    reserve_token, reserve_base, cumulative = pool_now(pool, timestamp)
    price = oracle.encode_price(reserve_base, reserve_token)
    return Observation(cumulative, price | (timestamp % oracle.TIMESTAMP_MODULUS) << 224, pool.lp.total_supply)


def reference_price(seen: Observation, cumulative: int, timestamp: int) -> int:
    """The TWAP since ``seen`` (UQ112x112), or its spot price when no second has passed."""
    elapsed = oracle.elapsed_seconds(timestamp, seen.time)
    if not elapsed:
        return seen.price
    return (cumulative - seen.price_cumulative) % oracle.ACCUMULATOR_MODULUS // elapsed


def guard_failure(pool: PoolModel, seen: Observation, guards: Guards, amount: int, inject: bool,
                  timestamp: int) -> int:
    """The ``SKIP_*`` code of the first guard that spending ``amount`` into ``pool`` fails, or 0."""
    reserve_token, reserve_base, cumulative = pool_now(pool, timestamp)
    if amount * BPS // reserve_base > guards.max_spend_bps:
        return SKIP_RESERVE
    reference = reference_price(seen, cumulative, timestamp)
    spot = oracle.encode_price(reserve_base, reserve_token)
    if reference == 0 or abs(spot - reference) * BPS // reference > guards.max_deviation_bps:
        return SKIP_DEVIATION
    supply = pool.lp.total_supply
    if inject and supply > seen.lp_supply and (supply - seen.lp_supply) * BPS // seen.lp_supply \
            > guards.max_lp_growth_bps:
        return SKIP_LP_GROWTH
    return 0


def check_tolerance(tolerance_bps: object) -> int:
    """A slippage tolerance in basis points, 0 to 10,000 (10,000 sends no bound at all)."""
    return check_int("tolerance_bps", tolerance_bps, maximum=BPS)


def bounded_min_outs(quote: Callable[[int, int], int], shares: Sequence[int], budget: int,
                     tolerance_bps: int) -> list[int]:
    """Each client's ``min_out``: its quote less ``tolerance_bps``, as both wrappers send it.

    ``quote(i, amount)`` is what client ``i``'s pool pays for ``amount`` base tokens; a
    part of zero gets the bound 0 (the contract buys nothing for it anyway).
    """
    tolerance_bps = check_tolerance(tolerance_bps)
    return [quote(i, amount) * (BPS - tolerance_bps) // BPS if amount else 0
            for i, amount in enumerate(budget * share // SHARE_SCALE for share in shares)]
