"""Does the payout follow contribution? Measured on federations whose quality is built in.

A config whose clients are honest, flip a known fraction of their labels, or free-ride has
a known order of merit: :func:`constructed_quality`. Trained over many seeds, each valuation
method and settlement gives each client a fraction of the run's reward budget, computed by
the same round-payment step ``cst-ref run`` uses (per-round scores, then
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

from cst_ref.fl import run_fedavg
from cst_ref.protocol.settlement import SETTLEMENTS, Settlement
from cst_ref.protocol.valuer import END_ONLY, round_scores, total_scores

from .config import ExperimentConfig
from .setup import build_federation


def constructed_quality(config: ExperimentConfig) -> np.ndarray:
    """Each client's merit by construction: 1 honest, 1 − fraction for a label flipper, 0 for a
    free rider, 1 / (1 + σ) for noisy features. Only its order is used (Spearman)."""
    quality = np.ones(config.data.n_clients)
    for spec in config.behaviours:
        quality[spec.client] = {"honest": 1.0, "label_flip": 1.0 - spec.fraction, "free_rider": 0.0,
                                "noisy": 1.0 / (1.0 + spec.sigma)}[spec.kind]
    return quality


def free_riders(config: ExperimentConfig) -> list[int]:
    return sorted(b.client for b in config.behaviours if b.kind == "free_rider")


def fully_flipped(config: ExperimentConfig) -> list[int]:
    return sorted(b.client for b in config.behaviours if b.kind == "label_flip" and b.fraction == 1.0)


@dataclass(frozen=True)
class PayoutQuality:
    """One method, utility metric and settlement over several seeds: ``fractions`` (seeds × clients) of
    the run's reward budget each client was allocated."""

    method: str
    metric: str
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
        return np.array([spearmanr(row, self.quality).statistic if np.ptp(row) > 0 else np.nan
                         for row in self.fractions])


def payout_fractions(scores: Sequence[np.ndarray], budgets: Sequence[int], settlement: str) -> np.ndarray:
    """Settle each round's ``scores`` with its budget; each client's allocation as a fraction of
    the total budget. One row of scores with several budgets: settled once with their sum."""
    ledger = Settlement(settlement, len(scores[0]))
    if len(scores) == 1:
        ledger.settle(scores[0], sum(budgets))
    else:
        for row, budget in zip(scores, budgets, strict=True):
            ledger.settle(row, budget)
    return np.array(ledger.paid, dtype=float) / sum(budgets)


def measure(config: ExperimentConfig, seeds: Iterable[int], methods: Sequence[str],
            settlements: Sequence[str] = SETTLEMENTS, metrics: Sequence[str] | None = None,
            progress: bool = False) -> list[PayoutQuality]:
    """Train ``config`` once per seed and settle every method's scores under every settlement and
    utility metric (default: the config's); an end-only method is settled once at the end, under
    the settlement name ``end``."""
    metrics = [config.valuation.metric] if metrics is None else list(metrics)
    seeds = list(seeds)
    rows: dict[tuple[str, str, str], list[np.ndarray]] = {}
    for seed in tqdm(seeds, desc="seeds", disable=not progress):
        federation = build_federation(config, seed)
        history = run_fedavg(federation.model, federation.clients, federation.validation, federation.fedavg)
        budgets = [federation.payout.budget.at(t).budget for t in range(history.rounds)]
        for method, metric in itertools.product(methods, metrics):
            if method in END_ONLY:
                scores = [total_scores(method, history, federation.validation, seed, metric)]
                rows.setdefault((method, metric, "end"), []).append(payout_fractions(scores, budgets, "cumulative"))
                continue
            scores = [round_scores(method, history, t, federation.validation, seed, metric)
                      for t in range(history.rounds)]
            for settlement in settlements:
                rows.setdefault((method, metric, settlement), []).append(payout_fractions(scores, budgets, settlement))
    quality = constructed_quality(config)
    return [PayoutQuality(method, metric, settlement, np.array(fractions), quality, tuple(free_riders(config)),
                          tuple(fully_flipped(config)))
            for (method, metric, settlement), fractions in rows.items()]
