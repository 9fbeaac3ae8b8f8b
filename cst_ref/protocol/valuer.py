"""Contribution scores for the round loop: each round's as it happens, or once at the end.

Methods are the book's line-up, named by id (``cst_ref.valuation.METHODS``). A per-round method
values round t from that round's recorded updates alone, so it can pay round t before
round t+1 trains; one-round (OR) methods rebuild models from all rounds' updates and so
only exist at the end of training.
"""

from __future__ import annotations

import numpy as np

from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.valuation import METHODS, method_id

END_ONLY = frozenset(method.id for method in METHODS.values() if method.end_only)
"""Methods that value the whole training at once and so can pay only at the end."""


def round_view(history: History, t: int) -> History:
    """Round ``t`` of ``history`` as a one-round history starting from θ_t."""
    return History(
        history.model,
        history.global_params[t : t + 2],
        [history.updates[t]],
        history.sample_counts,
        history.metrics[t : t + 1],
    )


def round_seed(seed: int, t: int) -> int:
    """Round t's sampling seed: independent of every other round's, the same on every run."""
    return int(np.random.SeedSequence([seed, t]).generate_state(1)[0])


def round_scores(method: str, history: History, t: int, validation: Dataset, seed: int, **utility: str) -> np.ndarray:
    """Scores of round ``t`` alone under ``method`` (a per-round method); ``utility``: how
    coalitions are scored (``metric``, ``weights``; the valuation's defaults otherwise)."""
    if method_id(method) in END_ONLY:
        raise ValueError(f"{method!r} values the whole training at once; it has no per-round scores")
    return METHODS[method].run(round_view(history, t), validation, round_seed(seed, t), **utility).values


def total_scores(method: str, history: History, validation: Dataset, seed: int, **utility: str) -> np.ndarray:
    """Scores of the whole training under ``method`` (the allocation a report compares)."""
    return METHODS[method_id(method)].run(history, validation, seed, **utility).values
