"""How fast is contribution valuation, and how close are the cheap methods to exact?

Prints, measured in one process on the CPU:
1. per-evaluation time of one coalition's utility: a plain loop (build the model, evaluate)
   against the package's CoalitionEvaluator (plain / first-layer mixing / auto), for the
   digits MLP (n=10, 359 validation images) and a CIFAR-shaped small CNN (n=8, 500 images);
2. exact per-round (MR) Shapley, n=10 clients × 10 rounds on digits (target ≤ 10 s);
3. GTG-Shapley vs exact MR on digits (n=10, Dirichlet α=0.5, one free rider) over three
   seeds: share of MR's evaluations (target ≤ 20 %) and Spearman ρ (target ≥ 0.95), mean and
   worst, for GTG's defaults, its previous defaults and antithetic pairs; then the same over
   ten sampling seeds per history, since one sampling seed per history can be lucky;
4. exact MR vs GTG-Shapley wall time for the CNN with n=8 (target ≥ 3×), GTG's defaults, a
   looser convergence bar and its previous defaults.

Run: .venv/bin/python benchmarks/valuation_speed.py   (about 3–5 minutes on 2 cores; wall times
vary with machine load, evaluation counts do not)
"""

from __future__ import annotations

import time

import numpy as np
import torch
from scipy.stats import spearmanr

from cst_ref.data import Dataset, FreeRider, build_clients, dirichlet, load_digits, split_holdout
from cst_ref.fl import FedAvgConfig, History, evaluate, fedavg_weights, run_fedavg
from cst_ref.models import mlp, small_cnn
from cst_ref.valuation import CoalitionEvaluator, gtg_shapley, per_round


def per_eval_ms(functions: dict, coalitions: list[frozenset[int]], repeats: int = 3) -> dict[str, float]:
    """Milliseconds per evaluation: best of ``repeats`` passes, passes interleaved across
    functions so that a burst of load from other processes hits all of them alike."""
    best = {label: float("inf") for label in functions}
    for label, function in functions.items():
        function(coalitions[0])  # warm-up
    for _ in range(repeats):
        for label, function in functions.items():
            start = time.perf_counter()
            for coalition in coalitions:
                function(coalition)
            best[label] = min(best[label], (time.perf_counter() - start) / len(coalitions) * 1e3)
    return best


def timed(run):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def plain_loop(history: History, t: int, validation: Dataset):
    """The baseline: build each coalition's model from scratch and evaluate it."""

    def utility(coalition: frozenset[int]) -> float:
        w = fedavg_weights(history.sample_counts, coalition)
        return evaluate(history.model_with(history.global_params[t] + w @ history.updates[t]), validation)[0]

    return utility


def eval_times(name: str, history: History, validation: Dataset, count: int) -> None:
    rng = np.random.default_rng(0)
    n = history.n_clients
    coalitions = [frozenset(np.flatnonzero(rng.random(n) < 0.5).tolist()) for _ in range(count)]
    t = history.rounds - 1
    functions = {"plain loop": plain_loop(history, t, validation)}
    for strategy in ("plain", "mix", "auto"):
        evaluator = CoalitionEvaluator(
            history.model, history.global_params[t], history.updates[t], history.sample_counts, validation, strategy
        )
        label = f"evaluator {strategy}" + (f" (→ {evaluator.strategy})" if strategy == "auto" else "")
        functions[label] = evaluator
    times = per_eval_ms(functions, coalitions)
    print(f"\n[1] per-evaluation time, {name} ({count} random coalitions, best of 3 interleaved passes)")
    for label, ms in times.items():
        print(f"    {label:28s} {ms:8.3f} ms")


def digits_history(seed: int, n: int = 10) -> tuple[History, Dataset]:
    train, validation = split_holdout(load_digits(), 0.2, seed=0)
    parts = dirichlet(train.labels, n, alpha=0.5, seed=seed)
    clients = build_clients(train, parts, {n - 1: FreeRider()}, seed=seed)
    history = run_fedavg(mlp(seed=seed), clients, validation, FedAvgConfig(rounds=10, seed=seed, progress=False))
    return history, validation


def cifar_shaped_digits() -> Dataset:
    """Digits upsampled to 3×32×32: CIFAR-10's shape (no download here) with a real signal."""
    digits = load_digits(image=True)
    x = digits.x.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3).repeat(1, 3, 1, 1)
    return Dataset(x, digits.y, 10, "digits-32x32x3")


