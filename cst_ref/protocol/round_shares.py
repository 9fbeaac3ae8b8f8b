"""A round's valuation scores become the integer shares the federation takes, here and only here.

Policy for negative scores (``cst_ref.valuation.reward_weights``): a client whose score
is negative earns nothing and is not charged; if no score is positive everyone gets an
equal share. The weights are then normalised and rounded by largest remainder in exact
rationals (``cst_ref.twins.to_shares``), so they sum to exactly ``SHARE_SCALE`` and no
client is off by more than one unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cst_ref.twins import to_shares
from cst_ref.valuation.rewards import reward_weights


def round_shares(scores: Sequence[float] | np.ndarray) -> list[int]:
    """Integer shares summing to 10^18 from one round's scores (negative scores earn nothing)."""
    return to_shares([float(w) for w in reward_weights(np.asarray(scores, dtype=float))])
