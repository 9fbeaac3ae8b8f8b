"""``[market]`` in a run's config: agents around the paid federation, reported per rule with every
account's profit at exit, conserved to the wei, the same bytes on the twins and the EVM."""

from __future__ import annotations

import jsonschema
import pytest

from cst_ref.experiment import ConfigError, load_config, run_experiment
from cst_ref.experiment.report import dumps, schema
from cst_ref.experiment.summary import summary

from .conftest import EXAMPLES, tiny_config

MARKET = {"seeds": [0, 1], "client_policy": "sell_fraction", "capital": 20,
          "agents": {"buy_and_hold": 3, "index": 1, "informed": 1, "liquidity_provider": 1, "price_manipulator": 1}}


@pytest.fixture(scope="module")
def runs():
    config = tiny_config(market=MARKET, payout={"rules": ["mint", "buyback_burn"]})
    return {backend: run_experiment(config, backend) for backend in ("twin", "evm")}


def test_the_market_is_reported_conserved_and_alike_on_both_backends(runs):
    market = runs["twin"].report["market"]
    jsonschema.validate(runs["twin"].report, schema())
    assert dumps(market) == dumps(runs["evm"].report["market"])
    assert market["seeds"] == [0, 1] and market["client_policy"] == "sell_fraction"
    for rule, result in market["rules"].items():
        names = [a["name"] for a in result["accounts"]]
        assert {"buy and hold 0", "buy and hold 2", "index 0", "informed 0", "liquidity provider 0",
                "price manipulator 0", "client 0", "treasury"} <= set(names), rule
        assert result["conservation_wei"] == 0
        assert abs(sum(a["exit_profit"] for a in result["accounts"])) < 1e-9
    assert "## Market" in summary(runs["twin"].report)


def test_without_a_market_section_the_report_says_none():
    assert run_experiment(tiny_config(payout={"rules": ["mint"]}), "twin").report["market"] is None


@pytest.mark.parametrize(("market", "message"), [
    ({"agents": {"whales": 2}}, "market.agents.whales"),
    ({"seeds": []}, "market.seeds"),
    ({"seeds": [-1]}, "market.seeds.0"),
    ({"agents": {"index": 101}}, "market.agents.index"),
    ({"client_policy": "dump"}, "market.client_policy"),
    ({"agents": {"index": "2"}}, "market.agents.index"),
])
def test_a_bad_market_section_is_refused_naming_the_field(market, message):
    with pytest.raises(ConfigError) as error:
        tiny_config(market=market)
    assert any(m.startswith(message) for m in error.value.messages), error.value.messages


def test_the_example_market_parses():
    config = load_config(EXAMPLES / "market.toml")
    assert config.market.agents.buy_and_hold == config.data.n_clients and len(config.market.seeds) == 3
