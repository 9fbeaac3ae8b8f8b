"""``python -m cst_ref.flower``: a deployment on this machine, its rounds and payouts, and how it
compares with the simulation (``--compare``).

Not a ``cst-ref`` subcommand: the command line builds on the experiment, not on Flower
(``cst_ref.FLOW``). Exit codes: 0 success, 1 a process of the deployment failed or timed out,
2 a bad command line, 130 and 143 interrupted by SIGINT and SIGTERM (every process stopped).
"""

from __future__ import annotations

import argparse
import signal
import sys

from cst_ref.fl import FedAvgConfig
from cst_ref.sections import ConfigError

from .deployment import deploy
from .processes import ProcessFailed
from .record import RunRecord, parameter_gaps
from .server import gtg_payout, simulate
from .spec import FlowerSetup


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process runs, so that the deployment stops as on Ctrl-C."""


def _terminate(signum: int, _: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
    raise Terminated(signum)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cst_ref.flower",
        description="Run a Flower deployment on this machine (a SuperLink and one SuperNode per client, "
        "TLS and node authentication on) and print its rounds and payouts.",
    )
    parser.add_argument("--nodes", type=int, default=3, help="SuperNodes, one per client (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="FedAvg rounds (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--insecure", action="store_true", help="no TLS (and so no node authentication)")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS", help="for the run (default 600)")
    parser.add_argument("--compare", action="store_true", help="also run the simulation and compare")
    return parser


def _print(record: RunRecord) -> None:
    rules = list(record.payouts[0].rules) if record.payouts else []
    print("round  accuracy  clients  " + "  ".join(f"{rule:>12}" for rule in rules) + "  (paid, base tokens)")
    for t, metrics in enumerate(record.metrics):
        paid = [sum(record.payouts[t].rules[rule].amounts) / 1e18 for rule in rules] if record.payouts else []
        cells = "  ".join(f"{amount:12.2f}" for amount in paid)
        print(f"{t + 1:5d}  {metrics['accuracy']:8.3f}  {len(record.participants[t]):7d}  {cells}")


def progress(message: str) -> None:
    """What the deployment is doing, on stderr (stdout has the results)."""
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        setup = FlowerSetup(
            n_clients=args.nodes, fedavg=FedAvgConfig(rounds=args.rounds, seed=args.seed, progress=False)
        )
        secure = not args.insecure
        run = deploy(setup, tls=secure, auth=secure, timeout=args.timeout, progress=progress)
        print(f"deployment: {args.nodes} SuperNodes, {args.rounds} rounds, flwr run took {run.seconds:.0f} s")
        _print(run.record)
        if args.compare:
            progress("running the same setup on the simulation engine")
            simulated = RunRecord.of(simulate(setup, gtg_payout(setup)))
            gaps = parameter_gaps(run.record, simulated)[1:]
            print("max |θ_deployment − θ_simulation| per round: " + ", ".join(f"{gap:.1e}" for gap in gaps))
            print(f"payouts equal, per client, rule and round: {run.record.amounts() == simulated.amounts()}")
    except (ConfigError, ValueError) as error:
        print(f"python -m cst_ref.flower: {error}", file=sys.stderr)
        return 2
    except (ProcessFailed, TimeoutError) as error:
        print(f"python -m cst_ref.flower: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        signum = interrupt.args[0] if isinstance(interrupt, Terminated) else signal.SIGINT
        print(f"python -m cst_ref.flower: {signal.Signals(signum).name}: every process stopped", file=sys.stderr)
        return 128 + signum
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
