"""Exit accounting: every order's table sums to exactly zero wei, and the old valuation did not."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cst_ref.backends.state import Holdings, PoolState, SystemState
from cst_ref.scenarios import BuyAndHold, ClientAgent, LiquidityProvider, SandwichAttacker, run_market
from cst_ref.scenarios.exit import EXIT_ORDERS, as_if_first_total, check_conserved, exit_table, exiters, liquidate
from cst_ref.scenarios.safeguards import sandwich_outcome
from cst_ref.twins import WAD

from .test_market import RULES, every_agent, scenario


@pytest.fixture(scope="module")
def mint_market():
    return run_market(scenario("mint", rounds=5), every_agent(), "twin", seed=1)


def test_every_account_is_in_the_table(mint_market):
    table = mint_market.exit_table
    assert len(table.orders) == EXIT_ORDERS and all(len(a.end) == EXIT_ORDERS for a in table.accounts)
    names = [a.name for a in table.accounts]
    assert names == [a.name for a in mint_market.agents] + ["client 3", "treasury"] + [f"pool {i}" for i in range(4)]
    kinds = dict(zip(names, (a.kind for a in table.accounts)))
    assert (kinds["client 0"], kinds["client 3"], kinds["holder"], kinds["lp"], kinds["arb"], kinds["sandwich"],
            kinds["treasury"], kinds["pool 0"]) == (
        "client", "client", "investor", "liquidity provider", "arbitrageur", "attacker", "treasury", "pool")
    assert mint_market.conservation_wei == 0 and sum(table.by_kind().values()) == pytest.approx(0, abs=1e-9)


def test_the_old_valuation_creates_money(mint_market):
    """Each account valued as if it alone sold first: the accounts' gains outrun every loss."""
    accounts = exiters(mint_market.agents, mint_market.backend.accounts)
    assert as_if_first_total(mint_market.start, mint_market.end, accounts) > 100 * WAD  # created out of nothing
    assert all(sum(a.profits[k] for a in mint_market.exit_table.accounts) == 0 for k in range(EXIT_ORDERS))


def test_the_order_matters_to_holders_of_one_token(mint_market):
    """Whoever exits after a pool's main liquidity provider sells into what is left of it."""
    holder = next(a for a in mint_market.exit_table.accounts if a.name == "holder")
    assert min(holder.profits) < max(holder.profits)


def test_same_seed_same_table_and_another_seed_other_orders():
    a, b, c = (run_market(scenario("buyback", rounds=2), every_agent(), "twin", seed=s, exit_orders=3)
               for s in (5, 5, 6))
    assert a.exit_table == b.exit_table and a.pnl_exit == b.pnl_exit
    assert a.exit_table.orders != c.exit_table.orders


def test_liquidity_held_outside_the_table_stays_in_the_pool():
    """LP shares of an account that does not exit keep their part of the pool (the
    federation's seed, the pool's ``MINIMUM_LIQUIDITY``); leaving out an account that was
    given capital is caught."""
    result = run_market(scenario("inject", n=2, rounds=2), [ClientAgent(0), LiquidityProvider("lp", 1, 40)], "twin")
    accounts = exiters(result.agents, result.backend.accounts)
    assert [a.name for a in accounts] == ["client 0", "lp", "client 1"]
    everyone = exit_table(result.start, result.end, accounts, [(0, 1, 2)])
    without_lp = exit_table(result.start, result.end, [accounts[0], accounts[2]], [(0, 1)])
    left = [[a.end[0] for a in table.accounts if a.kind == "pool"] for table in (everyone, without_lp)]
    assert left[0][0] == left[1][0] and 0 < left[0][1] < left[1][1]
    check_conserved(everyone, result.start, result.end)
    with pytest.raises(ValueError, match=r"were minted during the market but the accounts were given 0"):
        check_conserved(without_lp, result.start, result.end)


def test_revenue_paid_into_the_treasury_must_be_declared(every_market_balances):
    result = run_market(scenario("buyback", rounds=2), every_agent(), "twin", seed=3, exit_orders=2)
    every_market_balances.remove(result)  # its backend is changed after the market, and checked here
    result.backend.fund(7 * WAD)
    end = result.backend.state([a.account for a in result.agents])
    accounts = exiters(result.agents, result.backend.accounts)
    undeclared = exit_table(result.start, end, accounts, result.exit_table.orders)
    capital = sum(a.given for a in result.agents)
    with pytest.raises(ValueError, match=f"{capital + 7 * WAD} wei of base were minted .* given {capital} "):
        check_conserved(undeclared, result.start, end)
    declared = exit_table(result.start, end, accounts, result.exit_table.orders, revenue=7 * WAD)
    check_conserved(declared, result.start, end)
    assert {a.name: a.profits for a in declared.accounts} == {a.name: a.profits for a in result.exit_table.accounts}


