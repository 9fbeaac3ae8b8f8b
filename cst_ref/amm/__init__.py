"""Exact-integer constant-product maths and the TWAP oracle's fixed point, nothing else.

Numbers computed here equal the EVM's to the last wei; the twins in ``cst_ref.twins``
keep the contracts' state on top of them and ``cst_ref.chain`` runs the contracts.
"""

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
    price_impact,
    product_holds,
    quote,
    spot_price,
)
from .oracle import Q112, twap

__all__ = [
    "FEE_DENOMINATOR",
    "MINIMUM_LIQUIDITY",
    "Q112",
    "burn_amounts",
    "deposit_amounts",
    "first_mint_shares",
    "get_amount_in",
    "get_amount_out",
    "isqrt",
    "mint_shares",
    "price_impact",
    "product_holds",
    "quote",
    "spot_price",
    "twap",
]
