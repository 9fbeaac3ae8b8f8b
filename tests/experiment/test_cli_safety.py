"""`cst-ref run` keeps the reader's files and answers bad input with exit 2 (3 for a lost node)
and one line, before any training where the input can tell."""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cst_ref.experiment
from cst_ref.cli import main
from cst_ref.experiment import ConfigError
from cst_ref.outputs import write_outputs
from cst_ref.backends.anvil import NodeError, anvil_binary

from .conftest import EXAMPLES

MARKER = ".cst-ref-run"
"""What marks a folder as a run's output (docs/report.md): the name is part of the contract."""

TINY = """\
[data]
n_clients = 3
[training]
rounds = 2
local_epochs = 1
[valuation]
methods = ["equal"]
[payout]
method = "mr_loo"
"""


def config(tmp_path: Path, extra: str = "", text: str = TINY) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text + extra)
    return str(path)


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cst-ref run: "), err
    return err


@pytest.fixture
def no_training(monkeypatch):
    """Fails the test if the command gets as far as training."""
    def trained(*args, **kwargs):
        raise AssertionError("the command trained before refusing its input")

    monkeypatch.setattr(cst_ref.experiment, "run_experiment", trained)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --force and --out


def test_force_refuses_a_folder_of_yours_before_training(tmp_path, capsys, no_training):
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("keep")
    (out / "sub" / "thesis.tex").write_text("keep too")
    assert main(["run", "--config", config(tmp_path), "--out", str(out), "--force"]) == 2
    assert f"cst-ref run: {out}: not a folder written by `cst-ref run`" in one_line(capsys)
    assert (out / "notes.txt").read_text() == "keep" and (out / "sub" / "thesis.tex").read_text() == "keep too"
    assert hidden(tmp_path) == []


def test_force_refuses_a_file_before_training(tmp_path, capsys, no_training):
    out = tmp_path / "report.txt"
    out.write_text("mine")
    assert main(["run", "--config", config(tmp_path), "--out", str(out), "--force"]) == 2
    assert f"{out}: exists and is not a folder" in one_line(capsys)
    assert out.read_text() == "mine" and hidden(tmp_path) == []


def test_force_replaces_an_earlier_run_and_only_while_it_holds_nothing_else(tmp_path, capsys):
    out, settings = tmp_path / "run", config(tmp_path)
    assert main(["run", "--config", settings, "--out", str(out)]) == 0
    listed = (out / MARKER).read_text().splitlines()
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *listed[1:]])
    (out / "report.json").write_text("an earlier report")
    assert main(["run", "--config", settings, "--out", str(out), "--force"]) == 0
    assert (out / "report.json").read_text().startswith("{")
    assert hidden(tmp_path) == []  # neither the staging folder nor the replaced one is left
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["run", "--config", settings, "--out", str(out), "--force"]) == 2
    assert "holds files `cst-ref run` did not write (notes.txt)" in one_line(capsys)
    assert (out / "notes.txt").read_text() == "mine" and hidden(tmp_path) == []


def test_an_unwritable_out_is_refused_before_training(tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "run"
    assert main(["run", "--config", config(tmp_path), "--out", str(out)]) == 2
    assert f"cst-ref run: {out}: {tmp_path / 'file'} is not a folder" in one_line(capsys)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_out_where_nothing_can_be_created_is_refused_before_training(tmp_path, capsys, no_training):
    assert main(["run", "--config", config(tmp_path), "--out", "/proc/cst-ref-run"]) == 2
    assert "cst-ref run: /proc/cst-ref-run: cannot write in /proc" in one_line(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_parent_is_refused_before_training(tmp_path, capsys, no_training):
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o500)
    assert main(["run", "--config", config(tmp_path), "--out", str(parent / "run")]) == 2
    assert f"cannot write in {parent}" in one_line(capsys)


# configs that must not be read, or not run


def test_a_config_that_is_a_folder_is_refused(tmp_path, capsys, no_training):
    assert main(["run", "--config", str(tmp_path), "--out", str(tmp_path / "run")]) == 2
    assert f"cst-ref run: {tmp_path}: not a regular file" in one_line(capsys)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_config_is_refused_not_read(tmp_path):
    """In a process of its own with bounded memory: reading it would take all there is."""
    import resource

    limit = 6 * 2**30  # address space: torch maps about 3.5 GiB on import

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "cst_ref.cli", "run", "--config", "/dev/zero", "--out",
                           str(tmp_path / "run")], capture_output=True, text=True, timeout=120, preexec_fn=bounded)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "cst-ref run: /dev/zero: not a regular file; --config takes a TOML file\n"


def test_a_config_larger_than_a_mebibyte_is_refused(tmp_path, capsys, no_training):
    path = config(tmp_path, "#" * 2**20 + "\n")
    assert main(["run", "--config", path, "--out", str(tmp_path / "run")]) == 2
    assert f"cst-ref run: {path}: larger than 1 MiB" in one_line(capsys)


@pytest.mark.parametrize("old, new, message", [
    ("[payout]", "[system]\ntreasury = 1e60\n[payout]", "system.treasury: at most 1,000,000,000,000 tokens"),
    ("rounds = 2", 'rounds = "2"', "training.rounds: Input should be a valid integer (got '2')"),
    ("rounds = 2", "rounds = true", "training.rounds: Input should be a valid integer (got True)"),
    ("n_clients = 3", "n_clients = true", "data.n_clients: Input should be a valid integer (got True)"),
    ("rounds = 2", "rounds = 2\nlr = 1e30", "training.lr: Input should be less than or equal to 10 (got 1e+30)"),
])
def test_bad_values_exit_2_with_one_line_naming_the_field(tmp_path, capsys, no_training, old, new, message):
    path = config(tmp_path, text=TINY.replace(old, new))
    assert main(["run", "--config", path, "--out", str(tmp_path / "run")]) == 2
    assert one_line(capsys).startswith(f"cst-ref run: {message}")


