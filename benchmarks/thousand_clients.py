"""A federation of 1,000 clients on a real node: registration and one round under every rule.

anvil (automatic mining) and the ``rpc`` backend: the system is deployed with ``deploy_system``
as in chapter 12, each client registered in a transaction of its own (two EIP-1167 clones
initialised in place, the pool seeded), then one round is paid under each rule with equal
shares. Rounds of more than ``MAX_PAGE`` clients are paid in pages (``open_round``, then one
``pay_page`` transaction per page). Prints gas per registration and per page from the node's
receipts (intrinsic gas included), against the targets of 1,000,000 and 15,000,000, and the
wall time of each step; the gas of one registration is also printed beside what deploying a
token and a pool in full costs, the baseline the clones replace. The figures also go to
``benchmarks/results/thousand_clients.json``, which chapter 12 reads. Run:
    .venv/bin/python benchmarks/thousand_clients.py [--clients 1000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from cst_ref.backends.rpc import RpcBackend, on_node
from cst_ref.chain.deploy import deploy_cst, deploy_pool
from cst_ref.twins import RULES, WAD, Rule, SystemConfig, equal_shares

REGISTRATION_TARGET = 1_000_000
PAGE_TARGET = 15_000_000
RESULTS = Path(__file__).parent / "results" / "thousand_clients.json"


def _gas(receipts: list[dict]) -> list[int]:
    return [int(receipt["gasUsed"], 16) for receipt in receipts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    args = parser.parse_args()
    n = args.clients
    config = SystemConfig(n_clients=n, treasury=(n * 1_000 + 10_000) * WAD)
    with on_node() as connection:
        start = time.perf_counter()
        with connection.receipts() as deployed:
            backend = RpcBackend(config, connection)
        deploy_seconds = time.perf_counter() - start
        registrations = _gas(deployed)[-n:]
        with backend._active(), connection.receipts() as baseline:  # what one client cost in full
            token = deploy_cst("Client X", "CSTX", sender=connection.owner)
            deploy_pool(token.address, backend.system.base.address, sender=connection.owner)
        print(f"{n} clients registered in {deploy_seconds:.0f} s ({deploy_seconds / n * 1000:.0f} ms each)")
        print(
            f"registration gas: max {max(registrations):,}, mean {statistics.mean(registrations):,.0f} "
            f"(target {REGISTRATION_TARGET:,}); a token and a pool deployed in full: {sum(_gas(baseline)):,} "
            f"(ratio {max(registrations) / sum(_gas(baseline)):.2f})"
        )
        shares = equal_shares(n)
        figures = {
            "clients": n,
            "date": date.today().isoformat(),
            "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
            "registration_seconds": round(deploy_seconds, 1),
            "registration_gas_max": max(registrations),
            "registration_gas_mean": round(statistics.mean(registrations)),
            "full_deployment_gas": sum(_gas(baseline)),
            "rounds": {},
        }
        print(f"\n{'rule':24} {'pages':>5} {'open gas':>11} {'max page gas':>13} {'gas/client':>10} {'s':>6}")
        for rule in RULES:
            start = time.perf_counter()
            with connection.receipts() as mined:
                backend.execute(backend.prepare(rule, shares, 1_000 * WAD))
            seconds = time.perf_counter() - start
            gas = _gas(mined)
            opened, pages = (gas[0], gas[1:]) if len(gas) > 1 else (0, gas)
            print(
                f"{Rule(rule).label:24} {len(pages):>5} {opened:>11,} {max(pages):>13,} "
                f"{sum(gas) / n:>10,.0f} {seconds:>6.1f}"
            )
            figures["rounds"][Rule(rule).key] = {
                "pages": len(pages),
                "open_gas": opened,
                "page_gas_max": max(pages),
                "gas_per_client": round(sum(gas) / n),
                "seconds": round(seconds, 1),
            }
            assert max(pages) <= PAGE_TARGET, f"a page used {max(pages):,} gas"
        assert max(registrations) <= REGISTRATION_TARGET
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
