"""Contribution valuation: single-round estimators, multi-round methods, shares.

Single-round estimators share one interface, ``f(n_players, utility, **options)`` with
``utility(coalition: frozenset[int]) -> float``, returning one value per player.
Multi-round methods work on a :class:`cst_ref.fl.History` and reconstruct coalition models
from the recorded updates.
"""

from cst_ref.valuation.batch import METRICS, WEIGHTS, check_metric, check_weights
from cst_ref.valuation.coalitions import CoalitionEvaluator
from cst_ref.valuation.methods import LABELS, LINEUP, METHODS, ValuationMethod, labelled, method_id, run_methods
from cst_ref.valuation.multi_round import (
    MULTI_ROUND,
    ValuationResult,
    gtg_shapley,
    one_round,
    per_round,
    round_utility,
    value_history,
)
from cst_ref.valuation.retrain import retrain_utility
from cst_ref.valuation.rewards import percent_of_equal, shares_from_scores
from cst_ref.valuation.single_round import (
    ESTIMATORS,
    banzhaf,
    data_size,
    equal,
    estimate,
    exact_shapley,
    leave_one_out,
    monte_carlo_shapley,
    tmc_shapley,
)
from cst_ref.valuation.utility import CachedUtility, NonFiniteUtility

__all__ = [
    "ESTIMATORS",
    "LABELS",
    "LINEUP",
    "METHODS",
    "METRICS",
    "MULTI_ROUND",
    "WEIGHTS",
    "CachedUtility",
    "CoalitionEvaluator",
    "NonFiniteUtility",
    "ValuationMethod",
    "ValuationResult",
    "banzhaf",
    "check_metric",
    "check_weights",
    "data_size",
    "equal",
    "estimate",
    "exact_shapley",
    "gtg_shapley",
    "labelled",
    "leave_one_out",
    "method_id",
    "monte_carlo_shapley",
    "one_round",
    "per_round",
    "percent_of_equal",
    "retrain_utility",
    "round_utility",
    "run_methods",
    "shares_from_scores",
    "tmc_shapley",
    "value_history",
]
