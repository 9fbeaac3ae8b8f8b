"""Do investors in good clients earn more? The title claim on the known-quality federation.

`examples/quality.toml` (4 honest clients, 4 flipping 20-100 % of their labels, 2 free
riders) is trained over 20 seeds and paid by its configured payout; each schedule is played
under every rule and client policy with one buy-and-hold investor per client, over 3 market
seeds (purchase order drawn anew). The baseline is the same markets paid equally (every
client the same share of the same budgets): whatever ranks returns there is not the payout.

Prints, per rule and policy, each quality group's investor return (% of capital, mean and
95 % interval over the 60 runs), the Spearman correlation of returns with quality and of
price growth with cumulative allocation, and the spread between the best and worst clients'
investors, each beside the equal-payout baseline.

Run: ``.venv/bin/python benchmarks/title_claim.py [seeds]`` (default 20; about 10 minutes).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from cst_ref.experiment import load_config
from cst_ref.experiment.title_claim import measure, schedules
from cst_ref.scenarios.metrics import confidence_interval

RULES = ("mint", "buyback", "buyback_burn", "inject")
MARKET_SEEDS = range(3)
GROUPS = {"honest": [0, 1, 2, 3], "flip 20-40 %": [4, 5], "flip 70-100 %": [6, 7], "free riders": [8, 9]}


def ci(values):
    """Mean ± 95 % interval of the finite values (a correlation of constant ranks is NaN), or
    None when there are none."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return confidence_interval(finite) if len(finite) else None


def fmt(interval, mean_only=False):
    """An interval as printed, its mean alone, or a dash where nothing varied."""
    if interval is None:
        return "–"
    return f"{interval.mean:+.2f}" if mean_only else str(interval)


def main(n_seeds: int = 20) -> None:
    start = time.perf_counter()
    config = load_config(Path(__file__).parents[1] / "examples" / "quality.toml")
    paid = schedules(config, range(n_seeds), progress=True)
    trained = time.perf_counter() - start
    claims = measure(config, paid, MARKET_SEEDS, RULES, progress=True)
    baseline = {(c.rule, c.policy): c for c in measure(config, [s.paid_equally() for s in paid], MARKET_SEEDS, RULES)}
    print(f"\n{n_seeds} training seeds × {len(MARKET_SEEDS)} market seeds; payout {config.payout.method}, "
          f"{config.payout.settlement}; returns in % of capital, mean ± 95 % interval; [equal payout]")
    header = f"{'rule':13} {'policy':16}" + "".join(f"{g:>22}" for g in GROUPS) + \
        f"{'ρ(return, quality)':>30}{'ρ(price, allocation)':>22}{'best − worst (pp)':>30}"
    print(header)
    for claim in claims:
        base = baseline[claim.rule, claim.policy]
        groups = "".join(f"{str(ci(claim.returns[:, idx].mean(1))):>22}" for idx in GROUPS.values())
        rho, rho_base = ci(claim.return_vs_quality), ci(base.return_vs_quality)
        price = ci(claim.price_vs_contribution)
        spread, spread_base = ci(claim.spread), ci(base.spread)
        print(f"{claim.rule:13} {claim.policy:16}{groups}{fmt(rho):>17} [{fmt(rho_base, True)}]"
              f"{fmt(price):>22}{fmt(spread):>20} [{fmt(spread_base, True)}]")
    print(f"\ntraining {trained:.0f} s, markets {time.perf_counter() - start - trained:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
