"""Scaling on Flower's simulation engine: time and memory per round, valuation, on-chain cost.

Usage: ``.venv/bin/python benchmarks/flower_scaling.py [N ...]`` (default 10 50 100 200
clients; several minutes, Ray starts once per size). For each size: digits partitioned
IID by ``cst_ref.data``, the digits MLP, 3 rounds of FedAvg, on Flower's simulation engine
(Ray, 2 CPUs, one client per CPU at a time) and in ``cst_ref.fl``'s loop on the same
partition. Round time excludes round 1 (Ray and its workers warm up then); peak memory is
the resident memory of the whole process tree (driver plus Ray's processes). Then
GTG-Shapley and 20-permutation Monte Carlo Shapley on the last round of the Flower run,
and the gas of a round on the EVM for the sizes the federation contract accepts.
"""

from __future__ import annotations

import sys
import threading
import time

import psutil
import torch

from cst_ref.fl import FedAvgConfig, fedavg_rounds
from cst_ref.flower import FlowerSetup, RecordingFedAvg, federation, simulate
from cst_ref.protocol.valuer import round_view
from cst_ref.twins import MAX_CLIENTS
from cst_ref.valuation import METHODS

SIZES = (10, 50, 100, 200)
ROUNDS = 3
VALUATIONS = ("gtg_shapley", "mr_monte_carlo")


class PeakMemory:
    """Samples the resident memory of this process and its children every 0.1 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def flower_round_times(setup: FlowerSetup) -> tuple[list[float], int, object]:
    """Seconds between consecutive aggregations, peak tree memory, and the run."""
    stamps: list[float] = []
    aggregate = RecordingFedAvg.aggregate_train

    def timed(self, server_round, replies):  # type: ignore[no-untyped-def]
        stamps.append(time.perf_counter())
        return aggregate(self, server_round, replies)

    RecordingFedAvg.aggregate_train = timed
    try:
        with PeakMemory() as memory:
            run = simulate(setup)
    finally:
        RecordingFedAvg.aggregate_train = aggregate
    return [b - a for a, b in zip(stamps, stamps[1:])], memory.peak, run


def loop_round_times(setup: FlowerSetup) -> tuple[list[float], int]:
    fed = federation(setup)
    times, start = [], time.perf_counter()
    with PeakMemory() as memory:
        for _ in fedavg_rounds(fed.model, fed.clients, fed.validation, setup.fedavg):
            now = time.perf_counter()
            times.append(now - start)
            start = now
    return times[1:], memory.peak


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def main(sizes: tuple[int, ...]) -> None:
    torch.set_num_threads(1)
    started = time.perf_counter()
    print(f"Digits MLP, IID, {ROUNDS} rounds; seconds per round after the first, peak MiB of the process tree")
    print(f"{'n':>4s} {'Flower s/round':>15s} {'Flower peak':>12s} {'fl s/round':>11s} {'fl peak':>8s} "
          f"{'max |Δθ|':>9s}")
    histories = {}
    for n in sizes:
        setup = FlowerSetup(n_clients=n, fedavg=FedAvgConfig(rounds=ROUNDS, progress=False))
        flower_times, flower_peak, run = flower_round_times(setup)
        loop_times, loop_peak = loop_round_times(setup)
        fed = federation(setup)
        reference = list(fedavg_rounds(fed.model, fed.clients, fed.validation, setup.fedavg))[-1]
        gap = max(float((a - b).abs().max()) for a, b in zip(run.history.global_params, reference.global_params))
        histories[n] = (run.history, fed.validation)
        print(f"{n:4d} {mean(flower_times):15.2f} {flower_peak / 2**20:12.0f} {mean(loop_times):11.2f} "
              f"{loop_peak / 2**20:8.0f} {gap:9.1e}", flush=True)

    print(f"\nValuation of one round (round {ROUNDS}) of the Flower run: seconds and coalitions evaluated")
    print(f"{'n':>4s} " + " ".join(f"{name:>28s}" for name in VALUATIONS) + f" {'exact Shapley':>14s}")
    for n, (history, validation) in histories.items():
        cells = []
        for name in VALUATIONS:
            begin = time.perf_counter()
            result = METHODS[name](round_view(history, ROUNDS - 1), validation, 0)
            cells.append(f"{time.perf_counter() - begin:8.1f} s {result.evaluations:8,d} evals")
        print(f"{n:4d} " + " ".join(f"{c:>28s}" for c in cells) + f" {2**n:14.1e}", flush=True)

    from cst_ref.chain.federation_gas import linear_cost, round_gas_by_clients  # the EVM: only here

    counts = sorted({min(n, MAX_CLIENTS) for n in (*sizes, 1)})
    table = round_gas_by_clients(counts)
    print(f"\nGas of one round on the EVM (equal shares, steady state); the contract accepts at most "
          f"{MAX_CLIENTS} clients")
    print(f"{'rule':16s} " + " ".join(f"{f'n={n}':>11s}" for n in counts) + f" {'per client':>11s} "
          + " ".join(f"{f'fit n={n}':>12s}" for n in sizes if n > MAX_CLIENTS))
    for name, column in table.items():
        fit = linear_cost(counts, column)
        extrapolated = " ".join(f"{fit.fixed + fit.per_client * n:12,.0f}" for n in sizes if n > MAX_CLIENTS)
        print(f"{name:16s} " + " ".join(f"{g:11,d}" for g in column) + f" {fit.per_client:11,.0f} {extrapolated}")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
