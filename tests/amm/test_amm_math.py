"""Constant-product maths: Uniswap V2's published numbers, its 997/1000 formulas, bad input."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cst_ref.amm import (
    MINIMUM_LIQUIDITY,
    burn_amounts,
    deposit_amounts,
    first_mint_shares,
    get_amount_in,
    get_amount_out,
    isqrt,
    mint_shares,
    price_impact,
    product_holds,
    quote,
    spot_price,
)
from cst_ref.amm.oracle import Q112, accumulate, elapsed_seconds, encode_price, twap

E18 = 10**18

# Uniswap V2 core's swap test cases: (amount in, reserve in, reserve out) in whole tokens
# of 18 decimals, and the exact output its pair pays (test/UniswapV2Pair.spec.ts).
V2_SWAP_CASES = [
    (1, 5, 10, 1662497915624478906),
    (1, 10, 5, 453305446940074565),
    (2, 5, 10, 2851015155847869602),
    (2, 10, 5, 831248957812239453),
    (1, 10, 10, 906610893880149131),
    (1, 100, 100, 987158034397061298),
    (1, 1000, 1000, 996006981039903216),
]

uint112 = st.integers(min_value=1, max_value=2**112 - 1)


def v2_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap V2's getAmountOut, written independently of the bps version."""
    amount_in_with_fee = amount_in * 997
    return amount_in_with_fee * reserve_out // (reserve_in * 1000 + amount_in_with_fee)


def v2_amount_in(amount_out: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap V2's getAmountIn."""
    return reserve_in * amount_out * 1000 // ((reserve_out - amount_out) * 997) + 1


@pytest.mark.parametrize(("amount_in", "reserve_in", "reserve_out", "expected"), V2_SWAP_CASES)
def test_published_uniswap_v2_outputs(amount_in, reserve_in, reserve_out, expected):
    assert get_amount_out(amount_in * E18, reserve_in * E18, reserve_out * E18) == expected


@pytest.mark.parametrize(("amount_in", "reserve_in", "reserve_out", "expected"), V2_SWAP_CASES)
def test_amount_in_inverts_published_outputs(amount_in, reserve_in, reserve_out, expected):
    needed = get_amount_in(expected, reserve_in * E18, reserve_out * E18)
    assert needed <= amount_in * E18
    assert get_amount_out(needed, reserve_in * E18, reserve_out * E18) >= expected


@given(amount=uint112, reserve_in=uint112, reserve_out=uint112)
def test_bps_formulas_equal_v2_at_30_bps(amount, reserve_in, reserve_out):
    assert get_amount_out(amount, reserve_in, reserve_out) == v2_amount_out(amount, reserve_in, reserve_out)
    if amount < reserve_out:
        assert get_amount_in(amount, reserve_in, reserve_out) == v2_amount_in(amount, reserve_in, reserve_out)


@given(amount_out=uint112, reserve_in=uint112, reserve_out=uint112, fee_bps=st.integers(0, 9_999))
def test_amount_in_is_the_smallest_sufficient_input(amount_out, reserve_in, reserve_out, fee_bps):
    assume(amount_out < reserve_out)
    needed = get_amount_in(amount_out, reserve_in, reserve_out, fee_bps)
    assert get_amount_out(needed, reserve_in, reserve_out, fee_bps) >= amount_out
    # V2's "+ 1" may overshoot by one wei, never by more: the pool is never short-changed
    if needed > 2:
        assert get_amount_out(needed - 2, reserve_in, reserve_out, fee_bps) < amount_out


@given(amount=uint112, reserve_in=uint112, reserve_out=uint112, fee_bps=st.integers(0, 9_999))
def test_fee_adjusted_product_never_falls(amount, reserve_in, reserve_out, fee_bps):
    out = get_amount_out(amount, reserve_in, reserve_out, fee_bps)
    assert out < reserve_out
    new_in = reserve_in * 10_000 + amount * (10_000 - fee_bps)
    assert new_in * (reserve_out - out) >= reserve_in * reserve_out * 10_000
    assert product_holds((reserve_in, reserve_out), (reserve_in + amount, reserve_out - out), amount, fee_bps)


def test_product_check_catches_an_overpaid_swap():
    out = get_amount_out(E18, 10 * E18, 10 * E18)
    assert product_holds((10 * E18, 10 * E18), (11 * E18, 10 * E18 - out), E18)
    assert not product_holds((10 * E18, 10 * E18), (11 * E18, 10 * E18 - out - 1), E18)
    assert product_holds((5, 7), (5, 7), 10**30)  # nothing moved: a reverted swap


def test_price_impact_is_the_fee_for_tiny_trades_and_grows_with_size():
    impacts = [price_impact(size, 1_000 * E18, 1_000 * E18) for size in (E18 // 1_000, E18, 10 * E18, 100 * E18)]
    assert impacts == sorted(impacts) and abs(impacts[0] - 0.003) < 1e-5
    f = 0.1  # a tenth of the reserve: the fee plus f / (1 + f), about
    assert abs(price_impact(100 * E18, 1_000 * E18, 1_000 * E18, 0) - f / (1 + f)) < 1e-12
    with pytest.raises(ValueError, match="amount_in"):
        price_impact(0, E18, E18)


def test_more_fee_means_less_output():
    outs = [get_amount_out(E18, 10 * E18, 10 * E18, fee) for fee in (0, 5, 30, 100, 1_000)]
    assert outs == sorted(outs, reverse=True) and len(set(outs)) == len(outs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 10, 10), "amount_in must be positive"),
        ((-1, 10, 10), "amount_in must be positive"),
        ((1, 0, 10), "reserve_in must be positive"),
        ((1, 10, 0), "reserve_out must be positive"),
        ((1.0, 10, 10), "amount_in must be an int"),
        ((True, 10, 10), "amount_in must be an int"),
        ((1, 10, 10, 10_000), "fee_bps must be below"),
        ((1, 10, 10, -1), "fee_bps must be non-negative"),
    ],
)
def test_amount_out_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        get_amount_out(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, 10, 10), "must be below reserve_out"),
        ((11, 10, 10), "must be below reserve_out"),
        ((0, 10, 10), "amount_out must be positive"),
        ((1, "10", 10), "reserve_in must be an int"),
        ((1, 10, 10, 20_000), "fee_bps must be below"),
    ],
)
def test_amount_in_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        get_amount_in(*args)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_amount_out(2**300, 10**6, 10**6), "amount_in must be at most"),
        (lambda: get_amount_out(1, 2**112, 10**6), "reserve_in must be at most"),
        (lambda: get_amount_out(2**200, 10**6, 2**100), r"amount_in \* \(10000 - fee_bps\) \* reserve_out exceeds"),
        (lambda: get_amount_out((2**256 - 1) // 9_970, 2**112 - 1, 1), r"reserve_in \* 10000 \+ amount_in"),
        (lambda: get_amount_in(1, 10, 2**112), "reserve_out must be at most"),
        (lambda: price_impact(2**256, 10, 10), "amount_in must be at most"),
        (lambda: quote(2**256, 10, 10), "amount_a must be at most"),
        (lambda: quote(2**200, 10, 2**100), r"amount_a \* reserve_b exceeds"),
        (lambda: deposit_amounts(2**256, 1, 10, 10), "amount_token_desired must be at most"),
        (lambda: first_mint_shares(2**200, 2**100), r"amount_token \* amount_base exceeds"),
        (lambda: mint_shares(2**200, 1, 10, 10, 2**100), r"amount_token \* total_supply exceeds"),
        (lambda: mint_shares(1, 1, 10, 2**112, 100), "reserve_base must be at most"),
        (lambda: burn_amounts(2**150, 2**111, 10, 2**160), r"shares \* reserve_token exceeds"),
        (lambda: spot_price(2**112, 1), "reserve_in must be at most"),
        (lambda: isqrt(2**256), "n must be at most"),
        (lambda: product_holds((2**112, 1), (1, 1), 1), r"before\[0\] must be at most"),
    ],
)
def test_maths_refuses_what_the_pool_contract_cannot_compute(call, message):
    """Reserves above 112 bits, amounts above uint256 or an overflowing product: the
    contract reverts, so a number computed here would be one the chain never returns."""
    with pytest.raises(ValueError, match=message):
        call()