def main() -> None:
    # One thread throughout: MLP work is overhead-bound, and on a shared 2-core machine CPU
    # time of a single thread is the figure that other processes disturb least.
    torch.set_num_threads(1)
    history, validation = digits_history(seed=0)
    eval_times("digits MLP, n=10", history, validation, count=1000)

    exact, wall, cpu = timed(lambda: per_round(history, validation))
    print(f"\n[2] exact MR Shapley, digits, n=10, 10 rounds: {wall:.2f} s wall, {cpu:.2f} s CPU, "
          f"{exact.evaluations} evaluations (target ≤ 10 s)")

    print("\n[3] GTG-Shapley vs exact MR, digits, n=10, Dirichlet α=0.5, client 9 free-rides "
          "(histories of seeds 0, 1, 2; GTG sampling seed = history seed, then sampling seeds 0–9)")
    settings = {
        "defaults (relative truncation 0.1, min n, convergence 0.07)": {},
        "previous defaults (absolute truncation 0.005, min max(30, n), convergence 0.05)": dict(
            truncation_tolerance=0.005, min_permutations=30, convergence=0.05),
        "defaults + antithetic pairs": dict(antithetic=True),
    }
    runs = [digits_history(seed) for seed in (0, 1, 2)]
    exacts = [per_round(history, validation) for history, validation in runs]
    for label, options in settings.items():
        ratios, rhos, all_ratios, all_rhos = [], [], [], []
        for seed, (history, validation), exact in zip((0, 1, 2), runs, exacts):
            for sampling in range(10):
                gtg = gtg_shapley(history, validation, seed=sampling, **options)
                ratio, rho = gtg.evaluations / exact.evaluations, spearmanr(gtg.values, exact.values)[0]
                all_ratios.append(ratio)
                all_rhos.append(rho)
                if sampling == seed:
                    ratios.append(ratio)
                    rhos.append(rho)
        print(f"    {label}:\n      evaluations " + ", ".join(f"{r:.1%}" for r in ratios)
              + f" of MR (mean {np.mean(ratios):.1%}, target ≤ 20 %); Spearman "
              + ", ".join(f"{r:.3f}" for r in rhos) + f" (mean {np.mean(rhos):.3f}, worst {np.min(rhos):.3f}; "
              f"target ≥ 0.95)\n      over 30 runs (3 histories × sampling seeds 0–9): evaluations mean "
              f"{np.mean(all_ratios):.1%}, worst {np.max(all_ratios):.1%}; Spearman mean {np.mean(all_rhos):.3f}, "
              f"worst {np.min(all_rhos):.3f}")

    images = cifar_shaped_digits()
    train, validation = split_holdout(images, 500 / len(images), seed=0)
    clients = build_clients(train, dirichlet(train.labels, 8, alpha=0.5, seed=0), {7: FreeRider()})
    start = time.perf_counter()
    history = run_fedavg(small_cnn(seed=0), clients, validation, FedAvgConfig(rounds=3, lr=0.05, progress=False))
    print(f"\n(CNN FedAvg, 8 clients × 3 rounds trained in {time.perf_counter() - start:.1f} s; accuracy "
          + ", ".join(f"{m['accuracy']:.3f}" for m in history.metrics) + ")")
    eval_times("small CNN, n=8, 500 images of 3×32×32", history, validation, count=10)
    cnn_settings = {
        "defaults": {},
        "looser convergence 0.1": dict(convergence=0.1),
        "previous defaults": settings["previous defaults (absolute truncation 0.005, min max(30, n), convergence 0.05)"],
    }
    runs = {"exact MR": lambda: per_round(history, validation)}
    runs.update({label: (lambda options=options: gtg_shapley(history, validation, **options))
                 for label, options in cnn_settings.items()})
    # Two interleaved passes, best of each: a burst of load from other processes then hits
    # exact MR and GTG alike (results are deterministic; only the timings differ).
    results, walls, cpus = {}, {label: [] for label in runs}, {label: [] for label in runs}
    for _ in range(2):
        for label, run in runs.items():
            results[label], wall, cpu = timed(run)
            walls[label].append(wall)
            cpus[label].append(cpu)
    exact, exact_wall, exact_cpu = results["exact MR"], min(walls["exact MR"]), min(cpus["exact MR"])
    print(f"\n[4] CNN, n=8, 3 rounds (best of 2 interleaved passes): exact MR {exact_wall:.1f} s wall, "
          f"{exact_cpu:.1f} s CPU ({exact.evaluations} evaluations)")
    for label in cnn_settings:
        gtg, wall, cpu = results[label], min(walls[label]), min(cpus[label])
        print(f"    GTG {label}: {wall:.1f} s wall, {cpu:.1f} s CPU ({gtg.evaluations} "
              f"evaluations): {exact_wall / wall:.1f}× less wall time, {exact_cpu / cpu:.1f}× less CPU time, "
              f"{exact.evaluations / gtg.evaluations:.1f}× fewer evaluations (target ≥ 3×); "
              f"Spearman {spearmanr(gtg.values, exact.values)[0]:.3f}")

if __name__ == "__main__":
    main()
