"""The book's line-up of valuation methods on one recorded history, by display name.

Chapters, the CLI and the protocol compare the same named methods; keeping the line-up
here means a method's options are set in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.valuation.multi_round import ValuationResult, gtg_shapley, one_round, per_round
from cst_ref.valuation.single_round import data_size, equal


def _baseline(values: np.ndarray) -> ValuationResult:
    return ValuationResult(values, values[None, :], 0)


Method = Callable[..., ValuationResult]

#: name → method(history, validation, seed, **utility); sampling methods use the seed, and
#: reconstruction methods take ``metric`` and ``weights`` (how coalitions are scored,
#: :class:`~cst_ref.valuation.coalitions.CoalitionEvaluator`); the baselines ignore them.
METHODS: dict[str, Method] = {
    "equal": lambda h, v, s, **u: _baseline(equal(h.n_clients)),
    "data size": lambda h, v, s, **u: _baseline(data_size(h.n_clients, sizes=h.sample_counts)),
    "OR leave-one-out": lambda h, v, s, **u: one_round(h, v, "leave_one_out", **u),
    "OR Shapley": lambda h, v, s, **u: one_round(h, v, "exact_shapley", **u),
    "MR leave-one-out": lambda h, v, s, **u: per_round(h, v, "leave_one_out", **u),
    "MR Shapley": lambda h, v, s, **u: per_round(h, v, "exact_shapley", **u),
    "λ-MR Shapley (λ=0.8)": lambda h, v, s, **u: per_round(h, v, "exact_shapley", discount=0.8, **u),
    "MR Banzhaf": lambda h, v, s, **u: per_round(h, v, "banzhaf", **u),
    "MR Monte Carlo (20 perms)": lambda h, v, s, **u: per_round(h, v, "monte_carlo_shapley", permutations=20, seed=s,
                                                                **u),
    "MR TMC (20 perms)": lambda h, v, s, **u: per_round(h, v, "tmc_shapley", permutations=20, seed=s, **u),
    "GTG-Shapley": lambda h, v, s, **u: gtg_shapley(h, v, seed=s, **u),
}


def run_methods(
    history: History, validation: Dataset, names: Iterable[str] | None = None, seed: int = 0,
    **utility: str,
) -> dict[str, ValuationResult]:
    """Run the named methods (all of :data:`METHODS` by default) on one history; ``utility``:
    ``metric`` and ``weights`` for the reconstruction methods."""
    names = list(METHODS) if names is None else list(names)
    unknown = [name for name in names if name not in METHODS]
    if unknown:
        raise ValueError(f"unknown valuation methods {unknown}; expected names from {list(METHODS)}")
    return {name: METHODS[name](history, validation, seed, **utility) for name in names}
