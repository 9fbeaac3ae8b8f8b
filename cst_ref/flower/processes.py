"""Processes started in sessions of their own and stopped group by group, whatever happens.

Flower's servers start helpers of their own (a SuperNode its ``flower-superexec``, that one a
``flwr-clientapp`` per message) that outlive their parent by seconds if it dies first. Each process
started here leads a new session, so its helpers share its process group and one signal to the group
reaches them all; Ctrl-C in a terminal reaches only the driving process, which then stops the groups
in order. :meth:`ProcessGroups.stop` runs on every exit path (the ``with`` block's).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import psutil  # type: ignore[import-untyped]

GRACE_SECONDS = 10.0
"""How long a group may take to stop after SIGTERM before it gets SIGKILL (Flower needs about 5 s)."""
TAIL_LINES = 20
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ProcessFailed(RuntimeError):
    """A process ended (or never started) while it was needed; the message carries its log's tail."""

    def __init__(self, name: str, message: str, tail: str = "") -> None:
        self.name = name
        self.tail = tail
        super().__init__(f"{name}: {message}" + (f"\n--- last lines of its log ---\n{tail}" if tail else ""))


@dataclass
class Managed:
    """One started process: its name (for messages), tier (stop order), process and log file."""

    name: str
    tier: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The log's last lines, colour codes removed."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(_ANSI.sub("", text).rstrip().splitlines()[-lines:])


def _running(process: psutil.Process) -> bool:
    """Alive and not a zombie (a zombie waits for its parent to collect it and does nothing)."""
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def group_members(pgids: Collection[int]) -> list[psutil.Process]:
    """The running processes of the process groups ``pgids``."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) in pgids and _running(process):
                found.append(process)
        except (OSError, psutil.Error):  # ended meanwhile
            continue
    return found


def _signal(pgids: Collection[int], processes: Iterable[psutil.Process], signum: int) -> None:
    """Signal each group at once, then each process of ``processes`` that is in none of them."""
    for pgid in pgids:
        try:
            os.killpg(pgid, signum)
        except (ProcessLookupError, PermissionError):
            pass
    for process in processes:
        try:
            if os.getpgid(process.pid) not in pgids:
                process.send_signal(signum)
        except (OSError, psutil.Error):
            pass


class ProcessGroups:
    """Start processes each as the leader of a new session; stop them tier by tier, highest first."""

    def __init__(self, env: Mapping[str, str], grace: float = GRACE_SECONDS) -> None:
        self.env = dict(env)
        self.grace = grace
        self.started: list[Managed] = []

    def start(
        self, name: str, argv: Sequence[str], log: Path, tier: int = 0, env: Mapping[str, str] | None = None
    ) -> Managed:
        """Start ``argv`` (its executable looked up on this environment's PATH) with output to ``log``."""
        full_env = {**self.env, **(env or {})}
        if shutil.which(argv[0], path=full_env.get("PATH")) is None:
            raise ProcessFailed(name, f"executable {argv[0]!r} not found on PATH ({full_env.get('PATH', '')})")
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            process = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=full_env,
                start_new_session=True,
            )  # fmt: skip
        managed = Managed(name, tier, process, log)
        self.started.append(managed)
        return managed

    def check(self, tiers: Collection[int] | None = None) -> None:
        """Raise :class:`ProcessFailed` for the first process (of ``tiers``) that has ended."""
        for managed in self.started:
            if tiers is not None and managed.tier not in tiers:
                continue
            code = managed.process.poll()
            if code is not None:
                raise ProcessFailed(managed.name, f"exited with code {code}", managed.tail())

    def stop(self) -> None:
        """SIGTERM each tier, highest first; SIGKILL what is left of it after the grace period.

        A tier is its leaders' groups and every descendant they have at that moment (a helper may
        have left the group: the SuperLink starts its ``flower-superexec`` in a session of its own).
        A second Ctrl-C while waiting cuts the grace short: everything left is killed at once.
        """
        try:
            for tier in sorted({m.tier for m in self.started}, reverse=True):
                self._stop([m for m in self.started if m.tier == tier], self.grace)
        except KeyboardInterrupt:
            self._stop(self.started, 0.0)
            raise

    def _stop(self, members: list[Managed], grace: float) -> None:
        pgids = {m.pid for m in members}  # each leads its own group: pgid = pid
        processes: dict[int, psutil.Process] = {}
        for m in members:
            if m.process.poll() is not None:  # ended and collected: its pid may be someone else's by now
                continue
            try:
                leader = psutil.Process(m.pid)
                processes.update((p.pid, p) for p in [leader, *leader.children(recursive=True)])
            except psutil.Error:  # ended meanwhile
                pass

        def left() -> list[psutil.Process]:
            for m in members:
                m.process.poll()  # collect an ended leader: a zombie would still count as a member
            running = {p.pid: p for p in processes.values() if _running(p)}
            running.update((p.pid, p) for p in group_members(pgids))
            return list(running.values())

        _signal(pgids, left(), signal.SIGKILL if grace <= 0 else signal.SIGTERM)
        deadline = time.monotonic() + grace
        while (remaining := left()) and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(3):  # what SIGTERM did not end, or started meanwhile
            if not remaining:
                break
            _signal(pgids, remaining, signal.SIGKILL)
            time.sleep(0.1)
            remaining = left()
        for m in members:
            try:
                m.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover (SIGKILL is not refused)
                pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
