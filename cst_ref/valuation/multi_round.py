"""Multi-round valuation on a recorded FedAvg history: OR, (λ-)MR and GTG-Shapley.

All three rebuild coalition models from the recorded updates instead of retraining
(Song et al. 2019; Liu et al. 2022), so the cost of a method is its number of model
evaluations, which every result reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.valuation.coalitions import CoalitionEvaluator
from cst_ref.valuation.single_round import estimate, permutation_shapley
from cst_ref.valuation.utility import CachedUtility


@dataclass(frozen=True)
class ValuationResult:
    """Scores per client, per-round scores (rounds × n; one row for OR), evaluation count."""

    values: np.ndarray
    per_round: np.ndarray
    evaluations: int


def round_utility(history: History, t: int, validation: Dataset, strategy: str = "auto") -> CachedUtility:
    """Cached ``v_t(S)``: accuracy of θ_t + Σ_{i∈S} w_i^S Δ_i^t (v_t(N) is θ_{t+1})."""
    if not 0 <= t < history.rounds:
        raise ValueError(f"round {t} is outside 0..{history.rounds - 1}")
    evaluator = CoalitionEvaluator(
        history.model, history.global_params[t], history.updates[t], history.sample_counts, validation, strategy
    )
    return CachedUtility(evaluator, history.n_clients)


def one_round(
    history: History, validation: Dataset, method: str = "exact_shapley", strategy: str = "auto", **options: object
) -> ValuationResult:
    """OR: value coalitions once, on models rebuilt from all rounds' updates.

    With constant sample counts the FedAvg weights of S do not change between rounds, so
    θ_S = θ_0 + Σ_i w_i^S Σ_t Δ_i^t: one evaluator over the summed updates.
    """
    totals = torch.stack(history.updates).sum(0)
    evaluator = CoalitionEvaluator(
        history.model, history.global_params[0], totals, history.sample_counts, validation, strategy
    )
    utility = CachedUtility(evaluator, history.n_clients)
    values = estimate(method, history.n_clients, utility, **options)
    return ValuationResult(values, values[None, :], utility.evaluations)


def per_round(
    history: History,
    validation: Dataset,
    method: str = "exact_shapley",
    discount: float = 1.0,
    strategy: str = "auto",
    **options: object,
) -> ValuationResult:
    """MR: value each round's coalitions around θ_t, then sum with weights λ^t.

    ``discount`` λ ∈ (0, 1] is Song et al.'s λ-MR: λ < 1 weighs early rounds, where most of
    the learning happens, more than late ones; λ = 1 is plain MR.
    """
    if not 0 < discount <= 1:
        raise ValueError(f"round discount λ must lie in (0, 1], got {discount}")
    rows, evaluations = [], 0
    for t in range(history.rounds):
        utility = round_utility(history, t, validation, strategy)
        rows.append(estimate(method, history.n_clients, utility, **options))
        evaluations += utility.evaluations
    per = np.array(rows)
    return ValuationResult(discount ** np.arange(history.rounds) @ per, per, evaluations)


def _guided_permutations(n: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Permutation k starts with client k mod n; the rest is a random order."""
    k = 0
    while True:
        first = k % n
        rest = rng.permutation(np.delete(np.arange(n), first))
        yield np.concatenate(([first], rest))
        k += 1


def gtg_shapley(
    history: History,
    validation: Dataset,
    round_tolerance: float = 0.005,
    truncation_tolerance: float = 0.005,
    convergence: float = 0.05,
    max_permutations: int = 500,
    seed: int = 0,
    strategy: str = "auto",
) -> ValuationResult:
    """GTG-Shapley (Liu et al. 2022): guided, truncated per-round Monte Carlo Shapley.

    Per round: skip it (all zero) if |v(N) − v(∅)| < ``round_tolerance``; otherwise sample
    guided permutations, truncating each once |v(N) − v(prefix)| < ``truncation_tolerance``,
    for at least max(30, n) permutations and then until one more permutation moves the
    estimate by < ``convergence`` (relative L1), or ``max_permutations``. Tolerances are in
    utility units (accuracy).
    """
    n = history.n_clients
    rng = np.random.default_rng(seed)
    rows, evaluations = [], 0
    for t in range(history.rounds):
        utility = round_utility(history, t, validation, strategy)
        everyone = frozenset(range(n))
        if abs(utility(everyone) - utility(frozenset())) < round_tolerance:
            rows.append(np.zeros(n))
        else:
            values, _ = permutation_shapley(
                n,
                utility,
                _guided_permutations(n, rng),
                max_permutations,
                tolerance=truncation_tolerance,
                min_permutations=max(30, n),
                convergence=convergence,
            )
            rows.append(values)
        evaluations += utility.evaluations
    per = np.array(rows)
    return ValuationResult(per.sum(0), per, evaluations)


MULTI_ROUND = {"one_round": one_round, "per_round": per_round, "gtg_shapley": gtg_shapley}


def value_history(method: str, history: History, validation: Dataset, **options: object) -> ValuationResult:
    """Run the multi-round method called ``method`` (``one_round``, ``per_round``, ``gtg_shapley``)."""
    if method not in MULTI_ROUND:
        raise ValueError(f"unknown multi-round method {method!r}; expected one of {sorted(MULTI_ROUND)}")
    return MULTI_ROUND[method](history, validation, **options)
