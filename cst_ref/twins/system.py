"""A whole system's configuration and its pure-Python deployment.

``SystemConfig`` says how much of everything a federation starts with; ``deploy_twin``
replays ``cst_ref.chain.system.deploy_system`` on the twins, given the addresses the EVM
assigned (or any addresses, for a chain-free run) and the clock the twins will share, so
both backends start from equal states.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cst_ref.checks import check_int

from .clock import ClockLike
from .constants import DEFAULT_BASE_NAME, DEFAULT_BASE_SYMBOL, DEFAULT_FEE_BPS, FEE_DENOMINATOR, MAX_CLIENTS, WAD
from .federation import FederationTwin
from .inputs import check_address_list, check_uint256
from .ledger import Ledger
from .pool import MAX_RESERVE


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
        check_uint256(
            treasury=self.treasury,
            client_supply=self.client_supply,
            seed_token=self.seed_token,
            seed_base=self.seed_base,
            fee_bps=self.fee_bps,
        )
        if self.n_clients and (self.seed_token == 0 or self.seed_base == 0):
            raise ValueError("seed_token and seed_base must be positive: every pool needs both")
        if self.fee_bps >= FEE_DENOMINATOR:
            raise ValueError(f"fee_bps must be below {FEE_DENOMINATOR}, got {self.fee_bps}")
        # a pool keeps each reserve in 112 bits; a larger seed would revert half-way through deployment
        for name in ("seed_token", "seed_base"):
            if getattr(self, name) > MAX_RESERVE:
                raise ValueError(f"{name} must be at most 2**112 - 1 (a pool reserve), got {getattr(self, name)}")
        if self.client_supply + self.seed_token >= 2**256:
            raise ValueError("client_supply + seed_token must fit in uint256 (each CST's total supply)")
        if self.seed_base * self.n_clients > self.treasury:
            raise ValueError("the treasury cannot seed every pool")


def client_symbol(index: int) -> str:
    """Client ``index``'s CST symbol, within the token's five bytes: CST0 to CST99, then C100
    to C1023."""
    return f"CST{index}" if index < 100 else f"C{index}"


def deploy_twin(
    config: SystemConfig,
    *,
    owner: str,
    base_address: str,
    federation_address: str,
    accounts: Sequence[str],
    clock: ClockLike,
) -> FederationTwin:
    """Twin of a system deployed now (``clock.now``) with clients ``accounts`` (in order); the
    federation and every pool it registers read the time from ``clock``."""
    accounts = check_address_list("accounts", accounts)
    if len(accounts) != config.n_clients:
        raise ValueError(f"need {config.n_clients} client accounts, got {len(accounts)}")
    base = Ledger(DEFAULT_BASE_NAME, DEFAULT_BASE_SYMBOL, owner=owner, address=base_address)
    model = FederationTwin(federation_address, base, owner, config.fee_bps, clock=clock)
    base.mint(owner, config.treasury, sender=owner)
    base.approve(federation_address, config.treasury, sender=owner)
    model.fund(config.treasury, sender=owner)
    for i, account in enumerate(accounts):
        model.register_client(
            account,
            f"Client {i}",
            client_symbol(i),
            config.client_supply,
            config.seed_token,
            config.seed_base,
            sender=owner,
        )
    return model
