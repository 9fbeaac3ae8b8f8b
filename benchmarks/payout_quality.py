"""Does the payout follow contribution? Every valuation method on a federation of known quality.

``examples/quality.toml``: 10 IID digits clients, 4 honest, 4 flipping 20-100 % of their labels,
2 free riders (one sends the global model back, one sends noise). Trained over 20 seeds, each
method's per-round scores are settled as ``cst-ref run`` settles them, under every utility
(accuracy or validation loss; coalition or federation weights) and both settlements. Printed
per combination (mean over seeds, worst seed in brackets):
the free riders' share of the budget together, the fully flipped client's share, and the
Spearman correlation of what clients were allocated with their constructed quality. The
baseline, run in the same process, is the old default (accuracy, coalition weights, each round
settled by its own scores); the last lines give the default's figures as ratios of the baseline's and
check the targets (free riders ≤ 2 %, fully flipped ≤ 2 %, Spearman ≥ 0.8).

    .venv/bin/python benchmarks/payout_quality.py [--seeds 20] [--methods "mr_loo,mr_shapley,..."]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import torch

from cst_ref.experiment import load_config
from cst_ref.experiment.payout_quality import PayoutQuality, measure
from cst_ref.valuation import METHODS, METRICS, WEIGHTS

CONFIG = Path(__file__).resolve().parents[1] / "examples" / "quality.toml"
BASELINE = (("accuracy", "coalition"), "round")


def line(r: PayoutQuality) -> str:
    rho = r.spearman[np.isfinite(r.spearman)]  # an equal payout ranks nothing: no correlation
    spearman = f"{rho.mean():5.2f} ({rho.min():5.2f})" if len(rho) else "  -- (   --)"
    return (f"{r.method:27s} {r.utility[0]:8s} {r.utility[1]:10s} {r.settlement:10s} "
            f"{100 * r.free_rider_share.mean():6.2f} ({100 * r.free_rider_share.max():5.2f})  "
            f"{100 * r.flipped_share.mean():6.2f} ({100 * r.flipped_share.max():5.2f})  {spearman}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = load_config(CONFIG)
    methods = args.methods.split(",")
    start = time.perf_counter()
    results = measure(config, range(args.seeds), methods, utilities=list(itertools.product(METRICS, WEIGHTS)))
    print(f"{args.seeds} training seeds of {CONFIG.name}, {time.perf_counter() - start:.0f} s")
    print(f"{'method':27s} {'metric':8s} {'weights':10s} {'settle':10s} free riders %   flipped %       Spearman")
    for r in results:
        print(line(r))
    default = (config.payout.method, (config.valuation.metric, config.valuation.weights), config.payout.settlement)
    chosen = {(r.method, r.utility, r.settlement): r for r in results}
    if default in chosen and (default[0], *BASELINE) in chosen:
        new, old = chosen[default], chosen[(default[0], *BASELINE)]
        print(f"default {default} against the baseline {(default[0], *BASELINE)}:")
        for name, a, b in (("free riders' share", new.free_rider_share.mean(), old.free_rider_share.mean()),
                           ("fully flipped share", new.flipped_share.mean(), old.flipped_share.mean()),
                           ("Spearman", np.nanmean(new.spearman), np.nanmean(old.spearman))):
            print(f"  {name}: {a:.4f} vs {b:.4f} -> ratio {a / b if b else float('inf'):.3f}")
        met = (new.free_rider_share.mean() <= 0.02, new.flipped_share.mean() <= 0.02,
               np.nanmean(new.spearman) >= 0.8)
        print(f"  targets (free riders <= 2 %, fully flipped <= 2 %, Spearman >= 0.8): "
              f"{'met' if all(met) else 'NOT met'} {tuple(bool(m) for m in met)}")


if __name__ == "__main__":
    main()
