"""Run contracts and their pure-Python twins side by side.

Driving a twin and its contracts with the same calls must leave them equal. This module
starts twins from freshly deployed contracts, funds accounts on both at once, and runs
one call on both, requiring the same result or the same revert reason: the runner every
parity test, chapter and recipe uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import boa
from boa.contracts.vyper.vyper_contract import VyperContract

from cst_ref.twins import MAX_UINT256, Ledger, PoolModel, Revert

from .deploy import Market


def fresh_ledger(token: VyperContract) -> Ledger:
    """Twin of a snekmate token that nobody has minted or moved yet."""
    if token.totalSupply() != 0:
        raise ValueError(f"{token.symbol()} already has supply; its holders cannot be read back")
    return Ledger(token.name(), token.symbol(), owner=token.owner(), address=token.address,
                  decimals=token.decimals())


def fresh_pool_model(market: Market) -> PoolModel:
    """Twin of a market whose tokens and pool are still untouched."""
    if market.pool.totalSupply() != 0:
        raise ValueError("the pool already has liquidity")
    return PoolModel(fresh_ledger(market.token), fresh_ledger(market.base), market.pool.address,
                     market.pool.FEE_BPS())


def fund_accounts(market: Market, accounts: Sequence[str], amount: int, *, sender: str,
                  twin: PoolModel | None = None) -> None:
    """Mint ``amount`` of both tokens to each account and let the pool pull them without
    limit; on ``twin`` too when given, so both stay equal. ``sender`` is the tokens' minter."""
    for account in accounts:
        for token, ledger in ((market.token, twin and twin.token), (market.base, twin and twin.base)):
            token.mint(account, amount, sender=sender)
            token.approve(market.pool.address, MAX_UINT256, sender=account)
            if ledger is not None:
                ledger.mint(str(sender), account, amount)
                ledger.approve(account, market.pool.address, MAX_UINT256)


def _plain(result: Any) -> Any:
    return tuple(result) if isinstance(result, (list, tuple)) else result


def expect_same(on_chain: Callable[[], Any], on_twin: Callable[[], Any], *,
                outcomes: Counter[str] | None = None, label: str = "call") -> Any:
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


def call_both(contract: VyperContract, twin: Any, method: str, sender: str, *args: Any,
              outcomes: Counter[str] | None = None, label: str | None = None) -> Any:
    """Call ``method`` on a contract and on its twin alike, through ``expect_same``.

    The twin's methods take ``sender`` first and are snake_case (``transfer_from``); the
    contract's take ``sender=`` and keep the ABI's names (``transferFrom``). ``label``
    defaults to ``method``.
    """
    chain_method = getattr(contract, _CHAIN_NAMES.get(method, method))
    twin_method = getattr(twin, method)
    return expect_same(lambda: chain_method(*args, sender=sender), lambda: twin_method(sender, *args),
                       outcomes=outcomes, label=label or method)
