"""The WallStreetFeds round loop: train, value, pay through the tokens, record.

One FedAvg round → that round's scores under the payout method → the settlement
(:mod:`~cst_ref.protocol.settlement`) turns them into integer shares of what the round pays →
each configured distribution rule, on its own deployed system → the round's record. Every
rule runs on a system of its own, fed the same history and the same shares, so the rules are
compared on exactly the same federation. With ``timing="end"`` the scores of the whole
training (and the summed budget) are settled once after the last round instead.

:class:`RoundPayment` is the one round-payment step: ``cst-ref run`` (through
:func:`run_federation`) and the Flower strategy (``cst_ref.flower``) both pay through it, and
the market scenarios replay the shares and budgets it produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from torch import nn

from cst_ref.backends import Backend, distribute, make_backend
from cst_ref.backends.state import SystemState
from cst_ref.checks import check_int
from cst_ref.data import ClientData, Dataset
from cst_ref.fl import FedAvgConfig, History, fedavg_rounds
from cst_ref.twins import RULE_KEYS, RULE_MINT, RoundRecord, SystemConfig
from cst_ref.valuation import check_metric, check_weights, method_id

from .budget import BudgetSchedule, RoundBudget
from .settlement import Allocation, Settlement, check_settlement
from .valuer import END_ONLY, round_scores, total_scores

if TYPE_CHECKING:  # titanoboa loads only when the rpc backend is asked for
    from cst_ref.backends.rpc import Connection

TIMINGS = ("round", "end")


@dataclass(frozen=True)
class Payout:
    """How rewards are paid: by which method's scores, when, under which rules, how much."""

    method: str = "mr_shapley"
    timing: str = "round"
    settlement: str = "cumulative"
    metric: str = "loss"
    """What coalitions' models are scored by when valuing (``cst_ref.valuation.METRICS``) ..."""
    weights: str = "federation"
    """... and how their members are weighted (``cst_ref.valuation.WEIGHTS``)."""
    rules: tuple[str, ...] = tuple(RULE_KEYS)
    budget: BudgetSchedule = BudgetSchedule()
    system: SystemConfig = SystemConfig()
    round_seconds: int = 3600

    def __post_init__(self) -> None:
        method_id(self.method)
        check_settlement(self.settlement)
        check_metric(self.metric)
        check_weights(self.weights)
        if self.timing not in TIMINGS:
            raise ValueError(f"timing must be one of {TIMINGS}, got {self.timing!r}")
        if self.timing == "round" and self.method in END_ONLY:
            raise ValueError(f"{self.method!r} values the whole training at once: it needs timing 'end'")
        unknown = [r for r in self.rules if r not in RULE_KEYS]
        if unknown or not self.rules or len(set(self.rules)) != len(self.rules):
            raise ValueError(f"rules must be distinct names from {list(RULE_KEYS)}, got {list(self.rules)}")
        check_int("round_seconds", self.round_seconds, positive=True)

    @property
    def utility(self) -> dict[str, str]:
        """How the payout's valuation scores coalitions, as the valuation methods take it."""
        return {"metric": self.metric, "weights": self.weights}


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
    """A round (or the end-of-run settlement): model quality, money in, scores, payments.

    ``budget`` is the round's own reward budget; ``paid`` what the settlement allocated in
    the round (``shares`` of it), which under cumulative settlement may include budget carried
    over from earlier rounds, or be 0 (``shares`` ``None``) while it carries this one over.
    """

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
    paid: int = 0


@dataclass
class FederationRun:
    """Everything a run produced: the training history, every round, and each rule's system."""

    history: History | None
    """The training so far; None until the first round opens."""
    payout: Payout
    backends: dict[str, Backend]
    initial: dict[str, SystemState]
    rounds: list[RoundResult] = field(default_factory=list)
    settlement: RoundResult | None = None
    """The end-of-run payment (``timing="end"``)."""
    ledger: Settlement = field(kw_only=True)
    """The running account of what each client was allocated."""


def free_treasury(backend: Backend) -> int:
    """The treasury beyond what earlier rounds still owe the clients: what a new budget may spend."""
    return max(0, backend.treasury() - sum(backend.owed(i) for i in range(len(backend.accounts))))


