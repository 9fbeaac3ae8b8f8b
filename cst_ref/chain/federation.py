"""Typed titanoboa wrapper of ``contracts/federation.vy``.

One method per distribution rule keeps each rule's calling convention visible (only
buy-back trades, so only it takes slippage bounds and a deadline). Every distribution
returns the round exactly as the contract logged it, so callers never parse logs.
Buy-backs are bounded by default: each ``min_out`` is the pool's quote less
``tolerance_bps`` (0.5 %), and sending no bound takes an explicit ``tolerance_bps=10_000``
or ``min_outs=[0, ...]``. A round of more than ``MAX_PAGE`` clients is paid in pages
(``open_round``, then ``pay_page`` once per page; ``distribute`` does both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boa

from cst_ref.checks import check_bool
from cst_ref.twins.constants import (
    DEFAULT_FEE_BPS,
    DEFAULT_TOLERANCE_BPS,
    MAX_CLIENTS,
    MAX_PAGE,
    RULE_BUYBACK_BURN,
    RULE_BUYBACK_TO_CLIENT,
    RULE_INJECT,
    RULE_MINT,
)
from cst_ref.twins.federation import RoundRecord, pay_in_pages, unknown_rule
from cst_ref.twins.guards import Guards, Observation, bounded_min_outs, round_dues
from cst_ref.twins.inputs import (
    check_address,
    check_client_list,
    check_registration,
    check_round_inputs,
    check_uint256,
    check_uint256_list,
)
from cst_ref.twins.vesting import Vesting

from .deploy import clone_at, cloning, deploy_implementations, deployer


@dataclass(frozen=True)
class ClientContracts:
    """A registered client: its account and the two contracts the federation deployed."""

    index: int
    account: str
    token: Any
    pool: Any


class FederationChain:
    """The deployed federation plus handles to every client's token and pool."""

    @classmethod
    def deploy(cls, base: str, fee_bps: int = DEFAULT_FEE_BPS, *, sender: str | None = None) -> FederationChain:
        """Deploy the CST and pool implementations and a federation that clones them; ``sender``
        is its owner."""
        token, pool = deploy_implementations(str(base), fee_bps, sender=sender)
        return cls(deployer("federation").deploy(str(base), token.address, pool.address, sender=sender))

    def __init__(self, contract: Any) -> None:
        self.contract = contract
        self.clients: list[ClientContracts] = [self._handle(i) for i in range(contract.client_count())]

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _handle(self, index: int) -> ClientContracts:
        account, token, pool = self.contract.clients(index)
        return ClientContracts(index, str(account), clone_at("cst_token", token), clone_at("pool", pool))

    def register(
        self,
        account: str,
        name: str,
        symbol: str,
        client_supply: int,
        seed_token: int,
        seed_base: int,
        sender: str | None = None,
    ) -> ClientContracts:
        """Register ``account``: deploy its CST and pool, escrow its supply, seed its pool
        (the LP shares stay locked in the federation)."""
        check_registration(name, symbol, client_supply, seed_token, seed_base)
        with cloning():
            self.contract.register_client(account, name, symbol, client_supply, seed_token, seed_base, sender=sender)
        handle = self._handle(self.contract.client_count() - 1)
        self.clients.append(handle)
        return handle

    def deregister(self, account: str, sender: str | None = None) -> None:
        """Operator only: stop ``account``'s payouts and vesting (the unvested rest is burnt)."""
        self.contract.deregister_client(check_address("account", account), sender=sender)

    def release(self, account: str, sender: str | None = None) -> int:
        """Pay ``account`` its vested, unreleased CST (anyone may send this); the amount paid."""
        return self.contract.release(check_address("account", account), sender=sender)

    def vesting(self, account: str) -> Vesting:
        """``account``'s escrow as the twin holds it: supply, released, start round."""
        return Vesting(*self.contract.vestings(check_address("account", account)))

    def guards(self) -> Guards:
        """The owner's bounds, as the twin holds them."""
        return Guards(*self.contract.guards())

    def observation(self, account: str) -> Observation:
        """The federation's last observation of ``account``'s pool."""
        return Observation(*self.contract.observations(account))

    def set_guards(self, guards: Guards, sender: str | None = None) -> None:
        """Owner only: set the bounds that hold back a client's part of a buy-back or inject round."""
        check_uint256(
            max_deviation_bps=guards.max_deviation_bps,
            max_spend_bps=guards.max_spend_bps,
            max_lp_growth_bps=guards.max_lp_growth_bps,
            max_drift_bps=guards.max_drift_bps,
        )
        self.contract.set_guards(
            guards.max_deviation_bps,
            guards.max_spend_bps,
            guards.max_lp_growth_bps,
            guards.max_drift_bps,
            sender=sender,
        )

    def owed(self, account: str) -> int:
        """Base tokens the federation owes ``account``: what rounds could not pay it yet."""
        return self.contract.owed(check_address("account", account))

    def observe(self, clients: Sequence[str], sender: str | None = None) -> None:
        """Accept each client's pool as it stands: a new TWAP window, anchor and LP supply."""
        clients = check_client_list(clients)
        self.contract.observe(list(clients), sender=sender)

    def quote_min_outs(
        self, clients: Sequence[str], shares: Sequence[int], budget: int, tolerance_bps: int = DEFAULT_TOLERANCE_BPS
    ) -> list[int]:
        """Buy-back bounds from the pools' current quotes less ``tolerance_bps``, exactly as
        ``FederationTwin.quote_min_outs`` derives them (an unknown client gets 0)."""
        clients = check_round_inputs(clients, shares, budget, limit=MAX_CLIENTS)
        pools = {handle.account: handle.pool for handle in self.clients}
        base = self.contract.base()

        def quote(i: int, amount: int) -> int:
            pool = pools.get(clients[i])
            return pool.get_amount_out(base, amount) if pool is not None else 0

        dues = round_dues(
            shares,
            budget,
            [self.contract.owed(client) for client in clients],
            [self.contract.deregistered(client) for client in clients],
        )
        return bounded_min_outs(quote, dues, tolerance_bps)

    def distribute_mint(
        self, clients: Sequence[str], shares: Sequence[int], budget: int, sender: str | None = None
    ) -> RoundRecord:
        """Rule 1: mint ``budget * share // 1e18`` of each client's own CST to it."""
        clients = check_round_inputs(clients, shares, budget)
        self.contract.distribute_mint(list(clients), list(shares), budget, sender=sender)
        return self._last_round()

    def distribute_buyback(
        self,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        *,
        burn: bool,
        min_outs: Sequence[int] | None = None,
        tolerance_bps: int = DEFAULT_TOLERANCE_BPS,
        deadline: int | None = None,
        sender: str | None = None,
    ) -> RoundRecord:
        """Rule 2: buy each client's CST with its due (its part of ``budget`` plus what it is
        owed); give it or burn it.

        Without ``min_outs`` each bound is the quote of the client's due less ``tolerance_bps``;
        without ``deadline`` the round must land in the current block. What a bound or guard
        holds back stays owed (``RoundRecord.skipped`` says why, ``RoundRecord.owed`` how much).
        """
        clients = check_round_inputs(clients, shares, budget)
        burn = check_bool("burn", burn)
        bounds = (
            self.quote_min_outs(clients, shares, budget, tolerance_bps)
            if min_outs is None
            else check_uint256_list("min_outs", min_outs)
        )
        when = boa.env.timestamp if deadline is None else deadline
        check_uint256(deadline=when)
        self.contract.distribute_buyback(list(clients), list(shares), budget, bounds, burn, when, sender=sender)
        return self._last_round()

    def distribute_inject(
        self, clients: Sequence[str], shares: Sequence[int], budget: int, sender: str | None = None
    ) -> RoundRecord:
        """Rule 3: donate each client's due (its part plus what it is owed) to its pool."""
        clients = check_round_inputs(clients, shares, budget)
        self.contract.distribute_inject(list(clients), list(shares), budget, sender=sender)
        return self._last_round()

    def distribute(
        self,
        rule: int,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        sender: str | None = None,
        *,
        tolerance_bps: int = DEFAULT_TOLERANCE_BPS,
    ) -> RoundRecord:
        """Run one round under ``rule`` (a ``RULE_*`` id), buy-backs bounded by their quotes
        less ``tolerance_bps`` (10,000 sends no bound, an explicit choice); more than
        ``MAX_PAGE`` clients are paid in pages."""
        if len(clients) > MAX_PAGE:
            return self.distribute_in_pages(rule, clients, shares, budget, tolerance_bps=tolerance_bps, sender=sender)
        if rule == RULE_MINT:
            return self.distribute_mint(clients, shares, budget, sender=sender)
        if rule == RULE_INJECT:
            return self.distribute_inject(clients, shares, budget, sender=sender)
        if rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN):
            return self.distribute_buyback(
                clients, shares, budget, burn=rule == RULE_BUYBACK_BURN, tolerance_bps=tolerance_bps, sender=sender
            )
        raise unknown_rule(rule)

    def open_round(
        self,
        rule: int,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        page_size: int = MAX_PAGE,
        sender: str | None = None,
    ) -> int:
        """Begin a round paid in pages: checked whole, counted, its base budget set aside and
        each page's clients and shares committed; returns the number of pages."""
        clients = check_round_inputs(clients, shares, budget, limit=MAX_CLIENTS)
        check_uint256(rule=rule, page_size=page_size)
        return self.contract.open_round(rule, list(clients), list(shares), budget, page_size, sender=sender)

    def pay_page(
        self,
        page: int,
        clients: Sequence[str],
        shares: Sequence[int],
        min_outs: Sequence[int] = (),
        deadline: int | None = None,
        sender: str | None = None,
    ) -> RoundRecord:
        """Pay page ``page`` of the open round (its clients and shares as committed; buy-back:
        one bound per client) by ``deadline`` (default: this block); its record."""
        clients = check_client_list(clients)
        check_uint256_list("shares", shares, limit=MAX_PAGE)
        bounds = check_uint256_list("min_outs", min_outs, limit=MAX_PAGE)
        when = boa.env.timestamp if deadline is None else deadline
        check_uint256(page=page, deadline=when)
        self.contract.pay_page(page, list(clients), list(shares), bounds, when, sender=sender)
        return self._last_round()

    def distribute_in_pages(
        self,
        rule: int,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        *,
        min_outs: Sequence[int] | None = None,
        tolerance_bps: int = DEFAULT_TOLERANCE_BPS,
        page_size: int = MAX_PAGE,
        sender: str | None = None,
    ) -> RoundRecord:
        """A whole round in pages (``cst_ref.twins.federation.pay_in_pages``), one transaction
        each, due in this block."""
        return pay_in_pages(
            self,
            rule,
            clients,
            shares,
            budget,
            sender=sender,
            min_outs=min_outs,
            tolerance_bps=tolerance_bps,
            page_size=page_size,
            deadline=None,  # each page's own block: on a node, time may pass between pages
        )

    def _last_round(self) -> RoundRecord:
        event = next(e for e in reversed(self.contract.get_logs()) if type(e).__name__ == "RoundDistributed")
        return RoundRecord(
            round_number=event.round_number,
            rule=event.rule,
            scores_hash=bytes(event.scores_hash),
            budget=event.budget,
            clients=tuple(str(a) for a in event.clients),
            amounts=tuple(event.amounts),
            tokens_out=tuple(event.tokens_out),
            skipped=tuple(event.skipped),
            owed=tuple(event.owed),
        )
