"""Gas and latency of the federation on a JSON-RPC node (anvil) beside titanoboa's in-process EVM.

Per operation, then per round (fund the round's revenue, pay it under one rule), with the
node's gas price and what the round would cost at a stated gas price. Run:
    .venv/bin/python benchmarks/rpc_costs.py [--clients N] [--gwei PRICE]
"""

from __future__ import annotations

import argparse

from cst_ref.backends.rpc import on_node, operation_costs
from cst_ref.twins import WAD, SystemConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--gwei", type=float, default=10.0, help="stated gas price for the cost column")
    args = parser.parse_args()
    with on_node() as connection:
        investor = connection.add_signer(connection.node.accounts[1])
        costs = operation_costs(SystemConfig(n_clients=args.clients), connection, investor)
    print(f"{'operation':34} {'txs':>3} {'node gas':>10} {'in-process':>10} {'node ms':>8} {'EVM ms':>7}")
    for c in costs:
        evm_gas = "-" if c.evm_gas is None else f"{c.evm_gas:,}"
        print(f"{c.operation:34} {c.transactions:>3} {c.node_gas:>10,} {evm_gas:>10} "
              f"{1000 * c.node_seconds:>8.0f} {1000 * c.evm_seconds:>7.0f}")
    by_name = {c.operation: c for c in costs}
    fund = by_name["fund the treasury"]
    print(f"\nper round (fund + pay, {args.clients} clients); node gas price "
          f"{sum(c.node_fee for c in costs) / sum(c.node_gas for c in costs) / 1e9:.3f} gwei")
    print(f"{'rule':22} {'gas':>9} {'node s':>7} {'EVM s':>6} {'ETH at ' + format(args.gwei, 'g') + ' gwei':>16}")
    for c in costs:
        if c.operation.startswith("round: "):
            gas = fund.node_gas + c.node_gas
            print(f"{c.operation[7:]:22} {gas:>9,} {fund.node_seconds + c.node_seconds:>7.2f} "
                  f"{fund.evm_seconds + c.evm_seconds:>6.2f} {gas * args.gwei * 1e9 / WAD:>16.6f}")


if __name__ == "__main__":
    main()
