"""Contracts against their twins: the check behind "bit for bit".

Two halves. The comparisons (``state_differences`` and its parts) read a deployed system
duck-typed (titanoboa contracts and a ``cst_ref.chain.FederationChain``) and list every
difference from its twin; tests run them after every step of a random walk and chapters once,
to show that the numbers computed in Python are the numbers the EVM produced. The runners
(``expect_same``, ``call_both``) drive a contract and its twin with the same call and require
the same result or the same revert reason; ``advance_together`` lets time pass on the chain's
clock and the twins' alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import boa
from boa.contracts.vyper.vyper_contract import VyperContract

from cst_ref.chain.deploy import DeployedMarket
from cst_ref.checks import check_int
from cst_ref.twins import MAX_UINT256, Clock, ClockLike, FederationTwin, Ledger, PoolTwin, Revert, client_symbol


def known_accounts(model: FederationTwin, extra: Sequence[str] = ()) -> list[str]:
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


def ledger_differences(
    label: str, token: Any, ledger: Ledger, accounts: Sequence[str], spenders: Iterable[tuple[str, str]] = ()
) -> list[str]:
    """Supply, the balances of ``accounts`` and allowances: every pair the twin holds one for,
    plus the ``spenders`` pairs (holder, spender) the contracts themselves approve."""
    found = _Differences()
    found.compare(f"{label} supply", token.totalSupply(), ledger.total_supply)
    for account in accounts:
        found.compare(f"{label} balance of {account}", token.balanceOf(account), ledger.balance_of(account))
    for holder, spender in dict.fromkeys([*ledger.allowances, *spenders]):
        found.compare(
            f"{label} allowance {holder} -> {spender}",
            token.allowance(holder, spender),
            ledger.allowance(holder, spender),
        )
    return found


def pool_differences(label: str, pool: Any, model: PoolTwin) -> list[str]:
    """Reserves, timestamp and both price accumulators of a pool."""
    found = _Differences()
    found.compare(f"{label} reserves", tuple(pool.get_reserves()), model.get_reserves())
    found.compare(f"{label} token accumulator", pool.price_token_cumulative_last(), model.price_token_cumulative_last)
    found.compare(f"{label} base accumulator", pool.price_base_cumulative_last(), model.price_base_cumulative_last)
    return found


def market_differences(pool: Any, token: Any, base: Any, model: PoolTwin, accounts: Sequence[str]) -> list[str]:
    """A pool and its two tokens against a ``PoolTwin``: pool state, then every ledger."""
    return [
        *pool_differences("pool", pool, model),
        *ledger_differences("CST", token, model.token, accounts),
        *ledger_differences("base", base, model.base, accounts),
        *ledger_differences("LP", pool, model.lp, accounts),
    ]


def state_differences(
    chain: Any, base: Any, model: FederationTwin, accounts: Sequence[str], clients: Iterable[int] | None = None
) -> list[str]:
    """Every observable difference between chain and twin; an empty list means identical.

    Compares the federation's counters, owner, pause flag, guards, total owed, the open paged round
    (rule, budget, base set aside, pages left, the unpaid pages' commitments), the operator role of
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
    found.compare(
        "open round",
        (contract.round_rule(), contract.round_budget(), contract.reserved(), contract.pages_left()),
        (model.round_rule, model.round_budget, model.reserved, model.pages_left),
    )
    for page, commitment in model.page_hashes.items():
        found.compare(f"page {page} commitment", bytes(contract.page_hashes(page)), commitment)
    for account in accounts:
        found.compare(f"operator {account}", contract.is_operator(account), account in model.operators)
    found += ledger_differences(
        "base", base, model.base, accounts, [(model.address, c.pool.address) for c in model.clients]
    )
    compared = range(len(model.clients)) if clients is None else sorted(set(clients))
    for i in compared:
        handle, twin = chain.clients[i], model.clients[i]
        found.compare(f"client {i} observation", chain.observation(handle.account), model.observations[twin.account])
        found.compare(f"client {i} vesting", chain.vesting(handle.account), model.vestings[twin.account])
        found.compare(f"client {i} vested", contract.vested(handle.account), model.vested(twin.account))
        found.compare(
            f"client {i} deregistered", contract.deregistered(handle.account), twin.account in model.deregistered
        )
        found.compare(f"client {i} owed", contract.owed(handle.account), model.owed.get(twin.account, 0))
        found += pool_differences(f"pool {i}", handle.pool, twin.pool)
        found += ledger_differences(
            client_symbol(i), handle.token, twin.token, accounts, [(model.address, twin.pool.address)]
        )
        found += ledger_differences(f"LP{i}", handle.pool, twin.pool.lp, accounts)
    return found


def fresh_ledger(token: VyperContract) -> Ledger:
    """Twin of a snekmate token that nobody has minted or moved yet."""
    if token.totalSupply() != 0:
        raise ValueError(f"{token.symbol()} already has supply; its holders cannot be read back")
    return Ledger(token.name(), token.symbol(), owner=token.owner(), address=token.address, decimals=token.decimals())


def fresh_pool_twin(market: DeployedMarket, clock: ClockLike | None = None) -> PoolTwin:
    """Twin of a market whose tokens and pool are still untouched, reading the time from
    ``clock``: by default a twin ``Clock`` of its own, set to the chain's block time now
    (``advance_together`` moves it with the chain's)."""
    if market.pool.totalSupply() != 0:
        raise ValueError("the pool already has liquidity")
    return PoolTwin(
        fresh_ledger(market.token),
        fresh_ledger(market.base),
        market.pool.address,
        market.pool.FEE_BPS(),
        clock=Clock(boa.env.timestamp) if clock is None else clock,
    )


def advance_together(seconds: int, *clocks: ClockLike) -> None:
    """Let ``seconds`` pass on every clock given, e.g. a ``ChainClock`` and the twins'
    ``Clock``, so that the chain and its twins keep reading the same block time."""
    seconds = check_int("seconds", seconds, positive=True)
    for clock in clocks:
        clock.advance(seconds)


def fund_accounts(
    market: DeployedMarket, accounts: Sequence[str], amount: int, *, sender: str, twin: PoolTwin | None = None
) -> None:
    """Mint ``amount`` of both tokens to each account and let the pool pull them without
    limit; on ``twin`` too when given, so both stay equal. ``sender`` is the tokens' minter."""
    ledgers = (None, None) if twin is None else (twin.token, twin.base)
    for account in accounts:
        for token, ledger in zip((market.token, market.base), ledgers):
            token.mint(account, amount, sender=sender)
            token.approve(market.pool.address, MAX_UINT256, sender=account)
            if ledger is not None:
                ledger.mint(account, amount, sender=str(sender))
                ledger.approve(market.pool.address, MAX_UINT256, sender=account)


def _plain(result: Any) -> Any:
    return tuple(result) if isinstance(result, (list, tuple)) else result


def expect_same(
    on_chain: Callable[[], Any],
    on_twin: Callable[[], Any],
    *,
    outcomes: Counter[str] | None = None,
    label: str = "call",
) -> Any:
    """Run the twin, then the contract: equal results, or both revert with the same reason.

    Returns the twin's result, or ``None`` when both reverted. ``outcomes`` counts
    ``"<label>: ok"`` and ``"<label>: <reason>"``, so a test can require that every
    action succeeded and every reason was reached.
    """
    try:
        expected = on_twin()
    except Revert as revert:
        with boa.reverts(*(() if revert.reason is None else (revert.reason,))):
            on_chain()
        if outcomes is not None:
            outcomes[f"{label}: {revert.reason}"] += 1
        return None
    assert _plain(on_chain()) == _plain(expected)
    if outcomes is not None:
        outcomes[f"{label}: ok"] += 1
    return expected


_CHAIN_NAMES = {"transfer_from": "transferFrom", "balance_of": "balanceOf", "total_supply": "totalSupply"}


def call_both(
    contract: VyperContract,
    twin: Any,
    method: str,
    sender: str,
    *args: Any,
    outcomes: Counter[str] | None = None,
    label: str | None = None,
) -> Any:
    """Call ``method`` on a contract and on its twin alike, through ``expect_same``.

    Both faces take the same call: the ABI function's arguments ``args``, in its order, and
    the caller as ``sender=``. Only the names differ: the twin's are snake_case
    (``transfer_from``) where the contract keeps the ABI's (``transferFrom``). ``label``
    defaults to ``method``.
    """
    chain_method = getattr(contract, _CHAIN_NAMES.get(method, method))
    twin_method = getattr(twin, method)
    return expect_same(
        lambda: chain_method(*args, sender=sender),
        lambda: twin_method(*args, sender=sender),
        outcomes=outcomes,
        label=label or method,
    )