def affordable(backend: Backend, rule_id: int, budget: int) -> tuple[int, str]:
    """What a round can pay of ``budget`` and why not all: the treasury beyond what earlier
    rounds still owe caps every rule that spends it (mint does not; the contract refuses a
    budget that would spend what is owed), ``treasury short`` pays what is left, ``treasury
    empty`` nothing."""
    available = budget if rule_id == RULE_MINT else min(budget, free_treasury(backend))
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


def pay_rules(backends: dict[str, Backend], allocation: Allocation) -> dict[str, Payment]:
    """Pay the same allocation under every rule, each on its own system (nothing if it carries over)."""
    if allocation.shares is None:
        return {}
    return {rule: pay(b, rule, allocation.shares, allocation.budget) for rule, b in backends.items()}


class RoundPayment:
    """The round-payment step: settle a round's scores, pay every rule, record the round.

    One object per federation run; its :attr:`run` collects the rounds. Whoever trains
    (the simulation loop here, Flower's strategy) hands it each round's scores.
    """

    def __init__(self, payout: Payout, backend: str = "twin", connection: Connection | None = None) -> None:
        backends = {rule: make_backend(backend, payout.system, connection) for rule in payout.rules}
        self.run = FederationRun(
            None,
            payout,
            backends,
            {rule: b.state() for rule, b in backends.items()},
            ledger=Settlement(payout.settlement, payout.system.n_clients),
        )
        self.owed = 0

    def open(self, history: History, t: int) -> RoundBudget:
        """Round ``t`` begins on every system: time passes, revenue arrives."""
        self.run.history = history
        return open_round(self.run.backends, self.run.payout, t)

    def pay(
        self,
        t: int,
        money: RoundBudget,
        scores: Sequence[float] | np.ndarray | None,
        left_out: tuple[int, ...] = (),
    ) -> RoundResult:
        """Settle and pay round ``t`` (``scores`` ``None``: the round is paid at the end)."""
        run = self.run
        assert run.history is not None, "open() the round first"
        metrics = run.history.metrics[t]
        payments: dict[str, Payment] = {}
        allocation = Allocation(None, 0)
        if scores is None:
            self.owed += money.budget
        else:
            allocation = run.ledger.settle(scores, money.budget)
            payments = pay_rules(run.backends, allocation)
        result = RoundResult(
            t + 1,
            metrics["accuracy"],
            metrics["loss"],
            money.revenue,
            money.budget,
            None if scores is None else tuple(float(s) for s in scores),
            allocation.shares,
            payments,
            left_out,
            allocation.budget,
        )
        run.rounds.append(result)
        return result

    def settle_at_end(self, scores: Sequence[float] | np.ndarray) -> RoundResult:
        """``timing="end"``: one settlement of the whole training's scores and every round's budget."""
        run = self.run
        for b in run.backends.values():
            b.advance(run.payout.round_seconds)
        allocation = run.ledger.settle(scores, self.owed)
        assert run.history is not None, "no round was opened"
        last = run.history.metrics[-1]
        run.settlement = RoundResult(
            len(run.rounds) + 1,
            last["accuracy"],
            last["loss"],
            0,
            self.owed,
            tuple(float(s) for s in scores),
            allocation.shares,
            pay_rules(run.backends, allocation),
            (),
            allocation.budget,
        )
        return run.settlement


def run_federation(
    model: nn.Module,
    clients: Sequence[ClientData],
    validation: Dataset,
    fedavg: FedAvgConfig,
    payout: Payout,
    backend: str = "twin",
    seed: int = 0,
    connection: Connection | None = None,
) -> FederationRun:
    """Train ``clients`` for ``fedavg.rounds`` rounds and pay them under every rule of ``payout``
    (on a node over ``connection`` when ``backend`` is ``rpc``)."""
    if payout.system.n_clients != len(clients):
        raise ValueError(f"the system registers {payout.system.n_clients} clients but {len(clients)} train")
    check_int("seed", seed)
    step = RoundPayment(payout, backend, connection)
    for t, history in enumerate(fedavg_rounds(model, clients, validation, fedavg)):
        money = step.open(history, t)
        scores = (
            round_scores(payout.method, history, t, validation, seed, **payout.utility)
            if payout.timing == "round"
            else None
        )
        step.pay(t, money, scores)
    if payout.timing == "end":
        assert step.run.history is not None, "fedavg.rounds is at least 1"
        step.settle_at_end(total_scores(payout.method, step.run.history, validation, seed, **payout.utility))
    return step.run
