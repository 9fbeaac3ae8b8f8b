"""Multi-round valuation on a recorded FedAvg history: OR, (λ-)MR and GTG-Shapley.

All three rebuild coalition models from the recorded updates instead of retraining
(Song et al. 2019; Liu et al. 2022), so the cost of a method is its number of model
evaluations, which every result reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real

import numpy as np
import torch

from cst_ref.checks import positive_int
from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.valuation.coalitions import CoalitionEvaluator
from cst_ref.valuation.sampling import cycle_shapley, regression_budget, regression_shapley
from cst_ref.valuation.single_round import MAX_EXACT_PLAYERS, estimate
from cst_ref.valuation.utility import CachedUtility


@dataclass(frozen=True)
class ValuationResult:
    """Scores per client, per-round scores (rounds × n; one row for OR), evaluation count."""

    values: np.ndarray
    per_round: np.ndarray
    evaluations: int


def round_utility(
    history: History,
    t: int,
    validation: Dataset,
    strategy: str = "auto",
    metric: str = "accuracy",
    weights: str = "coalition",
) -> CachedUtility:
    """Cached ``v_t(S)``: accuracy (or −loss) of θ_t + Σ_{i∈S} w_i^S Δ_i^t (v_t(N) is θ_{t+1});
    ``metric`` and ``weights`` as :class:`~cst_ref.valuation.coalitions.CoalitionEvaluator` takes them."""
    if not 0 <= t < history.rounds:
        raise ValueError(f"round {t} is outside 0..{history.rounds - 1}")
    evaluator = CoalitionEvaluator(
        history.model,
        history.global_params[t],
        history.updates[t],
        history.sample_counts,
        validation,
        strategy,
        metric=metric,
        weights=weights,
    )
    return CachedUtility(evaluator, history.n_clients)


#: The coalitions (bitmasks) each exact estimator reads: evaluated in one batch before it runs.
EXACT_COALITIONS = {
    "exact_shapley": lambda n: np.arange(2**n),
    "banzhaf": lambda n: np.arange(2**n),
    "leave_one_out": lambda n: (2**n - 1) ^ np.array([0] + [1 << i for i in range(n)]),
}


def _estimate(method: str, utility: CachedUtility, **options: object) -> np.ndarray:
    """:func:`estimate`, after evaluating an exact method's coalitions through the batch path."""
    if method in EXACT_COALITIONS and utility.n_players <= MAX_EXACT_PLAYERS:
        utility.values(EXACT_COALITIONS[method](utility.n_players))
    return estimate(method, utility.n_players, utility, **options)


def one_round(
    history: History,
    validation: Dataset,
    method: str = "exact_shapley",
    strategy: str = "auto",
    metric: str = "accuracy",
    weights: str = "coalition",
    **options: object,
) -> ValuationResult:
    """OR: value coalitions once, on models rebuilt from all rounds' updates.

    With constant sample counts the FedAvg weights of S do not change between rounds, so
    θ_S = θ_0 + Σ_i w_i^S Σ_t Δ_i^t: one evaluator over the summed updates.
    """
    totals = torch.stack(history.updates).sum(0)
    evaluator = CoalitionEvaluator(
        history.model,
        history.global_params[0],
        totals,
        history.sample_counts,
        validation,
        strategy,
        metric=metric,
        weights=weights,
    )
    utility = CachedUtility(evaluator, history.n_clients)
    values = _estimate(method, utility, **options)
    return ValuationResult(values, values[None, :], utility.evaluations)


