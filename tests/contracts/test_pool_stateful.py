"""Curve-style stateful test: random actions on the contracts and on their Python twins.

Every rule applies the same call to the EVM and to the twin (``cst_ref.twins``):
the same arguments and ``sender=``, and time passes on both clocks together;
a twin ``Revert`` must be a contract revert with the same reason, and after
every step the two states must be identical. The run must reach every action's
success and every revert reason the pool and its tokens can give here; the
hypothesis profile decides the number of examples.
"""

from __future__ import annotations

import time
from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from cst_ref.amm import product_holds
from cst_ref.backends.parity import advance_together, call_both, fresh_pool_twin
from cst_ref.backends.parity import expect_same as run_both
from cst_ref.chain.clock import ChainClock
from cst_ref.twins import ZERO_ADDRESS, Revert
from cst_ref.backends.parity import market_differences

E18 = 10**18
MAX_UINT256 = 2**256 - 1
INITIAL = 1_000 * E18

EXAMPLES_PER_PROFILE_EXAMPLE = 0.4  # 40 examples under the ci profile's 100, 200 under dev's 500
STEPS = 40
OUTCOMES: Counter[str] = Counter()  # successes and revert reasons seen, printed at the end
MIN_SUCCESSES = 10
REASONS = {
    "erc20: insufficient allowance", "erc20: access is denied", "erc20: transfer amount exceeds balance",
    "erc20: transfer to the zero address", "erc20: mint to the zero address", "erc20: burn amount exceeds balance",
    "pool: expired deadline", "pool: zero amount", "pool: insufficient liquidity minted",
    "pool: token amount below minimum", "pool: base amount below minimum", "pool: insufficient output amount",
    "pool: output below min_out", "pool: insufficient liquidity burned",
}
"""Every reason reachable here; "empty pool", "unknown token" and "reserve overflow" need states
or calls the machine never makes, and are tested in ``test_pool_contract.py``."""

# hypothesis draws the first branch or entry of a strategy far more often than the others:
# the usual value comes first, the one that makes a call revert last
amounts = st.one_of(st.integers(1, 300 * E18), st.integers(1, 1_500 * E18), st.integers(0, 2_000))
slack = st.sampled_from(["none", "none", "exact", "above"])  # how a min bound relates to the true amount
deadline_offset = st.sampled_from([600, 600, 600, 600, 0, -1])
loose_slack = st.sampled_from(["none", "none", "none", "exact", "above"])  # for two bounds at once
recipients = st.sampled_from([0, 3, 1, 2, 0, 1, 2, 0, 1, 2])  # a trader, now and then the zero address


def expect_same(chain_call, twin_call, label):
    """Both succeed with one result or both revert alike; counts ``<label>: ok`` and reasons."""
    return run_both(chain_call, twin_call, outcomes=OUTCOMES, label=label)


def bound(kind: str, true_amount: int) -> int:
    return {"none": 0, "exact": true_amount, "above": true_amount + 1}[kind]


