"""The title claim's experiment (a short version of ``benchmarks/title_claim.py``): the schedule is
what ``cst-ref run`` pays, each market's investors are the clients' own, and the statistics rank
what they should."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.experiment import load_config, parse_config, run_experiment
from cst_ref.experiment.title_claim import Schedule, TitleClaim, measure, schedules
from cst_ref.scenarios import RoundPlan
from cst_ref.twins import WAD, SystemConfig

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def quality_config():
    return load_config(EXAMPLES / "quality.toml")


@pytest.fixture(scope="module")
def paid(quality_config):
    return schedules(quality_config, [0])


def test_the_schedule_is_what_cst_ref_run_pays(quality_config, paid):
    data = quality_config.model_dump()
    data["payout"]["rules"] = ["mint"]
    data["valuation"]["methods"] = ["equal"]
    report = run_experiment(parse_config(data), "twin").report
    assert [p.budget for p in paid[0].plans] == [r["paid"] for r in report["rounds"]]
    assert [list(p.shares) for p in paid[0].plans] == [r["shares"] or [0] * 10 for r in report["rounds"]]


def test_buy_backs_reward_the_investors_of_good_clients_and_mint_does_not(quality_config, paid):
    claims = {c.rule: c for c in measure(quality_config, paid, [0, 1], ["mint", "buyback_burn"], ["hold"])}
    burn, mint = claims["buyback_burn"], claims["mint"]
    assert burn.returns.shape == (2, 10)
    assert (burn.return_vs_quality > 0.5).all() and (burn.spread > 5).all()
    assert (mint.return_vs_quality < 0.5).all()
    assert (burn.price_vs_contribution > 0.9).all()  # the tokens bought back rose the most


def test_the_statistics_rank_what_they_should():
    quality = np.array([1.0, 0.5, 0.0])
    claim = TitleClaim("mint", "hold", quality, returns=np.array([[10.0, 0.0, -10.0], [-10.0, 0.0, 10.0]]),
                       growth=np.array([[3.0, 2.0, 1.0], [1.0, 1.0, 1.0]]),
                       contribution=np.array([[5.0, 2.0, 0.0], [1.0, 1.0, 1.0]]))
    assert list(claim.return_vs_quality) == [1.0, -1.0] and list(claim.spread) == [20.0, -20.0]
    assert claim.price_vs_contribution[0] == 1.0 and np.isnan(claim.price_vs_contribution[1])


def test_a_schedule_sums_each_clients_allocation():
    plans = (RoundPlan((WAD // 4, 3 * WAD // 4), 100 * WAD), RoundPlan((WAD, 0), 10 * WAD))
    assert list(Schedule(0, plans, SystemConfig(n_clients=2)).contribution) == [35.0, 75.0]


def test_an_end_only_payout_is_refused(quality_config):
    data = quality_config.model_dump()
    data["payout"].update(method="or_shapley", timing="end")
    with pytest.raises(ValueError, match="pays once at the end"):
        schedules(parse_config(data), [0])


def test_an_equal_schedule_keeps_the_budgets_and_splits_them_evenly():
    plans = (RoundPlan((WAD, 0, 0), 100 * WAD), RoundPlan((0, WAD, 0), 10 * WAD))
    equal = Schedule(0, plans, SystemConfig(n_clients=3)).paid_equally()
    assert [p.budget for p in equal.plans] == [100 * WAD, 10 * WAD]
    assert all(sum(p.shares) == WAD and max(p.shares) - min(p.shares) <= 1 for p in equal.plans)
