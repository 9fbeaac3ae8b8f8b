"""Print what an investor keeps when its client pulls the rug, along the vesting schedule.

Usage: ``.venv/bin/python benchmarks/rug_pull.py`` (about a minute). One client (1,000 CST of
its own, a pool seeded with 1,000 CST and 1,000 base), an investor who buys with 100 base,
``k`` rounds of 50 base, then the client's worst action (``cst_ref.scenarios.rug_pull``):
each row is the investor's liquidation value after that action as a ratio to its value just
before. Under buy-back to client the client also sells the CST its rewards bought; under
buy-back and burn it sells only its vested supply. Every row is computed on the twins and
replayed on the EVM, which must give the same wei.
"""

from __future__ import annotations

import time

from cst_ref.scenarios.rug_pull import rug_pull
from cst_ref.twins import RULE_BUYBACK_BURN, RULE_BUYBACK_TO_CLIENT, RULES, VESTING_ROUNDS, WAD

POINTS = (0, 1, 2, 3, 5, 10, 15, 20, 30)


def main() -> None:
    started = time.perf_counter()
    print(f"VESTING_ROUNDS = {VESTING_ROUNDS}; investor buys with 100 base; rounds of 50 base")
    for rule in (RULE_BUYBACK_TO_CLIENT, RULE_BUYBACK_BURN):
        print(f"\n{RULES[rule]}")
        print(f"{'rounds':>6s} {'vested':>7s} {'before':>9s} {'after':>9s} {'kept':>7s}")
        for k in POINTS:
            twin = rug_pull(k, rule=rule)
            if rug_pull(k, rule=rule, backend="evm") != twin:
                raise SystemExit(f"the EVM differs from the twins at {k} rounds under {RULES[rule]}")
            vested = min(k, VESTING_ROUNDS) / VESTING_ROUNDS
            print(f"{k:6d} {vested:7.0%} {twin.before / WAD:9.3f} {twin.after / WAD:9.3f} {twin.kept:7.3f}")
    print(f"\n(every row identical on the EVM; {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
