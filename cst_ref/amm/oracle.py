"""Uniswap-V2 cumulative-price (TWAP) oracle in UQ112x112 fixed point.

A pool adds ``price * seconds`` to an accumulator on the first state change
of each block, using the reserves from *before* that change. Reading the
accumulator at two times and dividing by the time between gives the
time-weighted average price, which one block's trade cannot move much.
"""

from __future__ import annotations

from cst_ref.checks import check_real

Q112 = 2**112
"""One in UQ112x112 fixed point."""

TIMESTAMP_MODULUS = 2**32
"""Pools store ``block.timestamp mod 2**32``; elapsed time wraps the same way."""

ACCUMULATOR_MODULUS = 2**256
"""Accumulators wrap around like Uniswap V2's; only differences are meaningful."""


def encode_price(reserve_numerator: int, reserve_denominator: int) -> int:
    """``reserve_numerator / reserve_denominator`` as UQ112x112, rounded down."""
    if reserve_denominator <= 0 or reserve_numerator < 0:
        raise ValueError("reserves must be positive")
    return reserve_numerator * Q112 // reserve_denominator


def elapsed_seconds(timestamp: int, timestamp_last: int) -> int:
    """Seconds since the last update, modulo 2**32 as the pool computes it."""
    return (timestamp % TIMESTAMP_MODULUS - timestamp_last) % TIMESTAMP_MODULUS


def accumulate(cumulative: int, price_uq112: int, elapsed: int) -> int:
    """Accumulator after ``elapsed`` seconds at ``price_uq112``, wrapped mod 2**256."""
    return (cumulative + price_uq112 * elapsed) % ACCUMULATOR_MODULUS


def twap(cumulative_start: int, cumulative_end: int, seconds: int) -> float:
    """Average price between two accumulator readings ``seconds`` apart."""
    check_real("seconds", seconds, positive=True)
    return ((cumulative_end - cumulative_start) % ACCUMULATOR_MODULUS) / seconds / Q112
