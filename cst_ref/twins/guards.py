"""The federation's guards on spending the treasury into a pool, and the wrappers' bounds.

An attacker who moves a pool before a buy-back or inject round takes part of the reward
(a sandwich, a front-run, just-in-time liquidity), and a patient one moves it right after
a round and holds it, so that a TWAP since the last round agrees with the spot price. The
contract therefore accepts, per client, an ``anchor`` price that a round may raise by at
most ``max_drift_bps`` (a fall is followed at once) and an LP supply that may grow by at
most ``max_lp_growth_bps`` a round, and holds back a part (it stays owed) when the spot
lies too far above them; this module is the twin of that check, and of the ``min_out``
bounds the Python wrappers derive from a quote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cst_ref.amm import oracle
from cst_ref.checks import check_int

from .constants import (
    DEFAULT_MAX_DEVIATION_BPS,
    DEFAULT_MAX_DRIFT_BPS,
    DEFAULT_MAX_LP_GROWTH_BPS,
    DEFAULT_MAX_SPEND_BPS,
    MAX_GUARD_BPS,
    MAX_SPEND_BPS,
    MIN_GUARD_BPS,
    SHARE_SCALE,
    SKIP_DEVIATION,
    SKIP_LP_GROWTH,
)
from .pool import PoolTwin
from .revert import Revert

BPS = 10_000
_MASK224 = 2**224 - 1


@dataclass(frozen=True)
class Guards:
    """The owner's bounds (``guards.vy``'s ``guards``, exported by the federation), each in range."""

    max_deviation_bps: int = DEFAULT_MAX_DEVIATION_BPS
    max_spend_bps: int = DEFAULT_MAX_SPEND_BPS
    max_lp_growth_bps: int = DEFAULT_MAX_LP_GROWTH_BPS
    max_drift_bps: int = DEFAULT_MAX_DRIFT_BPS

    def check(self) -> Guards:
        """These bounds, or the contract's revert: none may be switched off or be absurd."""
        for bound in (self.max_deviation_bps, self.max_lp_growth_bps, self.max_drift_bps):
            if not MIN_GUARD_BPS <= bound <= MAX_GUARD_BPS:
                raise Revert("federation: guard out of range")
        if not MIN_GUARD_BPS <= self.max_spend_bps <= MAX_SPEND_BPS:
            raise Revert("federation: guard out of range")
        return self


LOOSEST = Guards(MAX_GUARD_BPS, MAX_SPEND_BPS, MAX_GUARD_BPS, MAX_GUARD_BPS)
"""The widest bounds the contract accepts."""


@dataclass(frozen=True)
class Observation:
    """A pool as the federation last accepted it, packed as the contract stores it.

    ``price_and_time`` is the spot price (UQ112x112, base per CST) with the time mod 2**32
    in its top 32 bits, the start of the TWAP window; ``anchor`` is the price and
    ``lp_supply`` the LP supply the federation accepted, so the struct reads back from the
    chain field for field.
    """

    price_cumulative: int
    price_and_time: int
    anchor: int
    lp_supply: int

    @property
    def price(self) -> int:
        return self.price_and_time & _MASK224

    @property
    def time(self) -> int:
        return self.price_and_time >> 224


@dataclass(frozen=True)
class Check:
    """One guard check of a client's due: why it waits (a ``SKIP_*`` code or 0), the most
    one part may spend, the anchor and LP supply the round accepts, and the spot price."""

    skip: int
    cap: int
    anchor: int
    lp_supply: int
    spot: int


def pool_now(pool: PoolTwin) -> tuple[int, int, int]:
    """Reserves and the price accumulator as if the pool were updated now (``pool.clock.now``).

    A trade earlier in the same block does not count: the pool accumulates the price
    from before each block's first update (Uniswap V2's ``currentCumulativePrices``).
    """
    cumulative = pool.price_token_cumulative_last
    elapsed = oracle.elapsed_seconds(pool.clock.now, pool.block_timestamp_last)
    if elapsed:
        cumulative = oracle.accumulate(cumulative, oracle.encode_price(pool.reserve_base, pool.reserve_token), elapsed)
    return pool.reserve_token, pool.reserve_base, cumulative


def observe(pool: PoolTwin, anchor: int = 0, lp_supply: int = 0) -> Observation:
    """The observation the contract records for ``pool`` now (``pool.clock.now``); a zero
    ``anchor`` or ``lp_supply`` accepts the pool's spot price or LP supply as it stands."""
    reserve_token, reserve_base, cumulative = pool_now(pool)
    price = oracle.encode_price(reserve_base, reserve_token)
    return Observation(
        cumulative,
        price | (pool.clock.now % oracle.TIMESTAMP_MODULUS) << 224,
        anchor or price,
        lp_supply or pool.lp.total_supply,
    )


def twap(seen: Observation, cumulative: int, timestamp: int) -> int:
    """The TWAP since ``seen`` (UQ112x112), or its spot price when no second has passed."""
    elapsed = oracle.elapsed_seconds(timestamp, seen.time)
    if not elapsed:
        return seen.price
    return (cumulative - seen.price_cumulative) % oracle.ACCUMULATOR_MODULUS // elapsed


def check_due(pool: PoolTwin, seen: Observation, guards: Guards, due: int, inject: bool) -> Check:
    """``guards.vy``'s ``_check_due``: a due waits when the spot lies more than
    ``max_deviation_bps`` above the lower of the TWAP and the old anchor, or (inject) when the
    LP supply outgrew the accepted one; the anchor rises by at most ``max_drift_bps``."""
    reserve_token, reserve_base, cumulative = pool_now(pool)
    spot = oracle.encode_price(reserve_base, reserve_token)
    average = twap(seen, cumulative, pool.clock.now)
    anchor = min(average, seen.anchor + seen.anchor * guards.max_drift_bps // BPS)
    reference = min(average, seen.anchor)
    supply = pool.lp.total_supply
    lp_supply = min(supply, seen.lp_supply + seen.lp_supply * guards.max_lp_growth_bps // BPS)
    skip = 0
    if due:
        if reference == 0 or spot > reference + reference * guards.max_deviation_bps // BPS:
            skip = SKIP_DEVIATION
        elif inject and supply > lp_supply:
            skip = SKIP_LP_GROWTH
    return Check(skip, reserve_base * guards.max_spend_bps // BPS, anchor, lp_supply, spot)


def round_dues(shares: Sequence[int], budget: int, owed: Sequence[int], deregistered: Sequence[bool]) -> list[int]:
    """What a buy-back or inject round tries to pay each client: its part of ``budget`` plus
    what it is owed, and nothing to a deregistered client."""
    return [
        0 if gone else budget * share // SHARE_SCALE + debt for share, debt, gone in zip(shares, owed, deregistered)
    ]


def check_tolerance(tolerance_bps: object) -> int:
    """A slippage tolerance in basis points, 0 to 10,000 (10,000 sends no bound at all)."""
    return check_int("tolerance_bps", tolerance_bps, maximum=BPS)


def bounded_min_outs(quote: Callable[[int, int], int], dues: Sequence[int], tolerance_bps: int) -> list[int]:
    """Each client's ``min_out``: the quote of its whole due (its part plus what it is owed)
    less ``tolerance_bps``, as both wrappers send it.

    ``quote(i, amount)`` is what client ``i``'s pool pays for ``amount`` base tokens; a due
    of zero gets the bound 0 (the contract buys nothing for it anyway).
    """
    tolerance_bps = check_tolerance(tolerance_bps)
    return [quote(i, due) * (BPS - tolerance_bps) // BPS if due else 0 for i, due in enumerate(dues)]
