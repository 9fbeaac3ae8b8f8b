"""On a federation of known quality the default payout follows contribution (a short version of
``benchmarks/payout_quality.py``), and it is what ``cst-ref run`` pays."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.experiment import load_config, parse_config, run_experiment
from cst_ref.experiment.payout_quality import constructed_quality, measure, payout_fractions

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def quality_config():
    return load_config(EXAMPLES / "quality.toml")


def test_quality_is_built_in(quality_config):
    assert list(constructed_quality(quality_config)) == pytest.approx([1, 1, 1, 1, 0.8, 0.6, 0.3, 0, 0, 0])


def test_the_default_payout_follows_quality_and_the_old_one_did_not(quality_config):
    results = measure(quality_config, range(2), ["mr_loo"], settlements=("cumulative", "round"),
                      utilities=[("loss", "federation"), ("accuracy", "coalition")])
    by = {(r.utility, r.settlement): r for r in results}
    new = by[(("loss", "federation"), "cumulative")]
    assert (new.free_rider_share <= 0.02).all() and (new.flipped_share <= 0.02).all()
    assert (new.spearman >= 0.8).all()
    old = by[(("accuracy", "coalition"), "round")]
    assert old.flipped_share.mean() > 0.02 and np.nanmean(old.spearman) < 0.8


def test_the_measured_payout_is_what_cst_ref_run_pays(quality_config):
    data = quality_config.model_dump()
    data["payout"]["rules"] = ["mint"]
    data["valuation"]["methods"] = ["equal"]
    config = parse_config(data)
    report = run_experiment(config, "twin").report
    measured = measure(config, [0], ["mr_loo"], settlements=("cumulative",))[0]
    budget = report["payout"]["budget"]
    assert [c["payout"]["base"] / budget for c in report["clients"]] == pytest.approx(measured.fractions[0], abs=0)


def test_one_row_of_scores_is_settled_once_with_the_summed_budget():
    once = payout_fractions([np.array([3.0, 1.0])], [10, 30], "cumulative")
    assert list(once) == [0.75, 0.25]
