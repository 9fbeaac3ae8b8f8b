"""The contracts' constants, stated once for the twins, the chain wrappers and the book.

``cst_ref.chain`` reads them from here (never the reverse), and a test checks each
against the value the deployed contract reports.
"""

from __future__ import annotations

from cst_ref.amm.math import FEE_DENOMINATOR, MINIMUM_LIQUIDITY

WAD = 10**18
"""One whole token (18 decimals) and the fixed-point scale of reward shares."""

SHARE_SCALE = WAD
"""A round's integer shares sum to exactly this (``federation.vy``'s ``SHARE_SCALE``)."""

MAX_CLIENTS = 64
"""The federation's bound on registered clients (and so on a round's list)."""

RULE_MINT = 1
RULE_BUYBACK_TO_CLIENT = 2
RULE_BUYBACK_BURN = 3
RULE_INJECT = 4
RULES = {
    RULE_MINT: "mint",
    RULE_BUYBACK_TO_CLIENT: "buy-back to client",
    RULE_BUYBACK_BURN: "buy-back and burn",
    RULE_INJECT: "inject",
}
"""The rule ids the federation logs, with the names the book uses for them."""

DEFAULT_FEE_BPS = 30
DEFAULT_BASE_NAME = "Base USD"
DEFAULT_BASE_SYMBOL = "BUSD"

FAR_DEADLINE = 2**64
"""A deadline no local run reaches, for calls whose deadline is not the point."""

__all__ = [
    "DEFAULT_BASE_NAME",
    "DEFAULT_BASE_SYMBOL",
    "DEFAULT_FEE_BPS",
    "FAR_DEADLINE",
    "FEE_DENOMINATOR",
    "MAX_CLIENTS",
    "MINIMUM_LIQUIDITY",
    "RULES",
    "RULE_BUYBACK_BURN",
    "RULE_BUYBACK_TO_CLIENT",
    "RULE_INJECT",
    "RULE_MINT",
    "SHARE_SCALE",
    "WAD",
]
