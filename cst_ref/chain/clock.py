"""titanoboa's block time as a clock, with the twins' clock's two members (``now``, ``advance``).

A parity test or a backend moves time on the chain and on the twins the same way: read
``clock.now``, call ``clock.advance(seconds)``.
"""

from __future__ import annotations

import boa
from boa.environment import Env

from cst_ref.checks import check_int


class ChainClock:
    """The block time of a titanoboa environment: ``env`` if given, else whichever ``boa.env``
    is active when the clock is read (the one ``boa.swap_env`` put in place)."""

    def __init__(self, env: Env | None = None) -> None:
        self.env = env

    def __repr__(self) -> str:
        return f"ChainClock(now={self.now})"

    def _env(self) -> Env:
        return boa.env if self.env is None else self.env

    @property
    def now(self) -> int:
        """The timestamp the next call's block will have (titanoboa's ``env.timestamp``)."""
        return self._env().evm.patch.timestamp

    def advance(self, seconds: int) -> None:
        """titanoboa's ``time_travel``: ``seconds`` later (and ``seconds // 12`` blocks)."""
        self._env().time_travel(seconds=check_int("seconds", seconds, positive=True))
