"""The ``twin`` backend: the federation's pure-Python twins, with a clock of their own."""

from __future__ import annotations

from collections.abc import Sequence

from cst_ref.twins import (
    DEFAULT_TOLERANCE_BPS,
    FAR_DEADLINE,
    MAX_PAGE,
    MAX_UINT256,
    RULE_BUYBACK_BURN,
    RULE_INJECT,
    RULE_MINT,
    Clock,
    FederationTwin,
    Guards,
    RoundRecord,
    SystemConfig,
    Vesting,
    create_address,
    deploy_twin,
)

from .base import GENESIS_TIMESTAMP, PendingRound, Token, client_accounts, labelled_address, pending_round
from .state import Holdings, PoolState, SystemState


def _deployed_addresses(owner: str) -> tuple[str, str]:
    """Base token and federation addresses of ``deploy_system`` by a fresh ``owner``: it
    deploys the base token, the CST and pool blueprints, then the federation (nonces 0–3)."""
    return create_address(owner, 0), create_address(owner, 3)


class TwinBackend:
    """A system deployed on the twins at :data:`GENESIS_TIMESTAMP`; ``clock`` is the twins' clock."""

    name = "twin"

    def __init__(self, config: SystemConfig) -> None:
        self.owner = labelled_address("owner")
        self.accounts = client_accounts(config.n_clients)
        self.clock = Clock(GENESIS_TIMESTAMP)
        base, federation = _deployed_addresses(self.owner)
        self.twin: FederationTwin = deploy_twin(
            config,
            owner=self.owner,
            base_address=base,
            federation_address=federation,
            accounts=self.accounts,
            clock=self.clock,
        )

    # --- the federation ------------------------------------------------------------
    def treasury(self) -> int:
        return self.twin.treasury()

    def fund(self, amount: int) -> None:
        self.mint_base(self.owner, amount)
        self.twin.base.approve(self.twin.address, amount, sender=self.owner)
        self.twin.fund(amount, sender=self.owner)

    def prepare(
        self, rule: int, shares: Sequence[int], budget: int, tolerance_bps: int = DEFAULT_TOLERANCE_BPS
    ) -> PendingRound:
        return pending_round(
            rule, shares, budget, lambda: self.twin.quote_min_outs(self.accounts, shares, budget, tolerance_bps)
        )

    def execute(self, pending: PendingRound) -> tuple[RoundRecord, None]:
        twin, clients, shares = self.twin, self.accounts, list(pending.shares)
        if len(clients) > MAX_PAGE:
            bounds = list(pending.bounds) if pending.buys else None
            record = twin.distribute_in_pages(
                pending.rule, clients, shares, pending.budget, min_outs=bounds, sender=self.owner
            )
            return record, None
        if pending.rule == RULE_MINT:
            return twin.distribute_mint(clients, shares, pending.budget, sender=self.owner), None
        if pending.rule == RULE_INJECT:
            return twin.distribute_inject(clients, shares, pending.budget, sender=self.owner), None
        return twin.distribute_buyback(
            clients,
            shares,
            pending.budget,
            burn=pending.rule == RULE_BUYBACK_BURN,
            min_outs=list(pending.bounds),
            deadline=self.clock.now,
            sender=self.owner,
        ), None

    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)

    def set_guards(self, guards: Guards) -> None:
        self.twin.set_guards(guards, sender=self.owner)

    def deregister(self, client: int) -> None:
        self.twin.deregister_client(self.accounts[client], sender=self.owner)

    def vesting(self, client: int) -> Vesting:
        return self.twin.vestings[self.accounts[client]]

    def releasable(self, client: int) -> int:
        return self.twin.releasable(self.accounts[client])

    def owed(self, client: int) -> int:
        return self.twin.owed.get(self.accounts[client], 0)

    def observe(self, client: int) -> None:
        self.twin.observe([self.accounts[client]], sender=self.owner)

    def release(self, client: int) -> int:
        return self.twin.release(self.accounts[client], sender=self.owner)

    # --- the markets -----------------------------------------------------------------
    def mint_base(self, account: str, amount: int) -> None:
        self.twin.base.mint(account, amount, sender=self.owner)

    def _pool(self, client: int):
        return self.twin.clients[client].pool

    def swap(self, trader: str, client: int, token_in: Token, amount_in: int, min_out: int = 0) -> int:
        pool = self._pool(client)
        ledger = pool.base if token_in == "base" else pool.token
        ledger.approve(pool.address, MAX_UINT256, sender=trader)
        return pool.swap(ledger.address, amount_in, min_out, trader, FAR_DEADLINE, sender=trader)

    def quote(self, client: int, token_in: Token, amount_in: int) -> int:
        pool = self._pool(client)
        return pool.get_amount_out((pool.base if token_in == "base" else pool.token).address, amount_in)

    def add_liquidity(self, provider: str, client: int, cst: int, base: int) -> int:
        pool = self._pool(client)
        for ledger in (pool.token, pool.base):
            ledger.approve(pool.address, MAX_UINT256, sender=provider)
        return pool.add_liquidity(cst, base, 0, 0, provider, FAR_DEADLINE, sender=provider)[2]

    def remove_liquidity(self, provider: str, client: int, shares: int) -> tuple[int, int]:
        return self._pool(client).remove_liquidity(shares, 0, 0, provider, FAR_DEADLINE, sender=provider)

    def transfer_cst(self, client: int, sender: str, to: str, amount: int) -> None:
        self.twin.clients[client].token.transfer(to, amount, sender=sender)

    def reserves(self, client: int) -> tuple[int, int]:
        pool = self._pool(client)
        return pool.reserve_token, pool.reserve_base

    def lp_supply(self, client: int) -> int:
        return self._pool(client).lp.total_supply

    def holdings(self, account: str) -> Holdings:
        twin = self.twin
        return Holdings(
            twin.base.balance_of(account),
            tuple(c.token.balance_of(account) for c in twin.clients),
            tuple(c.pool.lp.balance_of(account) for c in twin.clients),
        )

    def pools(self) -> tuple[PoolState, ...]:
        return tuple(
            PoolState(c.pool.reserve_token, c.pool.reserve_base, c.pool.lp.total_supply, c.token.total_supply)
            for c in self.twin.clients
        )

    def state(self, extra_accounts: Sequence[str] = ()) -> SystemState:
        twin = self.twin
        accounts = [self.owner, twin.address, *self.accounts, *(c.pool.address for c in twin.clients), *extra_accounts]
        return SystemState(
            treasury=twin.treasury(),
            base_supply=twin.base.total_supply,
            fee_bps=twin.fee_bps,
            pools=self.pools(),
            holdings={a: self.holdings(a) for a in accounts},
        )
