"""A market around a federation: agents trade client-specific tokens between rounds.

The loop follows TokenSPICE's netlists: every agent is a small object with a wallet that
takes a step, and the market records what happened. Between rounds the agents act in a
seeded random order, then ``round_seconds`` pass; a round's distribution is then signed (its buy-back bounds fixed from
the quotes of that moment) and becomes a pending transaction, which adversaries may
front-run and back-run before anyone else reacts. All trading goes through a
``cst_ref.protocol`` backend, so the same scenario runs on the twins and on the EVM with
identical results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cst_ref.amm import spot_price
from cst_ref.backends import Backend, Token, make_backend
from cst_ref.checks import check_int, check_seed

if TYPE_CHECKING:  # titanoboa loads only when the rpc backend is asked for
    from cst_ref.backends.rpc import Connection
from cst_ref.backends.state import PoolState, SystemState
from cst_ref.protocol.round_loop import RoundResult, affordable, free_treasury
from cst_ref.twins import DEFAULT_TOLERANCE_BPS, RULE_KEYS, WAD, Guards, RoundRecord, SystemConfig

from .agents import Agent
from .exit import EXIT_ORDERS, ExitTable, check_conserved, exit_table, exiters


@dataclass(frozen=True)
class RoundPlan:
    """One round's payout: integer shares summing to 10^18 and a budget in wei, and the
    revenue model users pay into the treasury as the round opens."""

    shares: tuple[int, ...]
    budget: int
    revenue: int = 0


def plans_from(rounds: Sequence[RoundResult]) -> tuple[RoundPlan, ...]:
    """The payout schedule of a finished federation run (``FederationRun.rounds``): what each
    round's settlement paid (a round that carried its budget over pays 0)."""
    return tuple(RoundPlan(_paid_shares(r), r.paid, r.revenue) for r in rounds)


def _paid_shares(result: RoundResult) -> tuple[int, ...]:
    """The shares a round paid by; a round that carried its budget over paid each client 0."""
    if result.shares is not None:
        return tuple(result.shares)
    if result.scores is None:
        raise ValueError(f"round {result.round} was neither scored nor paid: a run paid at the end has no schedule")
    return (0,) * len(result.scores)


@dataclass(frozen=True)
class Scenario:
    """A federation's payout schedule, its rule and system, and what informed agents know."""

    rule: str
    plans: tuple[RoundPlan, ...]
    system: SystemConfig
    quality: tuple[float, ...]
    """Each client's true contribution (e.g. its data size, zero for a free rider)."""
    round_seconds: int = 3600
    tolerance_bps: int = DEFAULT_TOLERANCE_BPS
    guards: Guards | None = None
    """The federation's guards; ``None`` keeps the contract's defaults."""
    departures: tuple[tuple[int, int], ...] = ()
    """``(round, client)``: the operator deregisters ``client`` as round ``round`` opens."""

    def __post_init__(self) -> None:
        if self.rule not in RULE_KEYS:
            raise ValueError(f"rule must be one of {list(RULE_KEYS)}, got {self.rule!r}")
        if not self.plans:
            raise ValueError("plans must hold at least one round")
        n = self.system.n_clients
        if any(len(p.shares) != n for p in self.plans) or len(self.quality) != n:
            raise ValueError(f"every round's shares and the quality need one entry per client ({n})")
        check_int("round_seconds", self.round_seconds, positive=True)
        for t, client in self.departures:
            if not (
                0 <= check_int("departure round", t) < len(self.plans)
                and 0 <= check_int("departing client", client) < n
            ):
                raise ValueError(
                    f"a departure needs a round below {len(self.plans)} and a client below {n}, got {(t, client)}"
                )
        if len({client for _, client in self.departures}) != len(self.departures):
            raise ValueError(f"a client can leave once, got {self.departures}")

    def departed(self, t: int) -> frozenset[int]:
        """The clients deregistered by the time round ``t`` pays."""
        return frozenset(client for when, client in self.departures if when <= t)


@dataclass
class MarketRecord:
    """What the market recorded, round by round."""

    prices: list[list[float]] = field(default_factory=list)
    pools: list[tuple[PoolState, ...]] = field(default_factory=list)
    treasury: list[int] = field(default_factory=list)
    """The treasury beyond what is owed, when the prices were read."""
    client_base: list[tuple[int, ...]] = field(default_factory=list)
    """Each client's base tokens, when the prices were read."""
    records: list[RoundRecord | None] = field(default_factory=list)
    gas: list[int | None] = field(default_factory=list)
    costs: dict[str, int] = field(default_factory=dict)
    """Per agent: fees and price impact paid, valued in base at the pre-trade spot price."""


class Market:
    """The backend, the clock, the round counter and the bookkeeping every agent trades through."""

    def __init__(self, backend: Backend, scenario: Scenario, rng: np.random.Generator) -> None:
        self.backend, self.scenario, self.rng = backend, scenario, rng
        self.n = scenario.system.n_clients
        self.fee_bps = scenario.system.fee_bps
        self.round = 0
        self.last: RoundRecord | None = None
        self.ledger = MarketRecord()

    def spot(self, client: int) -> float:
        """Base per CST in client ``client``'s pool."""
        reserve_token, reserve_base = self.backend.reserves(client)
        return spot_price(reserve_token, reserve_base)

    def swap(self, agent: Agent, client: int, token_in: Token, amount_in: int) -> int:
        """Trade for ``agent`` and book what the trade cost it against the spot price."""
        if amount_in <= 0:
            return 0
        price = self.spot(client)
        out = self.backend.swap(agent.account, client, token_in, amount_in)
        given, got = (amount_in, out * price) if token_in == "base" else (amount_in * price, out)
        self.ledger.costs[agent.name] = self.ledger.costs.get(agent.name, 0) + int(given - got)
        return out

    def sellable(self, client: int, token_in: Token, amount_in: int) -> bool:
        """Whether a trade would pay anything at all (a swap paying nothing reverts)."""
        return amount_in > 0 and self.backend.quote(client, token_in, amount_in) > 0

    def record(self) -> None:
        """Book the spot prices, the pools and the free treasury: as a round opens (its revenue
        in, its departures done, nobody has traded), and once after the last round."""
        pools = self.backend.pools()  # one read: the prices are the pools' spot prices
        self.ledger.prices.append([spot_price(p.reserve_token, p.reserve_base) for p in pools])
        self.ledger.pools.append(pools)
        self.ledger.treasury.append(free_treasury(self.backend))
        self.ledger.client_base.append(tuple(self.backend.holdings(a).base for a in self.backend.accounts))


