"""Exact-integer AMM maths and pure-Python twins of the token and pool contracts.

Numbers computed here equal the EVM's to the last wei; ``cst_ref.chain`` runs
the contracts themselves.
"""

from .ledger import ZERO_ADDRESS, Ledger
from .math import (
    FEE_DENOMINATOR,
    MINIMUM_LIQUIDITY,
    burn_amounts,
    deposit_amounts,
    first_mint_shares,
    get_amount_in,
    get_amount_out,
    isqrt,
    mint_shares,
    quote,
    spot_price,
)
from .oracle import Q112, twap
from .pool import PoolModel
from .revert import MAX_UINT256, Revert, atomic

__all__ = [
    "FEE_DENOMINATOR",
    "MAX_UINT256",
    "MINIMUM_LIQUIDITY",
    "Q112",
    "ZERO_ADDRESS",
    "Ledger",
    "PoolModel",
    "Revert",
    "atomic",
    "burn_amounts",
    "deposit_amounts",
    "first_mint_shares",
    "get_amount_in",
    "get_amount_out",
    "isqrt",
    "mint_shares",
    "quote",
    "spot_price",
    "twap",
]
