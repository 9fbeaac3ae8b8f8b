"""The report: valid against its schema, byte-identical for the same seed, true to the run."""

from __future__ import annotations

import json

import jsonschema
import pytest

from cst_ref.experiment import dumps, run_experiment, schema
from cst_ref.outputs import write_outputs
from cst_ref.twins import WAD

from .conftest import tiny_config


def test_report_matches_its_schema(tiny_experiment):
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(tiny_experiment.report, schema())


def test_schema_catches_a_broken_report(tiny_experiment):
    broken = json.loads(dumps(tiny_experiment.report))
    broken["clients"][0]["rules"]["mint"]["realised_base"] = 1.5  # wei are integers
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_same_config_and_seed_give_the_same_bytes(tiny_experiment):
    again = run_experiment(tiny_config(), "twin")
    assert dumps(again.report) == dumps(tiny_experiment.report)
    other = run_experiment(tiny_config(), "twin", seed=1)
    assert dumps(other.report) != dumps(tiny_experiment.report)


def test_report_numbers_come_from_the_run(tiny_experiment):
    report, run = tiny_experiment.report, tiny_experiment.run
    assert [c["samples"] for c in report["clients"]] == list(run.history.sample_counts)
    assert [c["behaviour"] for c in report["clients"]] == ["honest", "honest", "free_rider"]
    for method in ("equal", "data_size", "mr_shapley", "or_shapley", "gtg_shapley"):
        shares = [c["methods"][method]["share"] for c in report["clients"]]
        assert sum(shares) == pytest.approx(1)
    assert [c["methods"]["equal"]["percent_of_equal"] for c in report["clients"]] == pytest.approx([100] * 3)
    for rule in ("buyback", "buyback_burn", "inject"):
        spent = sum(c["rules"][rule]["base_spent"] for c in report["clients"])
        treasury = report["payout"]["treasury"][rule]
        assert treasury["start"] - treasury["end"] == spent <= 2 * 100 * WAD
    # the seed's liquidity is the federation's: under buy-back a client takes out (almost) all the
    # base spent on it by selling back what was bought; under inject and burn the base stays in
    # the pool and the client gains only through the price of the supply that vested to it
    for c in report["clients"]:
        rules = c["rules"]
        spent = rules["buyback"]["base_spent"]
        assert 0 <= spent - rules["buyback"]["realised_base"] <= spent // 100
        for rule in ("buyback_burn", "inject"):
            assert (0 < rules[rule]["realised_base"] < rules[rule]["base_spent"] // 2) == (spent > 0)
        assert (c["rules"]["buyback"]["cst_received"] > 0) == (c["payout"]["base"] > 0)
        assert c["rules"]["inject"]["cst_received"] == 0


def test_payout_says_what_each_client_was_allocated_round_by_round(tiny_experiment):
    report = tiny_experiment.report
    payout, clients, rounds = report["payout"], report["clients"], report["rounds"]
    assert (payout["method"], payout["metric"], payout["weights"], payout["settlement"]) == (
        "mr_shapley", "loss", "federation", "cumulative")
    assert payout["budget"] == sum(r["budget"] for r in rounds) == 2 * 100 * WAD
    assert payout["allocated"] == sum(c["payout"]["base"] for c in clients) == sum(r["paid"] for r in rounds)
    assert payout["budget"] - payout["allocated"] < len(clients) * len(rounds)  # the floors' dust at most
    assert sum(c["payout"]["share"] for c in clients) == pytest.approx(1)
    for i, c in enumerate(clients):
        assert c["payout"]["base"] == sum(r["amounts"][i] for r in rounds if r["amounts"])
        assert c["payout"]["base"] == c["rules"]["mint"]["allocated"]  # the treasury never capped it
    assert clients[2]["payout"] == {"share": 0.0, "base": 0}  # the free rider sent the model back unchanged


def test_outputs_are_written_together(tiny_experiment, tmp_path):
    out = write_outputs(tiny_experiment, tmp_path / "run")
    names = sorted(p.name for p in out.iterdir())
    assert names == [".cst-ref-run", "allocation.png", "allocation.svg", "realised.png", "realised.svg", "report.json", "summary.md"]
    assert json.loads((out / "report.json").read_text()) == json.loads(dumps(tiny_experiment.report))
    text = (out / "summary.md").read_text()
    assert "| 2 | free_rider |" in text and "settled cumulatively" in text
    assert "| total | 200.000 | 200.000 |" in text and "whole-run MR Shapley (% of equal)" in text
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging folder left behind
