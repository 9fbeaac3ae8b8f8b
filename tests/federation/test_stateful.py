"""The federation contract and its Python twin stay identical under random use.

A hypothesis state machine (the Curve test style) drives the deployed contracts and
``FederationModel`` with the same random actions: registrations, treasury funding,
distributions under every rule with random shares, budgets and slippage bounds, an
investor's swaps and liquidity moves, a client's liquidity moves, pausing and time travel.
Each action must either give the same result on both backends or revert on both with the
same reason; after every step all balances, supplies, reserves, oracles and counters must
be equal, and the accounting invariants must hold on the chain.
"""

import time
from collections import Counter

import boa
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cst_ref.twins import Revert, SystemConfig
from cst_ref.chain.system import deploy_system
from cst_ref.twins.federation import FederationModel
from cst_ref.twins.parity import known_accounts, state_differences
from cst_ref.twins.shares import split_budget, to_shares
from cst_ref.twins.system import deploy_model

MAX_EXAMPLES = 40
STEPS = 30
MAX_CLIENTS_HERE = 5
WAD = 10**18
CONFIG = SystemConfig(n_clients=2, treasury=10**6 * WAD, client_supply=10**3 * WAD,
                      seed_token=10**3 * WAD, seed_base=10**3 * WAD)

amounts = st.one_of(st.integers(1, 10**4), st.integers(1, 10**22), st.integers(1, 10**24))
fractions = st.integers(0, 10**4)


@pytest.fixture(scope="module")
def deployed():
    return deploy_system(CONFIG), boa.env.timestamp


