"""How fast is exact valuation through the batch path? Every figure against a baseline in this process.

1. exact MR Shapley, digits MLP, n=10 clients × 10 rounds: batch path against today's
   per-coalition evaluator, best of two interleaved passes each (target ≤ 0.3 s on 2 cores and
   ≥ 10× faster);
2. exact per-round Shapley on digits for n = 12, 14, 16, 18, 20: all 2^n coalitions through the
   batch path, time per coalition (how time grows with 2^n), peak resident memory, and the
   per-coalition evaluator timed on 1,000 coalitions of the same round as the baseline
   (targets: n=16 ≤ 1 s, n=20 ≤ 20 s with peak memory under 2 GB);
3. the small CNN (CIFAR-shaped digits, 500 images) at n=12: batch against per-coalition on 128 of the
   round's coalitions.

Run: .venv/bin/python benchmarks/valuation_speed.py [torch threads, default 1: on a shared machine two threads
wait on each other whenever one is descheduled (measured 10× slower under load)]. The batch path
runs one worker thread per core, its kernels on one torch thread whatever the caller set
(``cst_ref.fl.one_thread``; benchmarks/valuation_threads.py measures it).
(a few minutes; wall times vary with machine load, CPU times and ratios less).
GTG-Shapley's accuracy and cost: benchmarks/valuation_gtg.py.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import torch

from cst_ref.data import Dataset, FreeRider, build_clients, dirichlet, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig, History, run_fedavg
from cst_ref.models import mlp, small_cnn
from cst_ref.valuation import exact_shapley, per_round, round_utility
from cst_ref.valuation.batch import cores


def timed(run):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def digits_history(seed: int, n: int = 10, rounds: int = 10) -> tuple[History, Dataset]:
    """Dirichlet(0.5) labels over n clients, the last one a free rider (the book's setting)."""
    train, validation = split_holdout(load_digits(), 0.2, seed=0)
    parts = dirichlet(train.labels, n, alpha=0.5, seed=seed)
    clients = build_clients(train, parts, {n - 1: FreeRider()}, seed=seed)
    history = run_fedavg(mlp(seed=seed), clients, validation, FedAvgConfig(rounds=rounds, seed=seed, progress=False))
    return history, validation


def cifar_shaped_digits() -> Dataset:
    """Digits upsampled to 3×32×32: CIFAR-10's shape (no download here) with a real signal."""
    digits = load_digits(image=True)
    x = digits.x.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3).repeat(1, 3, 1, 1)
    return Dataset(x, digits.y, 10, "digits-32x32x3")


def per_coalition_mr(history: History, validation: Dataset) -> np.ndarray:
    """Exact MR Shapley the way it ran before the batch path: one evaluator call per coalition."""
    rows = []
    for t in range(history.rounds):
        evaluator = round_utility(history, t, validation).utility
        rows.append(exact_shapley(history.n_clients, lambda s: evaluator(s)))  # a plain callable: no batch
    return np.array(rows).sum(0)


def per_coalition_ms(evaluator, n: int, count: int) -> float:
    """Milliseconds per coalition of the per-coalition path on ``count`` random coalitions."""
    rng = np.random.default_rng(0)
    coalitions = [np.flatnonzero(rng.random(n) < 0.5).tolist() for _ in range(count)]
    evaluator(coalitions[0])
    start = time.perf_counter()
    for coalition in coalitions:
        evaluator(coalition)
    return (time.perf_counter() - start) / count * 1e3


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def exact_round(history: History, validation: Dataset, t: int) -> tuple[float, float, float]:
    """(seconds for all 2^n utilities in batch, seconds for exact Shapley from them, CPU seconds)."""
    n = history.n_clients
    utility = round_utility(history, t, validation)
    _, batch_wall, batch_cpu = timed(lambda: utility.values(np.arange(2**n)))
    _, shapley_wall, shapley_cpu = timed(lambda: exact_shapley(n, utility))
    return batch_wall, shapley_wall, batch_cpu + shapley_cpu


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    print(f"torch threads: {threads}; batch-path worker threads: {cores()}")
    history, validation = digits_history(seed=0)
    passes = []
    for _ in range(2):  # interleaved: a burst of load from other processes hits both alike
        passes.append((timed(lambda: per_round(history, validation)),
                       timed(lambda: per_coalition_mr(history, validation))))
    (batch, wall, cpu), _ = min(passes, key=lambda p: p[0][1])
    _, (plain, plain_wall, plain_cpu) = min(passes, key=lambda p: p[1][1])
    print(f"\n[1] exact MR Shapley, digits, n=10, 10 rounds ({batch.evaluations} coalitions), best of 2: batch path "
          f"{wall:.3f} s wall ({cpu:.3f} s CPU) (target ≤ 0.3 s); per-coalition evaluator {plain_wall:.2f} s "
          f"({plain_cpu:.2f} s CPU): {plain_wall / wall:.1f}× faster (target ≥ 10×); largest difference in "
          f"values {np.abs(batch.values - plain).max():.1e}")

    print("\n[2] exact per-round Shapley, digits MLP, one round (t=1 of 2), all 2^n coalitions")
    print("     n  coalitions  utilities s  Shapley s  total s  µs/coalition  per-coalition path  speed-up  peak GB"
          "  growth per +2 clients (4× = ∝ 2^n)")
    previous = None
    for n in (12, 14, 16, 18, 20):
        history, validation = digits_history(seed=0, n=n, rounds=2)
        utilities, shapley, _ = exact_round(history, validation, 1)
        baseline = per_coalition_ms(round_utility(history, 1, validation).utility, n, 1000)
        total = utilities + shapley
        print(f"    {n:2d}  {2**n:10d}  {utilities:11.2f}  {shapley:9.2f}  {total:7.2f}  "
              f"{total / 2**n * 1e6:12.1f}  {baseline * 2**n / 1e3:15.1f} s  {baseline * 2**n / 1e3 / total:7.1f}×  "
              f"{peak_gb():7.2f}  " + (f"{total / previous:.1f}×" if previous else ""))
        previous = total

    images = cifar_shaped_digits()
    train, validation = split_holdout(images, 500 / len(images), seed=0)
    clients = build_clients(train, dirichlet(train.labels, 12, alpha=0.5, seed=0), {11: FreeRider()})
    history = run_fedavg(small_cnn(seed=0), clients, validation, FedAvgConfig(rounds=2, lr=0.05, progress=False))
    # A sample of the round's coalitions through both paths, interleaved (all 4,096 take minutes).
    masks = np.random.default_rng(0).permutation(2**12)[:128]
    batch_s, loop_s = [], []
    for _ in range(2):
        evaluator = round_utility(history, 1, validation).utility
        _, wall, _ = timed(lambda: evaluator.utilities(masks))
        batch_s.append(wall)
        _, wall, _ = timed(lambda: [evaluator([i for i in range(12) if m >> i & 1]) for m in masks])
        loop_s.append(wall)
    batch, loop = min(batch_s) / len(masks), min(loop_s) / len(masks)
    print(f"\n[3] small CNN, n=12, 500 images of 3×32×32, one round, 128 of its 4,096 coalitions (best of 2): batch "
          f"path {batch * 1e3:.1f} ms a coalition, per-coalition path {loop * 1e3:.1f} ms: {loop / batch:.2f}×; "
          f"the round's 4,096 coalitions ≈ {batch * 4096:.0f} s")


if __name__ == "__main__":
    main()
