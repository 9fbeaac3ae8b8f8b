"""Where a federation's contracts live: the pure twins (``model``) or the EVM (``evm``).

Both backends take the same calls and must end in the same state, to the wei; the round
loop and the market scenarios talk only to this small interface. Each backend deploys its
own system from the same owner and client addresses at the same genesis time, so their
addresses, events and balances can be compared directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from eth_utils import keccak, to_checksum_address

from cst_ref.twins import RoundRecord, SystemConfig

from .state import SystemState

GENESIS_TIMESTAMP = 1_767_225_600
"""Block time of every run's deployment (2026-01-01T00:00:00Z): runs replay exactly."""

BACKENDS = ("model", "evm")


def labelled_address(label: str) -> str:
    """A fixed address for an actor of a run (``owner``, ``client 3``), the same on every backend."""
    return to_checksum_address(keccak(f"cst-ref:{label}".encode())[12:])


def client_accounts(n: int) -> list[str]:
    return [labelled_address(f"client {i}") for i in range(n)]


class Backend(Protocol):
    """A deployed federation (owner, funded treasury, registered clients) and a clock."""

    name: str
    owner: str
    accounts: list[str]

    def treasury(self) -> int: ...

    def fund(self, amount: int) -> None:
        """The owner mints ``amount`` base tokens (revenue from model users) into the treasury."""

    def distribute(self, rule: int, shares: Sequence[int], budget: int) -> tuple[RoundRecord, int | None]:
        """One round under ``rule`` over all clients with the safe defaults; its record and gas."""

    def advance(self, seconds: int) -> None:
        """Let ``seconds`` of block time pass (a new block)."""

    def state(self, extra_accounts: Sequence[str] = ()) -> SystemState: ...


def make_backend(name: str, config: SystemConfig) -> Backend:
    """A freshly deployed system of ``config`` on backend ``name`` (``model`` or ``evm``)."""
    if name == "model":
        from .model_backend import ModelBackend

        return ModelBackend(config)
    if name == "evm":
        from .evm_backend import EvmBackend  # imports titanoboa: only when asked for

        return EvmBackend(config)
    raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