class FederationMachine(RuleBasedStateMachine):
    """One example: the module's system (restored by titanoboa's anchor) and a fresh twin."""

    system = None
    deployed_at = 0
    examples = 0
    steps = 0
    outcomes: Counter = Counter()

    def __init__(self):
        super().__init__()
        type(self).examples += 1
        system = self.system
        self.owner = system.owner
        self.chain = system.federation
        self.base = system.base
        self.investor = str(boa.env.generate_address("investor"))
        self.stranger = str(boa.env.generate_address("stranger"))
        self.now = boa.env.timestamp
        # titanoboa's anchor restored the chain; forget the previous example's clients too
        self.chain.clients = self.chain.clients[:CONFIG.n_clients]
        self.twin: FederationModel = deploy_model(
            CONFIG, owner=self.owner, base_address=str(self.base.address),
            federation_address=self.chain.address, accounts=system.accounts, timestamp=self.deployed_at)
        self.minted = CONFIG.treasury

    @initialize(amount=st.integers(10**4, 10**24), part=st.integers(1, 10**4))
    def fund_investor(self, amount, part):
        """The investor gets base tokens and spends a part of them on each initial CST."""
        self.base.mint(self.investor, amount, sender=self.owner)
        self.twin.base.mint(self.owner, self.investor, amount)
        self.minted += amount
        spend = amount * part // 10**4 // (2 * CONFIG.n_clients)
        for index in range(CONFIG.n_clients):
            self.swap(index, False, spend)

    # --- helpers ---------------------------------------------------------------
    def same(self, action, on_chain, on_twin):
        """Run one action on both backends: equal results, or equal revert reasons."""
        try:
            expected = on_twin()
        except Revert as error:
            with boa.reverts(*(() if error.reason is None else (error.reason,))):
                on_chain()
            self.outcomes[f"{action}: {error.reason}"] += 1
            return
        assert on_chain() == expected
        self.outcomes[f"{action}: ok"] += 1

    def accounts(self):
        return known_accounts(self.twin, [self.investor, self.stranger])

    def pair(self, index):
        position = index % len(self.twin.clients)
        return self.chain.clients[position], self.twin.clients[position]

    @staticmethod
    def check_product(pool, before, sell=False, amount_in=0):
        """Across a swap the fee-adjusted reserve product never falls (Uniswap V2's check):
        (R_in' - fee * in) * R_out' >= R_in * R_out, in basis points."""
        reserve_token, reserve_base, _ = pool.get_reserves()
        fee = pool.FEE_BPS()
        after_in, after_out = (reserve_token, reserve_base) if sell else (reserve_base, reserve_token)
        before_in, before_out = (before[0], before[1]) if sell else (before[1], before[0])
        if (after_in, after_out) != (before_in, before_out):
            assert (after_in * 10**4 - amount_in * fee) * after_out >= before_in * before_out * 10**4

    # --- federation actions -------------------------------------------------------
    @precondition(lambda self: len(self.twin.clients) < MAX_CLIENTS_HERE)
    @rule(supply=st.integers(0, 10**24), seed_token=amounts, seed_base=amounts,
          by_stranger=st.sampled_from([False] * 4 + [True]))
    def register(self, supply, seed_token, seed_base, by_stranger):
        account = str(boa.env.generate_address())
        sender = self.stranger if by_stranger else self.owner
        n = len(self.twin.clients)
        args = (account, f"Client {n}", f"CST{n}", supply, seed_token, seed_base)

        def on_chain():
            handle = self.chain.register(*args, sender=sender)
            return str(handle.token.address), str(handle.pool.address)

        def on_twin():
            client = self.twin.register_client(sender, *args, self.now)
            return client.token.address, client.pool.address

        self.same("register", on_chain, on_twin)

    @rule(amount=amounts)
    def fund_treasury(self, amount):
        self.base.mint(self.owner, amount, sender=self.owner)
        self.base.approve(self.chain.address, amount, sender=self.owner)
        self.twin.base.mint(self.owner, self.owner, amount)
        self.twin.base.approve(self.owner, self.twin.address, amount)
        self.minted += amount
        self.same("fund", lambda: self.chain.contract.fund(amount, sender=self.owner),
                  lambda: self.twin.fund(self.owner, amount))

    def round_inputs(self, draw, spoils):
        """Clients (registration order), shares, budget and sender of a round, maybe spoilt."""
        n = len(self.twin.clients)
        chosen = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1)))
        clients = [self.twin.clients[i].account for i in chosen]
        spoil = draw(st.sampled_from(["none"] * 2 * len(spoils) + spoils))
        if spoil == "unknown":
            clients[-1] = self.stranger
        if spoil == "order" and len(clients) > 1:
            clients.reverse()
        weights = draw(st.lists(st.integers(0, 100), min_size=len(clients), max_size=len(clients)))
        shares = to_shares(weights if any(weights) else [1] * len(clients))
        if spoil == "sum":
            shares[0] += 1
        sender = self.stranger if spoil == "sender" else self.owner
        treasury = self.twin.treasury()
        budget = draw(st.one_of(st.integers(1, 10**4), st.integers(1, treasury // 10 + 1),
                                st.integers(1, treasury * 11 // 10 + 1)))
        return clients, shares, budget, sender, spoil

    @rule(data=st.data())
    def mint_round(self, data):
        clients, shares, budget, sender, _ = self.round_inputs(data.draw, ["unknown", "order", "sum", "sender"])
        self.same("mint", lambda: self.chain.distribute_mint(clients, shares, budget, sender=sender),
                  lambda: self.twin.distribute_mint(sender, clients, shares, budget))

    @rule(data=st.data())
    def inject_round(self, data):
        clients, shares, budget, sender, _ = self.round_inputs(data.draw, ["unknown", "sum", "sender"])
        self.same("inject", lambda: self.chain.distribute_inject(clients, shares, budget, sender=sender),
                  lambda: self.twin.distribute_inject(sender, clients, shares, budget, self.now))

    @rule(data=st.data(), burn=st.booleans(), bounded=st.booleans())
    def buyback_round(self, data, burn, bounded):
        clients, shares, budget, sender, spoil = self.round_inputs(
            data.draw, ["unknown", "order", "sender", "deadline", "min_out"])
        deadline = self.now - 1 if spoil == "deadline" else self.now + data.draw(st.integers(0, 100))
        min_outs = self.quotes(clients, shares, budget) if bounded else [0] * len(clients)
        if spoil == "min_out":
            min_outs[-1] += 1
        pools = [self.chain.clients[self.twin.clients.index(self.twin.client(a))].pool
                 for a in clients if a != self.stranger]
        before = [p.get_reserves() for p in pools]
        spent = self.twin.round_count
        self.same(
            "burn" if burn else "buyback",
            lambda: self.chain.distribute_buyback(clients, shares, budget, burn=burn, min_outs=min_outs,
                                                  deadline=deadline, sender=sender),
            lambda: self.twin.distribute_buyback(sender, clients, shares, budget, min_outs, burn,
                                                 deadline, self.now))
        if self.twin.round_count > spent:  # the round went through: check every pool it traded in
            for pool, reserves, amount in zip(pools, before, split_budget(shares, budget)):
                self.check_product(pool, reserves, sell=False, amount_in=amount)

    def quotes(self, clients, shares, budget):
        """The exact buy-back outputs, as a careful operator would set its bounds."""
        out = []
        for account, share in zip(clients, shares):
            amount = budget * share // 10**18
            known = account != self.stranger and amount > 0
            out.append(self.twin.client(account).pool.get_amount_out(self.twin.base.address, amount) if known else 0)
        return out

    @rule(by_stranger=st.booleans())
    def toggle_pause(self, by_stranger):
        sender = self.stranger if by_stranger else self.owner
        if self.twin.paused:
            self.same("unpause", lambda: self.chain.contract.unpause(sender=sender), lambda: self.twin.unpause(sender))
        else:
            self.same("pause", lambda: self.chain.contract.pause(sender=sender), lambda: self.twin.pause(sender))

    # --- market actions -------------------------------------------------------------
    @rule(index=st.integers(0, MAX_CLIENTS_HERE), sell=st.booleans(), part=fractions,
          excess=st.one_of(st.integers(0, 3), st.integers(4, 10**22)))
    def investor_swaps(self, index, sell, part, excess):
        twin = self.pair(index)[1]
        holding = (twin.token if sell else self.twin.base).balance_of(self.investor)
        self.swap(index, sell, holding * part // 10**4 + (holding + 1 if excess == 3 else excess))

    def swap(self, index, sell, amount):
        """The investor sells ``amount`` of the CST (or of base, buying the CST) in pool ``index``."""
        chain, twin = self.pair(index)
        token_in = twin.token.address if sell else self.twin.base.address
        chain_in = chain.token if sell else self.base
        twin_in = twin.token if sell else self.twin.base
        chain_in.approve(chain.pool.address, amount, sender=self.investor)
        twin_in.approve(self.investor, twin.pool.address, amount)
        before = chain.pool.get_reserves()
        self.same("swap", lambda: chain.pool.swap(token_in, amount, 0, self.investor, self.now, sender=self.investor),
                  lambda: twin.pool.swap(self.investor, token_in, amount, 0, self.investor, self.now, self.now))
        self.check_product(chain.pool, before, sell=sell, amount_in=amount)

    @rule(index=st.integers(0, MAX_CLIENTS_HERE), token_part=fractions, base_part=fractions)
    def investor_adds_liquidity(self, index, token_part, base_part):
        chain, twin = self.pair(index)
        amount_token = twin.token.balance_of(self.investor) * token_part // 10**4
        amount_base = self.twin.base.balance_of(self.investor) * base_part // 10**4
        chain.token.approve(chain.pool.address, amount_token, sender=self.investor)
        self.base.approve(chain.pool.address, amount_base, sender=self.investor)
        twin.token.approve(self.investor, twin.pool.address, amount_token)
        self.twin.base.approve(self.investor, twin.pool.address, amount_base)
        args = (amount_token, amount_base, 0, 0, self.investor, self.now)
        self.same("add_liquidity", lambda: chain.pool.add_liquidity(*args, sender=self.investor),
                  lambda: twin.pool.add_liquidity(self.investor, *args, self.now))

    @rule(index=st.integers(0, MAX_CLIENTS_HERE), part=fractions, by_client=st.booleans())
    def liquidity_is_removed(self, index, part, by_client):
        chain, twin = self.pair(index)
        holder = twin.account if by_client else self.investor
        shares = twin.pool.lp.balance_of(holder) * part // 10**4
        args = (shares, 0, 0, holder, self.now)
        self.same("remove_liquidity", lambda: chain.pool.remove_liquidity(*args, sender=holder),
                  lambda: twin.pool.remove_liquidity(holder, *args, self.now))

    @rule(seconds=st.integers(1, 10**6))
    def time_passes(self, seconds):
        boa.env.time_travel(seconds=seconds)
        self.now += seconds

    # --- invariants --------------------------------------------------------------------
    @invariant()
    def count_step(self):
        type(self).steps += 1

    @invariant()
    def chain_equals_twin(self):
        assert boa.env.timestamp == self.now
        assert len(self.chain.clients) == len(self.twin.clients)
        assert state_differences(self.chain, self.base, self.twin, self.accounts()) == []

    @invariant()
    def balances_sum_to_supply(self):
        """No token sits outside the known accounts: their balances (equal on both backends,
        see above) sum to the chain's total supply."""
        accounts = self.accounts()
        ledgers = [(self.base, self.twin.base)]
        for handle, twin in zip(self.chain.clients, self.twin.clients):
            ledgers += [(handle.token, twin.token), (handle.pool, twin.pool.lp)]
        for token, ledger in ledgers:
            assert sum(ledger.balance_of(a) for a in accounts) == token.totalSupply()

    @invariant()
    def base_token_is_conserved(self):
        """Only the issuer's mints change the base supply; every move is between accounts."""
        assert self.base.totalSupply() == self.minted

    @invariant()
    def reserves_are_balances(self):
        for client in self.chain.clients:
            reserve_token, reserve_base, _ = client.pool.get_reserves()
            assert client.token.balanceOf(client.pool.address) == reserve_token
            assert self.base.balanceOf(client.pool.address) == reserve_base


def test_federation_matches_its_twin(deployed):
    FederationMachine.system, FederationMachine.deployed_at = deployed
    FederationMachine.examples = FederationMachine.steps = 0
    FederationMachine.outcomes.clear()
    started = time.perf_counter()
    run_state_machine_as_test(
        FederationMachine, settings=settings(max_examples=MAX_EXAMPLES, stateful_step_count=STEPS))
    elapsed = time.perf_counter() - started
    print(f"\nstateful: {FederationMachine.examples} examples, {FederationMachine.steps} checked states, "
          f"{elapsed:.1f} s")
    for outcome, count in sorted(FederationMachine.outcomes.items()):
        print(f"  {count:5d}  {outcome}")
    assert FederationMachine.examples >= MAX_EXAMPLES
