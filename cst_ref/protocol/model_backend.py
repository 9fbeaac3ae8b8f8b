"""The ``model`` backend: the federation's pure-Python twins, with a clock of their own."""

from __future__ import annotations

from collections.abc import Sequence

from cst_ref.checks import check_int
from cst_ref.twins import FederationModel, RoundRecord, SystemConfig, create_address, deploy_model

from .backends import GENESIS_TIMESTAMP, client_accounts, labelled_address
from .state import Holdings, PoolState, SystemState


def _deployed_addresses(owner: str) -> tuple[str, str]:
    """Base token and federation addresses of ``deploy_system`` by a fresh ``owner``: it
    deploys the base token, the CST and pool blueprints, then the federation (nonces 0–3)."""
    return create_address(owner, 0), create_address(owner, 3)


class ModelBackend:
    """A system deployed on the twins at :data:`GENESIS_TIMESTAMP`."""

    name = "model"

    def __init__(self, config: SystemConfig) -> None:
        self.owner = labelled_address("owner")
        self.accounts = client_accounts(config.n_clients)
        self.timestamp = GENESIS_TIMESTAMP
        base, federation = _deployed_addresses(self.owner)
        self.model: FederationModel = deploy_model(config, owner=self.owner, base_address=base,
                                                   federation_address=federation, accounts=self.accounts,
                                                   timestamp=self.timestamp)

    def treasury(self) -> int:
        return self.model.treasury()

    def fund(self, amount: int) -> None:
        base = self.model.base
        base.mint(self.owner, self.owner, amount)
        base.approve(self.owner, self.model.address, amount)
        self.model.fund(self.owner, amount)

    def distribute(self, rule: int, shares: Sequence[int], budget: int) -> tuple[RoundRecord, None]:
        return self.model.distribute(self.owner, rule, self.accounts, shares, budget, self.timestamp), None

    def advance(self, seconds: int) -> None:
        self.timestamp += check_int("seconds", seconds, positive=True)

    def state(self, extra_accounts: Sequence[str] = ()) -> SystemState:
        model = self.model
        accounts = [self.owner, model.address, *self.accounts, *(c.pool.address for c in model.clients),
                    *extra_accounts]
        return SystemState(
            treasury=model.treasury(),
            base_supply=model.base.total_supply,
            fee_bps=model.fee_bps,
            pools=tuple(PoolState(c.pool.reserve_token, c.pool.reserve_base, c.pool.lp.total_supply,
                                  c.token.total_supply) for c in model.clients),
            holdings={a: Holdings(model.base.balance_of(a), tuple(c.token.balance_of(a) for c in model.clients),
                                  tuple(c.pool.lp.balance_of(a) for c in model.clients)) for a in accounts},
        )
