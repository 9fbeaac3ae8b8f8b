"""Pure-Python twin of ``contracts/federation.vy``, equal to it bit for bit.

It applies the contract's checks in the contract's order (a contract revert is a twin
``Revert`` with the same reason), deploys each client's token and pool twins at the
addresses the EVM's ``CREATE`` gives them, and moves tokens on the ledger and pool twins.
Like the contract it keeps each pool's seed LP shares (locked: it has no way to remove
liquidity), escrows each client's own supply as a ``Vesting``, deregisters clients and
records what a round could not pay yet (``owed``), paying it with the next parts.
Chapters compute a round here first, then show the EVM agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import rlp
from eth_utils import keccak, to_bytes, to_checksum_address

from cst_ref.amm import oracle
from cst_ref.checks import check_bool

from .clock import ClockLike
from .constants import (
    DEFAULT_TOLERANCE_BPS,
    FEE_DENOMINATOR,
    MAX_CLIENTS,
    MAX_PAGE,
    RULE_BUYBACK_BURN,
    RULE_BUYBACK_TO_CLIENT,
    RULE_INJECT,
    RULE_MINT,
    RULES,
    SHARE_SCALE,
    SKIP_DEREGISTERED,
    SKIP_DUST,
    SKIP_MIN_OUT,
    SKIP_RESERVE,
    WAD,
)
from .guards import Guards, Observation, bounded_min_outs, check_due, observe, round_dues
from .inputs import (
    check_address,
    check_client_list,
    check_registration,
    check_round_inputs,
    check_uint256,
    check_uint256_list,
)
from .ledger import ZERO_ADDRESS, Ledger
from .pool import MAX_RESERVE, PoolTwin
from .revert import MAX_UINT256, Revert, atomic
from .shares import page_parts, scores_hash
from .vesting import Vesting, vested_amount


def unknown_rule(rule: object) -> ValueError:
    """The error for a rule id that is not a ``RULE_*`` constant."""
    return ValueError(f"unknown rule {rule!r}; expected one of {sorted(RULES)}")


@dataclass(frozen=True)
class RoundRecord:
    """One ``RoundDistributed`` event: what each listed client's pool or wallet received.

    ``amounts`` are CST minted (mint) or base tokens spent (buy-back, inject);
    ``tokens_out`` are CST minted or bought (zero for inject); ``skipped`` is 0 for a
    client paid in full (or due nothing) and otherwise the ``SKIP_*`` code of why not;
    ``owed`` is what each client is owed after the round, in base tokens.
    """

    round_number: int
    rule: int
    scores_hash: bytes
    budget: int
    clients: tuple[str, ...]
    amounts: tuple[int, ...]
    tokens_out: tuple[int, ...]
    skipped: tuple[int, ...]
    owed: tuple[int, ...]

    @classmethod
    def of_pages(cls, scores_hash: bytes, pages: Sequence[RoundRecord]) -> RoundRecord:
        """A round paid in pages as one record: the pages' lists end to end, and the round's
        own commitment (``RoundOpened``'s ``scores_hash``) instead of each page's."""
        first = pages[0]
        return cls(
            first.round_number,
            first.rule,
            scores_hash,
            first.budget,
            *(tuple(x for page in pages for x in getattr(page, name)) for name in _LISTS),
        )


_LISTS = ("clients", "amounts", "tokens_out", "skipped", "owed")


def page_slices(n_clients: int, page_size: int = MAX_PAGE) -> list[slice]:
    """How ``open_round`` cuts a list of ``n_clients``: pages of ``page_size``, the last shorter."""
    return [slice(start, min(start + page_size, n_clients)) for start in range(0, n_clients, page_size)]


def pay_in_pages(
    face: Any,
    rule: int,
    clients: Sequence[str],
    shares: Sequence[int],
    budget: int,
    *,
    sender: Any,
    min_outs: Sequence[int] | None,
    tolerance_bps: int,
    page_size: int,
    deadline: int | None,
) -> RoundRecord:
    """Open a round on ``face`` (a ``FederationTwin`` or a ``FederationChain``: they take the
    same calls) and pay every page by ``deadline`` (``None``: the chain's current block when the
    page is sent), a buy-back page bounded by ``min_outs`` (one per client) or, without them, by
    its quotes less ``tolerance_bps`` taken just before it pays; the pages' records as one."""
    face.open_round(rule, clients, shares, budget, page_size, sender=sender)
    records = []
    for page, part in enumerate(page_slices(len(clients), page_size)):
        bounds: Sequence[int] = []
        if rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN):
            bounds = (
                face.quote_min_outs(clients[part], shares[part], budget, tolerance_bps)
                if min_outs is None
                else min_outs[part]
            )
        records.append(face.pay_page(page, clients[part], shares[part], bounds, deadline, sender=sender))
    return RoundRecord.of_pages(scores_hash(clients, shares), records)


