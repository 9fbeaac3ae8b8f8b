"""Flower's deployment engine on this machine: the same run as the simulation, and nothing left behind.

One deployment of 10 SuperNodes (TLS and node authentication on, the app started with ``flwr
run``) must train the model the simulation engine trains, round by round within the simulation
tests' tolerance, and pay every client the same amounts under every rule. Then the failures: a
SuperNode whose key is not registered is refused, a SuperNode that dies fails the run naming it,
and Ctrl-C stops a driving process; after a success and after each failure no process is left.
"""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import psutil
import pytest

from cst_ref.fl import FedAvgConfig
from cst_ref.flower import FlowerSetup, simulate
from cst_ref.flower.deployment import COMPONENTS, HOST, PUBLISHER, Deployment, app_pyproject, deploy
from cst_ref.flower.processes import ProcessFailed, ProcessGroups, group_members
from cst_ref.flower.record import RunRecord, parameter_gaps
from cst_ref.flower.server import gtg_payout
from cst_ref.flower.spec import RECORD_PATH
from cst_ref.sections import ConfigError
from tests.flower.test_simulation import TOLERANCE

ROOT = Path(__file__).resolve().parents[2]
SETUP = FlowerSetup(n_clients=10, fedavg=FedAvgConfig(rounds=2, progress=False))
SMALL = FlowerSetup(n_clients=2, fedavg=FedAvgConfig(rounds=3, progress=False))


def running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def markers(deployment: Deployment) -> list[str]:
    """What every process of ``deployment`` names on its command line: its folder or one of its ports."""
    ports = [f"{HOST}:{port}" for port in (deployment.link_port, *deployment.node_ports) if port]
    return [deployment.folder, *ports] if deployment.folder else ports


def left_behind(deployment: Deployment) -> list[str]:
    """Running processes of ``deployment``: in one of its groups, or naming its folder or ports."""
    found = {p.pid: p for p in group_members({m.pid for m in deployment.processes})}
    for process in psutil.process_iter(["cmdline"]):
        if any(marker in " ".join(process.info["cmdline"] or ()) for marker in markers(deployment)):
            found[process.pid] = process
    found.pop(os.getpid(), None)
    return [describe(process) for process in found.values() if running(process)]


def describe(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return str(process.pid)


@pytest.fixture(scope="module")
def deployed():
    deployment = Deployment(SETUP.n_clients)
    started = time.perf_counter()
    with deployment:
        run = deployment.run(SETUP)
    return run, deployment, time.perf_counter() - started


@pytest.fixture(scope="module")
def simulated():
    return simulate(SETUP, gtg_payout(SETUP))


def test_the_deployment_trains_and_pays_as_the_simulation_does(deployed, simulated):
    run, _, seconds = deployed
    record, reference = run.record, RunRecord.of(simulated)
    assert record.run_config == SETUP.to_run_config()
    assert record.participants == reference.participants == (tuple(range(10)),) * 2  # every partition, once
    assert record.sample_counts == reference.sample_counts
    gaps = parameter_gaps(record, reference)
    assert max(gaps) <= TOLERANCE, gaps
    assert record.metrics == reference.metrics
    assert [r.rules.keys() for r in record.payouts] == [r.rules.keys() for r in reference.payouts]
    assert record.amounts() == reference.amounts()  # the same wei, per client, rule and round
    assert all(sum(amounts) > 0 for paid in record.amounts() for amounts in paid.values())
    assert seconds < 600


def test_a_run_record_survives_its_file(simulated, tmp_path):
    record = RunRecord.of(simulated)
    record.write(tmp_path / "record.json")
    again = RunRecord.read(tmp_path / "record.json")
    assert parameter_gaps(record, again) == [0.0] * 3
    assert again.amounts() == record.amounts() and again.payouts == record.payouts
    assert again.metrics == record.metrics and again.participants == record.participants


def test_nothing_is_left_after_a_run(deployed):
    _, deployment, _ = deployed
    assert {m.name for m in deployment.processes} >= {"SuperLink", "flwr run", *(f"SuperNode {i}" for i in range(10))}
    assert all(m.process.returncode is not None for m in deployment.processes)
    assert left_behind(deployment) == []
    assert not Path(deployment.folder).exists()  # keys, certificates and logs go with it


def test_an_unregistered_supernode_is_refused():
    deployment = Deployment(2, unregistered={1})
    refused = r"SuperNode 1: refused by the SuperLink \(Flower's exit code 305"
    with pytest.raises(ProcessFailed, match=refused) as error, deployment:
        pytest.fail("a deployment with a refused SuperNode started")
    assert "Failed to activate SuperNode" in error.value.tail  # the node's own log
    assert left_behind(deployment) == []


def test_a_supernode_that_dies_fails_the_run_and_everything_stops(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # as in a Jupyter kernel: flwr's JSON output must stay JSON
    deployment = Deployment(SMALL.n_clients)
    with pytest.raises(ProcessFailed, match="SuperNode 1: exited with code -9"), deployment:
        node = next(m for m in deployment.processes if m.name == "SuperNode 1")
        threading.Timer(8.0, node.process.kill).start()  # mid-run
        deployment.run(SMALL, timeout=300)
    assert left_behind(deployment) == []


def test_ctrl_c_stops_every_process():
    """SIGINT to a driving process (``python -m cst_ref.flower``) once the run is under way."""
    driver = subprocess.Popen(
        [sys.executable, "-m", "cst_ref.flower", "--nodes", "2", "--rounds", "3"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in driver.stderr], daemon=True).start()
    seen = []
    try:
        while not any(line.startswith("flwr run:") for line in seen):
            seen.append(lines.get(timeout=180))
        time.sleep(5)  # flwr run, the ServerApp and the first ClientApps start
        tree = psutil.Process(driver.pid).children(recursive=True)
        commands = " ".join(" ".join(p.cmdline()) for p in tree)
        assert "flower-superlink" in commands and commands.count("flower-supernode") == 2, commands
        driver.send_signal(signal.SIGINT)
        driver.wait(timeout=120)
    finally:
        if driver.poll() is None:
            driver.kill()
    while not lines.empty():
        seen.append(lines.get_nowait())
    assert driver.returncode == 128 + signal.SIGINT, "".join(seen)
    assert "SIGINT: every process stopped" in seen[-1]
    assert [p.pid for p in tree if running(p)] == []


def test_bad_requests_fail_before_any_process_starts():
    with pytest.raises(ValueError, match="n_nodes must equal the setup's n_clients = 10"):
        deploy(SETUP, n_nodes=3)
    with pytest.raises(ValueError, match="n_nodes"):
        Deployment(0)
    with pytest.raises(ValueError, match="needs TLS"):
        Deployment(2, tls=False)
    with pytest.raises(ProcessFailed, match="executable 'flower-no-such' not found"):
        ProcessGroups(os.environ).start("missing", ["flower-no-such"], Path("/dev/null"))


def test_the_shipped_app_is_the_projects_own():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flwr"]["app"]
    shipped = tomllib.loads(app_pyproject())["tool"]["flwr"]["app"]
    assert shipped["publisher"] == project["publisher"] == PUBLISHER
    assert shipped["components"] == project["components"] == COMPONENTS
    assert shipped["config"] == {**project["config"], RECORD_PATH: ""}


def test_the_record_path_is_the_one_key_beside_the_setup():
    config = {**SETUP.to_run_config(), RECORD_PATH: "/tmp/record.json"}
    assert FlowerSetup.from_run_config(config) == SETUP
    with pytest.raises(ConfigError, match="unknown keys"):
        FlowerSetup.from_run_config({**config, "record-pth": "/tmp/record.json"})
