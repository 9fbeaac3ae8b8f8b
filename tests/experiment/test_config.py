"""Every bad config field gets its own message naming the field, the value and what is allowed."""

from __future__ import annotations

import inspect

import pytest

from cst_ref.cli import main
from cst_ref.experiment import ConfigError, load_config, parse_config
from cst_ref.experiment.config import EXACT_METHODS, MAX_ROUNDS, MAX_TOKENS, to_wei
from cst_ref.twins.pool import MAX_RESERVE
from cst_ref.valuation import METHODS

from .conftest import EXAMPLES

BAD_FIELDS = [
    ({"data": {"n_clients": 0}}, "data.n_clients: Input should be greater than or equal to 1 (got 0)"),
    ({"data": {"n_clients": 1025}}, "data.n_clients: Input should be less than or equal to 1024 (got 1025)"),
    ({"data": {"dataset": "imagenet"}}, "data.dataset: Input should be 'digits', 'mnist' or 'cifar10' (got 'imagenet')"),
    ({"data": {"alpha": "x"}}, "data.alpha: Input should be a valid number"),
    ({"data": {"colour": 1}}, "data.colour: Extra inputs are not permitted (got 1)"),
    ({"training": {"lr": float("inf")}}, "training.lr: Input should be a finite number (got inf)"),
    ({"training": {"rounds": 2.5}}, "training.rounds: Input should be a valid integer"),
    ({"valuation": {"methods": ["mr_shapley", "magic"]}}, "valuation.methods.1: unknown valuation method 'magic'"),
    ({"valuation": {"methods": ["MR Shapley"]}},
     "valuation.methods.0: 'MR Shapley' is a method's label; name it by its id 'mr_shapley'"),
    ({"payout": {"method": "GTG-Shapley"}}, "payout.method: 'GTG-Shapley' is a method's label; name it by its id 'gtg_shapley'"),
    ({"valuation": {"methods": []}}, "valuation.methods: List should have at least 1 item"),
    ({"payout": {"rules": ["mint", "airdrop"]}}, "payout.rules.1: Input should be 'mint', 'buyback', 'buyback_burn' or 'inject' (got 'airdrop')"),
    ({"payout": {"method": "or_shapley"}}, "payout.timing: 'round' cannot pay by 'or_shapley'"),
    ({"budget": {"decay": 1.5}}, "budget.decay: Input should be less than or equal to 1 (got 1.5)"),
    ({"budget": {"amount": -1}}, "budget.amount: Input should be greater than or equal to 0 (got -1)"),
    ({"system": {"fee_bps": 10_000}}, "system.fee_bps: Input should be less than 10000 (got 10000)"),
    ({"system": {"treasury": 10}}, "system.treasury: 10.0 tokens cannot seed 5 pools"),
    ({"behaviours": [{"client": 7, "kind": "free_rider"}]}, "behaviours.0.client: 7 is not a client"),
    ({"behaviours": [{"client": 1, "kind": "lazy"}]}, "behaviours.0.kind: Input should be"),
    ({"seed": -1}, "seed: Input should be greater than or equal to 0 (got -1)"),
    ({"payout": {"settlement": "later"}}, "payout.settlement: Input should be 'cumulative' or 'round' (got 'later')"),
    ({"valuation": {"metric": "f1"}}, "valuation.metric: Input should be 'accuracy' or 'loss' (got 'f1')"),
    ({"valuation": {"weights": "equal"}}, "valuation.weights: Input should be 'coalition' or 'federation'"),
    ({"training": {"rounds": "2"}}, "training.rounds: Input should be a valid integer (got '2')"),
    ({"training": {"rounds": True}}, "training.rounds: Input should be a valid integer (got True)"),
    ({"data": {"n_clients": True}}, "data.n_clients: Input should be a valid integer (got True)"),
    ({"training": {"lr": "0.1"}}, "training.lr: Input should be a valid number (got '0.1')"),
    ({"budget": {"amount": False}}, "budget.amount: Input should be a valid number (got False)"),
    ({"seed": "7"}, "seed: Input should be a valid integer (got '7')"),
    ({"training": {"lr": 1e30}}, "training.lr: Input should be less than or equal to 10 (got 1e+30)"),
    ({"system": {"treasury": 1e60}}, "system.treasury: at most 1,000,000,000,000 tokens, so that every pool "
                                     "reserve stays below 2^112 wei (got 1e+60)"),
    ({"system": {"client_supply": 1e13}}, "system.client_supply: at most 1,000,000,000,000 tokens"),
    ({"budget": {"amount": 1e13}}, "budget.amount: at most 1,000,000,000,000 tokens"),
    ({"data": {"n_clients": 21}, "payout": {"method": "mr_shapley"}},
     "payout.method: 'mr_shapley' enumerates all 2^n coalitions; it allows at most 20 clients, "
     "got data.n_clients = 21"),
    ({"data": {"n_clients": 21}, "valuation": {"methods": ["equal", "or_shapley"]}},
     "valuation.methods.1: 'or_shapley' enumerates all 2^n coalitions"),
]


