"""A local Ethereum node (anvil) that starts on a free loopback port and always stops.

titanoboa's in-process EVM is a simulation; a JSON-RPC node signs, mines and prices real
transactions. anvil is pinned in ``package.json`` (``@foundry-rs/anvil``) and installed by
``npm ci`` with the rest of the project, so no download happens at run time. Its funded
development accounts use the well-known keys of the "test … junk" mnemonic: they protect
nothing and must never hold anything real.

:class:`AnvilNode` is a context manager; the node is also stopped at interpreter exit, so an
error, an interrupt or a forgotten ``stop`` leave no process behind.
"""

from __future__ import annotations

import atexit
import json
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from eth_utils import to_checksum_address

from cst_ref.checks import check_int

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0
"""Seconds a fresh anvil may take to answer (about one on an idle machine)."""
HARDFORK = "prague"
"""The rules titanoboa's in-process EVM (py-evm) follows, so gas compares like for like."""


class NodeError(RuntimeError):
    """The chain cannot be used: no node answers, anvil is missing, or the account cannot pay."""


@dataclass(frozen=True)
class DevAccount:
    """A funded development account; the key stays out of reprs and logs."""

    address: str
    key: str = field(repr=False)


def anvil_binary() -> Path:
    """anvil from the project's ``node_modules`` (the platform package npm installed), else on PATH.

    The platform binary is run directly rather than through npm's ``bin.mjs`` wrapper, so the
    process we stop is anvil itself and not a node.js parent that might leave it running.
    """
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    name = "anvil.exe" if sys.platform == "win32" else "anvil"
    candidate = PROJECT_ROOT / "node_modules" / "@foundry-rs" / f"anvil-{sys.platform}-{arch}" / "bin" / name
    if candidate.is_file():
        return candidate
    found = shutil.which("anvil")
    if found is None:
        raise NodeError(
            f"anvil is not installed: run `npm ci` in {PROJECT_ROOT} (package.json pins "
            "@foundry-rs/anvil) or put anvil on PATH"
        )
    return Path(found)


def free_port() -> int:
    """A loopback port nobody listens on right now (another process may still take it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rpc_request(url: str, method: str, params: list[Any] | None = None, timeout: float = 10.0) -> Any:
    """One JSON-RPC call; ``NodeError`` when nothing answers at ``url`` or the node refuses."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise NodeError(f"no JSON-RPC node answers at {url}: {error}") from error
    if "error" in reply:
        raise NodeError(f"{method} failed at {url}: {reply['error'].get('message', reply['error'])}")
    return reply["result"]


class AnvilNode:
    """anvil on ``127.0.0.1``: its ``url`` and funded ``accounts`` while running.

    ``timestamp`` pins the genesis block's time, so a run's block times replay exactly.
    """

    def __init__(self, *, timestamp: int | None = None, accounts: int = 10) -> None:
        self.timestamp = None if timestamp is None else check_int("timestamp", timestamp, positive=True)
        self.n_accounts = check_int("accounts", accounts, positive=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.accounts: list[DevAccount] = []
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, attempts: int = 3) -> Self:
        """Start anvil and wait until it answers; a port taken in between is retried."""
        if self.process is not None:
            raise NodeError("this node was already started")
        binary = anvil_binary()
        self._folder = tempfile.TemporaryDirectory(prefix="cst-ref-anvil-")
        folder = Path(self._folder.name)
        atexit.register(self.stop)
        try:
            for _ in range(attempts):
                if self._launch(binary, free_port(), folder):
                    return self
            raise NodeError(f"anvil did not start after {attempts} attempts: {self._log()}")
        except BaseException:
            self.stop()
            raise

    def _launch(self, binary: Path, port: int, folder: Path) -> bool:
        """One try on ``port``, writing into ``folder``: True once the node answers, False if
        anvil exited (port taken)."""
        command = [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--accounts",
            str(self.n_accounts),
            "--hardfork",
            HARDFORK,
            "--config-out",
            str(folder / "accounts.json"),
            "--quiet",
        ]
        if self.timestamp is not None:
            command += ["--timestamp", str(self.timestamp)]
        with open(folder / "anvil.log", "wb") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                return False
            try:
                rpc_request(url, "eth_chainId", timeout=1.0)
                written = json.loads((folder / "accounts.json").read_text())
            except (NodeError, OSError, ValueError):  # not answering yet, or accounts not yet written
                time.sleep(0.05)
                continue
            self.url = url
            self.accounts = [
                DevAccount(to_checksum_address(address), key)
                for address, key in zip(written["available_accounts"], written["private_keys"], strict=True)
            ]
            return True
        raise NodeError(f"anvil did not answer at {url} within {START_TIMEOUT:.0f} s: {self._log()}")

    def _log(self) -> str:
        path = Path(self._folder.name) / "anvil.log" if self._folder else None
        return path.read_text(errors="replace").strip()[-500:] if path and path.exists() else ""

    def stop(self) -> None:
        """Terminate anvil (kill it if it does not exit within 5 s); safe to call twice."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self.url, self.accounts = "", []
        atexit.unregister(self.stop)