def create_address(deployer: str, nonce: int) -> str:
    """Address of the contract that ``deployer`` creates with its ``nonce``-th ``CREATE``."""
    return to_checksum_address(keccak(rlp.encode([to_bytes(hexstr=deployer), nonce]))[12:])


@dataclass(frozen=True)
class ClientTwin:
    """A registered client's account with the twins of its token and pool."""

    account: str
    token: Ledger
    pool: PoolTwin


class FederationTwin:
    """The federation's state: roles, pause flag, clients, guards, observations, vestings,
    deregistrations, what is owed, round counter and treasury.

    Mutating methods take the contract function's arguments, in the ABI's order, and the
    caller as the keyword ``sender=``; where the contract reads ``block.timestamp`` they read
    ``clock.now``, the clock every pool registered here shares. ``set_guards`` takes a
    ``Guards`` and ``distribute`` a rule id, as ``FederationChain``'s do. Each either applies
    all its effects or raises ``Revert`` and applies none. The treasury is ``base``'s balance
    of ``address``. A number or string the contract's ABI could not take is a
    ``ValueError``, as it is for ``FederationChain``.
    """

    def __init__(self, address: str, base: Ledger, owner: str, fee_bps: int = 30, *, clock: ClockLike) -> None:
        check_uint256(fee_bps=fee_bps)
        if fee_bps >= FEE_DENOMINATOR:  # the fee is the pool implementation's, which refuses it
            raise Revert("pool: fee out of range")
        self.address = check_address("address", address)
        self.base = base
        self.owner = check_address("owner", owner)
        self.fee_bps = fee_bps
        self.clock = clock
        self.operators = {self.owner}
        self.paused = False
        self.clients: list[ClientTwin] = []
        self._positions: dict[str, int] = {}
        self.round_count = 0
        self.guards = Guards()
        self.observations: dict[str, Observation] = {}
        self.vestings: dict[str, Vesting] = {}
        self.deregistered: set[str] = set()
        self.owed: dict[str, int] = {}
        self.total_owed = 0
        self.markets: set[str] = set()
        # the paged round in progress (rule 0: none) and its unpaid pages' commitments
        self.round_rule = 0
        self.round_budget = 0
        self.reserved = 0
        self.pages_left = 0
        self.page_hashes: dict[int, bytes] = {}
        # a contract's nonce starts at 1 (EIP-161); each registration makes two CREATEs
        self.nonce = 1

    # --- views -----------------------------------------------------------------
    def treasury(self) -> int:
        return self.base.balance_of(self.address)

    def client(self, account: str) -> ClientTwin:
        return self.clients[self._index(check_address("account", account)) - 1]

    def client_count(self) -> int:
        return len(self.clients)

    def vested(self, account: str) -> int:
        """CST of ``account``'s own supply vested so far, paid out or not (0 if unknown)."""
        account = check_address("account", account)
        return vested_amount(self.vestings.get(account, Vesting(0)), self.round_count, account in self.deregistered)

    def releasable(self, account: str) -> int:
        """The vested CST that ``release`` would pay ``account`` now."""
        account = check_address("account", account)
        return self.vested(account) - self.vestings.get(account, Vesting(0)).released

    # --- owner functions -----------------------------------------------------------
    def set_operator(self, operator: str, status: bool, *, sender: str) -> None:
        self._check_owner(sender)
        if check_address("operator", operator) == ZERO_ADDRESS:
            raise Revert("federation: zero address")
        if status:
            self.operators.add(check_address("operator", operator))
        else:
            self.operators.discard(check_address("operator", operator))

    def set_guards(self, guards: Guards, *, sender: str) -> None:
        """The contract's ``set_guards`` with its four bounds in one ``Guards``, as
        ``FederationChain.set_guards`` takes them."""
        check_uint256(
            max_deviation_bps=guards.max_deviation_bps,
            max_spend_bps=guards.max_spend_bps,
            max_lp_growth_bps=guards.max_lp_growth_bps,
            max_drift_bps=guards.max_drift_bps,
        )
        self._check_owner(sender)
        self.guards = guards.check()

    def transfer_ownership(self, new_owner: str, *, sender: str) -> None:
        new_owner = check_address("new_owner", new_owner)
        self._check_owner(sender)
        if new_owner == ZERO_ADDRESS:
            raise Revert("ownable: new owner is the zero address")
        self.owner = new_owner

    def pause(self, *, sender: str) -> None:
        self._check_owner(sender)
        if self.paused:
            raise Revert("pausable: contract is paused")
        self.paused = True

    def unpause(self, *, sender: str) -> None:
        self._check_owner(sender)
        if not self.paused:
            raise Revert("pausable: contract is not paused")
        self.paused = False

    def fund(self, amount: int, *, sender: str) -> None:
        check_uint256(amount=amount)
        if amount == 0:
            raise Revert("federation: zero amount")
        self.base.transfer_from(check_address("sender", sender), self.address, amount, sender=self.address)

    # --- operator functions ----------------------------------------------------------
    def register_client(
        self,
        account: str,
        name: str,
        symbol: str,
        client_supply: int,
        seed_token: int,
        seed_base: int,
        *,
        sender: str,
    ) -> ClientTwin:
        """Deploy the client's token and pool twins, escrow its supply, seed its pool (LP shares locked here)."""
        check_registration(name, symbol, client_supply, seed_token, seed_base)
        self._check_operator(sender)
        self._require_not_paused()
        account = check_address("account", account)
        if account == ZERO_ADDRESS:
            raise Revert("federation: zero address")
        if account == self.address or account in self.markets:
            raise Revert("federation: account is a federation contract")
        if not name or not symbol:
            raise Revert("federation: empty name or symbol")
        if self._index(account, strict=False):
            raise Revert("federation: client already registered")
        if len(self.clients) >= MAX_CLIENTS:
            raise Revert("federation: too many clients")
        if seed_token == 0 or seed_base == 0:
            raise Revert("federation: pool seed must be positive")
        if seed_token > MAX_RESERVE or seed_base > MAX_RESERVE:
            raise Revert("federation: seed exceeds a pool reserve")
        if client_supply > MAX_UINT256 - seed_token:
            raise Revert("federation: supply overflow")
        if seed_base + self.total_owed + self.reserved > self.treasury():
            raise Revert("federation: seed exceeds treasury")
        token = Ledger(name, symbol, owner=self.address, address=create_address(self.address, self.nonce))
        pool = PoolTwin(token, self.base, create_address(self.address, self.nonce + 1), self.fee_bps, clock=self.clock)
        with atomic(self.base, token):
            token.mint(self.address, client_supply + seed_token, sender=self.address)
            token.approve(pool.address, seed_token, sender=self.address)
            self.base.approve(pool.address, MAX_UINT256, sender=self.address)
            pool.add_liquidity(
                seed_token, seed_base, seed_token, seed_base, self.address, self.clock.now, sender=self.address
            )
        self.markets.update((token.address, pool.address))
        client = ClientTwin(account, token, pool)
        self.clients.append(client)
        self._positions[account] = len(self.clients)
        self.vestings[account] = Vesting(client_supply, 0, self.round_count)
        self.observations[account] = observe(pool)
        self.nonce += 2
        return client

    def deregister_client(self, account: str, *, sender: str) -> None:
        """Stop paying ``account`` and its vesting: the vested part stays releasable, the rest is
        burnt, and what it was owed goes back to the treasury."""
        account = check_address("account", account)
        self._check_operator(sender)
        entry = self.clients[self._index(account) - 1]
        if account in self.deregistered:
            raise Revert("federation: client already deregistered")
        vested, schedule = self.vested(account), self.vestings[account]
        if schedule.supply > vested:
            entry.token.burn(schedule.supply - vested, sender=self.address)
        self.vestings[account] = Vesting(vested, schedule.released, schedule.start_round)
        self.deregistered.add(account)
        self.total_owed -= self.owed.pop(account, 0)

    def release(self, account: str, *, sender: str) -> int:
        """Pay ``account`` its vested, unreleased CST; anyone may call (``sender`` is only checked)."""
        check_address("sender", sender)
        account = check_address("account", account)
        entry = self.clients[self._index(account) - 1]
        amount = self.releasable(account)
        if amount == 0:
            raise Revert("federation: nothing to release")
        entry.token.transfer(account, amount, sender=self.address)
        schedule = self.vestings[account]
        self.vestings[account] = Vesting(schedule.supply, schedule.released + amount, schedule.start_round)
        return amount

    def observe(self, clients: Sequence[str], *, sender: str) -> None:
        """Accept each client's pool as it stands: a new TWAP window, anchor and LP supply."""
        clients = check_client_list(clients)
        self._check_operator(sender)
        entries = [self.clients[self._index(account) - 1] for account in clients]
        for entry in entries:
            self.observations[entry.account] = observe(entry.pool)

    def distribute_mint(
        self, clients: Sequence[str], shares: Sequence[int], budget: int, *, sender: str
    ) -> RoundRecord:
        """Rule 1: mint each client ``budget * share // SHARE_SCALE`` of its own CST (a
        deregistered client's part is skipped)."""
        clients = check_round_inputs(clients, shares, budget)
        self._check_one(RULE_MINT, clients, shares, budget, sender)
        return self._pay(RULE_MINT, clients, shares, budget, [], self.clock.now, opens=True)

    def distribute_buyback(
        self,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        min_outs: Sequence[int],
        burn: bool,
        deadline: int,
        *,
        sender: str,
    ) -> RoundRecord:
        """Rule 2: buy each client's CST with its due (its part plus what it is owed); hand it
        over or burn it. What a guard holds back, or would buy less than its ``min_out`` or
        nothing, stays owed and ``skipped`` says why."""
        clients = check_round_inputs(clients, shares, budget)
        min_outs = check_uint256_list("min_outs", min_outs, limit=MAX_PAGE)
        burn = check_bool("burn", burn)
        check_uint256(deadline=deadline)
        rule = RULE_BUYBACK_BURN if burn else RULE_BUYBACK_TO_CLIENT
        if self.clock.now > deadline:
            raise Revert("federation: expired deadline")
        self._check_one(rule, clients, shares, budget, sender)
        return self._pay(rule, clients, shares, budget, min_outs, deadline, opens=True)

    def distribute_inject(
        self, clients: Sequence[str], shares: Sequence[int], budget: int, *, sender: str
    ) -> RoundRecord:
        """Rule 3: donate each client's due (its part plus what it is owed) to its pool.

        The base accrues to the pool's liquidity, above all the federation's locked seed; the
        client gains through its CST's price. What a guard holds back (including LP supply
        grown beyond the accepted one, which just-in-time liquidity would need) stays owed
        and ``skipped`` says why.
        """
        clients = check_round_inputs(clients, shares, budget)
        self._check_one(RULE_INJECT, clients, shares, budget, sender)
        return self._pay(RULE_INJECT, clients, shares, budget, [], self.clock.now, opens=True)

    def open_round(
        self, rule: int, clients: Sequence[str], shares: Sequence[int], budget: int, page_size: int, *, sender: str
    ) -> int:
        """Begin a round paid in pages: check it whole, count it, set a base budget aside and
        commit to each page's clients and shares; the number of pages."""
        clients = check_round_inputs(clients, shares, budget, limit=MAX_CLIENTS)
        check_uint256(page_size=page_size)
        if not 0 <= rule < 2**8:
            raise ValueError(f"rule must be a uint8, got {rule!r}")
        self._check_round(sender, len(clients), len(shares), budget)
        if not RULE_MINT <= rule <= RULE_INJECT:
            raise Revert("federation: unknown rule")
        if not 0 < page_size <= MAX_PAGE:
            raise Revert("federation: page size out of range")
        previous = total = 0
        hashes = {}
        for page, part in enumerate(page_slices(len(clients), page_size)):
            previous, page_total = self._check_page(clients[part], shares[part], previous)
            total += page_total
            hashes[page] = scores_hash(clients[part], shares[part])
        if total != SHARE_SCALE:
            raise Revert("federation: shares must sum to SHARE_SCALE")
        self._check_open(rule, budget)
        self.round_count += 1
        self.page_hashes = hashes
        self.round_rule, self.round_budget, self.pages_left = rule, budget, len(hashes)
        if rule != RULE_MINT:
            self.reserved = budget
        return len(hashes)

    def pay_page(
        self,
        page: int,
        clients: Sequence[str],
        shares: Sequence[int],
        min_outs: Sequence[int],
        deadline: int,
        *,
        sender: str,
    ) -> RoundRecord:
        """Pay one committed page of the open round, once (its ``RoundDistributed`` record)."""
        clients = check_client_list(clients)
        shares = check_uint256_list("shares", shares, limit=MAX_PAGE)
        min_outs = check_uint256_list("min_outs", min_outs, limit=MAX_PAGE)
        check_uint256(page=page, deadline=deadline)
        self._check_operator(sender)
        self._require_not_paused()
        if self.clock.now > deadline:
            raise Revert("federation: expired deadline")
        rule, budget = self.round_rule, self.round_budget
        if rule == 0:
            raise Revert("federation: no open round")
        if page not in self.page_hashes:
            raise Revert("federation: page not due")
        if scores_hash(clients, shares) != self.page_hashes[page]:
            raise Revert("federation: page differs from its commitment")
        record = self._pay(rule, clients, shares, budget, min_outs, deadline, opens=False)
        del self.page_hashes[page]
        self.pages_left -= 1
        if rule != RULE_MINT:
            self.reserved -= sum(page_parts(shares, budget))
        if self.pages_left == 0:
            self.round_rule = self.round_budget = self.reserved = 0
        return record

    def distribute_in_pages(
        self,
        rule: int,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        *,
        sender: str,
        min_outs: Sequence[int] | None = None,
        tolerance_bps: int = DEFAULT_TOLERANCE_BPS,
        page_size: int = MAX_PAGE,
    ) -> RoundRecord:
        """A whole round in pages (:func:`pay_in_pages`), due in the current block."""
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
            deadline=self.clock.now,
        )

    def quote_min_outs(
        self, clients: Sequence[str], shares: Sequence[int], budget: int, tolerance_bps: int = DEFAULT_TOLERANCE_BPS
    ) -> list[int]:
        """Buy-back bounds from the pools' current quotes less ``tolerance_bps``, exactly as
        ``FederationChain`` derives them (an unknown client gets 0; the round refuses it)."""
        clients = check_round_inputs(clients, shares, budget, limit=MAX_CLIENTS)

        def quote(i: int, amount: int) -> int:
            position = self._index(clients[i], strict=False)
            return self.clients[position - 1].pool.get_amount_out(self.base.address, amount) if position else 0

        return bounded_min_outs(quote, self.dues(clients, shares, budget), tolerance_bps)

    def dues(self, clients: Sequence[str], shares: Sequence[int], budget: int) -> list[int]:
        """What a buy-back or inject round would try to pay each client: its part plus what
        it is owed (nothing for a deregistered client)."""
        return round_dues(
            shares,
            budget,
            [self.owed.get(client, 0) for client in clients],
            [client in self.deregistered for client in clients],
        )

    def distribute(
        self,
        rule: int,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        *,
        sender: str,
        tolerance_bps: int = DEFAULT_TOLERANCE_BPS,
    ) -> RoundRecord:
        """Run one round under ``rule`` (a ``RULE_*`` id), due in the current block, exactly as
        ``FederationChain.distribute`` does: buy-backs bounded by the quotes less
        ``tolerance_bps`` (10,000 sends no bound, an explicit choice); more than ``MAX_PAGE``
        clients are paid in pages."""
        if len(clients) > MAX_PAGE:
            return self.distribute_in_pages(rule, clients, shares, budget, sender=sender, tolerance_bps=tolerance_bps)
        if rule == RULE_MINT:
            return self.distribute_mint(clients, shares, budget, sender=sender)
        if rule == RULE_INJECT:
            return self.distribute_inject(clients, shares, budget, sender=sender)
        if rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN):
            min_outs = self.quote_min_outs(clients, shares, budget, tolerance_bps)
            return self.distribute_buyback(
                clients, shares, budget, min_outs, rule == RULE_BUYBACK_BURN, self.clock.now, sender=sender
            )
        raise unknown_rule(rule)

    # --- internals ---------------------------------------------------------------------
    def _check_owner(self, sender: str) -> None:
        if check_address("sender", sender) != self.owner:
            raise Revert("ownable: caller is not the owner")

    def _check_operator(self, sender: str) -> None:
        if check_address("sender", sender) not in self.operators:
            raise Revert("federation: caller is not an operator")

    def _require_not_paused(self) -> None:
        if self.paused:
            raise Revert("pausable: contract is paused")

    def _index(self, account: str, strict: bool = True) -> int:
        """1-based registration position of ``account``; 0 (or a revert) if unknown."""
        position = self._positions.get(account, 0)
        if strict and position == 0:
            raise Revert("federation: unknown client")
        return position

    def _check_round(self, sender: str, n_clients: int, n_shares: int, budget: int) -> None:
        self._check_operator(sender)
        self._require_not_paused()
        if n_clients != n_shares:
            raise Revert("federation: length mismatch")
        if n_clients == 0:
            raise Revert("federation: no clients")
        if budget == 0:
            raise Revert("federation: zero budget")
        if budget > MAX_UINT256 // SHARE_SCALE:
            raise Revert("federation: budget too large")

    def _check_page(self, clients: Sequence[str], shares: Sequence[int], previous: int) -> tuple[int, int]:
        """The contract's ``_check_page``: (the last client's index, the shares' sum)."""
        total = 0
        for account, share in zip(clients, shares):
            index = self._index(check_address("account", account))
            if index <= previous:
                raise Revert("federation: clients not in registration order")
            if share > SHARE_SCALE:
                raise Revert("federation: share exceeds SHARE_SCALE")
            previous = index
            total += share
        return previous, total

    def _check_one(self, rule: int, clients: Sequence[str], shares: Sequence[int], budget: int, sender: str) -> None:
        """The contract's ``_open_one`` before it counts the round: a round paid in one call."""
        self._check_round(sender, len(clients), len(shares), budget)
        if self._check_page(clients, shares, 0)[1] != SHARE_SCALE:
            raise Revert("federation: shares must sum to SHARE_SCALE")
        self._check_open(rule, budget)

    def _check_open(self, rule: int, budget: int) -> None:
        """The contract's ``_open`` before it counts the round."""
        if self.round_rule:
            raise Revert("federation: a paged round is open")
        if rule != RULE_MINT and budget + self.total_owed + self.reserved > self.treasury():
            raise Revert("federation: budget exceeds treasury")

    def _pay(
        self,
        rule: int,
        clients: Sequence[str],
        shares: Sequence[int],
        budget: int,
        min_outs: Sequence[int],
        deadline: int,
        *,
        opens: bool,
    ) -> RoundRecord:
        """The contract's ``_pay`` (a page, or a one-call round when ``opens``, which then counts
        the round as ``_open`` did before it): all or nothing, as the transaction is."""
        if rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN):
            if len(min_outs) != len(clients):
                raise Revert("federation: length mismatch")
        elif min_outs:
            raise Revert("federation: length mismatch")
        entries = [self.clients[self._index(account) - 1] for account in clients]
        if rule == RULE_MINT:
            amounts = page_parts(shares, budget)
            skipped = []
            with atomic(*(entry.token for entry in entries)):
                for i, entry in enumerate(entries):
                    skip = 0
                    if amounts[i] > 0:
                        if entry.account in self.deregistered:
                            skip, amounts[i] = SKIP_DEREGISTERED, 0
                        else:
                            entry.token.mint(entry.account, amounts[i], sender=self.address)
                    skipped.append(skip)
            tokens_out, owed = amounts, [self.owed.get(entry.account, 0) for entry in entries]
        else:
            amounts, tokens_out, skipped, owed = self._spend(entries, shares, budget, min_outs, rule, deadline)
        if opens:
            self.round_count += 1
        return RoundRecord(
            self.round_count,
            rule,
            scores_hash(clients, shares),
            budget,
            tuple(str(a) for a in clients),
            tuple(amounts),
            tuple(tokens_out),
            tuple(skipped),
            tuple(owed),
        )

    def _spend(
        self,
        entries: Sequence[ClientTwin],
        shares: Sequence[int],
        budget: int,
        min_outs: Sequence[int],
        rule: int,
        deadline: int,
    ) -> tuple[list[int], list[int], list[int], list[int]]:
        """The contract's ``_spend``: scale every due a guard lets through by the one factor
        that keeps each within its pool's spending bound, pay, keep the rest owed and accept
        each pool's new anchor and LP supply. Returns what was spent, bought, why a due was
        not paid in full, and what stays owed."""
        inject = rule == RULE_INJECT
        dues = self.dues([entry.account for entry in entries], shares, budget)
        scale = WAD
        for entry, due in zip(entries, dues):
            check = check_due(entry.pool, self.observations[entry.account], self.guards, due, inject)
            if due and not check.skip and check.cap < due:
                scale = min(scale, check.cap * WAD // due)
        amounts, bought, skipped, owed, seen = [], [], [], {}, {}
        with atomic(*(entry.pool for entry in entries)):
            for i, (entry, due) in enumerate(zip(entries, dues)):
                paid = due // WAD * scale + due % WAD * scale // WAD
                check = check_due(entry.pool, self.observations[entry.account], self.guards, due, inject)
                skip = check.skip
                if entry.account in self.deregistered and budget * shares[i] // SHARE_SCALE:
                    skip = SKIP_DEREGISTERED
                elif not skip and (paid > check.cap or paid < due):
                    skip = SKIP_RESERVE
                if skip and (skip != SKIP_RESERVE or paid > check.cap):
                    paid = 0
                out = 0
                if paid and not inject:
                    out = entry.pool.get_amount_out(self.base.address, paid)
                    required = min_outs[i]
                    if paid < due and required <= MAX_RESERVE:
                        required = required * paid // due
                    if out < required or out == 0:
                        skip = SKIP_MIN_OUT if out < required else SKIP_DUST
                        paid = out = 0
                if paid and inject:
                    entry.pool.donate(paid, sender=self.address)
                elif paid:
                    recipient = self.address if rule == RULE_BUYBACK_BURN else entry.account
                    entry.pool.swap(self.base.address, paid, out, recipient, deadline, sender=self.address)
                    if rule == RULE_BUYBACK_BURN:
                        entry.token.burn(out, sender=self.address)
                if entry.account not in self.deregistered:
                    owed[entry.account] = due - paid
                anchor = check.anchor
                if paid:
                    after = oracle.encode_price(entry.pool.reserve_base, entry.pool.reserve_token)
                    anchor += after - min(check.spot, after)
                seen[entry.account] = observe(entry.pool, anchor, check.lp_supply)
                amounts.append(paid)
                bought.append(out)
                skipped.append(skip)
        for account, amount in owed.items():
            self.total_owed += amount - self.owed.get(account, 0)
            self.owed[account] = amount
        self.observations.update(seen)
        return amounts, bought, skipped, [self.owed.get(entry.account, 0) for entry in entries]
