"""The round loop: the same run on the twins and on the EVM, conservation, a treasury running dry."""

from __future__ import annotations

import dataclasses

import pytest

from cst_ref.protocol.budget import BudgetSchedule
from cst_ref.protocol.round_loop import Payout, pay, run_federation
from cst_ref.protocol.round_shares import round_shares
from cst_ref.twins import RULE_KEYS, SHARE_SCALE, WAD, SystemConfig

SYSTEM = SystemConfig(n_clients=3, treasury=10_000 * WAD)


def _run(federation, backend, **payout):
    model, clients, validation, fedavg = federation
    return run_federation(model, clients, validation, fedavg, Payout(system=SYSTEM, **payout), backend, seed=0)


@pytest.fixture(scope="module")
def both(small_federation):
    return {backend: _run(small_federation, backend, method="mr_shapley") for backend in ("twin", "evm")}


def test_model_and_evm_end_identical(both):
    model, evm = both["twin"], both["evm"]
    for rule in RULE_KEYS:
        assert model.backends[rule].accounts == evm.backends[rule].accounts
        assert model.initial[rule] == evm.initial[rule], rule
        assert model.backends[rule].state() == evm.backends[rule].state(), rule
    for on_model, on_evm in zip(model.rounds, evm.rounds, strict=True):
        assert on_model.shares == on_evm.shares and on_model.scores == on_evm.scores
        for rule in RULE_KEYS:
            a, b = on_model.payments[rule], on_evm.payments[rule]
            assert a.record == b.record, (on_model.round, rule)
            assert (a.requested, a.paid, a.note) == (b.requested, b.paid, b.note)
            assert a.gas is None and b.gas > 0


def test_every_round_pays_its_shares_and_the_events_say_so(both):
    run = both["twin"]
    for number, result in enumerate(run.rounds, start=1):
        assert sum(result.shares) == SHARE_SCALE
        for rule, payment in result.payments.items():
            assert payment.record.round_number == number and payment.paid == 100 * WAD
            assert payment.record.rule == RULE_KEYS[rule]
            if rule != "mint":  # each client's part of the budget, rounded down, as the contract splits it
                assert list(payment.record.amounts) == [100 * WAD * s // SHARE_SCALE for s in result.shares]


def test_conservation_of_base_cst_and_lp_over_a_run(both):
    for rule, backend in both["twin"].backends.items():
        state = backend.state()
        held = state.holdings.values()
        assert sum(h.base for h in held) == state.base_supply == SYSTEM.treasury, rule
        assert state.treasury == state.holdings[backend.twin.address].base
        for i, pool in enumerate(state.pools):
            assert sum(h.cst[i] for h in held) == pool.cst_supply, (rule, i)
            assert sum(h.lp[i] for h in held) == pool.lp_supply, (rule, i)
            assert state.holdings[backend.twin.clients[i].pool.address].base == pool.reserve_base


def test_treasury_runs_dry_without_a_revert(small_federation):
    seeds = 3 * SYSTEM.seed_base
    system = dataclasses.replace(SYSTEM, treasury=seeds + 150 * WAD)
    model, clients, validation, fedavg = small_federation
    run = run_federation(model, clients, validation, dataclasses.replace(fedavg, rounds=3),
                         Payout(method="data_size", rules=("buyback", "mint"), system=system), "twin")
    notes = [(r.payments["buyback"].paid, r.payments["buyback"].note) for r in run.rounds]
    assert notes == [(100 * WAD, ""), (50 * WAD, "treasury short"), (0, "treasury empty")]
    assert run.rounds[2].payments["buyback"].record is None
    assert [r.payments["mint"].paid for r in run.rounds] == [100 * WAD] * 3  # minting spends no treasury
    assert run.backends["buyback"].treasury() < 3  # the rounding dust of the split is all that is left


def test_settlement_at_the_end_pays_the_summed_budget_once(small_federation):
    run = _run(small_federation, "twin", method="or_shapley", timing="end", rules=("inject",),
               budget=BudgetSchedule("geometric", 100 * WAD, decay=0.5))
    assert all(not r.payments for r in run.rounds)
    settlement = run.settlement
    assert settlement.budget == 150 * WAD and settlement.payments["inject"].paid == 150 * WAD
    assert settlement.payments["inject"].record.round_number == 1
    assert settlement.shares == tuple(round_shares(settlement.scores))


def test_revenue_flows_into_the_treasury_before_it_is_paid(small_federation):
    run = _run(small_federation, "twin", method="equal", rules=("inject",),
               budget=BudgetSchedule("revenue", 40 * WAD, share=0.25))
    backend = run.backends["inject"]
    assert backend.state().base_supply == SYSTEM.treasury + 2 * 40 * WAD
    assert backend.treasury() == run.initial["inject"].treasury + 2 * (40 - 10) * WAD


def test_pay_refuses_nothing_and_reports_an_empty_treasury():
    from cst_ref.backends import make_backend

    backend = make_backend("twin", SystemConfig(n_clients=2, treasury=2_000 * WAD))
    assert backend.treasury() == 0
    payment = pay(backend, "inject", round_shares([1, 1]), 5 * WAD)
    assert (payment.paid, payment.note, payment.record) == (0, "treasury empty", None)


@pytest.mark.parametrize("bad, message", [
    ({"method": "or_shapley"}, "needs timing 'end'"),
    ({"timing": "later"}, "timing must be one of"),
    ({"rules": ("mint", "mint")}, "rules must be distinct"),
    ({"rules": ("airdrop",)}, "rules must be distinct names"),
    ({"method": "magic"}, "unknown valuation method"),
    ({"round_seconds": 0}, "round_seconds must be positive"),
])
def test_bad_payouts_are_refused_by_name(bad, message):
    with pytest.raises(ValueError, match=message):
        Payout(**bad)


def test_a_system_for_other_clients_is_refused(small_federation):
    model, clients, validation, fedavg = small_federation
    with pytest.raises(ValueError, match="registers 4 clients but 3 train"):
        run_federation(model, clients, validation, fedavg, Payout(system=SystemConfig(n_clients=4)), "twin")
    with pytest.raises(ValueError, match="backend must be one of"):
        run_federation(model, clients, validation, fedavg, Payout(system=SYSTEM), "ganache")


def test_a_short_treasury_never_spends_what_it_owes():
    """A pumped pool's part is held back and owed; the next budget may spend only the treasury
    beyond it (the contract would revert "budget exceeds treasury" otherwise)."""
    from cst_ref.backends import labelled_address, make_backend
    from cst_ref.protocol.round_loop import free_treasury

    backend = make_backend("twin", SystemConfig(n_clients=2, treasury=2_060 * WAD))
    trader = labelled_address("pumper")
    backend.mint_base(trader, 100 * WAD)
    backend.swap(trader, 0, "base", 50 * WAD)  # client 0's price far above its anchor
    backend.advance(3600)
    halves = (SHARE_SCALE // 2, SHARE_SCALE // 2)
    first = pay(backend, "buyback", halves, 50 * WAD)
    assert first.record.skipped[0] != 0 and backend.owed(0) == 25 * WAD
    assert backend.treasury() == 35 * WAD and free_treasury(backend) == 10 * WAD
    second = pay(backend, "buyback", halves, 50 * WAD)
    assert (second.paid, second.note) == (10 * WAD, "treasury short")
