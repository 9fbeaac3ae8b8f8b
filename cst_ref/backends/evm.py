"""The ``evm`` backend: the Vyper contracts on titanoboa, each run in an EVM of its own.

A fresh ``boa.Env`` per backend gives every run the same nonces (so the same contract
addresses as the twins compute) and the same genesis time, whatever ran before in the
process; every call swaps that environment in and out again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import boa

from cst_ref.chain.clock import ChainClock
from cst_ref.chain.gas import gas_of
from cst_ref.chain.system import deploy_system
from cst_ref.twins import (
    DEFAULT_TOLERANCE_BPS,
    FAR_DEADLINE,
    MAX_PAGE,
    MAX_UINT256,
    RULE_BUYBACK_BURN,
    RULE_INJECT,
    RULE_MINT,
    ClockLike,
    Guards,
    RoundRecord,
    SystemConfig,
    Vesting,
)

from .base import GENESIS_TIMESTAMP, PendingRound, Token, client_accounts, labelled_address, pending_round
from .state import Holdings, PoolState, SystemState


class EvmBackend:
    """A system deployed by ``deploy_system`` in a private titanoboa environment; ``clock`` is
    that environment's block time."""

    name = "evm"

    def __init__(self, config: SystemConfig) -> None:
        self.env = boa.Env()
        self.clock: ClockLike = ChainClock(self.env)
        self.owner = labelled_address("owner")
        self.accounts = client_accounts(config.n_clients)
        self._approved: set[tuple[str, str, str]] = set()
        with self._active():
            boa.env.timestamp = GENESIS_TIMESTAMP
            boa.env.eoa = self.owner
            self.system = deploy_system(config, owner=self.owner, accounts=self.accounts)
        self.clients = self.system.federation.clients

    @contextmanager
    def _active(self) -> Iterator[None]:
        with boa.swap_env(self.env):
            yield

    # --- the federation ------------------------------------------------------------
    def treasury(self) -> int:
        with self._active():
            return self.system.federation.contract.treasury()

    def fund(self, amount: int) -> None:
        with self._active():
            base, federation = self.system.base, self.system.federation
            base.mint(self.owner, amount, sender=self.owner)
            base.approve(federation.address, amount, sender=self.owner)
            federation.contract.fund(amount, sender=self.owner)

    def prepare(
        self, rule: int, shares: Sequence[int], budget: int, tolerance_bps: int = DEFAULT_TOLERANCE_BPS
    ) -> PendingRound:
        def bounds() -> list[int]:
            with self._active():
                return self.system.federation.quote_min_outs(self.accounts, shares, budget, tolerance_bps)

        return pending_round(rule, shares, budget, bounds)

    def execute(self, pending: PendingRound) -> tuple[RoundRecord, int]:
        federation, clients, shares = self.system.federation, self.accounts, list(pending.shares)
        with self._active():
            if len(clients) > MAX_PAGE:
                bounds = list(pending.bounds) if pending.buys else None
                return gas_of(
                    lambda: federation.distribute_in_pages(
                        pending.rule, clients, shares, pending.budget, min_outs=bounds, sender=self.owner
                    )
                )
            if pending.rule == RULE_MINT:
                return gas_of(lambda: federation.distribute_mint(clients, shares, pending.budget, sender=self.owner))
            if pending.rule == RULE_INJECT:
                return gas_of(lambda: federation.distribute_inject(clients, shares, pending.budget, sender=self.owner))
            return gas_of(
                lambda: federation.distribute_buyback(
                    clients,
                    shares,
                    pending.budget,
                    burn=pending.rule == RULE_BUYBACK_BURN,
                    min_outs=list(pending.bounds),
                    sender=self.owner,
                )
            )

    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)

    def set_guards(self, guards: Guards) -> None:
        with self._active():
            self.system.federation.set_guards(guards, sender=self.owner)

    def deregister(self, client: int) -> None:
        with self._active():
            self.system.federation.deregister(self.accounts[client], sender=self.owner)

    def vesting(self, client: int) -> Vesting:
        with self._active():
            return self.system.federation.vesting(self.accounts[client])

    def releasable(self, client: int) -> int:
        with self._active():
            return self.system.federation.contract.releasable(self.accounts[client])

    def owed(self, client: int) -> int:
        with self._active():
            return self.system.federation.owed(self.accounts[client])

    def observe(self, client: int) -> None:
        with self._active():
            self.system.federation.observe([self.accounts[client]], sender=self.owner)

    def release(self, client: int) -> int:
        with self._active():
            return self.system.federation.release(self.accounts[client], sender=self.owner)

    # --- the markets -----------------------------------------------------------------
    def mint_base(self, account: str, amount: int) -> None:
        with self._active():
            self.system.base.mint(account, amount, sender=self.owner)

    def _approve(self, account: str, token, pool) -> None:
        key = (account, str(token.address), str(pool.address))
        if key not in self._approved:
            token.approve(pool.address, MAX_UINT256, sender=account)
            self._approved.add(key)

    def swap(self, trader: str, client: int, token_in: Token, amount_in: int, min_out: int = 0) -> int:
        handle = self.clients[client]
        token = self.system.base if token_in == "base" else handle.token
        with self._active():
            self._approve(trader, token, handle.pool)
            return handle.pool.swap(token.address, amount_in, min_out, trader, FAR_DEADLINE, sender=trader)

    def quote(self, client: int, token_in: Token, amount_in: int) -> int:
        handle = self.clients[client]
        token = self.system.base if token_in == "base" else handle.token
        with self._active():
            return handle.pool.get_amount_out(token.address, amount_in)

    def add_liquidity(self, provider: str, client: int, cst: int, base: int) -> int:
        handle = self.clients[client]
        with self._active():
            self._approve(provider, handle.token, handle.pool)
            self._approve(provider, self.system.base, handle.pool)
            return handle.pool.add_liquidity(cst, base, 0, 0, provider, FAR_DEADLINE, sender=provider)[2]

    def remove_liquidity(self, provider: str, client: int, shares: int) -> tuple[int, int]:
        with self._active():
            return tuple(
                self.clients[client].pool.remove_liquidity(shares, 0, 0, provider, FAR_DEADLINE, sender=provider)
            )

    def transfer_cst(self, client: int, sender: str, to: str, amount: int) -> None:
        with self._active():
            self.clients[client].token.transfer(to, amount, sender=sender)

    def reserves(self, client: int) -> tuple[int, int]:
        with self._active():
            reserve_token, reserve_base, _ = self.clients[client].pool.get_reserves()
        return reserve_token, reserve_base

    def lp_supply(self, client: int) -> int:
        with self._active():
            return self.clients[client].pool.totalSupply()

    def holdings(self, account: str) -> Holdings:
        with self._active():
            return Holdings(
                self.system.base.balanceOf(account),
                tuple(c.token.balanceOf(account) for c in self.clients),
                tuple(c.pool.balanceOf(account) for c in self.clients),
            )

    def pools(self) -> tuple[PoolState, ...]:
        with self._active():
            pools = []
            for c in self.clients:
                reserve_token, reserve_base, _ = c.pool.get_reserves()
                pools.append(PoolState(reserve_token, reserve_base, c.pool.totalSupply(), c.token.totalSupply()))
            return tuple(pools)

    def state(self, extra_accounts: Sequence[str] = ()) -> SystemState:
        federation = self.system.federation
        accounts = [
            self.owner,
            federation.address,
            *self.accounts,
            *(str(c.pool.address) for c in self.clients),
            *extra_accounts,
        ]
        with self._active():
            return SystemState(
                treasury=federation.contract.treasury(),
                base_supply=self.system.base.totalSupply(),
                fee_bps=federation.contract.fee_bps(),
                pools=self.pools(),
                holdings={a: self.holdings(a) for a in accounts},
            )
