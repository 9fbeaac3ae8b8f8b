"""The pure-Python twin of ``cst_ref.chain.system.deploy_system``.

Given the addresses the EVM assigned (or any checksummed addresses, for a chain-free run),
it replays the same deployment on the twins, so both backends start from equal states.
"""

from __future__ import annotations

from collections.abc import Sequence

from cst_ref.amm import Ledger
from cst_ref.chain.deploy import DEFAULT_BASE_NAME, DEFAULT_BASE_SYMBOL
from cst_ref.chain.system import SystemConfig

from .federation_model import FederationModel


def deploy_model(config: SystemConfig, *, owner: str, base_address: str, federation_address: str,
                 accounts: Sequence[str], timestamp: int) -> FederationModel:
    """Twin of a system deployed at ``timestamp`` with clients ``accounts`` (in order)."""
    if len(accounts) != config.n_clients:
        raise ValueError(f"need {config.n_clients} client accounts, got {len(accounts)}")
    base = Ledger(DEFAULT_BASE_NAME, DEFAULT_BASE_SYMBOL, owner=owner, address=base_address)
    model = FederationModel(federation_address, base, owner, config.fee_bps)
    base.mint(owner, owner, config.treasury)
    base.approve(owner, federation_address, config.treasury)
    model.fund(owner, config.treasury)
    for i, account in enumerate(accounts):
        model.register_client(owner, account, f"Client {i}", f"CST{i}", config.client_supply,
                              config.seed_token, config.seed_base, timestamp)
    return model
