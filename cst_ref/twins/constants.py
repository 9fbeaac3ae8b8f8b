"""The contracts' constants, stated once for the twins, the chain wrappers and the book.

``cst_ref.chain`` reads them from here (never the reverse), and a test checks each
against the value the deployed contract reports.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Self

from cst_ref.amm.math import FEE_DENOMINATOR, MINIMUM_LIQUIDITY

WAD = 10**18
"""One whole token (18 decimals) and the fixed-point scale of reward shares."""

SHARE_SCALE = WAD
"""A round's integer shares sum to exactly this (``federation.vy``'s ``SHARE_SCALE``)."""

MAX_CLIENTS = 1024
"""The federation's bound on registered clients (and so on a paged round's list)."""

MAX_PAGE = 64
"""The most clients one call pays: a one-call round, or one page of a paged round."""


class Rule(IntEnum):
    """A distribution rule: its id (what ``federation.vy`` takes and logs), its ``key`` (what
    configs and reports write) and its ``label`` (what the book and the figures print).

    Every other table of rules is derived from this one: no rule name is typed anywhere else.
    """

    key: str
    label: str

    def __new__(cls, value: int, key: str, label: str) -> Self:
        rule = int.__new__(cls, value)
        rule._value_ = value
        rule.key, rule.label = key, label
        return rule

    MINT = 1, "mint", "mint"
    BUYBACK_TO_CLIENT = 2, "buyback", "buy-back to client"
    BUYBACK_BURN = 3, "buyback_burn", "buy-back and burn"
    INJECT = 4, "inject", "inject"

    @classmethod
    def of(cls, key: str) -> Rule:
        """The rule a config or report names ``key``; a ``ValueError`` listing the keys otherwise."""
        for rule in cls:
            if rule.key == key:
                return rule
        raise ValueError(f"rule must be one of {[r.key for r in cls]}, got {key!r}")


RULE_MINT = Rule.MINT
RULE_BUYBACK_TO_CLIENT = Rule.BUYBACK_TO_CLIENT
RULE_BUYBACK_BURN = Rule.BUYBACK_BURN
RULE_INJECT = Rule.INJECT
RULES = {rule: rule.label for rule in Rule}
"""The rule ids the federation logs, with the labels the book prints (derived from :class:`Rule`)."""
RULE_KEYS = {rule.key: rule for rule in Rule}
"""The rules by the keys configs and reports use (derived from :class:`Rule`)."""

SKIP_DUST = 1
SKIP_MIN_OUT = 2
SKIP_RESERVE = 3
SKIP_DEVIATION = 4
SKIP_LP_GROWTH = 5
SKIP_DEREGISTERED = 6
SKIP_REASONS = {
    SKIP_DUST: "buys nothing",
    SKIP_MIN_OUT: "below min_out",
    SKIP_RESERVE: "scaled to the pools' spending bound",
    SKIP_DEVIATION: "spot price too far above the accepted price",
    SKIP_LP_GROWTH: "LP supply grew beyond the accepted one",
    SKIP_DEREGISTERED: "client deregistered",
}
"""Why a round did not pay a client's due in full (``RoundDistributed.skipped``; 0 = paid): the
rest stays owed to it, except a deregistered client's part, which goes back to the treasury."""

VESTING_ROUNDS = 20
"""Rounds over which a client's own supply vests, linearly (``federation.vy``'s ``VESTING_ROUNDS``).

Measured with ``benchmarks/rug_pull.py`` (``docs/decisions.md``): a client that sells all it
can after k buy-back rounds leaves the investor 83, 70, 59 and 43 % of its position at
k = 1, 2, 3, 5 (90, 81, 72, 58 % if the rounds burn what they buy), where the unlocked seed
of before left 0 %; a free rider deregistered after k rounds keeps k/20 of its supply, the
rest burnt. Ten rounds halve the protection; forty would hold a client's own tokens longer
than any run of the book."""

DEFAULT_MAX_DEVIATION_BPS = 200
DEFAULT_MAX_SPEND_BPS = 1_000
DEFAULT_MAX_LP_GROWTH_BPS = 100
DEFAULT_MAX_DRIFT_BPS = 200
"""The federation's guards at deployment: the spot at most 2 % above the accepted price, a part
at most 10 % of a base reserve, 1 % more LP shares, and the accepted price raised by at most
2 % a round."""

MIN_GUARD_BPS = 10
MAX_GUARD_BPS = 1_000
MAX_SPEND_BPS = 5_000
"""Every guard lies within [10, 1,000] bps (spending within [10, 5,000]): none can be switched off."""

DEFAULT_TOLERANCE_BPS = 50
"""The wrappers' buy-back bound: each ``min_out`` is its quote less 0.5 %."""

DEFAULT_FEE_BPS = 30
DEFAULT_BASE_NAME = "Base USD"
DEFAULT_BASE_SYMBOL = "BUSD"

FAR_DEADLINE = 2**64
"""A deadline no local run reaches, for calls whose deadline is not the point."""

__all__ = [
    "DEFAULT_BASE_NAME",
    "DEFAULT_BASE_SYMBOL",
    "DEFAULT_FEE_BPS",
    "DEFAULT_MAX_DEVIATION_BPS",
    "DEFAULT_MAX_DRIFT_BPS",
    "DEFAULT_MAX_LP_GROWTH_BPS",
    "DEFAULT_MAX_SPEND_BPS",
    "DEFAULT_TOLERANCE_BPS",
    "FAR_DEADLINE",
    "FEE_DENOMINATOR",
    "MAX_CLIENTS",
    "MAX_GUARD_BPS",
    "MAX_PAGE",
    "MAX_SPEND_BPS",
    "MINIMUM_LIQUIDITY",
    "MIN_GUARD_BPS",
    "RULES",
    "RULE_BUYBACK_BURN",
    "RULE_BUYBACK_TO_CLIENT",
    "RULE_INJECT",
    "RULE_KEYS",
    "RULE_MINT",
    "SHARE_SCALE",
    "SKIP_DEREGISTERED",
    "SKIP_DEVIATION",
    "SKIP_DUST",
    "SKIP_LP_GROWTH",
    "SKIP_MIN_OUT",
    "SKIP_REASONS",
    "SKIP_RESERVE",
    "VESTING_ROUNDS",
    "WAD",
    "Rule",
]
