"""Flower's deployment engine on this machine: a SuperLink and one SuperNode per client, as processes.

The simulation (:func:`~cst_ref.flower.server.simulate`) runs the apps inside one process; here
Flower's own executables run them as a deployment does across machines, on loopback: a
``flower-superlink`` serving TLS with a certificate made for the run, ``flower-supernode``\\ s that
authenticate with registered EC keys, each told its partition, and the app started with
``flwr run`` over a connection in a private ``FLWR_HOME``. The ServerApp writes its
:class:`~cst_ref.flower.record.RunRecord` to the file the run config names, which is how the run
comes back. Every process is stopped when the ``with`` block ends, however it ends.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import cst_ref
from cst_ref.checks import positive_int

from .credentials import NodeKey, TlsFiles, make_node_key, make_tls
from .processes import TAIL_LINES, Managed, ProcessFailed, ProcessGroups
from .record import RunRecord
from .spec import RECORD_PATH, FlowerSetup

PUBLISHER = "wallstreetfeds"
COMPONENTS = {"serverapp": "cst_ref.flower.app:server_app", "clientapp": "cst_ref.flower.app:client_app"}
"""The project's ``[tool.flwr.app]`` (pyproject.toml): the app ``flwr run`` ships is the package's own."""
CONNECTION = "cst-ref"
"""The ``[superlink.NAME]`` entry of the private ``config.toml`` that ``flwr`` commands use."""
HOST = "127.0.0.1"
ACTIVATED = "SuperNode ID:"
"""What a SuperNode logs once the SuperLink has activated it."""
FLOWER_EXIT = re.compile(r"Exit Code: (\d+)")
"""How Flower logs why it exits (the process itself exits with 1)."""
EXPLAINED = {305: "refused by the SuperLink (Flower's exit code 305: is its key registered?)"}
LINK, NODES, DRIVER = 0, 1, 2
"""Stop order, highest first: ``flwr run``, then the SuperNodes, then the SuperLink."""

FORCED_COLOUR = ("FORCE_COLOR", "CLICOLOR_FORCE")
"""Set by Jupyter's kernel: Flower's CLI would colour even its JSON output."""

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DeployedRun:
    """A run on the deployment: its setup, the ServerApp's record, and how long ``flwr run`` took (s)."""

    setup: FlowerSetup
    record: RunRecord
    seconds: float


def _toml_value(value: object) -> str:
    """A TOML scalar: JSON writes ints, floats, booleans and escaped strings as TOML reads them."""
    if not isinstance(value, str | int | float | bool):
        raise TypeError(f"not a TOML scalar: {value!r}")
    return json.dumps(value)


def _toml_pairs(values: Mapping[str, object]) -> str:
    return "".join(f"{key} = {_toml_value(v)}\n" for key, v in values.items())


def _toml_table(name: str, values: Mapping[str, object]) -> str:
    return f"[{name}]\n{_toml_pairs(values)}"


