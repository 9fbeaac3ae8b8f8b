"""Do investors in good clients earn more? The paper's title claim, measured.

A config whose clients' quality is built in (honest, label flippers, free riders:
:func:`~cst_ref.experiment.payout_quality.constructed_quality`) is trained once per training
seed and paid by its configured payout, by the same steps ``cst-ref run`` takes: a schedule of
rounds. Each schedule is then played as a market per rule and client policy, with one
buy-and-hold investor per client (the free riders and the bad clients included), bought in a
random order that each market seed draws anew. An investor's return is its profit at exit
from the conserved exit accounting (every account exits in turn, over seeded orders).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr
from tqdm.auto import tqdm

from cst_ref.checks import check_real
from cst_ref.fl import one_thread, run_fedavg
from cst_ref.protocol.settlement import Settlement
from cst_ref.protocol.valuer import END_ONLY, round_scores
from cst_ref.scenarios import BuyAndHold, ClientAgent, RoundPlan, Scenario, run_market
from cst_ref.twins import SHARE_SCALE, WAD, SystemConfig

from .build import build_federation
from .config import ExperimentConfig
from .quality import constructed_quality

POLICIES = ClientAgent.POLICIES


@dataclass(frozen=True)
class Schedule:
    """One training seed's payout: the rounds as the settlement paid them, and the system."""

    seed: int
    plans: tuple[RoundPlan, ...]
    system: SystemConfig

    def paid_equally(self) -> Schedule:
        """The same budgets with every client the same share: the baseline whose ranking of
        returns cannot come from the payout."""
        n = self.system.n_clients
        shares = tuple(SHARE_SCALE // n + (i < SHARE_SCALE % n) for i in range(n))
        return dataclasses.replace(self, plans=tuple(dataclasses.replace(p, shares=shares) for p in self.plans))

    @property
    def contribution(self) -> np.ndarray:
        """Each client's cumulative allocation over the run, in tokens (floats: for ranking)."""
        return np.array(
            [
                sum(plan.budget * plan.shares[i] // SHARE_SCALE for plan in self.plans) / WAD
                for i in range(self.system.n_clients)
            ]
        )


def schedules(config: ExperimentConfig, seeds: Iterable[int], progress: bool = False) -> list[Schedule]:
    """Train ``config`` once per seed and settle its payout method's per-round scores with its
    settlement and budget, as ``cst-ref run`` pays (a round that carries its budget over pays 0)."""
    method = config.payout.method
    if method in END_ONLY:
        raise ValueError(f"payout.method {method!r} pays once at the end; the markets need a payout every round")
    utility = {"metric": config.valuation.metric, "weights": config.valuation.weights}
    out = []
    for seed in tqdm(list(seeds), desc="training seeds", disable=not progress):
        with one_thread():  # as cst-ref run trains: the same seed gives the same floats
            federation = build_federation(config, seed)
            history = run_fedavg(federation.model, federation.clients, federation.validation, federation.fedavg)
        ledger = Settlement(config.payout.settlement, config.data.n_clients)
        plans = []
        for t in range(history.rounds):
            scores = round_scores(method, history, t, federation.validation, seed, **utility)
            money = federation.payout.budget.at(t)
            paid = ledger.settle(scores, money.budget)
            plans.append(RoundPlan(paid.shares or (0,) * config.data.n_clients, paid.budget, money.revenue))
        out.append(Schedule(seed, tuple(plans), federation.payout.system))
    return out


@dataclass(frozen=True)
class TitleClaim:
    """One rule and client policy over every schedule and market seed. Rows of ``returns``,
    ``growth`` and ``contribution`` are runs (training seed × market seed), columns clients."""

    rule: str
    policy: str
    quality: np.ndarray
    returns: np.ndarray
    """Each client's investor's profit at exit, % of its capital."""
    growth: np.ndarray
    """Each CST's last spot price over its first (before any round)."""
    contribution: np.ndarray
    """Each client's cumulative allocation (tokens) in the run's schedule."""

    @property
    def return_vs_quality(self) -> np.ndarray:
        """Per run: Spearman correlation of the investors' returns with their clients' quality (NaN
        when every investor earned the same)."""
        return np.array([spearmanr(row, self.quality).statistic if np.ptp(row) > 0 else np.nan for row in self.returns])

    @property
    def price_vs_contribution(self) -> np.ndarray:
        """Per run: Spearman correlation of each CST's price growth with its client's cumulative
        allocation (NaN when every client was allocated the same, or every price moved alike)."""
        return np.array(
            [
                spearmanr(g, c).statistic if np.ptp(c) > 0 and np.ptp(g) > 0 else np.nan
                for g, c in zip(self.growth, self.contribution)
            ]
        )

    @property
    def spread(self) -> np.ndarray:
        """Per run: mean return of the best clients' investors (highest quality) less that of the
        worst clients' (lowest quality), in percentage points."""
        best, worst = self.quality == self.quality.max(), self.quality == self.quality.min()
        return self.returns[:, best].mean(1) - self.returns[:, worst].mean(1)


def play(
    schedule: Schedule, rule: str, policy: str, market_seed: int, quality: Sequence[float] | np.ndarray, capital: float
) -> tuple[np.ndarray, np.ndarray]:
    """One market: each client's investor's return (%) and each CST's price growth."""
    n = schedule.system.n_clients
    investors = [
        BuyAndHold(f"investor {i}", int(i), capital) for i in np.random.default_rng(market_seed).permutation(n)
    ]  # who buys first is drawn
    agents = [ClientAgent(i, policy) for i in range(n)] + investors
    market = run_market(Scenario(rule, schedule.plans, schedule.system, tuple(quality)), agents, "twin", market_seed)
    pnl = market.pnl_exit
    returns = np.array([pnl[f"investor {i}"] / capital * 100 for i in range(n)])
    return returns, market.prices[-1] / market.prices[0]


def measure(
    config: ExperimentConfig,
    schedules_: Sequence[Schedule],
    market_seeds: Iterable[int],
    rules: Sequence[str],
    policies: Sequence[str] = POLICIES,
    capital: float = 50.0,
    progress: bool = False,
) -> list[TitleClaim]:
    """Every rule × client policy over every schedule and market seed."""
    check_real("capital", capital, positive=True)
    quality = constructed_quality(config)
    market_seeds = list(market_seeds)
    claims = []
    combos = list(itertools.product(rules, policies))
    for rule, policy in tqdm(combos, desc="rules × policies", disable=not progress):
        runs = [(play(s, rule, policy, m, quality, capital), s.contribution) for s in schedules_ for m in market_seeds]
        claims.append(
            TitleClaim(
                rule,
                policy,
                quality,
                np.array([r for (r, _), _ in runs]),
                np.array([g for (_, g), _ in runs]),
                np.array([c for _, c in runs]),
            )
        )
    return claims
