"""Seed lock, vesting and deregistration: each behaviour on the EVM and the twin alike.

Every call runs on both (``expect_same``: equal results or equal revert reasons), and each
test ends with the whole state compared, escrows and deregistrations included.
"""

from collections import Counter

import boa
import pytest

from cst_ref.chain.system import deploy_system
from cst_ref.backends.parity import expect_same
from cst_ref.backends import distribute, make_backend
from cst_ref.twins import (
    MAX_UINT256,
    RULE_INJECT,
    RULE_MINT,
    RULES,
    SHARE_SCALE,
    SKIP_DEREGISTERED,
    VESTING_ROUNDS,
    WAD,
    Clock,
    SystemConfig,
    Vesting,
    vested_amount,
)
from cst_ref.backends.parity import known_accounts, state_differences
from cst_ref.twins.system import deploy_twin

CONFIG = SystemConfig(n_clients=3)
SUPPLY = CONFIG.client_supply
ONE_WEI_EACH = [SHARE_SCALE // 3, SHARE_SCALE // 3, SHARE_SCALE - 2 * (SHARE_SCALE // 3)]


@pytest.fixture(scope="module")
def deployed():
    return deploy_system(CONFIG), boa.env.timestamp


class Both:
    """The module's system (restored by titanoboa after each test) and a fresh twin of it, on a
    clock of its own at the system's deployment time (no test here lets time pass)."""

    def __init__(self, system, deployed_at):
        self.system, self.chain, self.owner = system, system.federation, system.owner
        self.chain.clients = self.chain.clients[:CONFIG.n_clients]  # forget an earlier test's registrations
        self.accounts = system.accounts
        self.stranger = str(boa.env.generate_address("stranger"))
        self.clock = Clock(deployed_at)
        self.twin = deploy_twin(CONFIG, owner=self.owner, base_address=str(system.base.address),
                                 federation_address=self.chain.address, accounts=self.accounts,
                                 clock=self.clock)
        self.outcomes = Counter()

    def same(self, label, on_chain, on_twin):
        return expect_same(on_chain, on_twin, outcomes=self.outcomes, label=label)

    def mint_round(self, shares=ONE_WEI_EACH):
        """A round that moves nothing but the round counter (and mints a few wei)."""
        return self.same("mint", lambda: self.chain.distribute_mint(self.accounts, shares, 3),
                         lambda: self.twin.distribute_mint(self.accounts, shares, 3, sender=self.owner))

    def release(self, i, sender=None):
        sender = sender or self.stranger
        return self.same("release", lambda: self.chain.release(self.accounts[i], sender=sender),
                         lambda: self.twin.release(self.accounts[i], sender=sender))

    def deregister(self, i, sender=None):
        sender = sender or self.owner
        return self.same("deregister", lambda: self.chain.deregister(self.accounts[i], sender=sender),
                         lambda: self.twin.deregister_client(self.accounts[i], sender=sender))

    def assert_equal(self):
        accounts = known_accounts(self.twin, [self.stranger])
        assert state_differences(self.chain, self.system.base, self.twin, accounts) == []


@pytest.fixture
def both(deployed):
    return Both(*deployed)


def test_the_schedule_is_linear_capped_and_exact_for_any_supply():
    assert [vested_amount(Vesting(SUPPLY), k) for k in (0, 1, 10, VESTING_ROUNDS, 3 * VESTING_ROUNDS)] == [
        0, SUPPLY // VESTING_ROUNDS, SUPPLY // 2, SUPPLY, SUPPLY]
    assert vested_amount(Vesting(SUPPLY, 0, start_round=4), 5) == SUPPLY // VESTING_ROUNDS
    assert vested_amount(Vesting(7, 0, 0), 30, deregistered=True) == 7  # frozen at deregistration
    huge = MAX_UINT256 - 1
    assert vested_amount(Vesting(huge), 3) == huge * 3 // VESTING_ROUNDS


def test_supply_vests_round_by_round_and_anyone_releases_it_to_the_client(both):
    chain = both.chain.contract
    assert both.release(0) is None and both.outcomes["release: federation: nothing to release"] == 1
    for k in range(1, 4):
        both.mint_round()
        assert chain.vested(both.accounts[0]) == both.twin.vested(both.accounts[0]) == SUPPLY * k // VESTING_ROUNDS
    assert both.release(0) == 3 * SUPPLY // VESTING_ROUNDS
    event = chain.get_logs()[-1]
    assert (str(event.account), event.amount) == (both.accounts[0], 3 * SUPPLY // VESTING_ROUNDS)
    token = both.chain.clients[0].token
    assert token.balanceOf(both.accounts[0]) == 3 * SUPPLY // VESTING_ROUNDS  # the client's, not the caller's
    assert token.balanceOf(both.stranger) == 0 and chain.releasable(both.accounts[0]) == 0
    for _ in range(VESTING_ROUNDS):
        both.mint_round()
    assert both.release(0) == SUPPLY - 3 * SUPPLY // VESTING_ROUNDS  # capped at the whole supply
    assert both.chain.vesting(both.accounts[0]) == Vesting(SUPPLY, SUPPLY, 0)
    both.mint_round()
    assert both.release(0) is None
    both.assert_equal()


def test_release_refuses_an_unknown_client_and_works_while_paused(both):
    assert both.same("release", lambda: both.chain.release(both.stranger),
                     lambda: both.twin.release(both.stranger, sender=both.owner)) is None
    assert both.outcomes["release: federation: unknown client"] == 1
    both.mint_round()
    both.chain.contract.pause(sender=both.owner)
    both.twin.pause(sender=both.owner)
    assert both.release(1, sender=both.accounts[1]) == SUPPLY // VESTING_ROUNDS
    both.assert_equal()


def test_a_later_client_vests_from_its_own_registration(both):
    for _ in range(3):
        both.mint_round()
    late = str(boa.env.generate_address("late"))
    both.same("register", lambda: str(both.chain.register(late, "Late", "LATE", SUPPLY, WAD, WAD).token.address),
              lambda: both.twin.register_client(late, "Late", "LATE", SUPPLY, WAD, WAD,
                                                sender=both.owner).token.address)
    assert both.chain.vesting(late) == Vesting(SUPPLY, 0, 3)
    assert both.chain.contract.releasable(late) == 0
    both.mint_round()
    assert both.same("release", lambda: both.chain.release(late), lambda: both.twin.release(late, sender=both.owner)) \
        == SUPPLY // VESTING_ROUNDS
    both.assert_equal()


def test_a_supply_at_the_uint256_limit_vests_without_overflow(both):
    giant = str(boa.env.generate_address("giant"))
    supply = MAX_UINT256 - WAD
    both.same("register", lambda: str(both.chain.register(giant, "Giant", "GIANT", supply, WAD, WAD).token.address),
              lambda: both.twin.register_client(giant, "Giant", "GIANT", supply, WAD, WAD,
                                                sender=both.owner).token.address)
    both.mint_round()
    assert both.chain.contract.vested(giant) == supply // VESTING_ROUNDS
    both.assert_equal()


def test_deregistration_burns_the_unvested_rest_and_keeps_what_vested(both):
    for _ in range(4):
        both.mint_round()
    token = both.chain.clients[1].token
    supply_before = token.totalSupply()
    vested = 4 * SUPPLY // VESTING_ROUNDS
    both.deregister(1)
    event = both.chain.contract.get_logs()[-1]
    assert (event.index, str(event.account), event.vested, event.burned) == (1, both.accounts[1], vested,
                                                                             SUPPLY - vested)
    assert token.totalSupply() == supply_before - (SUPPLY - vested)
    assert both.chain.contract.deregistered(both.accounts[1])
    for _ in range(3):  # vesting stopped: later rounds free nothing more
        both.mint_round([SHARE_SCALE, 0, 0])
    assert both.chain.contract.vested(both.accounts[1]) == vested
    assert both.release(1) == vested
    assert token.balanceOf(both.chain.address) == 0  # nothing of client 1's supply is left in escrow
    both.assert_equal()


def test_only_an_operator_deregisters_a_known_client_once(both):
    both.deregister(0, sender=both.stranger)
    assert both.same("deregister", lambda: both.chain.deregister(both.stranger),
                     lambda: both.twin.deregister_client(both.stranger, sender=both.owner)) is None
    both.deregister(0)
    both.deregister(0)
    assert {key: n for key, n in both.outcomes.items()} == {
        "deregister: federation: caller is not an operator": 1, "deregister: federation: unknown client": 1,
        "deregister: ok": 1, "deregister: federation: client already deregistered": 1}
    both.assert_equal()


@pytest.mark.parametrize("rule", list(RULES), ids=list(RULES.values()))
def test_every_rule_skips_a_deregistered_client_and_accepts_its_zero_share(both, rule):
    both.deregister(2)
    twin, chain = both.twin, both.chain
    treasury = twin.treasury()
    shares = [SHARE_SCALE // 2, SHARE_SCALE // 4, SHARE_SCALE // 4]
    record = both.same("round", lambda: chain.distribute(rule, both.accounts, shares, 10 * WAD),
                       lambda: twin.distribute(rule, both.accounts, shares, 10 * WAD, sender=both.owner))
    assert record.skipped == (0, 0, SKIP_DEREGISTERED) and record.amounts[2] == record.tokens_out[2] == 0
    if rule != RULE_MINT:  # the deregistered quarter stays in the treasury
        assert treasury - twin.treasury() == record.amounts[0] + record.amounts[1] == 15 * WAD // 2
    zero = both.same("round", lambda: chain.distribute(rule, both.accounts, [SHARE_SCALE // 2] * 2 + [0], WAD),
                     lambda: twin.distribute(rule, both.accounts, [SHARE_SCALE // 2] * 2 + [0], WAD,
                                             sender=both.owner))
    assert zero.skipped == (0, 0, 0)
    both.assert_equal()


def test_the_market_of_a_deregistered_client_keeps_trading(both):
    both.mint_round()
    both.release(0)
    handle, twin = both.chain.clients[0], both.twin.clients[0]
    reserves, lp = handle.pool.get_reserves(), handle.pool.balanceOf(both.chain.address)
    both.deregister(0)
    assert handle.pool.get_reserves() == reserves and handle.pool.balanceOf(both.chain.address) == lp
    amount = handle.token.balanceOf(both.accounts[0])
    handle.token.approve(handle.pool.address, amount, sender=both.accounts[0])
    twin.token.approve(twin.pool.address, amount, sender=both.accounts[0])
    args = (handle.token.address, amount, 0, both.accounts[0], both.clock.now)
    paid = both.same("swap", lambda: handle.pool.swap(*args, sender=both.accounts[0]),
                     lambda: twin.pool.swap(*args, sender=both.accounts[0]))
    assert paid > 0
    both.assert_equal()


def test_every_backend_releases_and_deregisters_alike():
    """The round loop's backends expose vesting and deregistration: the same script on the
    twins and on the EVM ends in the same state, escrows included."""
    def script(backend):
        shares = [SHARE_SCALE // 2, SHARE_SCALE // 2, 0]
        for _ in range(2):
            backend.advance(600)
            distribute(backend, RULE_MINT, shares, WAD)
        released = backend.release(0)
        backend.deregister(1)
        backend.advance(600)
        record, _ = distribute(backend, RULE_INJECT, shares, WAD)
        return (released, backend.releasable(1), record.skipped, [backend.vesting(i) for i in range(3)],
                backend.state())

    model, evm = (script(make_backend(name, CONFIG)) for name in ("twin", "evm"))
    assert model == evm
    released, releasable, skipped, vestings, _ = model
    assert released == releasable == 2 * SUPPLY // VESTING_ROUNDS
    assert skipped == (0, SKIP_DEREGISTERED, 0)
    assert vestings == [Vesting(SUPPLY, released, 0), Vesting(releasable, 0, 0), Vesting(SUPPLY, 0, 0)]
