"""From scores to reward shares, and rewards as a percentage of an equal payout."""

from __future__ import annotations

import numpy as np


def reward_weights(scores: np.ndarray) -> np.ndarray:
    """The reward policy: non-negative weights proportional to what each client earns.

    Negative scores are clipped to zero (a client that hurt the model earns nothing, but is
    not charged). If no score is positive, everyone weighs 1: with nothing to tell clients
    apart, the equal split is the neutral choice. The round loop rounds these weights to the
    contract's integer shares exactly; :func:`shares_from_scores` normalises them.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or len(scores) == 0:
        raise ValueError("scores must be a non-empty vector")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite (got NaN or inf)")
    clipped = np.clip(scores, 0.0, None)
    return clipped if clipped.max() > 0 else np.ones(len(scores))


def shares_from_scores(scores: np.ndarray) -> np.ndarray:
    """Shares s_i ≥ 0 with Σ s_i = 1 under the :func:`reward_weights` policy."""
    weights = reward_weights(scores)
    scaled = weights / weights.max()  # weights near the float maximum would overflow their sum
    return scaled / scaled.sum()


def percent_of_equal(shares: np.ndarray) -> np.ndarray:
    """100·n·s_i: 100 means client i gets exactly what an equal split would pay it."""
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 1 or len(shares) == 0:
        raise ValueError("shares must be a non-empty vector")
    if not np.all(np.isfinite(shares)):
        raise ValueError("shares must be finite (got NaN or inf)")
    return 100.0 * len(shares) * shares
