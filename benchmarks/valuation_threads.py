"""Does valuation stay fast with torch's default threads? One-thread time as the baseline.

Exact per-round Shapley at n = 16 through ``per_round`` (2^16 coalitions a round), timed with
torch set to one thread and with torch's default thread count, side by side in this process,
best of three interleaved passes each; then the same while ``--load K`` busy processes (a
spinning loop each, stopped at the end) compete for the cores, as a reader's laptop does
while the book executes two pages at once. The batch path runs its kernels on one thread
whatever the caller set (``cst_ref.fl.one_thread``), so the target is
a ratio of at most 1.3 in both rows.

Run: .venv/bin/python benchmarks/valuation_threads.py [--load K] (default K = 2; about a minute).
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

import numpy as np
import torch

from cst_ref.data import FreeRider, build_clients, dirichlet, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig, run_fedavg
from cst_ref.models import mlp
from cst_ref.valuation import per_round

N_CLIENTS = 16
TARGET = 1.3


def spin(seconds: float) -> None:
    """A busy process: spins until ``seconds`` have passed (bounded, whatever happens to the parent)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def history():
    train, validation = split_holdout(load_digits(), 0.2, seed=0)
    parts = dirichlet(train.labels, N_CLIENTS, alpha=0.5, seed=0)
    clients = build_clients(train, parts, {N_CLIENTS - 1: FreeRider()}, seed=0)
    torch.set_num_threads(1)
    trained = run_fedavg(mlp(seed=0), clients, validation, FedAvgConfig(rounds=1, seed=0, progress=False))
    return trained, validation


def best_of(passes: int, default_threads: int, run) -> tuple[float, float, np.ndarray, np.ndarray]:
    """(one-thread seconds, default-threads seconds, values at one, values at default), best of ``passes``."""
    times: dict[int, list[float]] = {1: [], default_threads: []}
    values = {}
    for _ in range(passes):
        for threads in (1, default_threads):
            torch.set_num_threads(threads)
            start = time.perf_counter()
            values[threads] = run()
            times[threads].append(time.perf_counter() - start)
            assert torch.get_num_threads() == threads, "the valuation must give the caller its setting back"
    return min(times[1]), min(times[default_threads]), values[1], values[default_threads]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", type=int, default=2, help="busy processes for the second row (default 2)")
    args = parser.parse_args()
    default_threads = torch.get_num_threads()
    trained, validation = history()
    run = lambda: per_round(trained, validation, "exact_shapley").values  # noqa: E731
    run()  # warm-up: tables, caches, the worker pool
    print(f"exact per-round Shapley, n = {N_CLIENTS} (2^{N_CLIENTS} coalitions), digits MLP; "
          f"torch's default here: {default_threads} threads")
    print(f"{'machine':<22} {'1 thread (s)':>13} {'default (s)':>12} {'ratio':>6}  target <= {TARGET}")
    rows = [("idle", 0), (f"{args.load} busy processes", args.load)]
    for label, load in rows:
        busy = [multiprocessing.Process(target=spin, args=(120.0,), daemon=True) for _ in range(load)]
        for process in busy:
            process.start()
        try:
            one, default, a, b = best_of(3, default_threads, run)
        finally:
            for process in busy:
                process.terminate()
                process.join()
        same = "same values" if np.array_equal(a, b) else "VALUES DIFFER"
        print(f"{label:<22} {one:>13.3f} {default:>12.3f} {default / one:>6.2f}  "
              f"{'met' if default / one <= TARGET else 'NOT met'}; {same}")


if __name__ == "__main__":
    main()
