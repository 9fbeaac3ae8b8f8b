"""Pure-Python twins of freshly deployed contracts, with the chain's addresses.

Driving a twin and its contracts with the same calls must leave them equal;
starting both from a just-deployed market makes that comparison possible.
"""

from __future__ import annotations

from boa.contracts.vyper.vyper_contract import VyperContract

from cst_ref.twins import Ledger, PoolModel

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
