"""Compare a deployed federation with its twin: the check behind "bit for bit".

The chain side is duck-typed (a ``cst_ref.chain.FederationChain``), so this module needs
no titanoboa.

Tests run it after every step of a random walk; chapters run it once to show that the
numbers they computed in Python are the numbers the EVM produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .federation import FederationModel


def known_accounts(model: FederationModel, extra: Sequence[str] = ()) -> list[str]:
    """Every account the federation itself knows of (owner, federation, clients, pools) plus ``extra``."""
    accounts = [model.owner, model.address]
    for client in model.clients:
        accounts += [client.account, client.pool.address]
    return accounts + [str(a) for a in extra]


def state_differences(chain: Any, base: Any, model: FederationModel,
                      accounts: Sequence[str]) -> list[str]:
    """Every observable difference between chain and twin; an empty list means identical.

    Compares the federation's counters, every token's supply and the balances of
    ``accounts`` (base token, each CST, each pool's LP shares), and each pool's reserves,
    timestamp and price accumulators.
    """
    found: list[str] = []

    def compare(label: str, on_chain: object, on_twin: object) -> None:
        if on_chain != on_twin:
            found.append(f"{label}: chain {on_chain} != twin {on_twin}")

    contract = chain.contract
    compare("client count", contract.client_count(), model.client_count())
    compare("round count", contract.round_count(), model.round_count)
    compare("paused", contract.paused(), model.paused)
    ledgers = [("base", base, model.base)]
    for i, (handle, twin) in enumerate(zip(chain.clients, model.clients)):
        ledgers += [(f"CST{i}", handle.token, twin.token), (f"LP{i}", handle.pool, twin.pool.lp)]
        compare(f"pool {i} reserves", handle.pool.get_reserves(), twin.pool.get_reserves())
        compare(f"pool {i} token accumulator", handle.pool.price_token_cumulative_last(),
                twin.pool.price_token_cumulative_last)
        compare(f"pool {i} base accumulator", handle.pool.price_base_cumulative_last(),
                twin.pool.price_base_cumulative_last)
    for label, token, ledger in ledgers:
        compare(f"{label} supply", token.totalSupply(), ledger.total_supply)
        for account in accounts:
            compare(f"{label} balance of {account}", token.balanceOf(account), ledger.balance_of(account))
    return found
