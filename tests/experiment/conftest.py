"""Shared paths and one finished quick run for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cst_ref.experiment import load_config, parse_config, run_experiment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def tiny_config(**overrides):
    """The quick example cut to 3 clients and 2 rounds: the report's shape in a few seconds."""
    data = load_config(EXAMPLES / "quick.toml").model_dump()
    data["data"]["n_clients"] = 3
    data["behaviours"] = [{"client": 2, "kind": "free_rider"}]
    data["training"]["rounds"] = 2
    data["valuation"]["methods"] = ["equal", "data_size", "mr_shapley", "or_shapley", "gtg_shapley"]
    for section, values in overrides.items():
        data[section] = {**(data[section] or {}), **values} if isinstance(values, dict) else values
    return parse_config(data)


@pytest.fixture(scope="session")
def tiny_experiment():
    return run_experiment(tiny_config(), "twin")
