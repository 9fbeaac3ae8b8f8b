"""The guards on spending the treasury into a pool: each skip, on the EVM and the twin alike,
what each attack of issue 7 takes before and after them, and why the fourth (a drained
pool) is gone."""

from __future__ import annotations

import boa
import pytest

from cst_ref.protocol.backends import make_backend
from cst_ref.twins import (
    GUARD_OFF,
    MINIMUM_LIQUIDITY,
    RULE_BUYBACK_BURN,
    RULE_INJECT,
    RULES,
    SKIP_DEVIATION,
    SKIP_LP_GROWTH,
    SKIP_RESERVE,
    WAD,
    Guards,
    Revert,
)
from cst_ref.scenarios.attacks import (
    ATTACKER,
    NO_GUARDS,
    STAGE_SYSTEM,
    WAIT,
    Stage,
    buyback_sandwich,
    confirm_on_chain,
    guard_effect,
    inject_front_run,
    inject_jit_liquidity,
    play,
)

NOT_OWNER = "ownable: caller is not the owner"


def both(script):
    """Run ``script(stage)`` on a fresh one-client system on the twins and on the EVM."""
    return tuple(script(Stage(make_backend(backend, STAGE_SYSTEM))) for backend in ("model", "evm"))


def test_each_guard_skips_its_client_alike_on_both_backends():
    def script(stage):
        stage.wait(WAIT)
        stage.give(stage.client, 500 * WAD, 0)
        records = {}  # the stages' addresses differ, so compare what each round paid
        stage.buy(stage.client, 30 * WAD)  # +6 % in the round's own block
        records["deviation"] = stage.round(RULE_INJECT, 10 * WAD, 50)
        stage.wait(WAIT)  # the round observed the moved price: a new window, no deviation now
        records["reserve"] = stage.round(RULE_BUYBACK_BURN, 200 * WAD, 50)  # 200 > 10 % of the reserve
        stage.add_liquidity(stage.client, 20 * WAD, 30 * WAD)  # +2 % LP supply
        records["lp growth"] = stage.round(RULE_INJECT, 10 * WAD, 50)
        stage.wait(WAIT)
        records["paid"] = stage.round(RULE_INJECT, 10 * WAD, 50)
        return {k: (r.amounts, r.tokens_out, r.skipped) for k, r in records.items()}, stage.wealth(stage.client)

    (twin, twin_wealth), (chain, chain_wealth) = both(script)
    assert twin == chain and twin_wealth == chain_wealth
    assert [r[2] for r in twin.values()] == [(SKIP_DEVIATION,), (SKIP_RESERVE,), (SKIP_LP_GROWTH,), (0,)]
    assert [r[0] for r in twin.values()] == [(0,), (0,), (0,), (10 * WAD,)]


def test_a_skipped_part_stays_in_the_treasury(system, accounts, equal_shares):
    federation = system.federation
    system.base.mint(accounts[1], 100 * WAD, sender=system.owner)
    system.base.approve(federation.clients[1].pool.address, 100 * WAD, sender=accounts[1])
    federation.clients[1].pool.swap(system.base.address, 100 * WAD, 0, accounts[1], 2**64, sender=accounts[1])
    before = federation.contract.treasury()
    record = federation.distribute_inject(accounts, equal_shares, 30 * WAD)
    assert record.skipped == (0, SKIP_DEVIATION, 0)
    assert record.amounts[1] == 0 and before - federation.contract.treasury() == record.amounts[0] + record.amounts[2]
    federation.observe([accounts[1]])  # the operator accepts the new price as the reference
    assert federation.distribute_inject(accounts, equal_shares, 30 * WAD).skipped == (0, 0, 0)


def test_only_the_owner_sets_guards_and_only_operators_observe(system, accounts, stranger):
    federation = system.federation
    assert federation.guards() == Guards()
    with boa.reverts(NOT_OWNER):
        federation.set_guards(NO_GUARDS, sender=stranger)
    with boa.reverts("federation: caller is not an operator"):
        federation.observe(accounts, sender=stranger)
    with boa.reverts("federation: unknown client"):
        federation.observe([stranger])
    federation.set_guards(Guards(1, GUARD_OFF, 0))
    event = federation.contract.get_logs()[-1]
    assert (event.max_deviation_bps, event.max_spend_bps, event.max_lp_growth_bps) == (1, GUARD_OFF, 0)
    assert federation.guards() == Guards(1, GUARD_OFF, 0)


