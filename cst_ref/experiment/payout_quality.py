"""Does the payout follow contribution? Measured on federations whose quality is built in.

A config whose clients are honest, flip a known fraction of their labels, or free-ride has
a known order of merit: :func:`constructed_quality`. Trained over many seeds, each valuation
method, utility and settlement gives each client a fraction of the run's reward budget,
computed by the same steps ``cst-ref run`` takes (per-round scores, then
:class:`~cst_ref.protocol.settlement.Settlement`). :func:`measure` reports, per seed, what the
free riders and the fully flipped clients were paid and how well payouts rank like quality.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr
from tqdm.auto import tqdm

from cst_ref.fl import one_thread, run_fedavg
from cst_ref.protocol.settlement import SETTLEMENTS, Settlement
from cst_ref.protocol.valuer import END_ONLY, round_scores, total_scores

from .build import build_federation
from .config import ExperimentConfig
from .quality import constructed_quality


@dataclass(frozen=True)
class PayoutQuality:
    """One method, utility and settlement over several seeds: ``fractions`` (seeds × clients)
    of the run's reward budget each client was allocated."""

    method: str
    utility: tuple[str, str]
    """(metric, weights) the coalitions were scored with."""
    settlement: str
    fractions: np.ndarray
    quality: np.ndarray
    free_riders: tuple[int, ...]
    flipped: tuple[int, ...]

    @property
    def free_rider_share(self) -> np.ndarray:
        """Per seed: what all free riders together were allocated (fraction of the budget)."""
        return self.fractions[:, list(self.free_riders)].sum(1)

    @property
    def flipped_share(self) -> np.ndarray:
        """Per seed: the most any fully flipped client was allocated."""
        return self.fractions[:, list(self.flipped)].max(1) if self.flipped else np.zeros(len(self.fractions))

    @property
    def spearman(self) -> np.ndarray:
        """Per seed: rank correlation of what clients were allocated with their quality (NaN when
        every client got the same, which ranks nothing)."""
        return np.array(
            [spearmanr(row, self.quality).statistic if np.ptp(row) > 0 else np.nan for row in self.fractions]
        )


def payout_fractions(scores: Sequence[np.ndarray], budgets: Sequence[int], settlement: str) -> np.ndarray:
    """Settle each round's ``scores`` with its budget; each client's allocation as a fraction of
    the total budget. One row of scores with several budgets: settled once with their sum."""
    ledger = Settlement(settlement, len(scores[0]))
    if len(scores) == 1:
        ledger.settle(scores[0], sum(budgets))
    else:
        for row, budget in zip(scores, budgets, strict=True):
            ledger.settle(row, budget)
    total = sum(budgets)
    return np.array([paid / total for paid in ledger.paid])  # int / int: exact to the last float bit


def measure(
    config: ExperimentConfig,
    seeds: Iterable[int],
    methods: Sequence[str],
    settlements: Sequence[str] = SETTLEMENTS,
    utilities: Sequence[tuple[str, str]] | None = None,
    progress: bool = False,
) -> list[PayoutQuality]:
    """Train ``config`` once per seed and settle every method's scores under every settlement and
    utility (``(metric, weights)`` pairs; default: the config's); an end-only method is settled
    once at the end, under the settlement name ``end``."""
    seeds = list(seeds)
    utilities = [(config.valuation.metric, config.valuation.weights)] if utilities is None else list(utilities)
    rows: dict[tuple[str, tuple[str, str], str], list[np.ndarray]] = {}
    for seed in tqdm(seeds, desc="seeds", disable=not progress):
        with one_thread():  # as cst-ref run trains: the same seed gives the same floats
            federation = build_federation(config, seed)
            history = run_fedavg(federation.model, federation.clients, federation.validation, federation.fedavg)
        budgets = [federation.payout.budget.at(t).budget for t in range(history.rounds)]
        for method, (metric, weights) in itertools.product(methods, utilities):
            utility = {"metric": metric, "weights": weights}
            if method in END_ONLY:
                scores = [total_scores(method, history, federation.validation, seed, **utility)]
                rows.setdefault((method, (metric, weights), "end"), []).append(
                    payout_fractions(scores, budgets, "cumulative")
                )
                continue
            scores = [
                round_scores(method, history, t, federation.validation, seed, **utility) for t in range(history.rounds)
            ]
            for settlement in settlements:
                rows.setdefault((method, (metric, weights), settlement), []).append(
                    payout_fractions(scores, budgets, settlement)
                )
    quality = constructed_quality(config)
    free_riders = tuple(sorted(b.client for b in config.behaviours if b.kind == "free_rider"))
    flipped = tuple(sorted(b.client for b in config.behaviours if b.kind == "label_flip" and b.fraction == 1.0))
    return [
        PayoutQuality(method, utility, settlement, np.array(fractions), quality, free_riders, flipped)
        for (method, utility, settlement), fractions in rows.items()
    ]
