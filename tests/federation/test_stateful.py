"""The federation contract and its Python twin stay identical under random use.

A hypothesis state machine (the Curve test style) drives the deployed contracts and
``FederationTwin`` with the same random actions: registrations, treasury funding,
distributions under every rule with random shares, budgets and slippage bounds (valid, or
with one input spoilt), rounds paid in pages of one to three clients in any order (a page
paid twice, changed, paid late, beyond the last, with a round already open, or by a
stranger is refused), a pool moved by an investor right before a round, guards and
observations, operators and ownership, an investor's swaps, liquidity moves and donations,
``sync`` and ``skim``, a client trying to withdraw the federation's locked seed, releases of
vested supply at random points (by anyone, paused or not), deregistrations (and the rounds
after them, which skip a deregistered client's part), brief pauses and time travel.
Each action is the same call on both backends (the contract function's arguments and
``sender=``; time passes on the chain's clock and the twin's together) and must either give
the same result on both or revert on both with the same reason. After every step the federation, the base token and every client the step
touched (pool, CST, LP shares, observation) must be equal on both backends, supplies,
balances, allowances, reserves, oracles, roles and counters alike, and the accounting
invariants must hold; at the end of each example every client is compared again. (Reading
every client after every step cost half the run for state no action had touched.) The run
must reach every action's success, every revert reason the contract can give in this
setting and every skip code. The hypothesis profile decides the number of examples.
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

from cst_ref.amm import product_holds
from cst_ref.chain.clock import ChainClock
from cst_ref.chain.system import deploy_system
from cst_ref.backends.parity import advance_together, expect_same
from cst_ref.twins import MAX_PAGE, MAX_UINT256, ZERO_ADDRESS, Clock, Guards, SystemConfig, equal_shares, page_slices
from cst_ref.twins.federation import FederationTwin
from cst_ref.backends.parity import known_accounts, state_differences
from cst_ref.twins.pool import MAX_RESERVE
from cst_ref.twins.shares import to_shares
from cst_ref.twins.system import deploy_twin

EXAMPLES_PER_PROFILE_EXAMPLE = 0.5  # 50 examples under the ci profile's 100, 250 under dev's 500
STEPS = 40  # 35 until releases and deregistrations joined the actions
MAX_CLIENTS_HERE = 4
WAD = 10**18
CONFIG = SystemConfig(n_clients=2, treasury=10**6 * WAD, client_supply=10**3 * WAD,
                      seed_token=10**3 * WAD, seed_base=10**3 * WAD)

amounts = st.one_of(st.integers(1, 10**4), st.integers(1, 10**22), st.integers(1, 10**24))
fractions = st.integers(0, 10**4)
guard_values = st.integers(10, 1_000)

FEDERATION_REASONS = {
    "federation: caller is not an operator", "federation: client already registered",
    "federation: pool seed must be positive", "federation: seed exceeds treasury", "federation: zero address",
    "federation: seed exceeds a pool reserve", "federation: supply overflow", "federation: zero amount",
    "federation: length mismatch", "federation: no clients", "federation: zero budget",
    "federation: budget too large", "federation: unknown client", "federation: clients not in registration order",
    "federation: shares must sum to SHARE_SCALE", "federation: share exceeds SHARE_SCALE",
    "federation: budget exceeds treasury", "federation: expired deadline", "pausable: contract is paused",
    "pausable: contract is not paused", "ownable: caller is not the owner", "ownable: new owner is the zero address",
    "federation: nothing to release", "federation: client already deregistered",
    "federation: guard out of range", "federation: account is a federation contract",
    "federation: empty name or symbol", "federation: unknown rule", "federation: page size out of range",
    "federation: a paged round is open", "federation: no open round", "federation: page not due",
    "federation: page differs from its commitment",
}
"""Every reason the federation can give here. Out of reach, and reached by unit tests instead:
"too many clients" (1,024 clients, ``test_rounds.py``), "pool trades another base token" (the
constructor, ``test_clones.py``) and "transfer failed" / "approve failed" (the base token and
the CSTs here never return ``False``; ``tests/contracts/test_token_compat.py``)."""
SKIP_CODES = {f"skip {code}" for code in range(7)}
MIN_SUCCESSES = 3
REGISTER_SPOILS = ["registered", "stranger", "huge seed", "treasury", "no seed", "overflow", "zero", "itself",
                   "pool", "no symbol"]
ROUND_SPOILS = ["unknown", "order", "sum", "sender", "length", "empty", "zero budget", "huge share",
                "huge budget", "treasury"]  # the last three also in buyback_spoilt
BUYBACK_SPOILS = ["deadline", "min_out", "min_outs", "dust"]
ROUND_KINDS = ["mint", "inject", "buyback", "burn"]
RULE_OF = {"mint": 1, "buyback": 2, "burn": 3, "inject": 4}
OPEN_SPOILS = ["rule", "page size", "huge page", "sender"]
PAGE_SPOILS = ["twice", "tamper", "outsider", "beyond", "busy", "deadline", "length", "sender", "paused",
               "register"]


DATA = object()
"""Stands for hypothesis's ``st.data()`` among an action's strategies."""
STRATEGIES: dict[str, dict] = {}
GROUPS = {
    "rounds": ["move_then_distribute", "paged_round", "distribute"],
    "spoilt rounds": ["distribute_spoilt", "distribute_spoilt", "buyback_spoilt"],
    "admin": ["transfer_ownership", "set_operator", "deregister", "pause_briefly", "observe", "set_guards",
              "fund_treasury", "deregister"],
    "market": ["settle_pool", "investor_swaps", "liquidity_is_removed", "investor_adds_liquidity",
               "investor_donates", "settle_pool", "time_passes"],
}
"""The actions each rule draws from (a name twice: twice as often). Hypothesis switches a random
subset of rules off in each example (swarm testing); with one rule per action, the examples
in which the rare actions were off left revert reasons unreached. Four rules of grouped
actions keep every family in most examples. Hypothesis draws the first entry of a list most
often, so the actions that are hardest to reach come first."""


def action(**strategies):
    """Make a machine method an action of ``GROUPS``, called with arguments drawn from
    ``strategies`` (``DATA`` passes hypothesis's data object)."""
    def register(method):
        STRATEGIES[method.__name__] = strategies
        return method
    return register


HANDOUT = equal_shares(CONFIG.n_clients), CONFIG.n_clients * CONFIG.client_supply
"""A first mint round gives each client as much CST as its own supply, which stays in escrow
and vests: from the first step a client has tokens to sell or to lend to a liquidity move."""


@pytest.fixture(scope="module")
def deployed():
    system = deploy_system(CONFIG)
    system.federation.distribute_mint(system.accounts, *HANDOUT)
    return system, boa.env.timestamp


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
        self.chain_clock, self.clock = ChainClock(), Clock(self.deployed_at)
        # titanoboa's anchor restored the chain; forget the previous example's clients too
        self.chain.clients = self.chain.clients[:CONFIG.n_clients]
        self.twin: FederationTwin = deploy_twin(
            CONFIG, owner=self.owner, base_address=str(self.base.address),
            federation_address=self.chain.address, accounts=system.accounts, clock=self.clock)
        self.twin.distribute_mint(system.accounts, *HANDOUT, sender=self.owner)
        self.minted = CONFIG.treasury
        self.touched = set(range(CONFIG.n_clients))  # clients whose state the last step may have changed

    @initialize(amount=st.integers(10**4, 10**24), part=st.integers(1, 10**4), data=st.data())
    def fund_investor(self, amount, part, data):
        """The investor gets base tokens and spends a part of them on each initial CST; then the
        owner calls each of its functions once (default guards, observe, pause and unpause),
        every spoilt registration and inject round is refused once and one buy-back bound holds
        a part back (skip 2), so that every example reaches them however
        rarely hypothesis draws them (a full-suite run once drew the admin rule for 2 % of its
        steps)."""
        self.mint_base(self.investor, amount)
        spend = amount * part // 10**4 // (2 * CONFIG.n_clients)
        for index in range(CONFIG.n_clients):
            self.swap(index, False, spend)
        defaults = Guards()
        self.same("set_guards", lambda: self.chain.set_guards(defaults, sender=self.owner),
                  lambda: self.twin.set_guards(defaults, sender=self.owner))
        accounts = [c.account for c in self.twin.clients]
        self.same("observe", lambda: self.chain.observe(accounts, sender=self.owner),
                  lambda: self.twin.observe(accounts, sender=self.owner))
        self.toggle("pause", self.owner)
        self.toggle("unpause", self.owner)
        for by_stranger in (False, True):  # refused: ownership to the zero address, or by a stranger
            self.transfer_ownership("zero" if not by_stranger else "owner", by_stranger)
            self.set_operator("zero" if not by_stranger else "investor", True, by_stranger)
        for spoil in REGISTER_SPOILS:  # every refusal of a registration once: none changes anything
            self.register(spoil, 0, 10**18)
        for spoil in ROUND_SPOILS:  # and of an inject round (over the treasury too: inject checks it)
            self.play_round("inject", *self.round_inputs(data.draw, spoil, "small"), spoil=spoil)
        # a buy-back whose last bound is one above its quote: skip 2, whatever the example draws later
        self.play_round("buyback", *self.round_inputs(data.draw, "min_out", "small"), spoil="min_out")
        self.toggle("unpause", self.owner)  # not paused
        # a paged round with an unknown rule, then one whose pages are changed, paid twice and overrun
        self.paged_round(data, "mint", 1, "small", "rule", ["none"] * 3)
        self.paged_round(data, "mint", 1, "small", "none", ["tamper", "twice", "beyond"])

    # --- helpers ---------------------------------------------------------------
    def same(self, action, on_chain, on_twin):
        """Run one action on both backends: equal results, or equal revert reasons."""
        return expect_same(on_chain, on_twin, outcomes=self.outcomes, label=action)

    def accounts(self):
        return known_accounts(self.twin, [self.investor, self.stranger])

    def pair(self, index):
        position = index % len(self.twin.clients)
        self.touched.add(position)
        return self.chain.clients[position], self.twin.clients[position]

    def mint_base(self, account, amount):
        """The issuer mints base tokens to ``account`` on both backends."""
        self.base.mint(account, amount, sender=self.owner)
        self.twin.base.mint(account, amount, sender=self.owner)
        self.minted += amount

    def round_inputs(self, draw, spoil, budget_kind):
        """Clients (registration order), shares, budget and sender of a round, spoilt by ``spoil``.

        ``budget_kind``: "small" (a few wei), "fit" (below 5 % of every chosen pool's base
        reserve, so the spend guard passes) or "tenth" (of the treasury, usually above it).
        """
        n = len(self.twin.clients)
        chosen = sorted(draw(st.sets(st.integers(0, n - 1), min_size=2 if spoil == "order" else 1)))
        if spoil == "dust":  # one client still paid, one wei: a part too small to buy anything (skip 1)
            paid = [i for i in chosen if self.twin.clients[i].account not in self.twin.deregistered]
            chosen = (paid or chosen)[:1]
        clients = [self.twin.clients[i].account for i in chosen]
        if spoil == "unknown":
            clients[-1] = self.stranger
        if spoil == "order":
            clients.reverse()
        weights = draw(st.lists(st.integers(0, 100), min_size=len(clients), max_size=len(clients)))
        shares = to_shares(weights if any(weights) else [1] * len(clients))
        if spoil == "sum":
            shares[0] += 1
        if spoil == "huge share":
            shares[0] = MAX_UINT256
        if spoil == "length":
            shares.append(0)
        if spoil == "empty":
            clients, shares = [], []
        sender = self.stranger if spoil == "sender" else self.owner
        treasury = self.twin.treasury()
        smallest_reserve = min(self.twin.clients[i].pool.reserve_base for i in chosen)
        budget = draw({"small": st.integers(1, 10**4),
                       "fit": st.integers(1, max(1, min(treasury, smallest_reserve // 20))),
                       "tenth": st.integers(1, treasury // 10 + 1)}[budget_kind])
        if spoil == "zero budget":
            budget = 0
        if spoil == "huge budget":
            budget = MAX_UINT256 // 10**18 + 1
        if spoil == "treasury":
            budget = treasury + 1
        if spoil == "dust":
            budget = 1
        return clients, shares, budget, sender

    def play_round(self, kind, clients, shares, budget, sender, spoil="none", bounded=True, wait=0):
        """One round under ``kind`` on both backends; counts why clients were skipped
        (``skip 0``: paid) and checks every pool a buy-back traded in."""
        if kind == "mint":
            calls = (lambda: self.chain.distribute_mint(clients, shares, budget, sender=sender),
                     lambda: self.twin.distribute_mint(clients, shares, budget, sender=sender))
        elif kind == "inject":
            calls = (lambda: self.chain.distribute_inject(clients, shares, budget, sender=sender),
                     lambda: self.twin.distribute_inject(clients, shares, budget, sender=sender))
        else:
            burn = kind == "burn"
            deadline = self.clock.now - 1 if spoil == "deadline" else self.clock.now + wait
            quotable = bounded and spoil not in ("huge share", "huge budget")  # quoting those would overflow
            min_outs = self.twin.quote_min_outs(clients, shares, budget, 0) if quotable else [0] * len(clients)
            if spoil == "min_out" and min_outs:
                min_outs[-1] += 1
            if spoil == "min_outs":
                min_outs.append(0)
            bounds = dict(burn=burn, min_outs=min_outs, deadline=deadline, sender=sender)
            calls = (lambda: self.chain.distribute_buyback(clients, shares, budget, **bounds),
                     lambda: self.twin.distribute_buyback(clients, shares, budget, **bounds))
        known = [self.twin.clients.index(self.twin.client(a)) for a in clients if a != self.stranger]
        self.touched.update(known)
        before = [self.twin.clients[i].pool.get_reserves() for i in known]
        record = self.same(kind, *calls)
        if record is None:
            return None
        for skip in record.skipped:
            self.outcomes[f"skip {skip}"] += 1
        if kind in ("buyback", "burn"):  # the round went through: check every pool it traded in
            for i, reserves, amount in zip(known, before, record.amounts):
                self.check_product(self.chain.clients[i].pool, reserves, sell=False, amount_in=amount)
        return record

    @staticmethod
    def check_product(pool, before, sell=False, amount_in=0):
        """Across a swap the fee-adjusted reserve product never falls (Uniswap V2's check)."""
        reserve_token, reserve_base, _ = pool.get_reserves()
        order = (0, 1) if sell else (1, 0)
        after = (reserve_token, reserve_base)
        assert product_holds((before[order[0]], before[order[1]]), (after[order[0]], after[order[1]]),
                             amount_in, pool.FEE_BPS())

    # --- federation actions -------------------------------------------------------
    @precondition(lambda self: len(self.twin.clients) < MAX_CLIENTS_HERE)
    @rule(spoil=st.sampled_from(["none"] * 4 + REGISTER_SPOILS), supply=st.sampled_from([0, 10**21, 10**21]),
          seed_base=st.one_of(st.integers(1, 10**4), st.integers(1, 10**22)))
    def register(self, spoil, supply, seed_base):
        account = {"zero": ZERO_ADDRESS, "registered": self.twin.clients[0].account, "itself": self.twin.address,
                   "pool": self.twin.clients[-1].pool.address}.get(spoil, str(boa.env.generate_address()))
        sender = self.stranger if spoil == "stranger" else self.owner
        seed_token = {"no seed": 0, "huge seed": MAX_RESERVE + 1}.get(spoil, 10**21)
        supply = MAX_UINT256 if spoil == "overflow" else supply
        seed_base = self.twin.treasury() + 1 if spoil == "treasury" else seed_base
        if spoil == "reserved":  # one wei more than what is neither owed nor set aside
            seed_base = min(self.twin.treasury() - self.twin.total_owed - self.twin.reserved + 1, MAX_RESERVE)
        n = len(self.twin.clients)
        args = (account, f"Client {n}", "" if spoil == "no symbol" else f"CST{n}", supply, seed_token, seed_base)

        def on_chain():
            handle = self.chain.register(*args, sender=sender)
            return str(handle.token.address), str(handle.pool.address)

        def on_twin():
            client = self.twin.register_client(*args, sender=sender)
            return client.token.address, client.pool.address

        if self.same("register", on_chain, on_twin) is not None:
            self.touched.add(n)

    @action(amount=amounts, zero=st.booleans())
    def fund_treasury(self, amount, zero):
        amount = 0 if zero else amount
        self.mint_base(self.owner, amount)
        self.base.approve(self.chain.address, amount, sender=self.owner)
        self.twin.base.approve(self.twin.address, amount, sender=self.owner)
        self.same("fund", lambda: self.chain.contract.fund(amount, sender=self.owner),
                  lambda: self.twin.fund(amount, sender=self.owner))

    @action(data=DATA, kind=st.sampled_from(ROUND_KINDS),
            budget_kind=st.sampled_from(["fit", "tenth", "small"]),
            bounded=st.booleans(), wait=st.integers(0, 100),
            claim=st.sampled_from(["once", "none", "twice", "unknown"]), claimer=st.integers(0, MAX_CLIENTS_HERE),
            by=st.sampled_from(["client", "investor", "owner"]))
    def distribute(self, data, kind, budget_kind, bounded, wait, claim, claimer, by):
        """A round with valid inputs, under any rule; then a client's vested supply is released
        (by anyone: ``by``), or released twice (nothing more the second time), or an unknown
        account's is asked for, or nothing is claimed: claims come at random points of the
        schedule, since clients are paid, skipped and deregistered at random."""
        clients, shares, budget, sender = self.round_inputs(data.draw, "none", budget_kind)
        self.play_round(kind, clients, shares, budget, sender, bounded=bounded, wait=wait)
        for _ in range({"none": 0, "once": 1, "twice": 2, "unknown": 1}[claim]):
            self.release(claimer, by, claim == "unknown")

    @action(data=DATA, kind=st.sampled_from(ROUND_KINDS),
            spoil=st.sampled_from(ROUND_SPOILS))
    def distribute_spoilt(self, data, kind, spoil):
        """A round with one input spoilt: the contract's reason."""
        clients, shares, budget, sender = self.round_inputs(data.draw, spoil, "small")
        self.play_round(kind, clients, shares, budget, sender, spoil=spoil)

    @action(data=DATA, burn=st.booleans(),
            spoil=st.sampled_from(BUYBACK_SPOILS + ROUND_SPOILS[-3:]))
    def buyback_spoilt(self, data, burn, spoil):
        """A buy-back with its deadline or bounds spoilt (a reason, or skip 2), a one-wei
        part (skip 1), or a budget or share too large to quote."""
        clients, shares, budget, sender = self.round_inputs(data.draw, spoil, "small")
        self.play_round("burn" if burn else "buyback", clients, shares, budget, sender, spoil=spoil)

    @action(data=DATA, move=st.sampled_from(["buy", "sell", "liquidity"]), size=st.integers(1, 3_000),
            kind=st.sampled_from(["inject", "buyback"]))
    def move_then_distribute(self, data, move, size, kind):
        """The investor moves one pool by ``size`` bps of its reserves (a trade, or liquidity),
        then a round that fits every chosen pool's spend guard: the deviation and LP-growth
        guards decide."""
        index = data.draw(st.integers(0, len(self.twin.clients) - 1))
        chain, twin = self.pair(index)
        reserve_token, reserve_base, _ = twin.pool.get_reserves()
        if move == "buy":
            self.mint_base(self.investor, reserve_base * size // 10**4)
            self.swap(index, False, reserve_base * size // 10**4)
        elif move == "sell":
            amount = min(reserve_token * size // 10**4, twin.token.balance_of(twin.account))
            self.give_cst(index, amount)
            self.swap(index, True, amount)
        else:
            amount_token = min(reserve_token * size // 10**4 + 1, twin.token.balance_of(twin.account))
            self.give_cst(index, amount_token)
            self.mint_base(self.investor, reserve_base * size // 10**4 + 1)
            self.add_liquidity(index, amount_token, reserve_base * size // 10**4 + 1)
        clients, shares, budget, sender = self.round_inputs(data.draw, "none", "fit")
        self.play_round(kind, clients, shares, budget, sender)

    @action(data=DATA, kind=st.sampled_from(ROUND_KINDS), page_size=st.integers(1, 3),
            budget_kind=st.sampled_from(["fit", "small"]),
            open_spoil=st.sampled_from(["none"] * 6 + OPEN_SPOILS),
            spoils=st.lists(st.sampled_from(["none"] * 3 + PAGE_SPOILS), min_size=3, max_size=3))
    def paged_round(self, data, kind, page_size, budget_kind, open_spoil, spoils):
        """A round paid in pages: opened (or refused: an unknown rule, a page size of 0 or
        above ``MAX_PAGE``, a stranger), then every page paid in a random order, each after a
        refused attempt if its spoil says so; then one page more (no round is open)."""
        clients, shares, budget, sender = self.round_inputs(data.draw, "none", budget_kind)
        rule = data.draw(st.sampled_from([0, 5])) if open_spoil == "rule" else RULE_OF[kind]
        size = {"page size": 0, "huge page": MAX_PAGE + 1}.get(open_spoil, page_size)
        sender = self.stranger if open_spoil == "sender" else sender
        self.touched.update(self.twin.clients.index(self.twin.client(a)) for a in clients)
        args = (rule, clients, shares, budget, size)
        pages = self.same("open_round", lambda: self.chain.open_round(*args, sender=sender),
                          lambda: self.twin.open_round(*args, sender=sender))
        if pages is None:
            return
        parts = page_slices(len(clients), size)
        for turn, page in enumerate(data.draw(st.permutations(range(pages)))):
            part = parts[page]
            self.pay_page(kind, page, clients[part], shares[part], budget, spoils[turn % len(spoils)], pages)
        self.pay_page(kind, 0, clients[parts[0]], shares[parts[0]], budget, "none", pages)  # no open round

    def pay_page(self, kind, page, clients, shares, budget, spoil, pages):
        """Pay one page on both backends, after one refused attempt spoilt by ``spoil``."""
        buys = kind in ("buyback", "burn")
        min_outs = self.twin.quote_min_outs(clients, shares, budget, 0) if buys else []
        now = self.clock.now

        def attempt(number, page_clients, page_shares, bounds, deadline, sender):
            return self.same("pay_page", lambda: self.chain.pay_page(number, page_clients, page_shares, bounds,
                                                                     deadline, sender=sender),
                             lambda: self.twin.pay_page(number, page_clients, page_shares, bounds, deadline,
                                                        sender=sender))

        spoilt = dict(number=page, page_clients=list(clients), page_shares=list(shares), bounds=list(min_outs),
                      deadline=now, sender=self.owner)
        if spoil == "tamper":
            spoilt["page_shares"][0] += 1
        elif spoil == "outsider":
            others = [c.account for c in self.twin.clients if c.account not in clients]
            spoilt["page_clients"][-1] = others[0] if others else self.stranger
        elif spoil == "beyond":
            spoilt["number"] = pages
        elif spoil == "deadline":
            spoilt["deadline"] = now - 1
        elif spoil == "length":
            spoilt["bounds"] = min_outs + [0] if buys else [0] * len(clients)
        elif spoil == "sender":
            spoilt["sender"] = self.stranger
        if spoil == "busy":  # nothing else starts while a round is open
            self.play_round("mint", clients, shares if sum(shares) == 10**18 else [10**18] + [0] * (len(clients) - 1),
                            10**4, self.owner)
        elif spoil == "paused":
            self.toggle("pause", self.owner)
            attempt(**spoilt)
            self.toggle("unpause", self.owner)
        elif spoil == "register":  # a seed may not take the base set aside for the open round
            self.register("reserved", 0, 10**18)
        elif spoil not in ("none", "twice"):
            attempt(**spoilt)
        record = attempt(page, list(clients), list(shares), list(min_outs), now, self.owner)
        if spoil == "twice":
            attempt(page, list(clients), list(shares), list(min_outs), now, self.owner)
        for skip in record.skipped if record is not None else ():
            self.outcomes[f"skip {skip}"] += 1

    def give_cst(self, index, amount):
        """Client ``index`` hands ``amount`` of its CST to the investor."""
        chain, twin = self.pair(index)
        self.same("give", lambda: chain.token.transfer(self.investor, amount, sender=twin.account),
                  lambda: twin.token.transfer(self.investor, amount, sender=twin.account))

    @action(index=st.integers(0, MAX_CLIENTS_HERE), spoil=st.sampled_from(["unknown", "twice", "sender", "none"]))
    def deregister(self, index, spoil):
        """The operator deregisters a client (then a mint round names every client: the
        deregistered one's part is skipped), or deregisters one already deregistered (after
        deregistering one if none is: the contract's reason), or a stranger tries, or an
        unknown account is named. Rare enough that most rounds still pay someone."""
        gone = [i for i, c in enumerate(self.twin.clients) if c.account in self.twin.deregistered]
        if spoil == "twice" and gone:
            index = gone[index % len(gone)]
        account = self.stranger if spoil == "unknown" else self.pair(index)[1].account
        sender = self.stranger if spoil == "sender" else self.owner
        for _ in range(2 if spoil == "twice" and not gone else 1):
            self.same("deregister", lambda: self.chain.deregister(account, sender=sender),
                      lambda: self.twin.deregister_client(account, sender=sender))
        if spoil == "none":  # a round that owes the client a part: skipped (skip 6), not paid
            clients = [c.account for c in self.twin.clients]
            self.play_round("mint", clients, to_shares([1] * len(clients)), 10**4, self.owner)

    def release(self, index, who, unknown):
        """Anyone pays a client its vested supply (nothing yet, or nothing more: a reason)."""
        twin = self.pair(index)[1]
        account = self.stranger if unknown else twin.account
        sender = {"client": twin.account, "investor": self.investor, "owner": self.owner}[who]
        self.same("release", lambda: self.chain.release(account, sender=sender),
                  lambda: self.twin.release(account, sender=sender))

    @action(data=DATA, spoil=st.sampled_from(["none"] * 3 + ["unknown", "sender"]))
    def observe(self, data, spoil):
        clients = [c.account for c in data.draw(st.lists(st.sampled_from(self.twin.clients), max_size=3))]
        clients += [self.stranger] if spoil == "unknown" else []
        sender = self.stranger if spoil == "sender" else self.owner
        self.touched.update(self.twin.clients.index(self.twin.client(a)) for a in clients if a != self.stranger)
        self.same("observe", lambda: self.chain.observe(clients, sender=sender),
                  lambda: self.twin.observe(clients, sender=sender))

    @action(guards=st.builds(Guards, guard_values, guard_values, guard_values, guard_values),
            by_stranger=st.sampled_from([False] * 3 + [True]),
            spoil=st.sampled_from([None] * 4 + list(range(4))), high=st.booleans())
    def set_guards(self, guards, by_stranger, spoil, high):
        """The owner (or a stranger) sets bounds, one of them out of range if ``spoil`` names it."""
        if spoil is not None:
            bounds = list(guards.__dict__.values())
            bounds[spoil] = 6_000 if high else 9
            guards = Guards(*bounds)
        sender = self.stranger if by_stranger else self.twin.owner
        self.same("set_guards", lambda: self.chain.set_guards(guards, sender=sender),
                  lambda: self.twin.set_guards(guards, sender=sender))

    @action(who=st.sampled_from(["investor", "stranger", "zero"]), status=st.booleans(),
            by_stranger=st.sampled_from([False] * 3 + [True]))
    def set_operator(self, who, status, by_stranger):
        operator = {"investor": self.investor, "stranger": self.stranger, "zero": ZERO_ADDRESS}[who]
        sender = self.stranger if by_stranger else self.twin.owner
        self.same("set_operator", lambda: self.chain.contract.set_operator(operator, status, sender=sender),
                  lambda: self.twin.set_operator(operator, status, sender=sender))

    @action(who=st.sampled_from(["owner", "investor", "zero"]), by_stranger=st.sampled_from([False] * 3 + [True]))
    def transfer_ownership(self, who, by_stranger):
        new_owner = {"owner": self.owner, "investor": self.investor, "zero": ZERO_ADDRESS}[who]
        sender = self.stranger if by_stranger else self.twin.owner
        self.same("transfer_ownership", lambda: self.chain.contract.transfer_ownership(new_owner, sender=sender),
                  lambda: self.twin.transfer_ownership(new_owner, sender=sender))

    def toggle(self, name, sender):
        self.same(name, lambda: getattr(self.chain.contract, name)(sender=sender),
                  lambda: getattr(self.twin, name)(sender=sender))

    @action(data=DATA, by_stranger=st.sampled_from([False] * 3 + [True]),
            probe=st.sampled_from(["twice", "round", "register", "release"]))
    def pause_briefly(self, data, by_stranger, probe):
        """Pause, try something a pause stops (or pause again, or release vested supply, which
        a pause does not stop), unpause: the federation is never left paused, so the other
        rules are not wasted on it."""
        sender = self.stranger if by_stranger else self.twin.owner
        if probe == "twice":
            self.toggle("unpause", sender)  # not paused
        self.toggle("pause", sender)
        if probe == "twice":
            self.toggle("pause", sender)  # already paused
        elif self.twin.paused and probe == "round":
            clients, shares, budget, _ = self.round_inputs(data.draw, "none", "small")
            self.play_round(data.draw(st.sampled_from(ROUND_KINDS)), clients, shares, budget, self.owner)
        elif self.twin.paused and probe == "register":
            self.register("none", 0, 10**18)
        elif self.twin.paused:
            self.release(data.draw(st.integers(0, MAX_CLIENTS_HERE)), "client", False)
        self.toggle("unpause", sender)

    # --- market actions -------------------------------------------------------------
    @action(index=st.integers(0, MAX_CLIENTS_HERE), sell=st.booleans(), part=fractions,
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
        twin_in.approve(twin.pool.address, amount, sender=self.investor)
        before = chain.pool.get_reserves()
        args = (token_in, amount, 0, self.investor, self.clock.now)
        self.same("swap", lambda: chain.pool.swap(*args, sender=self.investor),
                  lambda: twin.pool.swap(*args, sender=self.investor))
        self.check_product(chain.pool, before, sell=sell, amount_in=amount)

    @action(index=st.integers(0, MAX_CLIENTS_HERE), token_part=fractions, base_part=fractions)
    def investor_adds_liquidity(self, index, token_part, base_part):
        twin = self.pair(index)[1]
        self.add_liquidity(index, twin.token.balance_of(self.investor) * token_part // 10**4,
                           self.twin.base.balance_of(self.investor) * base_part // 10**4)

    def add_liquidity(self, index, amount_token, amount_base):
        """The investor offers ``amount_token`` CST and ``amount_base`` base to pool ``index``."""
        chain, twin = self.pair(index)
        chain.token.approve(chain.pool.address, amount_token, sender=self.investor)
        self.base.approve(chain.pool.address, amount_base, sender=self.investor)
        twin.token.approve(twin.pool.address, amount_token, sender=self.investor)
        self.twin.base.approve(twin.pool.address, amount_base, sender=self.investor)
        args = (amount_token, amount_base, 0, 0, self.investor, self.clock.now)
        self.same("add_liquidity", lambda: chain.pool.add_liquidity(*args, sender=self.investor),
                  lambda: twin.pool.add_liquidity(*args, sender=self.investor))

    @action(index=st.integers(0, MAX_CLIENTS_HERE), part=fractions, by_client=st.sampled_from([False, False, True]))
    def liquidity_is_removed(self, index, part, by_client):
        """The investor withdraws part of its liquidity from a pool it provided to (if any), or
        the client tries to withdraw part of the seed locked in the federation (it holds no LP
        shares: the pool refuses)."""
        provided = [i for i, c in enumerate(self.twin.clients) if c.pool.lp.balance_of(self.investor)]
        if provided and not by_client:
            index = provided[index % len(provided)]
        chain, twin = self.pair(index)
        holder = twin.account if by_client else self.investor
        shares = twin.pool.lp.balance_of(self.twin.address if by_client else holder) * part // 10**4
        args = (shares, 0, 0, holder, self.clock.now)
        self.same("remove_liquidity", lambda: chain.pool.remove_liquidity(*args, sender=holder),
                  lambda: twin.pool.remove_liquidity(*args, sender=holder))

    @action(index=st.integers(0, MAX_CLIENTS_HERE), what=st.sampled_from(["cst", "base", "lp", "donate"]),
            part=fractions)
    def investor_donates(self, index, what, part):
        """Tokens or LP shares sent to a pool without a call (``sync`` or ``skim`` settles
        them), or base tokens given with ``donate`` (zero: the pool's reason)."""
        chain, twin = self.pair(index)
        if what == "donate":
            amount = self.twin.base.balance_of(self.investor) * part // 10**4
            self.base.approve(chain.pool.address, amount, sender=self.investor)
            self.twin.base.approve(twin.pool.address, amount, sender=self.investor)
            self.same("donate", lambda: chain.pool.donate(amount, sender=self.investor),
                      lambda: twin.pool.donate(amount, sender=self.investor))
            return
        token, ledger = {"cst": (chain.token, twin.token), "base": (self.base, self.twin.base),
                         "lp": (chain.pool, twin.pool.lp)}[what]
        amount = ledger.balance_of(self.investor) * part // 10**4
        self.same("donate", lambda: token.transfer(chain.pool.address, amount, sender=self.investor),
                  lambda: ledger.transfer(twin.pool.address, amount, sender=self.investor))

    @action(index=st.integers(0, MAX_CLIENTS_HERE), skim=st.booleans())
    def settle_pool(self, index, skim):
        chain, twin = self.pair(index)
        if skim:
            self.same("skim", lambda: chain.pool.skim(self.investor), lambda: twin.pool.skim(self.investor))
        else:
            self.same("sync", lambda: chain.pool.sync(), lambda: twin.pool.sync())

    @action(seconds=st.integers(1, 10**6))
    def time_passes(self, seconds):
        advance_together(seconds, self.chain_clock, self.clock)

    # --- the rules: each draws one action of its group -------------------------------
    def perform(self, data, group):
        name = data.draw(st.sampled_from(GROUPS[group]), label="action")
        getattr(self, name)(**{key: data if strategy is DATA else data.draw(strategy, label=key)
                               for key, strategy in STRATEGIES[name].items()})

    # hypothesis sorts rules by their number of arguments, then by name, and draws the first
    # (like the first action of a group) far more often than the rest: rounds come first
    @rule(data=st.data())
    def distribute_round(self, data):
        self.perform(data, "rounds")

    @rule(data=st.data())
    def manage(self, data):
        self.perform(data, "admin")

    @rule(data=st.data())
    def spoil_round(self, data):
        self.perform(data, "spoilt rounds")

    @rule(data=st.data())
    def trade(self, data):
        self.perform(data, "market")

    # --- invariants --------------------------------------------------------------------
    @invariant()
    def chain_equals_twin(self):
        """After every step the chain equals the twin in everything the step can have
        touched: the federation, the base token, and the pools, tokens and observations of
        the clients the step named (``teardown`` compares every client once more)."""
        type(self).steps += 1
        assert self.chain_clock.now == self.clock.now
        assert len(self.chain.clients) == len(self.twin.clients)
        touched, self.touched = self.touched, set()
        assert state_differences(self.chain, self.base, self.twin, self.accounts(), touched) == []
        self.check_accounting(touched)

    def check_accounting(self, touched):
        """The accounting invariants, read off the twin: the comparison above has just shown
        that the chain holds the same supplies, balances and reserves."""
        accounts = self.accounts()
        ledgers = [self.twin.base] + [ledger for i in touched
                                      for ledger in (self.twin.clients[i].token, self.twin.clients[i].pool.lp)]
        for ledger in ledgers:  # no token sits outside the known accounts
            assert sum(ledger.balance_of(a) for a in accounts) == ledger.total_supply
        assert self.twin.base.total_supply == self.minted  # only the issuer's mints change the base supply
        assert self.twin.total_owed == sum(self.twin.owed.values()) <= self.twin.treasury()
        for i in touched:  # donations sit above the reserves until sync or skim; never below them
            pool = self.twin.clients[i].pool
            assert pool.token.balance_of(pool.address) >= pool.reserve_token
            assert pool.base.balance_of(pool.address) >= pool.reserve_base

    def teardown(self):
        assert state_differences(self.chain, self.base, self.twin, self.accounts()) == []


def test_federation_matches_its_twin(deployed):
    FederationMachine.system, FederationMachine.deployed_at = deployed
    FederationMachine.examples = FederationMachine.steps = 0
    FederationMachine.outcomes.clear()
    examples = max(1, round(settings.default.max_examples * EXAMPLES_PER_PROFILE_EXAMPLE))
    started = time.perf_counter()
    run_state_machine_as_test(FederationMachine, settings=settings(max_examples=examples, stateful_step_count=STEPS))
    elapsed = time.perf_counter() - started
    outcomes = FederationMachine.outcomes
    print(f"\nstateful: {FederationMachine.examples} examples, {FederationMachine.steps} checked states, "
          f"{elapsed:.1f} s")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:5d}  {outcome}")
    assert FederationMachine.examples >= examples
    actions = {key.split(": ")[0] for key in outcomes if ": " in key}
    assert {a for a in actions if outcomes[f"{a}: ok"] < MIN_SUCCESSES} == set()
    reached = {key.split(": ", 1)[1] for key in outcomes if ": " in key}
    assert FEDERATION_REASONS - reached == set()
    assert SKIP_CODES - set(outcomes) == set()