# size that issue 7 measured (before) or the attacker's best of the sizes tried in chapter 6 (after)
ATTACKS = [
    ("inject front-run", lambda s, c: inject_front_run(s, c), 1_000 * WAD, 10 * WAD, 46.8, 0.93),
    ("inject front-run, 100k", lambda s, c: inject_front_run(s, c), 100_000 * WAD, 10 * WAD, 93.0, 0.93),
    ("just-in-time liquidity", lambda s, c: inject_jit_liquidity(s, c), 500 * WAD, 10 * WAD, 33.3, 1.0),
    ("buy-back sandwich", lambda s, c: buyback_sandwich(s, c), 100_000 * WAD, 10 * WAD, 94.0, 2.0),
]


@pytest.mark.parametrize(("attack", "size", "guards", "expected"),
                         [pytest.param(a, before, NO_GUARDS, take_before, id=f"{name}, no guards")
                          for name, a, before, _, take_before, _ in ATTACKS]
                         + [pytest.param(a, after, None, take_after, id=f"{name}, guards")
                            for name, a, _, after, _, take_after in ATTACKS])
def test_what_each_attack_takes(attack, size, guards, expected):
    twin, chain = (play(attack, size, guards, backend) for backend in ("model", "evm"))
    assert twin == chain
    assert twin == pytest.approx(expected, abs=0.05) if expected > 1 else twin < expected


def test_honest_rounds_pass_every_guard():
    """Rounds of every rule once the TWAP window has passed: nothing is skipped by default."""
    def script(stage):
        stage.wait(WAIT)
        return [stage.round(rule, 50 * WAD, 50).skipped for rule in RULES]

    twin, chain = both(script)
    assert twin == chain == [(0,)] * 4


def test_the_chapters_attack_table_is_confirmed_on_chain():
    """``guard_effect`` picks the attacker's best size on the twins; ``confirm_on_chain``
    replays it on the EVM and notices a take that differs."""
    effect = guard_effect(["inject front-run"])
    (before, size), (after, _) = effect["inject front-run"]
    assert before == pytest.approx(93.0, abs=0.05) and size == 100_000 * WAD and after < 1.0
    assert confirm_on_chain(effect)
    assert not confirm_on_chain({"inject front-run": ((before + 1, size), effect["inject front-run"][1])})


def test_nobody_can_drain_a_pool_below_its_locked_seed():
    """The drained-pool attack of issue 7 needed the client to hold the seed's LP shares; the
    federation holds them now. The client has none to withdraw, and a liquidity provider who
    withdraws everything it put in leaves the seed's reserves in the pool."""
    def script(stage):
        stage.wait(WAIT)
        assert stage.wealth(stage.client)[2] == 0
        seed = stage.backend.reserves(0)
        stage.give(ATTACKER, 5_000 * WAD, 0)
        shares = stage.add_liquidity(ATTACKER, stage.buy(ATTACKER, 2_000 * WAD), 3_000 * WAD)
        stage.remove_liquidity(ATTACKER, shares)
        return seed, stage.backend.reserves(0), stage.backend.lp_supply(0)

    (seed, reserves, lp), chain = both(script)
    assert chain == (seed, reserves, lp)
    assert lp == 1_000 * WAD  # the seed's shares (and MINIMUM_LIQUIDITY) are all that is left
    assert reserves[1] > seed[1] and reserves[0] * reserves[1] >= seed[0] * seed[1]


def test_the_client_holds_no_lp_shares_to_withdraw():
    stage = Stage(make_backend("model", STAGE_SYSTEM))
    with pytest.raises(Revert, match="erc20: burn amount exceeds balance"):
        stage.remove_liquidity(stage.client, MINIMUM_LIQUIDITY)