@dataclass(frozen=True)
class MarketResult:
    """A finished market: who gained what at exit, the price paths, the rounds, the states."""

    scenario: Scenario
    agents: tuple[Agent, ...]
    pnl_spot: dict[str, float]
    """Each agent's wealth marked to the spot price (not what it could sell for), end minus
    start minus the capital it was given, in tokens."""
    exit_table: ExitTable
    """Every account's profit at exit (agents, clients, treasury, pools), conserved to the wei."""
    prices: np.ndarray
    """Spot prices, (rounds + 1) × clients: as each round opens (revenue and departures change
    no price, so row t is also the price after round t − 1), then after the last round."""
    pools: tuple[tuple[PoolState, ...], ...]
    """Every pool when each row of ``prices`` was read."""
    treasury: tuple[int, ...]
    """The treasury beyond what was owed, when each row of ``prices`` was read."""
    client_base: np.ndarray
    """Each client's base tokens (whole tokens) when each row of ``prices`` was read."""
    records: tuple[RoundRecord | None, ...]
    gas: tuple[int | None, ...]
    costs: dict[str, float]
    start: SystemState
    """The chain before any agent acted (after registration) ..."""
    end: SystemState
    """... and after the last round, before anyone exits."""
    backend: Backend

    @property
    def pnl_exit(self) -> dict[str, float]:
        """Each account's mean profit at exit over the exit orders, in tokens."""
        return {a.name: a.exit_profit for a in self.exit_table.accounts}

    @property
    def conservation_wei(self) -> int:
        """The largest absolute sum of all accounts' exit profits over the orders: always 0."""
        return self.exit_table.conservation_wei


def run_market(
    scenario: Scenario,
    agents: Sequence[Agent],
    backend: str = "twin",
    seed: int = 0,
    exit_orders: int = EXIT_ORDERS,
    connection: Connection | None = None,
) -> MarketResult:
    """Deploy the scenario's system, let ``agents`` trade around every round, and account for
    it: every account liquidated in ``exit_orders`` seeded random orders (see ``exit``);
    ``connection`` is the node of the ``rpc`` backend."""
    check_seed("seed", seed)
    check_int("exit_orders", exit_orders, positive=True)
    names = [a.name for a in agents]
    if len(set(names)) != len(names):
        raise ValueError(f"agent names must be distinct, got {names}")
    market = Market(make_backend(backend, scenario.system, connection), scenario, np.random.default_rng(seed))
    if scenario.guards is not None:
        market.backend.set_guards(scenario.guards)
    for agent in agents:
        agent.bind(market)
    accounts = [a.account for a in agents]
    start = market.backend.state(accounts)
    for agent in agents:
        agent.setup(market)
    rule = RULE_KEYS[scenario.rule]
    attackers = [a for a in agents if a.adversary]
    others = [a for a in agents if not a.adversary]
    for t, plan in enumerate(scenario.plans):
        market.round = t
        if plan.revenue:
            market.backend.fund(plan.revenue)
        for when, client in scenario.departures:
            if when == t:
                market.backend.deregister(client)
        market.record()
        for k in market.rng.permutation(len(agents)):
            agents[k].act(market)
        market.backend.advance(scenario.round_seconds)  # agents trade early in the round's hour
        budget, _ = affordable(market.backend, rule, plan.budget)
        record = gas = None
        if budget:
            pending = market.backend.prepare(rule, plan.shares, budget, scenario.tolerance_bps)
            for attacker in attackers:
                attacker.front_run(market, pending)
            record, gas = market.backend.execute(pending)
            market.last = record
            for attacker in attackers:
                attacker.back_run(market, pending, record)
            for k in market.rng.permutation(len(others)):
                others[k].after_round(market, pending, record)
        market.ledger.records.append(record)
        market.ledger.gas.append(gas)
    market.record()
    end = market.backend.state(accounts)
    pnl_spot = {a.name: (end.spot_value(a.account) - start.spot_value(a.account) - a.given) / WAD for a in agents}
    exiting = exiters(agents, market.backend.accounts)
    orders = [market.rng.permutation(len(exiting)) for _ in range(exit_orders)]
    table = exit_table(start, end, exiting, orders, revenue=sum(plan.revenue for plan in scenario.plans))
    check_conserved(table, start, end)
    return MarketResult(
        scenario,
        tuple(agents),
        pnl_spot,
        table,
        np.array(market.ledger.prices),
        tuple(market.ledger.pools),
        tuple(market.ledger.treasury),
        np.array(market.ledger.client_base, dtype=float) / WAD,
        tuple(market.ledger.records),
        tuple(market.ledger.gas),
        {name: cost / WAD for name, cost in market.ledger.costs.items()},
        start,
        end,
        market.backend,
    )
