"""The optimal sandwich against a brute-force search, and the victim's bound always holding."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cst_ref.amm import get_amount_out
from cst_ref.scenarios import optimal_sandwich

E18 = 10**18


def brute_force(reserve_in, reserve_out, victim_in, min_out, fee_bps):
    """Best integer profit over every front-run the victim's bound allows."""
    best = 0
    for x in range(1, 10**6):
        bought = get_amount_out(x, reserve_in, reserve_out, fee_bps)
        if bought >= reserve_out:
            break
        victim_out = get_amount_out(victim_in, reserve_in + x, reserve_out - bought, fee_bps)
        if victim_out < min_out:
            break
        if bought:
            best = max(best, get_amount_out(bought, reserve_out - bought - victim_out, reserve_in + x + victim_in,
                                            fee_bps) - x)
    return best


@settings(max_examples=50)
@given(st.integers(50, 2_000), st.integers(50, 2_000), st.integers(1, 400), st.sampled_from([0, 30, 100, 300]),
       st.floats(0.01, 1.0))
def test_optimal_sandwich_matches_brute_force_on_small_pools(reserve_in, reserve_out, victim_in, fee_bps, keep):
    alone = get_amount_out(victim_in, reserve_in, reserve_out, fee_bps)
    assume(alone >= 1)  # a bound of 0 lets the brute force run through every input up to 10^6
    min_out = max(1, int(alone * keep))
    sandwich = optimal_sandwich(reserve_in, reserve_out, victim_in, min_out, fee_bps)
    assert sandwich.profit == brute_force(reserve_in, reserve_out, victim_in, min_out, fee_bps)
    assert sandwich.victim_out >= min_out
    if sandwich.profit == 0:
        assert sandwich.front_in == 0


def test_the_bound_is_what_the_attacker_takes():
    alone = get_amount_out(100 * E18, 1_000 * E18, 1_000 * E18)
    tight = optimal_sandwich(1_000 * E18, 1_000 * E18, 100 * E18, alone)
    assert (tight.front_in, tight.profit, tight.victim_out) == (0, 0, alone)
    loose = optimal_sandwich(1_000 * E18, 1_000 * E18, 100 * E18, alone * 995 // 1000)
    assert loose.victim_out >= alone * 995 // 1000 and loose.profit > 0
    assert loose.profit < E18  # about the 0.5 % of the 100-token buy-back the bound gives away
    unbounded = optimal_sandwich(1_000 * E18, 1_000 * E18, 100 * E18, 0)
    assert unbounded.profit > 90 * E18  # an unbounded buy-back of 100 loses nearly all of it


def test_a_victim_that_already_fails_its_bound_is_left_alone():
    alone = get_amount_out(10, 1_000, 1_000)
    assert optimal_sandwich(1_000, 1_000, 10, alone + 1).front_in == 0


@pytest.mark.parametrize("args, message", [
    ((0, 10, 1, 0), "reserve_in must be positive"),
    ((10, 10, -1, 0), "victim_amount_in must be positive"),
    ((10, 10, 1, 1.5), "victim_min_out must be an int"),
    ((10, 10, 1, 0, 10_000), "fee_bps must be at most 9999"),
])
def test_bad_input_is_refused_by_name(args, message):
    with pytest.raises(ValueError, match=message):
        optimal_sandwich(*args)
