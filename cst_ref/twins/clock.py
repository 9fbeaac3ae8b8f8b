"""Block time for the twins: one clock a whole system of twins reads, as contracts read ``block.timestamp``.

A contract never takes the time as an argument: it reads the block's. The twins do the same
through a shared :class:`Clock`: the federation, every pool it registers and any pool made
beside it read ``clock.now``, and time passes only when someone calls ``advance``. The chain
has clocks with the same two members (``cst_ref.chain.clock.ChainClock`` over titanoboa's
block time, ``cst_ref.backends.rpc.NodeClock`` over a node's), so a backend or a parity test
moves time the same way on either face.
"""

from __future__ import annotations

from typing import Protocol

from cst_ref.checks import check_int

from .inputs import check_uint256


class ClockLike(Protocol):
    """Anything that tells block time and lets it pass: a twin :class:`Clock` or a chain's."""

    @property
    def now(self) -> int:
        """The current block's timestamp, in seconds."""
        ...

    def advance(self, seconds: int) -> None:
        """Let ``seconds`` (a positive int) of block time pass."""
        ...


class Clock:
    """The block time of a system of twins: ``now`` until ``advance`` moves it forward.

    ``now`` starts at ``start`` (a uint256, the block time the twins are deployed at); time
    never runs backwards, as on a chain.
    """

    def __init__(self, start: int = 0) -> None:
        check_uint256(start=start)
        self._now = start

    def __repr__(self) -> str:
        return f"Clock(now={self._now})"

    @property
    def now(self) -> int:
        return self._now

    def advance(self, seconds: int) -> None:
        """Let ``seconds`` pass; a non-positive or non-int ``seconds`` is a ``ValueError``, as
        the backends' ``advance`` gives."""
        seconds = check_int("seconds", seconds, positive=True)
        check_uint256(timestamp=self._now + seconds)
        self._now += seconds
