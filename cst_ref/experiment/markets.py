"""A run's ``[market]``: agents trading the clients' tokens while the federation pays them.

The run's payout (what each round's settlement paid, ``plans_from``) is replayed under each
configured rule on a fresh system of the run's backend, with the configured agents, once per
market seed. What each account takes out at the end comes from the conserved exit accounting
(``cst_ref.scenarios.exit``): every account exits in turn, over seeded orders, and the
profits sum to zero wei in every order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cst_ref.protocol.round_loop import FederationRun
from cst_ref.scenarios import Agent, ClientAgent, Scenario, plans_from, run_market
from cst_ref.scenarios.lineup import agent

from .config import ExperimentConfig, MarketConfig
from .quality import constructed_quality

if TYPE_CHECKING:  # titanoboa loads only when the rpc backend is asked for
    from cst_ref.backends.rpc import Connection


def lineup(market: MarketConfig, n: int) -> list[Agent]:
    """Every client with the configured policy, then each configured agent kind in turn."""
    agents: list[Agent] = [ClientAgent(i, market.client_policy, market.sell_fraction) for i in range(n)]
    for field, count in market.agents:
        agents += [agent(field.replace("_", " "), k, n, market.capital) for k in range(count)]
    return agents


def true_contribution(config: ExperimentConfig, samples: Sequence[int] | np.ndarray) -> tuple[float, ...]:
    """What informed agents know: each client's data size times its constructed quality (a free
    rider's is 0, a label flipper's shrinks with the labels it flips)."""
    return tuple(float(q * s) for q, s in zip(constructed_quality(config), samples))


def run_markets(
    config: ExperimentConfig, run: FederationRun, backend: str, connection: Connection | None = None
) -> dict[str, Any]:
    """The report's ``market``: per rule, each account's mean profit at exit over the market
    seeds (tokens) and the largest absolute sum of all accounts' profits over every exit order
    of every seed (wei: 0 when money is conserved)."""
    market = config.market
    if market is None:
        raise ValueError("the config has no [market] section")
    n = config.data.n_clients
    plans = plans_from(run.rounds)
    assert run.history is not None, "the run has trained"
    quality = true_contribution(config, run.history.sample_counts)
    rules = {}
    for rule in run.payout.rules:
        scenario = Scenario(rule, plans, run.payout.system, quality, round_seconds=run.payout.round_seconds)
        results = [
            run_market(scenario, lineup(market, n), backend, seed, connection=connection) for seed in market.seeds
        ]
        accounts = results[0].exit_table.accounts
        profits = np.mean([[a.exit_profit for a in r.exit_table.accounts] for r in results], axis=0)
        rules[rule] = {
            "accounts": [{"name": a.name, "kind": a.kind, "exit_profit": float(p)} for a, p in zip(accounts, profits)],
            "conservation_wei": max(r.conservation_wei for r in results),
        }
    return {"seeds": list(market.seeds), "client_policy": market.client_policy, "rules": rules}
