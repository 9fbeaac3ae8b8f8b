"""Print the execution gas of the pool's and the federation's operations.

Usage: ``.venv/bin/python benchmarks/gas.py`` (about a minute). Every figure is measured
in this run (see ``cst_ref.chain.federation_gas`` for the steady state it assumes) and is
also given as a ratio to a plain ERC-20 transfer measured in the same run; the swap is
compared with the project's 57,010-gas target.
"""

from __future__ import annotations

import time

from cst_ref.chain.federation_gas import (
    SWAP_TARGET_GAS,
    linear_cost,
    operation_gas,
    round_gas_by_clients,
)

CLIENT_COUNTS = list(range(1, 51))
SHOWN_COUNTS = (1, 2, 5, 10, 20, 30, 40, 50)


def main() -> None:
    started = time.perf_counter()
    gas = operation_gas()
    baseline = gas["ERC-20 transfer"]
    print("Execution gas of one call (3 registered clients, equal shares, steady state)")
    print(f"{'operation':32s} {'gas':>10s} {'x transfer':>11s}")
    for name, value in gas.items():
        print(f"{name:32s} {value:10,d} {value / baseline:11.2f}")
    swap = gas["swap"]
    # The target is Uniswap V2's bare pair.swap measured the same way in the same EVM; V2's own
    # 73,462 figure is not comparable (older fork, intrinsic gas included).
    print(f"swap / {SWAP_TARGET_GAS:,} target = {swap / SWAP_TARGET_GAS:.3f}")

    table = round_gas_by_clients(CLIENT_COUNTS)
    print("\nGas of one round by number of clients n (every client paid, equal shares)")
    print(f"{'n':>4s} " + " ".join(f"{name:>20s}" for name in table))
    for i, n in enumerate(CLIENT_COUNTS):
        if n in SHOWN_COUNTS:
            print(f"{n:4d} " + " ".join(f"{column[i]:20,d}" for column in table.values()))
    print("\nLinear fit over n = 1..50: gas(n) = fixed + marginal * n")
    print(f"{'rule':20s} {'fixed':>10s} {'marginal':>10s} {'marginal x transfer':>20s} {'marginal x swap':>16s}")
    for name, column in table.items():
        fit = linear_cost(CLIENT_COUNTS, column)
        print(f"{name:20s} {fit.fixed:10,.0f} {fit.per_client:10,.0f} {fit.per_client / baseline:20.2f} "
              f"{fit.per_client / swap:16.2f}")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