@pytest.mark.parametrize("data, message", BAD_FIELDS, ids=[m.split(":")[0] for _, m in BAD_FIELDS])
def test_each_bad_field_has_its_own_message(data, message):
    with pytest.raises(ConfigError) as error:
        parse_config(data)
    assert len(error.value.messages) == 1 and error.value.messages[0].startswith(message)


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as error:
        parse_config({"data": {"n_clients": 0, "alpha": -1}, "training": {"lr": 0}})
    assert [m.split(":")[0] for m in error.value.messages] == ["data.n_clients", "data.alpha", "training.lr"]


def test_an_int_is_still_a_float_and_the_largest_amounts_are_accepted():
    config = parse_config({"training": {"lr": 1}, "system": {"treasury": MAX_TOKENS, "seed_base": 10}})
    assert config.training.lr == 1.0 and config.system.treasury == MAX_TOKENS
    assert parse_config({"data": {"n_clients": 20}, "payout": {"method": "mr_shapley"}}).data.n_clients == 20
    assert parse_config({"data": {"n_clients": 21}, "valuation": {"methods": ["gtg_shapley"]}}).data.n_clients == 21


def test_the_token_bound_keeps_every_pool_reserve_in_112_bits():
    """A reserve may collect a seed, a supply or the treasury, and a budget every round."""
    assert (MAX_ROUNDS + 2) * to_wei(MAX_TOKENS) <= MAX_RESERVE


def test_the_exact_methods_are_those_that_enumerate_every_coalition():
    enumerating = {name for name, method in METHODS.items()
                   if any(f'"{estimator}"' in inspect.getsource(method.run) for estimator in ("exact_shapley", "banzhaf"))}
    assert EXACT_METHODS == enumerating


def test_examples_are_valid_configs():
    quick, paper = load_config(EXAMPLES / "quick.toml"), load_config(EXAMPLES / "paper.toml")
    assert quick.data.dataset == "digits" and len(quick.payout.rules) == 4
    assert paper.data.dataset == "cifar10" and paper.data.n_clients == 10 and paper.data.skew == "linear"
    quality = load_config(EXAMPLES / "quality.toml")
    assert [b.kind for b in quality.behaviours] == ["label_flip"] * 4 + ["free_rider"] * 2
    assert {b.mode for b in quality.behaviours if b.kind == "free_rider"} == {"global", "noise"}


@pytest.mark.parametrize("text, message", [
    ("[data]\nn_clients = 0\n", "data.n_clients: Input should be greater than or equal to 1"),
    ("[data\n", "is not valid TOML"),
    ("[training]\nrounds = '2'\n", "training.rounds: Input should be a valid integer (got '2')"),
    ("[payout]\nrules = ['mint', 'mint']\n", "payout.rules: Value error, each rule may be listed once"),
    ("[model]\narchitecture = 'cnn'\n", "model.architecture: 'cnn' cannot run on digits: images of side 8"),
])
def test_cli_exits_2_on_a_bad_config_and_writes_nothing(tmp_path, capsys, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    out = tmp_path / "out"
    assert main(["run", "--config", str(config), "--out", str(out)]) == 2
    assert message.replace("Value error, ", "") in capsys.readouterr().err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_cli_refuses_a_missing_config_and_a_non_empty_out(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["run", "--config", str(EXAMPLES / "quick.toml"), "--out", str(out)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err and (out / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("name, content, message", [
    ("big.toml", b"#" * 2**20 + b"\n", "larger than 1 MiB"),
    ("latin1.toml", b"# caf\xe9\n", "not UTF-8 text"),
])
def test_load_config_refuses_what_is_not_a_small_text_file(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / name)
    assert len(error.value.messages) == 1 and error.value.messages[0].startswith(f"{tmp_path / name}: {message}")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(tmp_path)


def test_cifar10_without_its_files_exits_2_and_says_where_to_put_them(tmp_path, capsys):
    assert main(["run", "--config", str(EXAMPLES / "paper.toml"), "--out", str(tmp_path / "o"),
                 "--data-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'nowhere' / 'cifar-10-batches-py'}" in err and "--data-dir" in err
    assert not (tmp_path / "o").exists()
