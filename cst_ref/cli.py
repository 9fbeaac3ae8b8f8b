"""The ``cst-ref`` command: the package's entry point for readers outside the book.

Exit codes: 0 success, 2 a bad command line, config, output folder or missing data, 3 no
usable chain node (unreachable, lost during the run, anvil missing, or an unfunded signing
account), 130 and 143 interrupted by SIGINT and SIGTERM; nothing is written on an error.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cst_ref
from cst_ref.versions import toolchain_versions

CONFIG_ERROR = 2
NODE_ERROR = 3


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process runs, so it unwinds as Ctrl-C does."""


def _terminate(signum: int, _: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
    raise Terminated(signum)


@contextmanager
def terminate_unwinds() -> Iterator[None]:
    """SIGTERM's default kills the process at once: its anvil would keep running and its temp
    folders stay. Raised as an exception instead, it runs every ``finally`` and ``with`` exit
    on its way out. Only the main thread may set handlers (``main`` called from elsewhere runs as is)."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _info(_: argparse.Namespace) -> int:
    for name, version in toolchain_versions().items():
        print(f"{name:13} {version}")
    print(f"{'package':13} {Path(cst_ref.__file__).parent}")
    return 0


def _headless_figures() -> None:
    """The command writes its figures to files and shows none: Agg, set here and not by the
    package on import (that would blank every later figure of a notebook). A process that
    already imported pyplot (``main`` called from a notebook) keeps its backend, as switching
    would close its figures; figures save under any backend."""
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def _run(args: argparse.Namespace) -> int:
    _headless_figures()  # before the imports below bring in pyplot
    from cst_ref.backends.anvil import NodeError
    from cst_ref.experiment import ConfigError, load_config, run_experiment  # torch, boa: late
    from cst_ref.outputs import check_out, write_outputs

    progress = sys.stderr.isatty()
    try:
        with terminate_unwinds():
            config = load_config(args.config)
            check_out(args.out, args.force)  # before training, not after
            experiment = run_experiment(config, args.backend, args.seed, args.data_dir, progress, args.rpc_url)
            write_outputs(experiment, args.out, force=args.force)
    except ConfigError as error:
        for message in error.messages:
            print(f"cst-ref run: {message}", file=sys.stderr)
        return CONFIG_ERROR
    except NodeError as error:
        print(f"cst-ref run: {error}", file=sys.stderr)
        return NODE_ERROR
    except KeyboardInterrupt as interrupt:
        signum = interrupt.args[0] if isinstance(interrupt, Terminated) else signal.SIGINT
        print(f"cst-ref run: {signal.Signals(signum).name}: stopped; nothing was written", file=sys.stderr)
        return 128 + signum
    print(f"wrote {Path(args.out) / 'report.json'}, summary.md and figures")
    return 0


def _backend(name: str) -> str:
    """A backend name for argparse, refusing an old spelling with the name to use instead."""
    from cst_ref.backends import check_backend

    try:
        return check_backend(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cst-ref",
        description="Client-specific tokens for federated learning: the WallStreetFeds reference implementation.",
    )
    parser.add_argument("--version", action="version", version=f"cst-ref {cst_ref.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = commands.add_parser("info", help="print the versions of the toolchain that results depend on")
    info.set_defaults(handler=_info)
    run = commands.add_parser(
        "run",
        help="run a configured experiment and write its report",
        description="Train a federation, value its clients, pay them through their "
        "tokens under every configured rule, and write DIR/report.json, "
        "DIR/summary.md and figures.",
    )
    run.add_argument("--config", required=True, metavar="FILE", help="TOML config (see examples/)")
    run.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="output folder (created; must be empty or absent, or with --force an earlier run's)",
    )
    run.add_argument(
        "--backend",
        type=_backend,
        default="twin",
        metavar="{twin,evm,rpc}",
        help="pure-Python twins (fast), the contracts on titanoboa's EVM, or the contracts on a "
        "JSON-RPC node as real transactions; same numbers",
    )
    run.add_argument(
        "--rpc-url",
        default=None,
        metavar="URL",
        help="with --backend rpc: the node to use, signing with the key in $CST_REF_PRIVATE_KEY "
        "(default: start a local anvil)",
    )
    run.add_argument("--seed", type=int, default=None, help="override the config's seed")
    run.add_argument("--data-dir", default=None, metavar="DIR", help="where MNIST/CIFAR-10 files lie")
    run.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier run's output folder (one holding only what cst-ref run wrote)",
    )
    run.set_defaults(handler=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