class PoolMachine(RuleBasedStateMachine):
    """Set ``market``, ``owner`` and ``traders`` on the class before running; the twin's clock moves with the chain's."""

    market = owner = traders = None
    steps_run = 0

    def __init__(self):
        super().__init__()
        self.chain = type(self).market
        self.twin = fresh_pool_twin(self.chain)  # its own clock, at the chain's block time
        self.chain_clock = ChainClock()
        self.tokens = {"cst": (self.chain.token, self.twin.token),
                       "base": (self.chain.base, self.twin.base),
                       "lp": (self.chain.pool, self.twin.lp)}
        self.pool_address = self.chain.pool.address
        self.accounts = [self.owner, *self.traders, self.pool_address]
        self.base_minted = 0

    # --- helpers -------------------------------------------------------------
    def now(self) -> int:
        return self.twin.clock.now

    def call_token(self, key, method, sender, *args):
        contract, ledger = self.tokens[key]
        return call_both(contract, ledger, method, sender, *args, outcomes=OUTCOMES)

    def call_pool(self, method, sender, *args):
        return call_both(self.chain.pool, self.twin, method, sender, *args, outcomes=OUTCOMES)

    # --- setup ----------------------------------------------------------------------
    @initialize(seed_token=st.integers(2_000, 500 * E18), seed_base=st.integers(2_000, 500 * E18))
    def fund_and_seed(self, seed_token, seed_base):
        for trader in self.traders:
            for key in ("cst", "base"):
                self.call_token(key, "mint", self.owner, trader, INITIAL)
                self.call_token(key, "approve", trader, self.pool_address, MAX_UINT256)
        self.base_minted += INITIAL * len(self.traders)
        self.add_liquidity(0, seed_token, seed_base, "none", "none", 0, 600)

    # --- pool rules ---------------------------------------------------------------------
    # hypothesis sorts rules by their number of arguments, then by name, and draws the first
    # far more often than the rest: the swap takes its arguments as one dictionary to be first
    @rule(trade=st.fixed_dictionaries({"who": st.integers(0, 2), "sell_token": st.booleans(), "amount": amounts,
                                       "min_kind": slack, "to": recipients, "offset": deadline_offset}))
    def swap(self, trade):
        who, sell_token, amount, min_kind, to, offset = (
            trade[k] for k in ("who", "sell_token", "amount", "min_kind", "to", "offset"))
        sender, key = self.traders[who], ("cst" if sell_token else "base")
        token_in = self.tokens[key][0].address
        recipient = [*self.traders, ZERO_ADDRESS][to]
        try:
            min_out = bound(min_kind, self.twin.get_amount_out(token_in, amount))
        except Revert:
            min_out = 0
        before = self.twin.get_reserves()
        out = self.call_pool("swap", sender, token_in, amount, min_out, recipient, self.now() + offset)
        if out is not None:
            after = self.twin.get_reserves()
            r_in, r_out = (0, 1) if sell_token else (1, 0)
            assert product_holds((before[r_in], before[r_out]), (after[r_in], after[r_out]), amount,
                                 self.twin.fee_bps)

    @rule(who=st.integers(0, 2), amount_token=amounts, amount_base=amounts, min_token=slack, min_base=slack,
          to=recipients, offset=deadline_offset)
    def add_liquidity(self, who, amount_token, amount_base, min_token, min_base, to, offset):
        sender = self.traders[who]
        recipient = [*self.traders, ZERO_ADDRESS][to]
        # the bounds are set against what the pool would take, read off a throwaway twin
        probe = self.twin.snapshot()
        try:
            taken_token, taken_base, _ = self.twin.add_liquidity(
                amount_token, amount_base, 0, 0, sender, 2**64, sender=sender)
        except Revert:
            taken_token = taken_base = 0
        self.twin.restore(probe)
        min_t, min_b = bound(min_token, taken_token), bound(min_base, taken_base)
        self.call_pool("add_liquidity", sender, amount_token, amount_base, min_t, min_b, recipient,
                       self.now() + offset)

    @rule(who=st.sampled_from([0, 0, 0, 1, 2]), permille=st.integers(0, 1_000),
          kind=st.sampled_from(["part"] * 4 + ["one share", "balance + 1"]),
          min_token=loose_slack, min_base=loose_slack, offset=deadline_offset)
    def remove_liquidity(self, who, permille, kind, min_token, min_base, offset):
        """Burn a part of the sender's shares, one share (which may pay nothing of a token), or
        one more than it holds."""
        sender = self.traders[who]
        balance = self.twin.lp.balance_of(sender)
        shares = {"part": balance * permille // 1_000, "one share": 1, "balance + 1": balance + 1}[kind]
        supply, (r_token, r_base, _) = self.twin.lp.total_supply, self.twin.get_reserves()
        pro_rata = (shares * r_token // supply, shares * r_base // supply) if supply else (0, 0)
        min_t, min_b = bound(min_token, pro_rata[0]), bound(min_base, pro_rata[1])
        paid = self.call_pool("remove_liquidity", sender, shares, min_t, min_b, sender, self.now() + offset)
        if paid is not None:  # an LP never takes more than its pro-rata share of either reserve
            assert paid[0] * supply <= shares * r_token and paid[1] * supply <= shares * r_base

    @rule(skim_to=st.one_of(st.none(), st.integers(0, 2)))
    def sync_or_skim(self, skim_to):
        """``sync`` (``skim_to`` None), or ``skim`` to a trader."""
        if skim_to is None:
            expect_same(lambda: self.chain.pool.sync(), lambda: self.twin.sync(), "sync")
        else:
            recipient = self.traders[skim_to]
            expect_same(lambda: self.chain.pool.skim(recipient), lambda: self.twin.skim(recipient), "skim")

    @rule(seconds=st.one_of(st.integers(1, 3_600), st.just(2**32 - 1)))
    def time_travel(self, seconds):
        advance_together(seconds, self.chain_clock, self.twin.clock)

    # --- token rules ----------------------------------------------------------------------
    @rule(minter=st.integers(0, 3), key=st.sampled_from(["cst", "base"]), to=st.integers(0, 4), amount=amounts)
    def mint(self, minter, key, to, amount):
        sender = [self.owner, *self.traders][minter]  # only the owner may mint
        recipient = self.accounts[to]  # minting base to the pool is the federation's "inject"
        before = self.tokens[key][1].total_supply
        self.call_token(key, "mint", sender, recipient, amount)
        if key == "base":
            self.base_minted += self.tokens[key][1].total_supply - before

    @rule(who=st.integers(0, 2), amount=amounts)
    def burn_cst(self, who, amount):
        self.call_token("cst", "burn", self.traders[who], amount)

    @rule(key=st.sampled_from(["cst", "base", "lp"]), who=st.integers(0, 2), to=st.integers(0, 5), amount=amounts)
    def transfer(self, key, who, to, amount):
        recipient = [*self.accounts, ZERO_ADDRESS][to]  # to the pool = a donation
        self.call_token(key, "transfer", self.traders[who], recipient, amount)

    @rule(key=st.sampled_from(["cst", "base"]), who=st.integers(0, 2), spender=st.integers(1, 4),
          amount=st.one_of(st.just(MAX_UINT256), amounts))
    def approve(self, key, who, spender, amount):
        self.call_token(key, "approve", self.traders[who], self.accounts[spender], amount)

    @rule(key=st.sampled_from(["cst", "base"]), spender=st.integers(0, 2), who=st.integers(0, 2), amount=amounts,
          approve_first=st.sampled_from([True, True, True, False]))
    def transfer_from(self, key, spender, who, amount, approve_first):
        if approve_first:  # an allowance of exactly ``amount``, which the transfer uses up
            self.call_token(key, "approve", self.traders[who], self.traders[spender], amount)
        self.call_token(key, "transfer_from", self.traders[spender], self.traders[who], self.owner, amount)

    # --- invariants ----------------------------------------------------------------------------
    @invariant()
    def states_are_identical(self):
        type(self).steps_run += 1
        chain = self.chain
        assert self.chain_clock.now == self.twin.clock.now
        assert market_differences(chain.pool, chain.token, chain.base, self.twin, self.accounts) == []
        for key, (_, ledger) in self.tokens.items():
            # no holder outside the tracked accounts, so the twin's sum is the chain's sum
            assert set(ledger.balances) <= set(self.accounts), key
            assert sum(ledger.balances.values()) == ledger.total_supply, key

    @invariant()
    def base_is_conserved_and_reserves_are_backed(self):
        assert self.twin.base.total_supply == self.base_minted
        reserve_token, reserve_base, _ = self.twin.get_reserves()
        assert reserve_token <= self.twin.token.balance_of(self.pool_address)
        assert reserve_base <= self.twin.base.balance_of(self.pool_address)
        if self.twin.lp.total_supply:
            assert self.twin.lp.balance_of(self.pool_address) >= 1_000  # MINIMUM_LIQUIDITY stays locked


def test_pool_and_token_match_their_twins(deployed, owner, traders):
    PoolMachine.market, PoolMachine.owner, PoolMachine.traders = deployed, owner, traders
    PoolMachine.steps_run = 0
    OUTCOMES.clear()
    examples = max(1, round(settings.default.max_examples * EXAMPLES_PER_PROFILE_EXAMPLE))
    start = time.perf_counter()
    run_state_machine_as_test(PoolMachine, settings=settings(max_examples=examples, stateful_step_count=STEPS))
    elapsed = time.perf_counter() - start
    print(f"\nstateful pool test: {examples} examples x up to {STEPS} steps, "
          f"{PoolMachine.steps_run} invariant checks, {elapsed:.1f} s")
    for outcome, count in sorted(OUTCOMES.items()):
        print(f"  {count:6d}  {outcome}")
    assert PoolMachine.steps_run >= examples
    actions = {key.split(": ")[0] for key in OUTCOMES}
    assert {a for a in actions if OUTCOMES[f"{a}: ok"] < MIN_SUCCESSES} == set()
    assert REASONS - {key.split(": ", 1)[1] for key in OUTCOMES} == set()
