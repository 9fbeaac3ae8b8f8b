"""The fundamental value of a CST: the stated model, by hand, and the value investor."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.amm import get_amount_out
from cst_ref.backends.state import PoolState
from cst_ref.scenarios import ClientAgent, RoundPlan, Scenario, ValueInvestor, run_market
from cst_ref.scenarios.fundamental import ValueModel, expected_shares
from cst_ref.twins import SHARE_SCALE, WAD, SystemConfig


def two_clients(rule="buyback_burn", revenue=0, treasury_left=10_000, departures=()):
    """Client 0 is paid 3/4 of round 0 and all of round 1, then half of each later round."""
    half = (SHARE_SCALE // 2, SHARE_SCALE // 2)
    plans = (RoundPlan((3 * SHARE_SCALE // 4, SHARE_SCALE // 4), 100 * WAD, revenue * WAD),
             RoundPlan((SHARE_SCALE, 0), 100 * WAD, revenue * WAD)) + (RoundPlan(half, 100 * WAD, revenue * WAD),) * 2
    system = SystemConfig(n_clients=2, treasury=(2_000 + treasury_left) * WAD)
    return Scenario(rule, plans, system, (1.0, 0.0), departures=departures)


POOLS = (PoolState(1_000 * WAD, 2_000 * WAD, 0, 3_000 * WAD), PoolState(1_000 * WAD, 500 * WAD, 0, 2_000 * WAD))


def test_expected_shares_follow_the_allocation_so_far():
    scenario = two_clients(departures=((2, 1),))
    assert expected_shares(scenario, 0) == pytest.approx([0.5, 0.5])  # nothing allocated yet
    assert expected_shares(scenario, 1) == pytest.approx([0.75, 0.25])
    assert expected_shares(scenario, 2) == pytest.approx([175 / 200, 0.0])  # client 1 has left


def test_the_value_by_hand():
    """(base in the pool + the discounted expected base) / supply, the treasury paying in full."""
    scenario, model = two_clients(), ValueModel(rate=0.1)
    shares = np.array([175, 25]) / 200
    expected = shares * sum(100 / 1.1 ** k for k in range(2))
    assert model.values(scenario, 2, POOLS, 10_000 * WAD) * WAD == pytest.approx(
        (np.array([2_000, 500]) + expected) * WAD / np.array([3_000, 2_000]))
    after = model.values(scenario, 4, POOLS, 0)  # no round left: the base per token
    assert after == pytest.approx([2_000 / 3_000, 500 / 2_000])


def test_a_short_treasury_pays_its_revenue_and_a_departure_takes_its_payouts():
    model = ValueModel(rate=0.0)
    short = two_clients(revenue=30)
    # 40 now: round 2 pays 40, round 3 pays the 30 of revenue (nothing else is left)
    assert model.expected_base(short, 2, 40 * WAD) == pytest.approx(np.array([175, 25]) / 200 * 70 * WAD)
    gone = two_clients(departures=((2, 1),))
    assert model.expected_base(gone, 2, 10_000 * WAD)[1] == 0


def test_mint_brings_no_base_and_dilutes():
    scenario = two_clients("mint")
    value = ValueModel().values(scenario, 2, POOLS, 10_000 * WAD)
    assert value == pytest.approx([2_000 / (3_000 + 200 * 175 / 200), 500 / (2_000 + 200 * 25 / 200)])


def test_the_value_is_what_a_token_fetches_when_every_holder_sells():
    """n tokens sold into a constant-product pool (no fee) fetch B·n/(R + n): per token, the base
    over the whole supply R + n, whatever the reserves."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        reserve_token, reserve_base, outside = (int(x) * WAD for x in rng.integers(1, 10_000, size=3))
        fetched = get_amount_out(outside, reserve_token, reserve_base, 0)
        assert fetched / outside == pytest.approx(reserve_base / (reserve_token + outside), rel=1e-12)


def test_a_bad_rate_is_refused():
    with pytest.raises(ValueError, match="rate"):
        ValueModel(rate=-0.01)


def test_the_value_investor_buys_below_value_and_never_above():
    """Client 0 is paid all of every round: its token is worth more than its price, so the value
    investor buys it; client 1's is worth less (only its seed backs it), so it never buys that."""
    plans = (RoundPlan((SHARE_SCALE, 0), 2_000 * WAD),) * 3
    scenario = Scenario("buyback_burn", plans, SystemConfig(n_clients=2, treasury=100_000 * WAD), (1.0, 0.0))
    result = run_market(scenario, [ClientAgent(0), ClientAgent(1), ValueInvestor("value", 100.0)], "twin", seed=0)
    held = result.backend.holdings(result.agents[2].account)
    assert held.cst[0] > 0 and held.cst[1] == 0
    assert result.exit_table.conservation_wei == 0
