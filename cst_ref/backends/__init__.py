"""Where a federation's contracts run: the pure twins, titanoboa's EVM, or a JSON-RPC node.

``base`` states the interface (:class:`Backend`) and what every backend shares; ``twin``,
``evm`` and ``rpc`` implement it, each a thin adapter over its face of the contracts
(``cst_ref.twins`` or ``cst_ref.chain``); ``anvil`` starts the development node the ``rpc``
backend connects to; ``parity`` compares a deployed system with its twin. Only the ``twin``
backend loads here: the other two import titanoboa when first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cst_ref.twins import SystemConfig

from .base import (
    GENESIS_TIMESTAMP,
    Backend,
    PendingRound,
    Token,
    client_accounts,
    distribute,
    labelled_address,
    pending_round,
)

if TYPE_CHECKING:
    from .rpc import Connection

BACKENDS = ("twin", "evm", "rpc")
RENAMED = {"model": "twin"}
"""Old backend names, refused with the new one."""


def check_backend(name: str) -> str:
    """``name`` if it names a backend; a ``ValueError`` that says what to write otherwise."""
    if name in RENAMED:
        raise ValueError(f"backend {name!r} is now called {RENAMED[name]!r} (one of {', '.join(BACKENDS)})")
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {name!r}")
    return name


def make_backend(name: str, config: SystemConfig, connection: Connection | None = None) -> Backend:
    """A freshly deployed system of ``config`` on backend ``name``; ``rpc`` deploys over
    ``connection`` (from ``rpc.on_node`` or ``rpc.connect``), which the others do not take."""
    check_backend(name)
    if (name == "rpc") != (connection is not None):
        raise ValueError(
            "backend 'rpc' needs a connection (`with on_node() as connection:`), and only it takes one"
            if name == "rpc"
            else f"backend {name!r} takes no connection: only 'rpc' runs on a node"
        )
    if name == "twin":
        from .twin import TwinBackend

        return TwinBackend(config)
    if name == "evm":
        from .evm import EvmBackend  # imports titanoboa: only when asked for

        return EvmBackend(config)
    from .rpc import RpcBackend

    assert connection is not None
    return RpcBackend(config, connection)


__all__ = [
    "BACKENDS",
    "GENESIS_TIMESTAMP",
    "Backend",
    "PendingRound",
    "Token",
    "check_backend",
    "client_accounts",
    "distribute",
    "labelled_address",
    "make_backend",
    "pending_round",
]
