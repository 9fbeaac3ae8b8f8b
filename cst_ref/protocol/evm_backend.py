"""The ``evm`` backend: the Vyper contracts on titanoboa, each run in an EVM of its own.

A fresh ``boa.Env`` per backend gives every run the same nonces (so the same contract
addresses as the twins compute) and the same genesis time, whatever ran before in the
process; every call swaps that environment in and out again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import boa

from cst_ref.chain.gas import gas_of
from cst_ref.chain.system import deploy_system
from cst_ref.checks import check_int
from cst_ref.twins import RoundRecord, SystemConfig

from .backends import GENESIS_TIMESTAMP, client_accounts, labelled_address
from .state import Holdings, PoolState, SystemState


class EvmBackend:
    """A system deployed by ``deploy_system`` in a private titanoboa environment."""

    name = "evm"

    def __init__(self, config: SystemConfig) -> None:
        self.env = boa.Env()
        self.owner = labelled_address("owner")
        self.accounts = client_accounts(config.n_clients)
        with self._active():
            boa.env.timestamp = GENESIS_TIMESTAMP
            boa.env.eoa = self.owner
            self.system = deploy_system(config, owner=self.owner, accounts=self.accounts)

    @contextmanager
    def _active(self) -> Iterator[None]:
        with boa.swap_env(self.env):
            yield

    def treasury(self) -> int:
        with self._active():
            return self.system.federation.contract.treasury()

    def fund(self, amount: int) -> None:
        with self._active():
            base, federation = self.system.base, self.system.federation
            base.mint(self.owner, amount, sender=self.owner)
            base.approve(federation.address, amount, sender=self.owner)
            federation.contract.fund(amount, sender=self.owner)

    def distribute(self, rule: int, shares: Sequence[int], budget: int) -> tuple[RoundRecord, int]:
        with self._active():
            return gas_of(lambda: self.system.federation.distribute(rule, self.accounts, shares, budget,
                                                                    sender=self.owner))

    def advance(self, seconds: int) -> None:
        with self._active():
            boa.env.time_travel(seconds=check_int("seconds", seconds, positive=True))

    def state(self, extra_accounts: Sequence[str] = ()) -> SystemState:
        with self._active():
            base, federation = self.system.base, self.system.federation
            clients = federation.clients
            accounts = [self.owner, federation.address, *self.accounts, *(str(c.pool.address) for c in clients),
                        *extra_accounts]
            pools = []
            for c in clients:
                reserve_token, reserve_base, _ = c.pool.get_reserves()
                pools.append(PoolState(reserve_token, reserve_base, c.pool.totalSupply(), c.token.totalSupply()))
            return SystemState(
                treasury=federation.contract.treasury(),
                base_supply=base.totalSupply(),
                fee_bps=federation.contract.fee_bps(),
                pools=tuple(pools),
                holdings={a: Holdings(base.balanceOf(a), tuple(c.token.balanceOf(a) for c in clients),
                                      tuple(c.pool.balanceOf(a) for c in clients)) for a in accounts},
            )
