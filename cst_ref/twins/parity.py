"""Compare deployed contracts with their twins: the check behind "bit for bit".

The chain side is duck-typed (titanoboa contracts and a ``cst_ref.chain.FederationChain``),
so this module needs no titanoboa.

Tests run it after every step of a random walk; chapters run it once to show that the
numbers they computed in Python are the numbers the EVM produced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .federation import FederationModel
from .ledger import Ledger
from .pool import PoolModel


def known_accounts(model: FederationModel, extra: Sequence[str] = ()) -> list[str]:
    """Every account the federation itself knows of (owner, federation, clients, pools) plus
    ``extra``, each once (the owner may be one of the ``extra`` accounts)."""
    accounts = [model.owner, model.address]
    for client in model.clients:
        accounts += [client.account, client.pool.address]
    return list(dict.fromkeys([*accounts, *(str(a) for a in extra)]))


class _Differences(list):
    def compare(self, label: str, on_chain: object, on_twin: object) -> None:
        if on_chain != on_twin:
            self.append(f"{label}: chain {on_chain} != twin {on_twin}")


def ledger_differences(label: str, token: Any, ledger: Ledger, accounts: Sequence[str],
                       spenders: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Supply, the balances of ``accounts`` and allowances: every pair the twin holds one for,
    plus the ``spenders`` pairs (holder, spender) the contracts themselves approve."""
    found = _Differences()
    found.compare(f"{label} supply", token.totalSupply(), ledger.total_supply)
    for account in accounts:
        found.compare(f"{label} balance of {account}", token.balanceOf(account), ledger.balance_of(account))
    for holder, spender in dict.fromkeys([*ledger.allowances, *spenders]):
        found.compare(f"{label} allowance {holder} -> {spender}", token.allowance(holder, spender),
                      ledger.allowance(holder, spender))
    return found


def pool_differences(label: str, pool: Any, model: PoolModel) -> list[str]:
    """Reserves, timestamp and both price accumulators of a pool."""
    found = _Differences()
    found.compare(f"{label} reserves", tuple(pool.get_reserves()), model.get_reserves())
    found.compare(f"{label} token accumulator", pool.price_token_cumulative_last(),
                  model.price_token_cumulative_last)
    found.compare(f"{label} base accumulator", pool.price_base_cumulative_last(), model.price_base_cumulative_last)
    return found


def market_differences(pool: Any, token: Any, base: Any, model: PoolModel, accounts: Sequence[str]) -> list[str]:
    """A pool and its two tokens against a ``PoolModel``: pool state, then every ledger."""
    return [*pool_differences("pool", pool, model),
            *ledger_differences("CST", token, model.token, accounts),
            *ledger_differences("base", base, model.base, accounts),
            *ledger_differences("LP", pool, model.lp, accounts)]


def state_differences(chain: Any, base: Any, model: FederationModel,
                      accounts: Sequence[str], clients: Iterable[int] | None = None) -> list[str]:
    """Every observable difference between chain and twin; an empty list means identical.

    Compares the federation's counters, owner, pause flag, guards, total owed, the operator role of
    ``accounts``, each client's observation, what it is owed, vesting escrow (and the vested amount the
    contract computes from it) and deregistration, every token's supply, the balances of
    ``accounts`` and the allowances (base token, each CST, each pool's LP shares), and
    each pool's reserves, timestamp and price accumulators. ``clients`` (positions in
    registration order) limits the per-client part to those clients, for a caller that
    knows which ones an action can have touched; ``None`` compares all of them.
    """
    found = _Differences()
    contract = chain.contract
    found.compare("client count", contract.client_count(), model.client_count())
    found.compare("round count", contract.round_count(), model.round_count)
    found.compare("paused", contract.paused(), model.paused)
    found.compare("owner", str(contract.owner()), model.owner)
    found.compare("guards", chain.guards(), model.guards)
    found.compare("total owed", contract.total_owed(), model.total_owed)
    for account in accounts:
        found.compare(f"operator {account}", contract.is_operator(account), account in model.operators)
    found += ledger_differences("base", base, model.base, accounts,
                                [(model.address, c.pool.address) for c in model.clients])
    compared = range(len(model.clients)) if clients is None else sorted(set(clients))
    for i in compared:
        handle, twin = chain.clients[i], model.clients[i]
        found.compare(f"client {i} observation", chain.observation(handle.account), model.observations[twin.account])
        found.compare(f"client {i} vesting", chain.vesting(handle.account), model.vestings[twin.account])
        found.compare(f"client {i} vested", contract.vested(handle.account), model.vested(twin.account))
        found.compare(f"client {i} deregistered", contract.deregistered(handle.account),
                      twin.account in model.deregistered)
        found.compare(f"client {i} owed", contract.owed(handle.account), model.owed.get(twin.account, 0))
        found += pool_differences(f"pool {i}", handle.pool, twin.pool)
        found += ledger_differences(f"CST{i}", handle.token, twin.token, accounts, [(model.address, twin.pool.address)])
        found += ledger_differences(f"LP{i}", handle.pool, twin.pool.lp, accounts)
    return found
