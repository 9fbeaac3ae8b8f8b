"""The whole WallStreetFeds system on the local EVM in one call.

Chapters and tests start from the same state: a base token, a federation with a funded
treasury and ``n`` registered clients, each with its CST, its seeded pool and its supply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boa

from cst_ref.amm import FEE_DENOMINATOR
from cst_ref.amm.inputs import check_uint256
from cst_ref.checks import check_int

from .deploy import DEFAULT_FEE_BPS, deploy_base_token
from .federation import MAX_CLIENTS, FederationChain

WAD = 10**18


@dataclass(frozen=True)
class SystemConfig:
    """How much of everything: treasury, each client's own CST and each pool's seed."""

    n_clients: int = 3
    treasury: int = 1_000_000 * WAD
    client_supply: int = 1_000 * WAD
    seed_token: int = 1_000 * WAD
    seed_base: int = 1_000 * WAD
    fee_bps: int = DEFAULT_FEE_BPS

    def __post_init__(self) -> None:
        check_int("n_clients", self.n_clients, maximum=MAX_CLIENTS)
        check_uint256(treasury=self.treasury, client_supply=self.client_supply, seed_token=self.seed_token,
                      seed_base=self.seed_base, fee_bps=self.fee_bps)
        if self.n_clients and (self.seed_token == 0 or self.seed_base == 0):
            raise ValueError("seed_token and seed_base must be positive: every pool needs both")
        if self.fee_bps >= FEE_DENOMINATOR:
            raise ValueError(f"fee_bps must be below {FEE_DENOMINATOR}, got {self.fee_bps}")
        if self.seed_base * self.n_clients > self.treasury:
            raise ValueError("the treasury cannot seed every pool")


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


def deploy_system(config: SystemConfig = SystemConfig(), owner: str | None = None) -> FederationSystem:
    """Deploy base token and federation, fund the treasury, register ``config.n_clients``.

    The treasury is minted to the owner, then pulled in with ``fund``. Client *i* is named
    "Client i" with symbol "CSTi" and gets ``client_supply`` CST; its pool is seeded with
    ``seed_token`` fresh CST and ``seed_base`` treasury base, the LP shares going to it.
    """
    owner = str(owner or boa.env.eoa)
    base = deploy_base_token(sender=owner)
    federation = FederationChain.deploy(base.address, config.fee_bps, sender=owner)
    base.mint(owner, config.treasury, sender=owner)
    base.approve(federation.address, config.treasury, sender=owner)
    federation.contract.fund(config.treasury, sender=owner)
    for i in range(config.n_clients):
        federation.register(
            client_account(i), f"Client {i}", f"CST{i}", config.client_supply, config.seed_token,
            config.seed_base, sender=owner,
        )
    return FederationSystem(config, owner, base, federation)
