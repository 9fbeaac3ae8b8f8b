"""The guards on spending the treasury into a pool: each hold-back, on the EVM and the twin
alike; what is held back stays owed and is paid later; bounds the owner cannot switch off;
and what each attack takes without guards and with them."""

from __future__ import annotations

import boa
import pytest

from cst_ref.backends import make_backend
from cst_ref.scenarios.attacks import (
    ATTACKER,
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
from cst_ref.twins import (
    LOOSEST,
    MAX_GUARD_BPS,
    MAX_SPEND_BPS,
    MIN_GUARD_BPS,
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

NOT_OWNER = "ownable: caller is not the owner"


def both(script):
    """Run ``script(stage)`` on a fresh one-client system on the twins and on the EVM."""
    return tuple(script(Stage(make_backend(backend, STAGE_SYSTEM))) for backend in ("twin", "evm"))


def test_each_guard_holds_its_client_back_alike_on_both_backends():
    def script(stage):
        stage.wait(WAIT)
        stage.give(stage.client, 500 * WAD, 0)
        records = {}  # the stages' addresses differ, so compare what each round paid
        stage.buy(stage.client, 30 * WAD)  # +6 % in the round's own block
        records["deviation"] = stage.round(RULE_INJECT, 10 * WAD, 50)
        stage.backend.observe(0)  # the operator accepts the moved price
        stage.wait(WAIT)
        records["spending"] = stage.round(RULE_BUYBACK_BURN, 200 * WAD, 50)  # 210 due > 10 % of the reserve
        stage.add_liquidity(stage.client, 20 * WAD, 30 * WAD)  # +2 % LP supply
        records["lp growth"] = stage.round(RULE_INJECT, 10 * WAD, 50)
        return ({k: (r.amounts, r.tokens_out, r.skipped, r.owed) for k, r in records.items()},
                stage.wealth(stage.client), stage.backend.owed(0))

    twin, chain = both(script)
    assert twin == chain
    records, _, owed = twin
    assert [r[2] for r in records.values()] == [(SKIP_DEVIATION,), (SKIP_RESERVE,), (SKIP_LP_GROWTH,)]
    spent = records["spending"][0][0]
    assert records["deviation"][3] == (10 * WAD,)  # the held-back part is owed ...
    assert 0 < spent < 210 * WAD and records["spending"][3] == (210 * WAD - spent,)  # ... and paid with the next
    assert owed == 210 * WAD - spent + 10 * WAD


def test_what_is_held_back_is_owed_and_paid_later(system, accounts, equal_shares):
    federation = system.federation
    system.base.mint(accounts[1], 100 * WAD, sender=system.owner)
    system.base.approve(federation.clients[1].pool.address, 100 * WAD, sender=accounts[1])
    federation.clients[1].pool.swap(system.base.address, 100 * WAD, 0, accounts[1], 2**64, sender=accounts[1])
    before = federation.contract.treasury()
    record = federation.distribute_inject(accounts, equal_shares, 30 * WAD)
    parts = [30 * WAD * share // 10**18 for share in equal_shares]
    assert record.skipped == (0, SKIP_DEVIATION, 0) and record.amounts == (parts[0], 0, parts[2])
    assert record.owed == (0, parts[1], 0) and federation.contract.total_owed() == parts[1]
    assert before - federation.contract.treasury() == parts[0] + parts[2]
    with boa.reverts("federation: budget exceeds treasury"):  # what is owed is not the budget's to spend
        federation.distribute_inject(accounts, equal_shares, federation.contract.treasury() - parts[1] + 1)
    federation.observe([accounts[1]])  # the operator accepts the new price
    record = federation.distribute_inject(accounts, equal_shares, 30 * WAD)
    assert record.skipped == (0, 0, 0) and record.owed == (0, 0, 0)
    assert record.amounts == (parts[0], 2 * parts[1], parts[2]) and federation.contract.total_owed() == 0


def test_a_deregistered_clients_debt_goes_back_to_the_treasury(system, accounts, equal_shares):
    federation = system.federation
    pool = federation.clients[0].pool
    system.base.mint(accounts[0], 100 * WAD, sender=system.owner)
    system.base.approve(pool.address, 100 * WAD, sender=accounts[0])
    pool.swap(system.base.address, 100 * WAD, 0, accounts[0], 2**64, sender=accounts[0])
    assert federation.distribute_inject(accounts, equal_shares, 30 * WAD).owed[0] > 0
    federation.deregister(accounts[0])
    assert federation.owed(accounts[0]) == 0 and federation.contract.total_owed() == 0


def test_a_spending_bound_scales_every_part_alike():
    """One shallow pool limits every client's part by the same factor: the largest part is
    never the one skipped while the small ones pass."""
    from cst_ref.twins import SystemConfig
    from cst_ref.twins.shares import to_shares
    backend = make_backend("twin", SystemConfig(n_clients=3))
    backend.advance(WAIT)
    shares = to_shares([6, 3, 1])
    record = backend.execute(backend.prepare(RULE_BUYBACK_BURN, shares, 1_000 * WAD, 50))[0]
    parts = [1_000 * WAD * s // 10**18 for s in shares]
    assert record.skipped == (SKIP_RESERVE,) * 3
    factors = [paid / part for paid, part in zip(record.amounts, parts)]
    assert max(factors) - min(factors) < 1e-9 and 0 < factors[0] < 1
    assert [owed + paid for owed, paid in zip(record.owed, record.amounts)] == parts


@pytest.mark.parametrize("field", range(4))
@pytest.mark.parametrize("value", ["low", "high"])
def test_guards_out_of_range_are_refused(system, field, value):
    highest = MAX_SPEND_BPS if field == 1 else MAX_GUARD_BPS
    bounds = list(Guards().__dict__.values())
    bounds[field] = MIN_GUARD_BPS - 1 if value == "low" else highest + 1
    with boa.reverts("federation: guard out of range"):
        system.federation.set_guards(Guards(*bounds))
    with pytest.raises(Revert, match="guard out of range"):
        Guards(*bounds).check()


def test_only_the_owner_sets_guards_and_only_operators_observe(system, accounts, stranger):
    federation = system.federation
    assert federation.guards() == Guards()
    with boa.reverts(NOT_OWNER):
        federation.set_guards(LOOSEST, sender=stranger)
    with boa.reverts("federation: caller is not an operator"):
        federation.observe(accounts, sender=stranger)
    with boa.reverts("federation: unknown client"):
        federation.observe([stranger])
    federation.set_guards(LOOSEST)
    event = federation.contract.get_logs()[-1]
    assert (event.max_deviation_bps, event.max_spend_bps, event.max_lp_growth_bps, event.max_drift_bps) == (
        MAX_GUARD_BPS, MAX_SPEND_BPS, MAX_GUARD_BPS, MAX_GUARD_BPS)
    assert federation.guards() == LOOSEST


# (attack, size without guards, its take there as the issues measured it, take with the guards at most)
ATTACKS = [
    ("inject front-run", inject_front_run, 1_000 * WAD, 46.8),
    ("inject front-run, 100k", inject_front_run, 100_000 * WAD, 93.0),
    ("just-in-time liquidity", inject_jit_liquidity, 500 * WAD, 33.3),
    ("buy-back sandwich", buyback_sandwich, 100_000 * WAD, 94.0),
]


@pytest.mark.parametrize(("attack", "size", "bare_take"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS])
def test_what_each_attack_takes(attack, size, bare_take):
    assert play(attack, size, bare=True) == pytest.approx(bare_take, abs=0.05)
    twin, chain = (play(attack, size, backend=backend) for backend in ("twin", "evm"))
    assert twin == chain and twin <= 0


def test_honest_rounds_pass_every_guard():
    """Rounds of every rule once the TWAP window has passed: nothing is held back by default."""
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
    assert not confirm_on_chain({"inject front-run": (effect["inject front-run"][0], (after + 1, _))})


def test_nobody_can_drain_a_pool_below_its_locked_seed():
    """The drained-pool attack needed the client to hold the seed's LP shares; the federation
    holds them. The client has none to withdraw, and a liquidity provider who withdraws
    everything it put in leaves the seed's reserves in the pool."""
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
    stage = Stage(make_backend("twin", STAGE_SYSTEM))
    with pytest.raises(Revert, match="erc20: burn amount exceeds balance"):
        stage.remove_liquidity(stage.client, MINIMUM_LIQUIDITY)
