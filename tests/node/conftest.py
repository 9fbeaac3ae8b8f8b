"""Node tests: anvil comes from node_modules (make install runs npm ci); nothing needs network."""

from __future__ import annotations

import pytest


def _gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] == "Z"
    except FileNotFoundError:
        return True


@pytest.fixture
def gone():
    return _gone
