"""The book's line-up of valuation methods on one recorded history: an id, a label, a function.

Chapters, the CLI and the protocol compare the same methods; keeping the line-up here means a
method's options are set in one place. Configs, reports and calls name a method by its ``id``
(``mr_loo``); its ``label`` (``MR leave-one-out``) is what tables and figures print. A label
where an id belongs is refused with the id to write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from cst_ref.data import Dataset
from cst_ref.fl import History
from cst_ref.valuation.multi_round import ValuationResult, gtg_shapley, one_round, per_round
from cst_ref.valuation.single_round import data_size, equal

T = TypeVar("T")


def _baseline(values: np.ndarray) -> ValuationResult:
    return ValuationResult(values, values[None, :], 0)


@dataclass(frozen=True)
class ValuationMethod:
    """One method of the line-up: ``run(history, validation, seed, **utility)``. Sampling methods use
    the seed; reconstruction methods take ``metric`` and ``weights`` (how coalitions are scored,
    :class:`~cst_ref.valuation.coalitions.CoalitionEvaluator`); the baselines ignore them."""

    id: str
    label: str
    run: Callable[..., ValuationResult]
    end_only: bool = False
    """Values the whole training at once (one-round reconstruction): it cannot pay round by round."""
    exact: bool = False
    """Enumerates all 2^n coalitions of a round: affordable only for small n."""


LINEUP = (
    ValuationMethod("equal", "equal", lambda h, v, s, **u: _baseline(equal(h.n_clients))),
    ValuationMethod(
        "data_size", "data size", lambda h, v, s, **u: _baseline(data_size(h.n_clients, sizes=h.sample_counts))
    ),
    ValuationMethod(
        "or_loo", "OR leave-one-out", lambda h, v, s, **u: one_round(h, v, "leave_one_out", **u), end_only=True
    ),
    ValuationMethod(
        "or_shapley",
        "OR Shapley",
        lambda h, v, s, **u: one_round(h, v, "exact_shapley", **u),
        end_only=True,
        exact=True,
    ),
    ValuationMethod("mr_loo", "MR leave-one-out", lambda h, v, s, **u: per_round(h, v, "leave_one_out", **u)),
    ValuationMethod("mr_shapley", "MR Shapley", lambda h, v, s, **u: per_round(h, v, "exact_shapley", **u), exact=True),
    ValuationMethod(
        "lambda_mr_shapley",
        "λ-MR Shapley (λ=0.8)",
        lambda h, v, s, **u: per_round(h, v, "exact_shapley", discount=0.8, **u),
        exact=True,
    ),
    ValuationMethod("mr_banzhaf", "MR Banzhaf", lambda h, v, s, **u: per_round(h, v, "banzhaf", **u), exact=True),
    ValuationMethod(
        "mr_monte_carlo",
        "MR Monte Carlo (20 perms)",
        lambda h, v, s, **u: per_round(h, v, "monte_carlo_shapley", permutations=20, seed=s, **u),
    ),
    ValuationMethod(
        "mr_tmc", "MR TMC (20 perms)", lambda h, v, s, **u: per_round(h, v, "tmc_shapley", permutations=20, seed=s, **u)
    ),
    ValuationMethod("gtg_shapley", "GTG-Shapley", lambda h, v, s, **u: gtg_shapley(h, v, seed=s, **u)),
)

METHODS: dict[str, ValuationMethod] = {method.id: method for method in LINEUP}
"""The line-up by id."""
LABELS: dict[str, str] = {method.id: method.label for method in LINEUP}
"""Method id → the label tables and figures print."""
_BY_LABEL = {method.label: method.id for method in LINEUP}


def method_id(name: str) -> str:
    """``name`` if it is a method's id; a ``ValueError`` that says which id to write otherwise."""
    if name in METHODS:
        return name
    if name in _BY_LABEL:
        raise ValueError(f"{name!r} is a method's label; name it by its id {_BY_LABEL[name]!r}")
    raise ValueError(f"unknown valuation method {name!r}; expected one of {list(METHODS)}")


def labelled(by_id: Mapping[str, T]) -> dict[str, T]:
    """``by_id`` keyed by the methods' labels instead, for a table or a figure."""
    return {LABELS[method_id(name)]: value for name, value in by_id.items()}


def run_methods(
    history: History,
    validation: Dataset,
    ids: Iterable[str] | None = None,
    seed: int = 0,
    **utility: str,
) -> dict[str, ValuationResult]:
    """Run the methods ``ids`` (all of :data:`METHODS` by default) on one history, keyed by id;
    ``utility``: ``metric`` and ``weights`` for the reconstruction methods."""
    ids = list(METHODS) if ids is None else [method_id(name) for name in ids]
    return {name: METHODS[name].run(history, validation, seed, **utility) for name in ids}
