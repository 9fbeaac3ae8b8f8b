"""Exact-integer constant-product maths (Uniswap V2 with the fee in basis points).

Every function works on Python ints and rounds exactly like the Vyper pool, so
a number computed here is the number the EVM returns. At ``fee_bps=30`` the
swap formulas equal Uniswap V2's 997/1000 formulas on every input (both sides
of the fraction are scaled by 10).
"""

from __future__ import annotations

import math

from cst_ref.checks import check_int

FEE_DENOMINATOR = 10_000
"""Fees are expressed in basis points: parts per 10,000."""

MINIMUM_LIQUIDITY = 1_000
"""LP shares locked forever by the first deposit, as in Uniswap V2."""

MAX_UINT256 = 2**256 - 1
"""The EVM's word: the pool's ABI takes no larger amount and its checked arithmetic reverts above it."""

MAX_RESERVE = 2**112 - 1
"""Reserves share one storage slot with the timestamp, 112 bits each (the pool's ``MASK112``)."""


def _check_fee(fee_bps: object) -> int:
    fee = check_int("fee_bps", fee_bps, positive=False)
    if fee >= FEE_DENOMINATOR:
        raise ValueError(f"fee_bps must be below {FEE_DENOMINATOR}, got {fee}")
    return fee


def _amount(name: str, value: object, positive: bool = True) -> int:
    """A token amount or share count the pool's ABI takes: an int in 0..2^256 − 1."""
    return check_int(name, value, positive=positive, maximum=MAX_UINT256)


def _reserve(name: str, value: object, positive: bool = True) -> int:
    """A reserve the pool can hold: an int of at most 112 bits."""
    return check_int(name, value, positive=positive, maximum=MAX_RESERVE)


def _word(formula: str, value: int) -> int:
    """``value`` if the pool can compute it: a Python int never overflows, so without this
    an intermediate the contract reverts on would yield a number the chain never returns."""
    if value > MAX_UINT256:
        raise ValueError(f"{formula} exceeds 2^256 − 1: the pool contract's checked arithmetic reverts")
    return value


def isqrt(n: int) -> int:
    """Floor square root, the same value as Vyper's ``isqrt`` builtin (of a uint256)."""
    return math.isqrt(_amount("n", n, positive=False))


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    """Output of selling ``amount_in`` into a pool; the fee stays in the pool.

    ``out = in*(10000-fee)*R_out // (R_in*10000 + in*(10000-fee))``, rounded down.
    """
    _amount("amount_in", amount_in)
    _reserve("reserve_in", reserve_in)
    _reserve("reserve_out", reserve_out)
    in_with_fee = amount_in * (FEE_DENOMINATOR - _check_fee(fee_bps))
    numerator = _word("amount_in * (10000 - fee_bps) * reserve_out", in_with_fee * reserve_out)
    denominator = _word(
        "reserve_in * 10000 + amount_in * (10000 - fee_bps)", reserve_in * FEE_DENOMINATOR + in_with_fee
    )
    return numerator // denominator


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    """Input needed to receive ``amount_out``, rounded up in the pool's favour.

    ``in = R_in*out*10000 // ((R_out-out)*(10000-fee)) + 1`` (Uniswap V2's ``+ 1``).
    """
    _amount("amount_out", amount_out)
    _reserve("reserve_in", reserve_in)
    _reserve("reserve_out", reserve_out)
    fee_bps = _check_fee(fee_bps)
    if amount_out >= reserve_out:
        raise ValueError(f"amount_out {amount_out} must be below reserve_out {reserve_out}")
    numerator = reserve_in * amount_out * FEE_DENOMINATOR  # below 2^238: amount_out < reserve_out
    return numerator // ((reserve_out - amount_out) * (FEE_DENOMINATOR - fee_bps)) + 1


def quote(amount_a: int, reserve_a: int, reserve_b: int) -> int:
    """Amount of B worth ``amount_a`` of A at the pool's current ratio (no fee)."""
    _amount("amount_a", amount_a)
    _reserve("reserve_a", reserve_a)
    _reserve("reserve_b", reserve_b, positive=False)
    return _word("amount_a * reserve_b", amount_a * reserve_b) // reserve_a