def test_a_missing_holder_or_a_created_wei_is_refused(mint_market):
    table, start, end = mint_market.exit_table, mint_market.start, mint_market.end
    with pytest.raises(ValueError, match="5 wei sat with an account outside the table"):
        check_conserved(table, replace(start, base_supply=start.base_supply + 5),
                        replace(end, base_supply=end.base_supply + 5))
    rows = list(table.accounts)
    rows[0] = replace(rows[0], end=(rows[0].end[0] + 1,) + rows[0].end[1:])
    with pytest.raises(ValueError, match="exit order 0: the accounts' profits sum to 1 wei, not 0"):
        check_conserved(replace(table, accounts=tuple(rows)), start, end)


def test_bad_orders_and_names_are_refused(mint_market):
    start, end = mint_market.start, mint_market.end
    accounts = exiters(mint_market.agents, mint_market.backend.accounts)
    with pytest.raises(ValueError, match="order must be a permutation"):
        liquidate(end, [a.address for a in accounts], [0, 0])
    with pytest.raises(ValueError, match="at least one exit order"):
        exit_table(start, end, accounts, [])
    with pytest.raises(ValueError, match="its own name and address"):
        exit_table(start, end, [*accounts, replace(accounts[0], name="treasury")], [range(len(accounts) + 1)])
    with pytest.raises(ValueError, match="exit_orders must be positive"):
        run_market(scenario("mint"), [], exit_orders=0)


def test_the_checks_reach_every_market(every_market_balances):
    sandwich_outcome(tolerance_bps=100)
    assert len(every_market_balances) == 2  # the attacked buy-back and the one left alone


RANDOM_AGENTS = (lambda: ClientAgent(0, "sell_on_receipt"), lambda: ClientAgent(1, "sell_fraction", 0.5),
                 lambda: BuyAndHold("holder", 0, 20), lambda: BuyAndHold("other holder", 1, 200),
                 lambda: LiquidityProvider("lp", 0, 300), lambda: SandwichAttacker("sandwich", 500, guard_aware=False))


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=st.sampled_from(RULES), n=st.integers(2, 3), rounds=st.integers(1, 3),
       plan_seed=st.integers(0, 2**16), seed=st.integers(0, 2**16), orders=st.integers(1, 4),
       picks=st.lists(st.booleans(), min_size=len(RANDOM_AGENTS), max_size=len(RANDOM_AGENTS)))
def test_random_markets_balance_in_every_order(rule, n, rounds, plan_seed, seed, orders, picks):
    """(The autouse check also replays each example's first order on its backend.)"""
    agents = [make() for make, pick in zip(RANDOM_AGENTS, picks) if pick]
    result = run_market(scenario(rule, n=n, rounds=rounds, seed=plan_seed), agents, "twin", seed, orders)
    assert result.conservation_wei == 0 and len(result.exit_table.orders) == orders


amounts = st.integers(0, 10**24)


@st.composite
def states(draw):
    """Any pools and holders, the holders owning part of each pool's LP shares and CST."""
    n_pools, n_holders = draw(st.integers(1, 3)), draw(st.integers(1, 5))
    pools, cst, lp = [], [[0] * n_pools for _ in range(n_holders)], [[0] * n_pools for _ in range(n_holders)]
    for i in range(n_pools):
        supply = draw(st.integers(1_001, 10**24))
        pools.append(PoolState(draw(st.integers(1, 10**24)), draw(st.integers(1, 10**24)), supply, 0))
        for h in range(n_holders):
            lp[h][i] = draw(st.integers(0, (supply - 1_000) // n_holders))
            cst[h][i] = draw(amounts)
    holders = {f"0x{h:040x}": Holdings(draw(amounts), tuple(cst[h]), tuple(lp[h])) for h in range(n_holders)}
    return SystemState(0, 0, draw(st.integers(0, 100)), tuple(pools), holders)


@given(state=states(), data=st.data())
def test_liquidation_moves_base_and_never_creates_it(state, data):
    addresses = list(state.holdings)
    order = data.draw(st.permutations(range(len(addresses))))
    base, left = liquidate(state, addresses, order)
    before = sum(h.base for h in state.holdings.values()) + sum(p.reserve_base for p in state.pools)
    assert sum(base) + sum(left) == before
    assert all(b >= state.holdings[a].base for a, b in zip(addresses, base)) and all(x > 0 for x in left)
