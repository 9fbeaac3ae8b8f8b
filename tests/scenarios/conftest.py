"""Every market a test here runs must balance to the wei, and its exit must replay on its backend."""

from __future__ import annotations

import sys

import pytest

from cst_ref.amm import burn_amounts
from cst_ref.scenarios import market
from cst_ref.scenarios.exit import check_conserved, exiters
from cst_ref.scenarios.market import MarketResult


def replay_exit(result: MarketResult, k: int = 0) -> None:
    """Liquidate for real on the market's backend in exit order ``k``, and require the
    base of every account and pool that the exit table computed for that order."""
    backend, table = result.backend, result.exit_table
    accounts = exiters(result.agents, backend.accounts)
    for j in table.orders[k]:
        account = accounts[j].address
        for i in range(len(result.end.pools)):
            lp = backend.holdings(account).lp[i]
            if lp and all(burn_amounts(lp, *backend.reserves(i), backend.lp_supply(i))):
                backend.remove_liquidity(account, i, lp)
            cst = backend.holdings(account).cst[i]
            if cst and backend.quote(i, "cst", cst):
                backend.swap(account, i, "cst", cst)
    rows = {row.name: row.end[k] for row in table.accounts}
    assert {a.name: backend.holdings(a.address).base for a in accounts} == {a.name: rows[a.name] for a in accounts}
    assert [backend.reserves(i)[1] for i in range(len(result.end.pools))] == [
        rows[f"pool {i}"] for i in range(len(result.end.pools))]
    assert backend.treasury() == rows["treasury"]


def assert_balanced(result: MarketResult) -> None:
    assert result.conservation_wei == 0
    check_conserved(result.exit_table, result.start, result.end)
    replay_exit(result)


@pytest.fixture(autouse=True)
def every_market_balances(monkeypatch: pytest.MonkeyPatch):
    """Wraps ``run_market`` wherever it was imported (tests, ``safeguards``) and checks every
    market made once the test is done, so no test here can skip the check."""
    original, made = market.run_market, []

    def run_and_keep(*args, **kwargs) -> MarketResult:
        made.append(original(*args, **kwargs))
        return made[-1]

    for name, module in list(sys.modules.items()):
        if name.startswith(("cst_ref.", "tests.")) and getattr(module, "run_market", None) is original:
            monkeypatch.setattr(module, "run_market", run_and_keep)
    yield made
    for result in made:
        assert_balanced(result)
