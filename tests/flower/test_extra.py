"""The optional extra: a clear error without it, and the app as Flower's CLI loads it."""

import importlib
import sys
import tomllib
from pathlib import Path

import pytest

import cst_ref

ROOT = Path(__file__).resolve().parents[2]


def test_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "flwr", None)  # what find_spec sees when flwr is not installed
    for name in [m for m in sys.modules if m == "cst_ref.flower" or m.startswith("cst_ref.flower.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ModuleNotFoundError, match=r"pip install '\.\[flower\]'"):
        importlib.import_module("cst_ref.flower")


def test_the_app_loads_as_flwr_run_loads_it():
    from flwr.cli.config_utils import load_and_validate
    from flwr.clientapp import ClientApp
    from flwr.serverapp import ServerApp
    from flwr.supercore.object_ref import load_app

    config, warnings = load_and_validate(ROOT / "pyproject.toml")  # what `flwr run .` checks first
    assert warnings == []
    components = config["tool"]["flwr"]["app"]["components"]
    assert isinstance(load_app(components["clientapp"], ValueError, ROOT), ClientApp)
    assert isinstance(load_app(components["serverapp"], ValueError, ROOT), ServerApp)


def test_the_run_config_is_the_default_setup_and_round_trips():
    from cst_ref.flower import FlowerSetup
    from cst_ref.fl import FedAvgConfig

    app_config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flwr"]["app"]["config"]
    assert app_config == FlowerSetup().to_run_config()
    setup = FlowerSetup(n_clients=7, partition="dirichlet", alpha=2.0, free_riders=(1, 5),
                        fedavg=FedAvgConfig(rounds=4, lr=0.05, seed=3, progress=False))
    assert FlowerSetup.from_run_config(setup.to_run_config()) == setup
    with pytest.raises(ValueError, match="unknown keys"):
        FlowerSetup.from_run_config({"n-client": 3})


def test_pyproject_version_is_the_package_version():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == cst_ref.__version__


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_clients": 0}, "n_clients"), ({"partition": "shards"}, "partition"),
     ({"free_riders": (4,), "n_clients": 4}, "free_riders"), ({"alpha": -1.0}, "alpha"),
     ({"fedavg": {"rounds": 2}}, "fedavg")],
)
def test_a_bad_setup_names_its_argument(kwargs, message):
    from cst_ref.flower import FlowerSetup

    with pytest.raises(ValueError, match=message):
        FlowerSetup(**kwargs)