def per_round(
    history: History,
    validation: Dataset,
    method: str = "exact_shapley",
    discount: float = 1.0,
    strategy: str = "auto",
    metric: str = "accuracy",
    weights: str = "coalition",
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
        utility = round_utility(history, t, validation, strategy, metric, weights)
        rows.append(_estimate(method, utility, **options))
        evaluations += utility.evaluations
    per = np.array(rows)
    return ValuationResult(discount ** np.arange(history.rounds) @ per, per, evaluations)


#: GTG-Shapley's defaults (see :func:`gtg_shapley`); chosen on ``benchmarks/valuation_gtg.py``.
ROUND_TOLERANCE = 0.0
TRUNCATION = 0.1
STANDARD_ERROR = 0.01
MIN_CYCLES = 2
#: Coalitions per middle size for ``sampler="regression"``: 18.3 % of exact MR's evaluations at n = 10.
PER_SIZE = 20
#: The per-round samplers :func:`gtg_shapley` offers.
SAMPLERS = ("auto", "cycles", "regression")
#: ``sampler="auto"`` takes the regression sampler up to this many clients ...
AUTO_MAX_PLAYERS = 20
#: ... when its fixed cost is at most this share of all 2^n coalitions (so from n = 10 on).
AUTO_MAX_SHARE = 0.25


def choose_sampler(n: int, per_size: int = PER_SIZE) -> str:
    """The sampler ``sampler="auto"`` uses for n clients.

    The regression sampler holds on its worst sampling seed where the cycles do not (digits
    benchmark, n = 10, 30 runs: worst Spearman ρ 0.964 against 0.794, at 18 % of exact MR's
    evaluations), but its cost is fixed and grows with n²: sizes 0, 1, 2, n − 1, n in full.
    Below 10 clients that is over a quarter of all coalitions (n = 8: 126 of 256), where
    exact MR costs little more. Above 20 there are no exact values to check it against (it was
    measured at n = 10 and 16), and the cycles' truncation makes them cheaper on rounds whose
    prefixes soon reach the full model (a Flower round at n = 25: 201 coalitions against the
    strata's 772). There, the cycles.
    """
    cheap = regression_budget(n, per_size) <= AUTO_MAX_SHARE * 2**n
    return "regression" if n <= AUTO_MAX_PLAYERS and cheap else "cycles"


def gtg_shapley(
    history: History,
    validation: Dataset,
    round_tolerance: float = ROUND_TOLERANCE,
    truncation: float = TRUNCATION,
    truncation_tolerance: float | None = None,
    standard_error: float = STANDARD_ERROR,
    min_cycles: int = MIN_CYCLES,
    max_cycles: int = 50,
    seed: int = 0,
    strategy: str = "auto",
    sampler: str = "auto",
    per_size: int = PER_SIZE,
    metric: str = "accuracy",
    weights: str = "coalition",
) -> ValuationResult:
    """GTG-Shapley (Liu et al. 2022): guided, truncated per-round Monte Carlo Shapley.

    Rules per round t (defaults in brackets):

    * **Round skipping**: the round scores all zero if its gain |v(N) − v(∅)| is below
      ``round_tolerance`` [0: off]. A round's net gain says little about its values: clients
      that pull in opposite directions can earn large values in a round that gains nothing
      (measured: skipping rounds below 0.005 alone caps Spearman ρ against exact MR at 0.952
      on one benchmark history, with exact values in every round kept).
    * **Guided, position-balanced sampling**: permutations come in cycles of n, a random Latin
      square in which every client takes every position once (so each leads once, as in
      Liu et al.'s guided sampling); see :mod:`cst_ref.valuation.sampling`. Measured at equal
      cost: 20 % less spread of the values than guided sampling, 55 % less than random orders.
    * **Within-round truncation**: stop a permutation once |v(N) − v(prefix)| is below
      ``truncation`` [0.1] × the round's gain; later players get marginal 0.
      ``truncation_tolerance``, if given, is an absolute bar (accuracy units) instead.
    * **Stopping**: after at least ``min_cycles`` [2] cycles, stop once the standard error of
      the round's estimate, root-mean-square over clients and measured across cycles, is at
      most ``standard_error`` [0.01, accuracy units]; never more than ``max_cycles`` [50].
    * ``sampler="regression"`` replaces the cycles (and so truncation and the stopping rule)
      by :func:`~cst_ref.valuation.sampling.regression_shapley`: coalition sizes 0, 1, 2,
      n − 1, n exact, ``per_size`` [20] coalitions drawn at every other size, a fitted
      surrogate (quadratic in the coalition's FedAvg weights) plus mean residuals per
      stratum. A fixed cost per round (n = 10: 187 of 1,024 coalitions); on the digits
      benchmark's 30 runs its rms error against exact MR is 62 % below the cycles' (0.011
      against 0.030) at less cost, and its worst run is far better
      (``benchmarks/valuation_gtg.py``).
      Round skipping still applies.
    * ``metric`` [``"accuracy"``]: what a coalition's model is scored by (``"loss"``: its
      negative validation cross-entropy; the bars above are then in loss units), and ``weights``
      [``"coalition"``] how members are weighted (:data:`~cst_ref.valuation.batch.WEIGHTS`).
    * ``sampler`` [``"auto"``]: the regression sampler for 10–20 clients, the cycles
      otherwise (:func:`choose_sampler` says why); ``"cycles"`` or ``"regression"`` force one.

    Coalition utilities are cached per round, so ``evaluations`` counts distinct coalitions
    evaluated, as it always has; the prefixes at one position of a cycle are valued in one
    batch, which changes the wall time, not which coalitions are valued.
    """
    n = history.n_clients
    positive_int("min_cycles", min_cycles)
    if positive_int("max_cycles", max_cycles) < min_cycles:
        raise ValueError(f"need min_cycles ≤ max_cycles, got {min_cycles}, {max_cycles}")
    positive_int("per_size", per_size)
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; expected one of {SAMPLERS}")
    bars = {"round_tolerance": round_tolerance, "truncation": truncation, "standard_error": standard_error}
    if truncation_tolerance is not None:
        bars["truncation_tolerance"] = truncation_tolerance
    for name, bar in bars.items():
        if not 0 <= bar < float("inf"):  # also rejects NaN, which would silently disable a rule
            raise ValueError(f"{name} must be finite and ≥ 0, got {bar}")
    if sampler == "auto":
        sampler = choose_sampler(n, per_size)
    rng = np.random.default_rng(seed)
    rows, evaluations = [], 0
    for t in range(history.rounds):
        utility = round_utility(history, t, validation, strategy, metric, weights)
        gain = abs(utility(range(n)) - utility(()))
        if gain < round_tolerance:
            rows.append(np.zeros(n))
        elif sampler == "regression":
            rows.append(regression_shapley(utility, rng, per_size, history.sample_counts))
        else:
            tolerance = truncation * gain if truncation_tolerance is None else truncation_tolerance
            rows.append(cycle_shapley(utility, rng, tolerance, standard_error, min_cycles, max_cycles)[0])
        evaluations += utility.evaluations
    per = np.array(rows)
    return ValuationResult(per.sum(0), per, evaluations)


MULTI_ROUND: dict[str, Callable[..., ValuationResult]] = {
    "one_round": one_round,
    "per_round": per_round,
    "gtg_shapley": gtg_shapley,
}


def value_history(method: str, history: History, validation: Dataset, **options: object) -> ValuationResult:
    """Run the multi-round method called ``method`` (``one_round``, ``per_round``, ``gtg_shapley``)."""
    if method not in MULTI_ROUND:
        raise ValueError(f"unknown multi-round method {method!r}; expected one of {sorted(MULTI_ROUND)}")
    return MULTI_ROUND[method](history, validation, **options)
