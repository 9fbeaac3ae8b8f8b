"""The whole WallStreetFeds system on the local EVM in one call.

Chapters and tests start from the same state: a base token, a federation with a funded
treasury and ``n`` registered clients, each with its CST, its seeded pool and its supply in
escrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boa

from cst_ref.twins.inputs import check_address_list
from cst_ref.twins.system import SystemConfig, client_symbol

from .deploy import deploy_base_token
from .federation import FederationChain


@dataclass(frozen=True)
class FederationSystem:
    """Everything ``deploy_system`` creates; ``owner`` deployed it and is the first operator."""

    config: SystemConfig
    owner: str
    base: Any
    federation: FederationChain

    @property
    def accounts(self) -> list[str]:
        return [client.account for client in self.federation.clients]


def client_account(index: int) -> str:
    """A fresh address for client ``index``, aliased ``client{index}`` in titanoboa's traces."""
    return str(boa.env.generate_address(f"client{index}"))


def deploy_system(
    config: SystemConfig = SystemConfig(), owner: str | None = None, accounts: Sequence[str] | None = None
) -> FederationSystem:
    """Deploy base token and federation, fund the treasury, register ``config.n_clients``.

    The treasury is minted to the owner, then pulled in with ``fund``. Client *i* (account
    ``accounts[i]``, fresh addresses by default) is named "Client i" with symbol
    ``client_symbol(i)`` ("CSTi" below 100) and its ``client_supply`` CST vest to it from the
    federation's escrow; its pool is seeded with ``seed_token`` fresh CST and ``seed_base``
    treasury base, the LP shares locked in the federation.
    """
    owner = str(owner or boa.env.eoa)
    if accounts is None:
        accounts = [client_account(i) for i in range(config.n_clients)]
    accounts = check_address_list("accounts", accounts)
    if len(accounts) != config.n_clients:
        raise ValueError(f"need {config.n_clients} client accounts, got {len(accounts)}")
    base = deploy_base_token(sender=owner)
    federation = FederationChain.deploy(base.address, config.fee_bps, sender=owner)
    base.mint(owner, config.treasury, sender=owner)
    base.approve(federation.address, config.treasury, sender=owner)
    federation.contract.fund(config.treasury, sender=owner)
    for i, account in enumerate(accounts):
        federation.register(
            account,
            f"Client {i}",
            client_symbol(i),
            config.client_supply,
            config.seed_token,
            config.seed_base,
            sender=owner,
        )
    return FederationSystem(config, owner, base, federation)
