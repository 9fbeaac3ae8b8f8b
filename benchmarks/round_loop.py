"""Speed of a whole WallStreetFeds run, and of its on-chain part on each backend.

A 10-client, 20-round digits federation paid under every rule: the whole run on the `evm`
backend (target: at most 2 minutes on 2 cores), then the same on-chain actions (deploy,
the 20 rounds' distributions under every rule, reading the final state) replayed on both
backends in this process; the `twin` backend should be at least 50x faster than `evm`.

    .venv/bin/python benchmarks/round_loop.py
"""

from __future__ import annotations

import time

import torch

from cst_ref.data import FreeRider, build_clients, dirichlet, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig
from cst_ref.models import mlp
from cst_ref.backends import make_backend
from cst_ref.protocol.round_loop import Payout, pay, run_federation
from cst_ref.twins import WAD, SystemConfig

N_CLIENTS, ROUNDS = 10, 20


def replay(backend_name: str, payout: Payout, rounds) -> float:
    """Seconds to deploy every rule's system, pay all rounds and read the final states."""
    start = time.perf_counter()
    for rule in payout.rules:
        backend = make_backend(backend_name, payout.system)
        for result in rounds:
            backend.advance(payout.round_seconds)
            if result.shares is not None:
                pay(backend, rule, result.shares, result.paid)
        backend.state()
    return time.perf_counter() - start


def main() -> None:
    torch.set_num_threads(1)
    train, validation = split_holdout(load_digits(), 0.2, seed=0)
    clients = build_clients(train, dirichlet(train.labels, N_CLIENTS, 0.5, seed=0), {9: FreeRider()}, seed=0)
    payout = Payout(method="mr_loo", system=SystemConfig(n_clients=N_CLIENTS, treasury=100_000 * WAD))
    fedavg = FedAvgConfig(rounds=ROUNDS, progress=False)

    start = time.perf_counter()
    run = run_federation(mlp(seed=0), clients, validation, fedavg, payout, "evm")
    whole = time.perf_counter() - start
    print(f"whole run, {N_CLIENTS} clients x {ROUNDS} rounds, {len(payout.rules)} rules, evm backend: "
          f"{whole:.1f} s (target <= 120 s: {'met' if whole <= 120 else 'NOT met'})")

    replay("evm", payout, run.rounds[:1])  # compile and warm up both paths before timing
    replay("twin", payout, run.rounds[:1])
    evm = replay("evm", payout, run.rounds)
    twin = replay("twin", payout, run.rounds)
    ratio = evm / twin
    print(f"on-chain part alone: evm {evm:.2f} s, twin {twin:.3f} s -> twin is {ratio:.0f}x faster "
          f"(target >= 50x: {'met' if ratio >= 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
