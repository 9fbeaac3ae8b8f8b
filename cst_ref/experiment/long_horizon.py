"""Fifty rounds of the known-quality federation: what its tokens are worth, whether informed
money prices them, and what paying without tokens would have given the clients.

The federation of ``examples/quality.toml`` is trained for ``Horizon.rounds`` rounds and paid
by its payout method, as ``cst-ref run`` pays (:func:`~cst_ref.experiment.title_claim.schedules`).
Its money is then made scarce: model users pay ``revenue`` into the treasury each round, less
than the budget, so the ``reserve`` left after seeding the pools runs low and the later rounds
pay what the revenue brings; and client ``leaver`` leaves as round ``leaves_at`` opens (the
operator deregisters it: its part stays in the treasury, its unvested supply is burnt). The
schedule is replayed as trained: the departed client's part of each later round is what the
contract skips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cst_ref.checks import check_int, check_real, check_seed
from cst_ref.scenarios import Agent, ClientAgent, MarketResult, Scenario, run_market
from cst_ref.scenarios.fundamental import ValueModel
from cst_ref.scenarios.lineup import agent
from cst_ref.twins import SHARE_SCALE, WAD

from .config import ExperimentConfig, parse_config
from .title_claim import Schedule, schedules

KINDS = ("buy and hold", "index", "informed", "uninformed", "momentum", "value")
"""The investors of a long market: one buy-and-hold per client, two of every other kind (value last)."""


@dataclass(frozen=True)
class Horizon:
    """How long the federation runs, how its treasury is funded, and who leaves when."""

    rounds: int = 50
    revenue: float = 70.0
    """Base tokens model users pay into the treasury each round (the budget is the config's)."""
    reserve: float = 1_000.0
    """The treasury left once every pool is seeded."""
    leaver: int = 0
    leaves_at: int = 30

    def __post_init__(self) -> None:
        check_int("rounds", self.rounds, positive=True)
        check_real("revenue", self.revenue, minimum=0.0)
        check_real("reserve", self.reserve, minimum=0.0)
        check_int("leaver", self.leaver)
        if not 0 <= check_int("leaves_at", self.leaves_at) < self.rounds:
            raise ValueError(f"leaves_at must be a round below {self.rounds}, got {self.leaves_at}")


def long_schedules(
    config: ExperimentConfig, seeds: Sequence[int], horizon: Horizon = Horizon(), progress: bool = False
) -> list[Schedule]:
    """``config`` trained for ``horizon.rounds`` rounds per seed and settled as it pays."""
    settings = config.model_dump()
    settings["training"]["rounds"] = horizon.rounds
    return schedules(parse_config(settings), seeds, progress)


def scenario(schedule: Schedule, rule: str, quality: Sequence[float], horizon: Horizon = Horizon()) -> Scenario:
    """The schedule under ``rule`` with the horizon's revenue, reserve and departure."""
    system = schedule.system
    if horizon.leaver >= system.n_clients:
        raise ValueError(f"leaver {horizon.leaver} is not a client (the system has {system.n_clients})")
    system = dataclasses.replace(system, treasury=system.seed_base * system.n_clients + int(horizon.reserve * WAD))
    revenue = int(horizon.revenue * WAD)
    plans = tuple(dataclasses.replace(plan, revenue=revenue) for plan in schedule.plans)
    return Scenario(rule, plans, system, tuple(quality), departures=((horizon.leaves_at, horizon.leaver),))


def lineup(n_clients: int, policy: str, seed: int, capital: float = 50.0, value_capital: float = 0.0) -> list[Agent]:
    """The clients with ``policy``, one buy-and-hold investor per client and two investors of
    every other kind with ``capital`` each (the two value investors with ``value_capital``, none
    when it is 0), in an order ``seed`` draws."""
    check_seed("seed", seed)
    check_real("value_capital", value_capital, minimum=0.0)
    people = [agent("buy and hold", i, n_clients, capital) for i in range(n_clients)]
    people += [agent(kind, k, n_clients, capital) for kind in KINDS[1:-1] for k in range(2)]
    if value_capital:
        people += [agent("value", k, n_clients, value_capital) for k in range(2)]
    drawn = [people[k] for k in np.random.default_rng(seed).permutation(len(people))]
    return [ClientAgent(i, policy) for i in range(n_clients)] + drawn


def play(scenario_: Scenario, policy: str, seed: int, value_capital: float = 0.0) -> MarketResult:
    """One long market on the twins."""
    return run_market(
        scenario_, lineup(scenario_.system.n_clients, policy, seed, value_capital=value_capital), "twin", seed
    )


def kind_returns(result: MarketResult) -> dict[str, float]:
    """Each investor kind's mean profit at exit, % of its capital."""
    out = {}
    for kind in KINDS:
        members = [a for a in result.agents if a.name.startswith(f"{kind} ")]
        if members:
            out[kind] = float(np.mean([result.pnl_exit[a.name] / (a.given / WAD) * 100 for a in members]))
    return out


def direct_payments(scenario_: Scenario) -> np.ndarray:
    """The baseline without tokens: what each client would receive each round (rounds ×
    clients, tokens) if the same treasury paid the same budgets and shares in base, as far as
    it can (the departed client's part stays in the treasury, as the contract keeps it)."""
    plans, n = scenario_.plans, scenario_.system.n_clients
    treasury = scenario_.system.treasury - scenario_.system.seed_base * n
    paid = []
    for t, plan in enumerate(plans):
        treasury += plan.revenue
        budget, gone = min(plan.budget, treasury), scenario_.departed(t)
        paid.append([0 if i in gone else budget * plan.shares[i] // SHARE_SCALE for i in range(n)])
        treasury -= sum(paid[-1])
    return np.array(paid, dtype=float) / WAD


def received(result: MarketResult) -> np.ndarray:
    """What each client has taken out in base by each row of the prices (rows × clients,
    tokens): its base then, less its base at the start."""
    return result.client_base - result.client_base[0]


def volatility(result: MarketResult) -> float:
    """The standard deviation of a CST's price change from one round to the next (log
    returns), averaged over the clients."""
    return float(np.std(np.diff(np.log(result.prices), axis=0), axis=0).mean())


def mispricing(result: MarketResult, model: ValueModel = ValueModel()) -> float:
    """|log(price / value)| averaged over the clients and the rounds as they open."""
    return float(model.mispricing(result)[:-1].mean())
