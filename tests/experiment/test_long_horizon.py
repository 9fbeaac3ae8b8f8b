"""The long federation (a short version of ``benchmarks/long_horizon.py``): its money, its
departure, its line-up, and the baseline without tokens."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.experiment import load_config
from cst_ref.experiment import long_horizon as lh
from cst_ref.experiment.quality import constructed_quality
from cst_ref.experiment.title_claim import Schedule
from cst_ref.scenarios import RoundPlan
from cst_ref.scenarios.fundamental import ValueModel
from cst_ref.twins import SHARE_SCALE, WAD, SystemConfig

from .conftest import EXAMPLES


def schedule(rounds=8, n=3):
    shares = (SHARE_SCALE // 2, SHARE_SCALE // 2, 0)
    return Schedule(0, (RoundPlan(shares, 100 * WAD),) * rounds, SystemConfig(n_clients=n))


HORIZON = lh.Horizon(rounds=8, revenue=40, reserve=150, leaver=1, leaves_at=5)


def test_the_scenario_carries_the_revenue_the_reserve_and_the_departure():
    scenario = lh.scenario(schedule(), "buyback_burn", (1.0, 1.0, 0.0), HORIZON)
    assert scenario.system.treasury == 3 * scenario.system.seed_base + 150 * WAD
    assert all(p.revenue == 40 * WAD for p in scenario.plans) and scenario.departures == ((5, 1),)


def test_direct_payments_run_low_and_stop_paying_the_leaver():
    paid = lh.direct_payments(lh.scenario(schedule(), "buyback", (1.0, 1.0, 0.0), HORIZON))
    # 150 + 40 pays round 0's 100; 90 + 40 pays 100; 30 + 40 = 70; then 40 a round
    assert paid.sum(1)[:4] == pytest.approx([100, 100, 70, 40])
    assert (paid[5:, 1] == 0).all() and (paid[:, 2] == 0).all()
    # client 1's half stays in the treasury and swells the next budget: 40 → 20 kept, 60 → 30, 70 → 35
    assert paid[5:, 0] == pytest.approx([20, 30, 35])


def test_bad_horizons_and_leavers_are_refused():
    with pytest.raises(ValueError, match="leaves_at must be a round below 8"):
        lh.Horizon(rounds=8, leaves_at=8)
    with pytest.raises(ValueError, match="revenue"):
        lh.Horizon(revenue=-1)
    with pytest.raises(ValueError, match="leaver 5 is not a client"):
        lh.scenario(schedule(), "mint", (1.0, 1.0, 0.0), lh.Horizon(rounds=8, leaver=5, leaves_at=2))


def test_the_lineup_has_value_investors_only_with_capital():
    names = [a.name for a in lh.lineup(3, "hold", 0)]
    assert names[:3] == ["client 0", "client 1", "client 2"] and not any(n.startswith("value") for n in names)
    rich = lh.lineup(3, "hold", 0, value_capital=500.0)
    values = [a for a in rich if a.name.startswith("value ")]
    assert len(values) == 2 and all(a.capital == 500 * WAD for a in values)
    assert [a.name for a in lh.lineup(3, "hold", 1)] != names  # the order is drawn


def test_a_long_market_on_a_trained_schedule():
    """Two trained rounds played for a short horizon: the accounting holds, the clients who sell
    take base out from the start, and informed value investors narrow the gap to value."""
    config = load_config(EXAMPLES / "quality.toml")
    short = lh.Horizon(rounds=6, revenue=70, reserve=100, leaver=0, leaves_at=3)
    paid = lh.long_schedules(config, [0], short)[0]
    assert len(paid.plans) == 6
    scenario = lh.scenario(paid, "buyback_burn", constructed_quality(config), short)
    plain, informed = (lh.play(scenario, "sell_on_receipt", 0, value_capital=c) for c in (0.0, 2_000.0))
    for result in (plain, informed):
        assert result.exit_table.conservation_wei == 0
    taken = lh.received(plain)
    assert (taken[0] == 0).all() and (taken[-1] > 0).all()
    assert lh.mispricing(informed) < lh.mispricing(plain)
    assert set(lh.kind_returns(informed)) == set(lh.KINDS) and "value" not in lh.kind_returns(plain)
    assert lh.volatility(plain) > 0
    assert ValueModel().path(plain).shape == plain.prices.shape
