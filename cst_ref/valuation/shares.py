"""From scores to reward shares, and rewards as a percentage of an equal payout."""

from __future__ import annotations

import numpy as np


def shares_from_scores(scores: np.ndarray) -> np.ndarray:
    """Shares s_i ≥ 0 with Σ s_i = 1.

    Policy for negative scores: clip them to zero (a client that hurt the model earns
    nothing, but is not charged), then normalise. If no score is positive, everyone gets
    1/n: with nothing to tell clients apart, the equal split is the neutral choice.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or len(scores) == 0:
        raise ValueError("scores must be a non-empty vector")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite (got NaN or inf)")
    clipped = np.clip(scores, 0.0, None)
    if clipped.sum() <= 0:
        return np.full(len(scores), 1.0 / len(scores))
    return clipped / clipped.sum()


def percent_of_equal(shares: np.ndarray) -> np.ndarray:
    """100·n·s_i: 100 means client i gets exactly what an equal split would pay it."""
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 1 or len(shares) == 0:
        raise ValueError("shares must be a non-empty vector")
    if not np.all(np.isfinite(shares)):
        raise ValueError("shares must be finite (got NaN or inf)")
    return 100.0 * len(shares) * shares
