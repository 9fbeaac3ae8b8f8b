"""The WallStreetFeds round loop: train, value, pay through the tokens, record.

One FedAvg round → that round's scores under the payout method → integer shares → each
configured distribution rule with the round's budget, on its own deployed system → the
round's record. Every rule runs on a system of its own, fed the same history and the same
shares, so the rules are compared on exactly the same federation. With ``timing="end"``
the scores (and the summed budget) are settled once after the last round instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from torch import nn

from cst_ref.checks import check_int
from cst_ref.data import ClientData, Dataset
from cst_ref.fl import FedAvgConfig, History, fedavg_rounds
from cst_ref.twins import RULE_BUYBACK_BURN, RULE_BUYBACK_TO_CLIENT, RULE_INJECT, RULE_MINT, RoundRecord, SystemConfig

from .backends import Backend, distribute, make_backend
from .budget import BudgetSchedule, RoundBudget
from .shares import round_shares
from .state import SystemState
from .valuer import END_ONLY, check_method, round_scores, total_scores

RULE_KEYS = {
    "mint": RULE_MINT,
    "buyback": RULE_BUYBACK_TO_CLIENT,
    "buyback_burn": RULE_BUYBACK_BURN,
    "inject": RULE_INJECT,
}
"""The rules by the names configs and reports use."""

TIMINGS = ("round", "end")


@dataclass(frozen=True)
class Payout:
    """How rewards are paid: by which method's scores, when, under which rules, how much."""

    method: str = "MR Shapley"
    timing: str = "round"
    rules: tuple[str, ...] = tuple(RULE_KEYS)
    budget: BudgetSchedule = BudgetSchedule()
    system: SystemConfig = SystemConfig()
    round_seconds: int = 3600

    def __post_init__(self) -> None:
        check_method(self.method)
        if self.timing not in TIMINGS:
            raise ValueError(f"timing must be one of {TIMINGS}, got {self.timing!r}")
        if self.timing == "round" and self.method in END_ONLY:
            raise ValueError(f"{self.method!r} values the whole training at once: it needs timing 'end'")
        unknown = [r for r in self.rules if r not in RULE_KEYS]
        if unknown or not self.rules or len(set(self.rules)) != len(self.rules):
            raise ValueError(f"rules must be distinct names from {list(RULE_KEYS)}, got {list(self.rules)}")
        check_int("round_seconds", self.round_seconds, positive=True)


@dataclass(frozen=True)
class Payment:
    """One rule's distribution: the budget asked for, what the treasury allowed, the event."""

    rule: str
    requested: int
    paid: int
    record: RoundRecord | None
    gas: int | None
    note: str
    """Empty, ``treasury short`` (paid what was left) or ``treasury empty`` (nothing sent)."""


@dataclass(frozen=True)
class RoundResult:
    """A round (or the end-of-run settlement): model quality, money in, scores, payments."""

    round: int
    accuracy: float
    loss: float
    revenue: int
    budget: int
    scores: tuple[float, ...] | None
    shares: tuple[int, ...] | None
    payments: dict[str, Payment]
    left_out: tuple[int, ...] = ()
    """Clients that delivered no update this round (a deployment's failures): not valued, share 0."""


@dataclass
class FederationRun:
    """Everything a run produced: the training history, every round, and each rule's system."""

    history: History
    payout: Payout
    backends: dict[str, Backend]
    initial: dict[str, SystemState]
    rounds: list[RoundResult] = field(default_factory=list)
    settlement: RoundResult | None = None


def affordable(backend: Backend, rule_id: int, budget: int) -> tuple[int, str]:
    """What a round can pay of ``budget`` and why not all: the treasury caps every rule that
    spends it (mint does not), ``treasury short`` pays what is left, ``treasury empty`` nothing."""
    available = budget if rule_id == RULE_MINT else min(budget, backend.treasury())
    return available, "" if available == budget else "treasury short" if available else "treasury empty"


def pay(backend: Backend, rule: str, shares: Sequence[int], budget: int) -> Payment:
    """Distribute ``budget`` under ``rule`` as far as the treasury allows.

    An empty treasury sends nothing (the contract refuses a zero budget), so a round never
    reverts half-way.
    """
    available, note = affordable(backend, RULE_KEYS[rule], budget)
    if available == 0:
        return Payment(rule, budget, 0, None, None, note)
    record, gas = distribute(backend, RULE_KEYS[rule], shares, available)
    return Payment(rule, budget, available, record, gas, note)


def open_round(backends: dict[str, Backend], payout: Payout, t: int) -> RoundBudget:
    """Start round ``t`` on every rule's system: block time passes, the round's revenue arrives."""
    money = payout.budget.at(t)
    for b in backends.values():
        b.advance(payout.round_seconds)
        if money.revenue:
            b.fund(money.revenue)
    return money


def pay_rules(backends: dict[str, Backend], shares: Sequence[int], budget: int) -> dict[str, Payment]:
    """Pay the same ``shares`` of ``budget`` under every rule, each on its own system."""
    return {rule: pay(b, rule, shares, budget) for rule, b in backends.items()}


def run_federation(
    model: nn.Module,
    clients: Sequence[ClientData],
    validation: Dataset,
    fedavg: FedAvgConfig,
    payout: Payout,
    backend: str = "model",
    seed: int = 0,
) -> FederationRun:
    """Train ``clients`` for ``fedavg.rounds`` rounds and pay them under every rule of ``payout``."""
    if payout.system.n_clients != len(clients):
        raise ValueError(f"the system registers {payout.system.n_clients} clients but {len(clients)} train")
    check_int("seed", seed)
    backends = {rule: make_backend(backend, payout.system) for rule in payout.rules}
    run = FederationRun(None, payout, backends, {rule: b.state() for rule, b in backends.items()})  # type: ignore[arg-type]
    owed = 0
    for t, history in enumerate(fedavg_rounds(model, clients, validation, fedavg)):
        run.history = history
        money = open_round(backends, payout, t)
        metrics = history.metrics[-1]
        scores = shares = None
        payments: dict[str, Payment] = {}
        if payout.timing == "round":
            scores = tuple(float(s) for s in round_scores(payout.method, history, t, validation, seed))
            shares = tuple(round_shares(scores))
            payments = pay_rules(backends, shares, money.budget)
        else:
            owed += money.budget
        run.rounds.append(RoundResult(t + 1, metrics["accuracy"], metrics["loss"], money.revenue, money.budget,
                                      scores, shares, payments))
    if payout.timing == "end":
        scores = tuple(float(s) for s in total_scores(payout.method, run.history, validation, seed))
        shares = tuple(round_shares(scores))
        for b in backends.values():
            b.advance(payout.round_seconds)
        payments = pay_rules(backends, shares, owed)
        last = run.history.metrics[-1]
        run.settlement = RoundResult(len(run.rounds) + 1, last["accuracy"], last["loss"], 0, owed, scores, shares,
                                     payments)
    return run