def test_an_exact_method_over_21_clients_is_refused_before_training(tmp_path, capsys, no_training):
    path = config(tmp_path, text=TINY.replace("n_clients = 3", "n_clients = 21")
                  .replace('method = "mr_loo"', 'method = "mr_shapley"'))
    assert main(["run", "--config", path, "--out", str(tmp_path / "run")]) == 2
    assert "cst-ref run: payout.method: 'mr_shapley' enumerates all 2^n coalitions" in one_line(capsys)


# a training that diverges


NOISE = '[[behaviours]]\nclient = 2\nkind = "free_rider"\nmode = "noise"\nscale = 1e300\n'


@pytest.mark.parametrize("metric, message", [
    ("accuracy", "training: diverged: loss is NaN at round 1"),  # the run ends; the report would hold NaN
    ("loss", "training: diverged: a model's validation loss is nan"),  # the valuation refuses it mid-run
])
def test_a_diverged_training_exits_2_and_writes_no_nan(tmp_path, capsys, metric, message):
    text = TINY.replace('methods = ["equal"]', f'methods = ["equal"]\nmetric = "{metric}"') + NOISE
    out = tmp_path / "run"
    assert main(["run", "--config", config(tmp_path, text=text), "--out", str(out)]) == 2
    assert f"cst-ref run: {message}" in one_line(capsys)
    assert not out.exists() and hidden(tmp_path) == []


def test_the_writer_refuses_a_report_holding_nan(tiny_experiment, tmp_path):
    report = copy.deepcopy(tiny_experiment.report)
    report["rounds"][1]["loss"] = math.nan
    with pytest.raises(ConfigError, match=r"^report\.rounds\.1\.loss: is not a finite number"):
        write_outputs(dataclasses.replace(tiny_experiment, report=report), tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


# the node and signals


def anvil_missing() -> bool:
    try:
        anvil_binary()
    except NodeError:
        return True
    return False


needs_anvil = pytest.mark.skipif(anvil_missing(), reason="anvil is not installed (npm ci)")


def alive(pid: int) -> bool:
    """Running and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def child_anvil(pid: int) -> tuple[int, Path] | None:
    """The anvil ``pid`` started and its temporary folder, once the node has written its accounts."""
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "comm").read_text().strip() != "anvil":
                continue
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        accounts = Path(command[command.index(b"--config-out") + 1].decode())
        return (int(entry.name), accounts.parent) if accounts.exists() else None
    return None


@needs_anvil
def test_a_node_lost_mid_run_exits_3(tmp_path, capsys, monkeypatch):
    from cst_ref.backends import rpc as rpc_backend

    execute = rpc_backend.RpcBackend.execute
    stopped = []

    def lose_the_node(self, pending):
        if self.connection.node.running:
            stopped.append(self.connection.node.process.pid)
            self.connection.node.process.kill()
            self.connection.node.process.wait()
        return execute(self, pending)

    monkeypatch.setattr(rpc_backend.RpcBackend, "execute", lose_the_node)
    out = tmp_path / "run"
    assert main(["run", "--config", config(tmp_path), "--out", str(out), "--backend", "rpc"]) == 3
    assert "cst-ref run: --backend rpc: the node stopped answering during the run" in one_line(capsys)
    assert stopped and not out.exists() and hidden(tmp_path) == []


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cst_ref.cli", "run", "--config", str(EXAMPLES / "quick.toml"), *map(str, args)]


@needs_anvil
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="finds anvil through Linux's /proc")
def test_sigterm_stops_anvil_and_removes_temporary_folders(tmp_path):
    temp, out = tmp_path / "tmp", tmp_path / "run"
    temp.mkdir()
    process = subprocess.Popen(command("--out", out, "--backend", "rpc"), stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(temp)})
    anvil = None
    try:
        deadline = time.monotonic() + 120
        while anvil is None and process.poll() is None and time.monotonic() < deadline:
            anvil = child_anvil(process.pid)
            time.sleep(0.05)
        assert anvil is not None, "the command never started anvil: " + (
            f"it exited {process.returncode}: {process.stderr.read()[-2000:]}" if process.poll() is not None
            else "still none after 120 s")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        assert process.returncode == 128 + signal.SIGTERM, err
        assert err.strip().splitlines()[-1] == "cst-ref run: SIGTERM: stopped; nothing was written"
        assert not alive(anvil[0]) and not anvil[1].exists()
        assert not out.exists() and hidden(tmp_path) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if anvil is not None and alive(anvil[0]):
            os.kill(anvil[0], signal.SIGKILL)  # the anvil this test's command started, left running


def test_sigterm_while_figures_are_written_leaves_no_staging_folder(tmp_path):
    out = tmp_path / "run"
    script = ("import os, signal, sys\n"
              "import cst_ref.outputs as outputs\n"
              "from cst_ref.cli import main\n"
              "real = outputs.realised_figure\n"
              "def realised(report):\n"
              "    os.kill(os.getpid(), signal.SIGTERM)\n"
              "    return real(report)\n"
              "outputs.realised_figure = realised\n"
              f"sys.exit(main({command('--out', out)[3:]!r}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "cst-ref run: SIGTERM: stopped; nothing was written"
    assert not out.exists() and hidden(tmp_path) == []
