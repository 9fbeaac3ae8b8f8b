"""Fifty rounds of the known-quality federation: value against price, informed money, and the
tokens against paying the clients directly.

`examples/quality.toml` is trained for 50 rounds per training seed and paid by its payout
method; the treasury keeps a reserve of 1,000 base tokens after seeding the pools and
receives 70 a round of revenue against a budget of 100, and client 0 leaves as round 30
opens (``cst_ref.experiment.long_horizon``). Each schedule is played under every rule and
client policy over 3 market seeds (purchase order drawn anew), with value investors of 0, 50
and 500 tokens each.

Prints, per rule and policy, with 95 % intervals over the runs:
- the gap between price and fundamental value (mean |log(price / value)| as rounds open), for
  each value-investor capital, and the value investors' return;
- each investor kind's return at exit (value investors with 50 tokens);
- what honest clients and free riders take out in base by round 10 and 50 (clients selling
  what they receive), as a ratio to what paying them directly would have given (the baseline,
  computed in the same run), with price volatility.

Run: ``.venv/bin/python benchmarks/long_horizon.py [training seeds]`` (default 5; about 3 minutes).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from cst_ref.experiment import load_config
from cst_ref.experiment import long_horizon as lh
from cst_ref.experiment.quality import constructed_quality
from cst_ref.scenarios.metrics import confidence_interval

RULES = ("mint", "buyback", "buyback_burn", "inject")
POLICIES = ("hold", "sell_on_receipt", "sell_fraction")
MARKET_SEEDS = range(3)
CAPITALS = (0.0, 50.0, 500.0)
HONEST, FREE = [0, 1, 2, 3], [8, 9]


def main(n_seeds: int = 5) -> None:
    start = time.perf_counter()
    config = load_config(Path(__file__).parents[1] / "examples" / "quality.toml")
    quality, horizon = constructed_quality(config), lh.Horizon()
    paid = lh.long_schedules(config, range(n_seeds), horizon, progress=True)
    trained = time.perf_counter() - start
    print(f"\n{n_seeds} training seeds × {len(MARKET_SEEDS)} market seeds, {horizon}")
    print(f"\n{'rule':13} {'policy':16}" + "".join(f"{f'gap, value {c:.0f}':>20}" for c in CAPITALS)
          + "".join(f"{f'value return {c:.0f} (%)':>24}" for c in CAPITALS[1:]))
    kinds, taken = {}, {}
    for rule in RULES:
        scenarios = [lh.scenario(s, rule, quality, horizon) for s in paid]
        for policy in POLICIES:
            runs = {c: [lh.play(sc, policy, m, value_capital=c) for sc in scenarios for m in MARKET_SEEDS]
                    for c in CAPITALS}
            gaps = "".join(f"{str(confidence_interval([lh.mispricing(r) for r in runs[c]])):>20}" for c in CAPITALS)
            returns = "".join(f"{str(confidence_interval([lh.kind_returns(r)['value'] for r in runs[c]])):>24}"
                              for c in CAPITALS[1:])
            print(f"{rule:13} {policy:16}{gaps}{returns}")
            kinds[rule, policy] = {k: confidence_interval([lh.kind_returns(r)[k] for r in runs[50.0]]) for k in lh.KINDS}
            if policy == "sell_on_receipt":
                taken[rule] = runs[50.0]
    print(f"\nreturn at exit by investor kind (%), value investors with 50 each\n{'rule':13} {'policy':16}"
          + "".join(f"{k:>18}" for k in lh.KINDS))
    for (rule, policy), row in kinds.items():
        print(f"{rule:13} {policy:16}" + "".join(f"{str(row[k]):>18}" for k in lh.KINDS))
    direct = [np.cumsum(lh.direct_payments(lh.scenario(s, "mint", quality, horizon)), axis=0) for s in paid]
    print("\nbase taken out by clients selling what they receive, ÷ paid directly (the baseline, same run)")
    print(f"{'rule':13}{'honest by 10':>16}{'honest by 50':>16}{'free riders by 50 (tokens)':>30}{'volatility':>14}")
    for rule, runs in taken.items():
        ratio = {row: [lh.received(r)[row, HONEST].mean() / direct[k // len(MARKET_SEEDS)][row - 1, HONEST].mean()
                       for k, r in enumerate(runs)] for row in (10, 50)}
        free = [lh.received(r)[-1, FREE].mean() for r in runs]
        print(f"{rule:13}{np.mean(ratio[10]):>16.2f}{np.mean(ratio[50]):>16.2f}{str(confidence_interval(free)):>30}"
              f"{np.mean([lh.volatility(r) for r in runs]):>14.3f}")
    print(f"\ntraining {trained:.0f} s, markets {time.perf_counter() - start - trained:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
