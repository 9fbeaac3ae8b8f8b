"""Multi-round valuation on a recorded FedAvg history: OR, (λ-)MR and GTG-Shapley.

All three rebuild coalition models from the recorded updates instead of retraining
(Song et al. 2019; Liu et al. 2022), so the cost of a method is its number of model
evaluations, which every result reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Real

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
    if not isinstance(discount, Real) or not 0 < discount <= 1:
        raise ValueError(f"round discount λ must lie in (0, 1], got {discount}")
    rows, evaluations = [], 0
    for t in range(history.rounds):
        utility = round_utility(history, t, validation, strategy)
        rows.append(estimate(method, history.n_clients, utility, **options))
        evaluations += utility.evaluations
    per = np.array(rows)
    return ValuationResult(discount ** np.arange(history.rounds) @ per, per, evaluations)


def _guided_permutations(n: int, rng: np.random.Generator, antithetic: bool = False) -> Iterator[np.ndarray]:
    """Permutation k starts with client k mod n; the rest is a random order.

    With ``antithetic`` every guided permutation is followed by its reverse (which then
    *ends* with that client), a classic variance-reduction pairing.
    """
    k = 0
    while True:
        first = k % n
        rest = rng.permutation(np.delete(np.arange(n), first))
        order = np.concatenate(([first], rest))
        yield order
        if antithetic:
            yield order[::-1].copy()
        k += 1


def gtg_shapley(
    history: History,
    validation: Dataset,
    round_tolerance: float = 0.005,
    truncation: float = 0.1,
    truncation_tolerance: float | None = None,
    convergence: float = 0.07,
    min_permutations: int | None = None,
    max_permutations: int = 500,
    window: int = 1,
    antithetic: bool = False,
    seed: int = 0,
    strategy: str = "auto",
) -> ValuationResult:
    """GTG-Shapley (Liu et al. 2022): guided, truncated per-round Monte Carlo Shapley.

    Rules per round t (defaults in brackets):

    * **Round skipping**: the round scores all zero if its gain |v(N) − v(∅)| is below
      ``round_tolerance`` [0.005, accuracy units]. The bar is absolute on purpose: a round's
      per-client values can be large even when its net gain is small (clients that pull in
      opposite directions), so skipping rounds whose gain is small *relative to the total*
      drops real signal (measured: worse rank agreement with exact MR).
    * **Guided sampling**: permutation k starts with client k mod n, the rest random; with
      ``antithetic`` [off] each permutation is followed by its reverse (measured: no gain here).
    * **Within-round truncation**: stop a permutation once |v(N) − v(prefix)| is below
      ``truncation`` [0.1] × the round's gain |v(N) − v(∅)|; later players get marginal 0.
      ``truncation_tolerance``, if given, is an absolute bar (accuracy units) instead.
    * **Convergence**: after at least ``min_permutations`` [n: every client leads once],
      stop once the relative L1 change of the estimate per permutation, averaged over the
      last ``window`` [1] permutations, is ≤ ``convergence`` [0.07]; never draw more than
      ``max_permutations`` [500].

    Coalition utilities are cached per round, so ``evaluations`` counts distinct coalitions
    actually evaluated. The defaults were chosen on the digits benchmark
    (``benchmarks/valuation_speed.py``): about 16 % of exact MR's evaluations for a mean
    Spearman ρ ≈ 0.96 against it.
    """
    n = history.n_clients
    if min_permutations is None:
        min_permutations = n
    if not 1 <= min_permutations <= max_permutations:
        raise ValueError(f"need 1 ≤ min_permutations ≤ max_permutations, got {min_permutations}, {max_permutations}")
    if window < 1:
        raise ValueError(f"convergence window must be at least 1 permutation, got {window}")
    bars = {"round_tolerance": round_tolerance, "truncation": truncation, "convergence": convergence}
    if truncation_tolerance is not None:
        bars["truncation_tolerance"] = truncation_tolerance
    for name, bar in bars.items():
        if not 0 <= bar < float("inf"):  # also rejects NaN, which would silently disable a rule
            raise ValueError(f"{name} must be finite and ≥ 0, got {bar}")
    rng = np.random.default_rng(seed)
    rows, evaluations = [], 0
    for t in range(history.rounds):
        utility = round_utility(history, t, validation, strategy)
        gain = abs(utility(range(n)) - utility(()))
        if gain < round_tolerance:
            rows.append(np.zeros(n))
        else:
            tolerance = truncation * gain if truncation_tolerance is None else truncation_tolerance
            values, _ = permutation_shapley(
                n,
                utility,
                _guided_permutations(n, rng, antithetic),
                max_permutations,
                tolerance=tolerance,
                min_permutations=min_permutations,
                convergence=convergence,
                window=window,
                step=2 if antithetic else 1,
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
