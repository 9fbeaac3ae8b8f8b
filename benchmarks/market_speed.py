"""Speed of a market: 10 clients, 20 rounds, 20 investors and every agent type.

Target: at most 10 s on the `twin` backend on 2 cores, so that 20 seeds fit in a chapter's
build. The same scenario's first 3 rounds run on both backends in this process give the
twin backend's speed-up over the EVM.

    .venv/bin/python benchmarks/market_speed.py
"""

from __future__ import annotations

import time

import numpy as np

from cst_ref.protocol.round_shares import round_shares
from cst_ref.scenarios import RoundPlan, Scenario, run_market
from cst_ref.scenarios.lineup import every_agent_type
from cst_ref.twins import WAD, SystemConfig

N_CLIENTS, ROUNDS = 10, 20


def scenario(rule: str, rounds: int) -> Scenario:
    rng = np.random.default_rng(0)
    quality = np.arange(1, N_CLIENTS + 1, dtype=float)
    plans = tuple(RoundPlan(tuple(round_shares(rng.random(N_CLIENTS) * quality)), 100 * WAD) for _ in range(rounds))
    return Scenario(rule, plans, SystemConfig(n_clients=N_CLIENTS, treasury=100_000 * WAD), tuple(quality))


def timed(rule: str, rounds: int, backend: str) -> float:
    start = time.perf_counter()
    run_market(scenario(rule, rounds), every_agent_type(N_CLIENTS), backend, seed=0)
    return time.perf_counter() - start


def main() -> None:
    for rule in ("mint", "buyback", "buyback_burn", "inject"):
        full = timed(rule, ROUNDS, "twin")
        twin, evm = timed(rule, 3, "twin"), timed(rule, 3, "evm")
        print(f"{rule:13s} {ROUNDS} rounds on twin: {full:5.2f} s (target <= 10 s: {'met' if full <= 10 else 'NOT met'}); "
              f"3 rounds: twin {twin:.2f} s, evm {evm:.2f} s, twin {evm / twin:.0f}x faster")


if __name__ == "__main__":
    main()
