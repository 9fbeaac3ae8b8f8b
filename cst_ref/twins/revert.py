"""Reverts for the pure-Python twins: an exception carrying the contract's reason.

The EVM undoes every effect of a reverted call; ``atomic`` gives the twins the
same all-or-nothing behaviour, so a twin and its contract stay identical even
when a call fails half-way (e.g. the payout of a swap after its input moved).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from cst_ref.amm.math import MAX_UINT256


class Revert(Exception):
    """A call the contract would revert; ``reason`` is its reason string.

    ``reason`` is ``None`` for a revert without a reason, such as Vyper's
    checked-arithmetic overflow.
    """

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason if reason is not None else "reverted without a reason")
        self.reason = reason


class Snapshottable(Protocol):
    def snapshot(self) -> Any: ...

    def restore(self, state: Any) -> None: ...


@contextmanager
def atomic(*states: Snapshottable) -> Iterator[None]:
    """Restore every given twin if the block raises, as the EVM does on revert."""
    saved = [state.snapshot() for state in states]
    try:
        yield
    except BaseException:
        for state, snapshot in zip(states, saved):
            state.restore(snapshot)
        raise


def require_uint256(*values: int) -> None:
    """Raise the reasonless revert of Vyper's checked arithmetic on overflow."""
    if any(value > MAX_UINT256 for value in values):
        raise Revert(None)