def app_pyproject() -> str:
    """The app as ``flwr run`` ships it: the package's components, FlowerSetup's defaults, no code.

    The FAB holds only this file; the SuperLink and SuperNodes import ``cst_ref`` from the environment
    they run in (on another machine: the same package installed there).
    """
    config = {**FlowerSetup().to_run_config(), RECORD_PATH: ""}
    return "\n".join(
        [
            _toml_table("project", {"name": "cst-ref", "version": cst_ref.__version__}),
            _toml_table("tool.flwr.app", {"publisher": PUBLISHER}),
            _toml_table("tool.flwr.app.components", COMPONENTS),
            _toml_table("tool.flwr.app.config", config),
        ]
    )


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports no one listens on now (held together, so none repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


class Deployment:
    """A SuperLink and ``n_nodes`` SuperNodes on loopback, for ``with``; :meth:`run` runs a setup on them.

    ``tls`` serves the SuperLink over TLS (a CA and a certificate for 127.0.0.1 and localhost, made
    in the deployment's folder); ``auth`` (which needs TLS) makes the SuperLink accept only
    SuperNodes whose public keys were registered with ``flwr supernode register``. Nodes listed in
    ``unregistered`` get keys that are not registered: the SuperLink refuses them, and entering the
    ``with`` block fails naming them. Entering waits until every SuperNode is online.
    """

    def __init__(
        self,
        n_nodes: int,
        *,
        tls: bool = True,
        auth: bool = True,
        unregistered: Collection[int] = (),
        start_timeout: float = 180.0,
        progress: Progress | None = None,
    ) -> None:
        positive_int("n_nodes", n_nodes)
        if auth and not tls:
            raise ValueError("SuperNode authentication needs TLS: pass tls=True or auth=False")
        if not set(unregistered) <= set(range(n_nodes)) or (unregistered and not auth):
            raise ValueError(f"unregistered must name nodes 0..{n_nodes - 1}, with auth on; got {sorted(unregistered)}")
        self.n_nodes = n_nodes
        self.tls, self.auth = tls, auth
        self.unregistered = frozenset(unregistered)
        self.start_timeout = start_timeout
        self.progress = progress or (lambda _: None)
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._groups: ProcessGroups | None = None
        self._runs = 0
        self._started: list[Managed] = []
        self.link_port = 0
        self.node_ports: tuple[int, ...] = ()
        self.folder = ""
        """The deployment's folder while it runs (removed when it stops); the ports for as long as it lives."""

    # -- the folder, the environment and the flwr CLI ---------------------------------------------------

    @property
    def directory(self) -> Path:
        if self._folder is None:
            raise RuntimeError("the deployment is not running: use it in a `with` block")
        return Path(self._folder.name)

    @property
    def processes(self) -> list[Managed]:
        """Every process started (SuperLink, SuperNodes, ``flwr run``s), also after they were stopped."""
        return list(self._started)

    def _home(self, name: str) -> dict[str, str]:
        """A process's own FLWR_HOME: each SuperNode keeps its apps apart, as on its own machine."""
        home = self.directory / name / "home"
        home.mkdir(parents=True, exist_ok=True)
        return {"FLWR_HOME": str(home)}

    def _flwr(self, *commands: list[str], timeout: float = 60.0) -> list[str]:
        """Run ``flwr`` commands side by side against the deployment's connection; their outputs.

        A command that fails raises :class:`ProcessFailed` with its output's tail.
        """
        assert self._groups is not None
        env = {**self._groups.env, **self._home("cli")}
        started = [
            subprocess.Popen(
                ["flwr", *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                start_new_session=True,
            )
            for command in commands
        ]  # fmt: skip
        try:
            outputs = [process.communicate(timeout=timeout) for process in started]
        finally:
            for process in started:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        for command, process, (out, err) in zip(commands, started, outputs):
            if process.returncode != 0:
                tail = "\n".join(f"{out}\n{err}".strip().splitlines()[-TAIL_LINES:])
                raise ProcessFailed(f"flwr {' '.join(command[:2])}", f"exited with code {process.returncode}", tail)
        return [out for out, _ in outputs]

    # -- starting ---------------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._folder = tempfile.TemporaryDirectory(prefix="cst-ref-flower-")
        scripts = sysconfig.get_path("scripts")  # where this environment's flower-* executables are
        env = {
            **{key: value for key, value in os.environ.items() if key not in FORCED_COLOUR},
            "NO_COLOR": "1",
            "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")]),  # SuperLink, SuperNode start helpers
            "FLWR_TELEMETRY_ENABLED": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self._groups = ProcessGroups(env)
        self._started = self._groups.started
        self.folder = self._folder.name
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every process (tier by tier) and remove the folder; safe to call twice."""
        try:
            if self._groups is not None:
                self._groups.stop()
        finally:
            self._groups = None
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None

    def _start(self) -> None:
        assert self._groups is not None
        folder = self.directory
        link_port, *node_ports = free_ports(1 + self.n_nodes)
        self.link_port, self.node_ports = link_port, tuple(node_ports)
        tls = make_tls(folder / "tls") if self.tls else None
        keys = [make_node_key(folder / "keys" / f"node-{i}") for i in range(self.n_nodes)] if self.auth else []
        self._write_connection(link_port, tls)
        (folder / "app").mkdir()
        (folder / "app" / "pyproject.toml").write_text(app_pyproject())

        self.progress(f"starting the SuperLink on {HOST}:{link_port}")
        security = ["--ssl-ca-certfile", str(tls.ca), "--ssl-certfile", str(tls.certificate)] if tls else []
        security += ["--ssl-keyfile", str(tls.key)] if tls else ["--insecure"]
        security += ["--enable-supernode-auth"] if self.auth else []
        link = [
            "flower-superlink", *security, "--host", HOST, "--port", str(link_port),
            "--disable-runtime-dependency-installation",  # the app's dependencies are this environment's
        ]  # fmt: skip
        self._groups.start("SuperLink", link, folder / "superlink" / "log.txt", LINK, self._home("superlink"))
        self._wait(lambda: _listening(link_port), "the SuperLink to listen")

        registered = [key for i, key in enumerate(keys) if i not in self.unregistered]
        self._flwr(*(["supernode", "register", str(key.public), CONNECTION] for key in registered))
        self.progress(f"{len(registered)} SuperNode keys registered" if keys else "no node authentication")
        nodes = [self._start_node(i, port, tls, keys[i] if keys else None) for i, port in enumerate(node_ports)]
        self._wait(lambda: all(ACTIVATED in node.log.read_text(errors="replace") for node in nodes), "the SuperNodes")
        self._wait(lambda: self._online() == self.n_nodes, f"the SuperLink to list {self.n_nodes} SuperNodes online")
        self.progress(f"{self.n_nodes} SuperNodes online")

    def _write_connection(self, port: int, tls: TlsFiles | None) -> None:
        security = f"root-certificates = {_toml_value(str(tls.ca))}" if tls else "insecure = true"
        config = self.directory / "cli" / "home" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            f'[superlink]\ndefault = "{CONNECTION}"\n\n[superlink.{CONNECTION}]\n'
            f'address = "{HOST}:{port}"\n{security}\n'
        )

    def _start_node(self, i: int, port: int, tls: TlsFiles | None, key: NodeKey | None) -> Managed:
        assert self._groups is not None
        argv = [
            "flower-supernode", "--superlink", f"{HOST}:{self.link_port}",
            *(["--root-certificates", str(tls.ca)] if tls else ["--insecure"]),
            *(["--auth-supernode-private-key", str(key.private)] if key else []),
            "--node-config", f"partition-id={i} num-partitions={self.n_nodes}",
            "--host", HOST, "--port", str(port),  # its own ClientAppIo port
            "--max-wait-time", "60",  # give up, rather than retry forever, if the SuperLink is gone
        ]  # fmt: skip
        log = self.directory / f"node-{i}" / "log.txt"
        return self._groups.start(f"SuperNode {i}", argv, log, NODES, self._home(f"node-{i}"))

    def _online(self) -> int:
        """How many SuperNodes the SuperLink lists as online."""
        output = self._flwr(["supernode", "list", CONNECTION, "--format", "json"])[0]
        try:
            listed = json.loads(output)
        except json.JSONDecodeError:
            raise ProcessFailed("flwr supernode list", "printed no JSON", output[-2000:]) from None
        return sum(node.get("status") == "online" for node in listed.get("nodes", []))

    def _check(self) -> None:
        """Fail if the SuperLink or a SuperNode has ended, saying why if Flower logged an exit code."""
        assert self._groups is not None
        try:
            self._groups.check((LINK, NODES))
        except ProcessFailed as failed:
            logged = FLOWER_EXIT.findall(failed.tail)
            if not logged:
                raise
            code = int(logged[-1])
            raise ProcessFailed(
                failed.name, EXPLAINED.get(code, f"ended with Flower's exit code {code}"), failed.tail
            ) from None

    def _wait(self, ready: Callable[[], bool], what: str) -> None:
        """Poll ``ready`` until it holds; fail at once if a server process ended, or after the timeout."""
        assert self._groups is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            self._check()
            if ready():
                return
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- {m.name} ---\n{m.tail(5)}" for m in self._started)
                raise TimeoutError(f"waited {self.start_timeout:.0f} s for {what}; the logs end:\n{tails}")
            time.sleep(0.5)

    # -- running ----------------------------------------------------------------------------------------

    def run(self, setup: FlowerSetup, timeout: float = 600.0) -> DeployedRun:
        """Run ``setup`` with ``flwr run`` and return the ServerApp's record.

        The SuperLink, every SuperNode and ``flwr run`` are watched while it runs: if one ends, or the
        run takes longer than ``timeout`` seconds, the deployment is stopped and the error names
        what failed with the tail of its log.
        """
        if setup.n_clients != self.n_nodes:
            raise ValueError(
                f"the setup has n_clients = {setup.n_clients} but the deployment {self.n_nodes} SuperNodes "
                "(each SuperNode holds one client's partition)"
            )
        groups = self._groups
        if groups is None:
            raise RuntimeError("the deployment is not running: use it in a `with` block")
        self._runs += 1
        folder = self.directory / "runs" / str(self._runs)
        folder.mkdir(parents=True)
        record = folder / "record.json"
        overrides = folder / "run-config.toml"
        overrides.write_text(_toml_pairs({**setup.to_run_config(), RECORD_PATH: str(record)}))
        argv = ["flwr", "run", str(self.directory / "app"), CONNECTION, "--stream", "--run-config", str(overrides)]
        self.progress(f"flwr run: {setup.n_clients} clients, {setup.fedavg.rounds} rounds")
        started = time.perf_counter()
        try:
            driver = groups.start("flwr run", argv, folder / "flwr-run.log", DRIVER, self._home("cli"))
            deadline = time.monotonic() + timeout
            while driver.process.poll() is None:
                self._check()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the run took over {timeout:.0f} s; flwr run's last lines:\n{driver.tail()}")
                time.sleep(0.2)
            if driver.process.returncode != 0:
                raise ProcessFailed(driver.name, f"exited with code {driver.process.returncode}", driver.tail())
            if not record.is_file():
                raise ProcessFailed(driver.name, "the run ended without the ServerApp's record", driver.tail(40))
            seconds = time.perf_counter() - started
            result = DeployedRun(setup, RunRecord.read(record), seconds)
        except BaseException:
            self.close()  # what a failed run left running is unknown: stop it all
            raise
        self.progress(f"run finished in {seconds:.0f} s")
        return result


def deploy(
    setup: FlowerSetup,
    *,
    n_nodes: int | None = None,
    tls: bool = True,
    auth: bool = True,
    timeout: float = 600.0,
    progress: Progress | None = None,
) -> DeployedRun:
    """Start a deployment of ``n_nodes`` SuperNodes (default: one per client), run ``setup``, stop it.

    The ServerApp pays as ``cst_ref.flower.app`` does: GTG-Shapley every round, every rule, on the
    twins (:func:`~cst_ref.flower.server.gtg_payout`).
    """
    nodes = setup.n_clients if n_nodes is None else n_nodes
    positive_int("n_nodes", nodes)
    if nodes != setup.n_clients:
        raise ValueError(f"n_nodes must equal the setup's n_clients = {setup.n_clients} (one partition per SuperNode)")
    with Deployment(nodes, tls=tls, auth=auth, progress=progress) as deployment:
        return deployment.run(setup, timeout)