def test_maths_at_the_contract_limits_still_computes():
    top = 2**112 - 1
    assert get_amount_out(top, top, top) == v2_amount_out(top, top, top)
    assert get_amount_in(top - 1, top, top) == v2_amount_in(top - 1, top, top)
    assert first_mint_shares(2**128 - 1, 2**128 - 1) == 2**128 - 1 - MINIMUM_LIQUIDITY
    assert isqrt(2**256 - 1) == 2**128 - 1


def test_first_mint_locks_minimum_liquidity():
    assert first_mint_shares(5 * E18, 10 * E18) == isqrt(50 * E18 * E18) - MINIMUM_LIQUIDITY
    assert first_mint_shares(1_001, 1_001) == 1
    with pytest.raises(ValueError, match="must exceed MINIMUM_LIQUIDITY"):
        first_mint_shares(1_000, 1_000)


@given(n=st.integers(0, 2**256 - 1))
def test_isqrt_is_the_floor_square_root(n):
    r = isqrt(n)
    assert r * r <= n < (r + 1) * (r + 1)


def test_deposit_keeps_the_pool_ratio():
    # pool at 1 token : 2 base: 10 token would need 20 base, so only 5 token go in with 10 base
    assert deposit_amounts(10, 10, 100, 200) == (5, 10)
    assert deposit_amounts(10, 30, 100, 200) == (10, 20)
    assert quote(7, 7, 11) == 11  # the whole reserve is worth the whole other reserve
    assert quote(3, 7, 11) == 4  # 4.71... rounded down, in the pool's favour
    assert quote(1, 3, 2) == 0


def test_mint_and_burn_shares_are_pro_rata_and_round_down():
    assert mint_shares(10, 20, 100, 200, 1_000) == 100
    assert mint_shares(10, 19, 100, 200, 1_000) == 95  # the smaller claim wins
    assert burn_amounts(100, 110, 220, 1_000) == (11, 22)
    assert burn_amounts(1, 999, 999, 1_000) == (0, 0)
    with pytest.raises(ValueError, match="exceed total_supply"):
        burn_amounts(1_001, 10, 10, 1_000)


def test_twap_of_a_constant_price_is_that_price():
    price = encode_price(2 * E18, E18)  # 2 base per token
    assert price == 2 * Q112
    start = 12_345
    end = accumulate(start, price, 600)
    assert twap(start, end, 600) == 2.0
    # accumulators and timestamps wrap like Uniswap V2's and differences survive the wrap
    assert twap(2**256 - price, accumulate(2**256 - price, price, 10), 10) == 2.0
    assert elapsed_seconds(2**32 + 5, 2**32 - 5) == 10


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf"), "600", True])
def test_twap_refuses_a_window_that_is_not_a_positive_number(seconds):
    with pytest.raises(ValueError, match="seconds must"):
        twap(0, 2 * Q112, seconds)