def deposit_amounts(
    amount_token_desired: int, amount_base_desired: int, reserve_token: int, reserve_base: int
) -> tuple[int, int]:
    """The part of a desired deposit that keeps the pool's ratio (Uniswap's router rule).

    Only for a pool with shareholders; the first depositor takes everything and
    so sets the price.
    """
    _amount("amount_token_desired", amount_token_desired)
    _amount("amount_base_desired", amount_base_desired)
    _reserve("reserve_token", reserve_token)
    _reserve("reserve_base", reserve_base, positive=False)
    base_optimal = quote(amount_token_desired, reserve_token, reserve_base)
    if base_optimal <= amount_base_desired:
        return amount_token_desired, base_optimal
    return quote(amount_base_desired, reserve_base, reserve_token), amount_base_desired


def first_mint_shares(amount_token: int, amount_base: int) -> int:
    """Shares of the first depositor: ``isqrt(a*b) - MINIMUM_LIQUIDITY``.

    The geometric mean makes the share count independent of the price; the
    locked minimum makes the first-depositor inflation attack cost the attacker.
    """
    product = _amount("amount_token", amount_token) * _amount("amount_base", amount_base)
    root = isqrt(_word("amount_token * amount_base", product))
    if root <= MINIMUM_LIQUIDITY:
        raise ValueError(f"isqrt(a*b) = {root} must exceed MINIMUM_LIQUIDITY = {MINIMUM_LIQUIDITY}")
    return root - MINIMUM_LIQUIDITY


def mint_shares(amount_token: int, amount_base: int, reserve_token: int, reserve_base: int, total_supply: int) -> int:
    """Shares for a later deposit: the smaller of the two pro-rata claims, rounded down."""
    _amount("total_supply", total_supply)
    _amount("amount_token", amount_token, positive=False)
    _amount("amount_base", amount_base, positive=False)
    _reserve("reserve_token", reserve_token)
    _reserve("reserve_base", reserve_base)
    return min(
        _word("amount_token * total_supply", amount_token * total_supply) // reserve_token,
        _word("amount_base * total_supply", amount_base * total_supply) // reserve_base,
    )


def burn_amounts(shares: int, reserve_token: int, reserve_base: int, total_supply: int) -> tuple[int, int]:
    """Pro-rata reserves paid for burning ``shares``, rounded down in the pool's favour."""
    _amount("shares", shares)
    _amount("total_supply", total_supply)
    if shares > total_supply:
        raise ValueError(f"shares {shares} exceed total_supply {total_supply}")
    _reserve("reserve_token", reserve_token, positive=False)
    _reserve("reserve_base", reserve_base, positive=False)
    return (
        _word("shares * reserve_token", shares * reserve_token) // total_supply,
        _word("shares * reserve_base", shares * reserve_base) // total_supply,
    )


def spot_price(reserve_in: int, reserve_out: int) -> float:
    """Marginal price of the input token in units of the output token, before fees."""
    _reserve("reserve_in", reserve_in)
    _reserve("reserve_out", reserve_out)
    return reserve_out / reserve_in


def price_impact(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> float:
    """How much worse than the spot price a trade of ``amount_in`` executes, as a fraction.

    ``1 - (out / amount_in) / spot``: the fee plus the move along the curve, about
    ``fee + f`` for a trade of a small fraction ``f`` of the input reserve. The one place
    the book and the figures compute it.
    """
    _amount("amount_in", amount_in)
    out = get_amount_out(amount_in, reserve_in, reserve_out, fee_bps)
    return 1 - (out / amount_in) / spot_price(reserve_in, reserve_out)


def product_holds(before: tuple[int, int], after: tuple[int, int], amount_in: int, fee_bps: int = 30) -> bool:
    """Uniswap V2's swap check: the fee-adjusted reserve product never falls.

    ``before`` and ``after`` are (input reserve, output reserve) around a swap of
    ``amount_in``; true when ``(in' - fee * amount_in) * out' >= in * out`` (in basis
    points), or when the reserves did not move (the swap reverted or paid nothing).
    """
    old = tuple(_reserve(f"before[{i}]", r, positive=False) for i, r in enumerate(before))
    new = tuple(_reserve(f"after[{i}]", r, positive=False) for i, r in enumerate(after))
    _amount("amount_in", amount_in, positive=False)
    if new == old:
        return True
    fee_bps = _check_fee(fee_bps)
    return (new[0] * FEE_DENOMINATOR - amount_in * fee_bps) * new[1] >= old[0] * old[1] * FEE_DENOMINATOR
