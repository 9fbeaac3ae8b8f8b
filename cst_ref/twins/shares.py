"""Integer reward shares: the federation contract's unit of allocation.

The contract takes one integer share per client, scaled so that the shares sum to exactly
``SHARE_SCALE`` (1e18, the usual "wad" fixed point). Client *i* then receives
``budget * share_i // SHARE_SCALE``; the floor divisions leave a remainder of at most
n - 1 units, which stays in the treasury (or is never minted). This module converts
real-valued weights into such shares and splits budgets exactly as the contract does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from numbers import Integral, Real

from eth_abi import encode
from eth_utils import keccak

from cst_ref.checks import check_int, check_length

from .constants import SHARE_SCALE
from .inputs import check_address_list, check_uint256_list
from .revert import MAX_UINT256

MAX_BUDGET = MAX_UINT256 // SHARE_SCALE
"""The largest budget a round takes: ``budget * share`` then fits a uint256."""


def to_shares(weights: Sequence[float], scale: int = SHARE_SCALE) -> list[int]:
    """Round non-negative weights to integers summing exactly to ``scale``.

    Largest-remainder rounding in exact rational arithmetic: floor every scaled weight,
    then give the missing units to the largest fractional parts (ties to the lower index),
    so no client is off by more than one unit and the contract's sum check always passes.
    """
    if len(weights) == 0:
        raise ValueError("weights must not be empty")
    if any(isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(w) for w in weights):
        raise ValueError(f"weights must be finite real numbers, got {list(weights)!r}")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    check_int("scale", scale, positive=True)
    # a float's shortest repr is the decimal its author meant (0.3, not 0.29999999999999998...)
    exact_weights = [Fraction(int(w)) if isinstance(w, Integral) else Fraction(repr(float(w))) for w in weights]
    total = sum(exact_weights)
    if not total > 0:
        raise ValueError("weights must have a positive sum")
    exact = [w * scale / total for w in exact_weights]
    floors = [x.numerator // x.denominator for x in exact]
    missing = scale - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return floors


def equal_shares(n: int) -> list[int]:
    """Equal integer shares for ``n`` clients, rounded as :func:`to_shares` rounds."""
    return to_shares([1] * check_int("n", n, positive=True))


def split_budget(shares: Sequence[int], budget: int) -> list[int]:
    """Each client's part of ``budget``, rounded down exactly like the contract.

    Only shares the contract's round check passes: with any other sum the parts would not
    split the budget, and the chain reverts instead of paying them.
    """
    shares = check_uint256_list("shares", shares)
    if sum(shares) != SHARE_SCALE:
        raise ValueError(f"shares must sum to SHARE_SCALE = {SHARE_SCALE}, got {sum(shares)}")
    return page_parts(shares, budget)


def page_parts(shares: Sequence[int], budget: int) -> list[int]:
    """The contract's ``_split``: the parts of ``budget`` for some of a round's shares (a page),
    rounded down; :func:`split_budget` is the same over a whole round's."""
    check_int("budget", budget, maximum=MAX_BUDGET)  # the contract's "budget too large"
    return [budget * s // SHARE_SCALE for s in check_uint256_list("shares", shares)]


def scores_hash(clients: Sequence[str], shares: Sequence[int]) -> bytes:
    """The round's commitment to its score vector: keccak256(abi.encode(clients, shares)).

    Checked first: the ABI encoder's own error does not say which argument is wrong.
    """
    accounts = check_address_list("clients", clients)
    shares = check_uint256_list("shares", shares)
    check_length("shares", shares, len(accounts), "clients")
    return keccak(encode(["address[]", "uint256[]"], [accounts, shares]))
