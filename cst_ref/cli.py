"""The ``cst-ref`` command: the package's entry point for readers outside the book."""

from __future__ import annotations

import argparse
import platform
import sys
from importlib import metadata
from pathlib import Path

import cst_ref

#: Distributions whose versions decide whether a result reproduces.
TOOLCHAIN = ("torch", "torchvision", "vyper", "titanoboa", "snekmate", "py-evm", "numpy", "scikit-learn")


def toolchain_versions() -> dict[str, str]:
    """Installed versions of the packages that results depend on ("missing" if absent)."""
    versions = {"python": platform.python_version(), "cst-ref": cst_ref.__version__}
    for name in TOOLCHAIN:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def _info(_: argparse.Namespace) -> int:
    for name, version in toolchain_versions().items():
        print(f"{name:13} {version}")
    print(f"{'package':13} {Path(cst_ref.__file__).parent}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cst-ref",
        description="Client-specific tokens for federated learning: the WallStreetFeds reference implementation.",
    )
    parser.add_argument("--version", action="version", version=f"cst-ref {cst_ref.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = commands.add_parser("info", help="print the versions of the toolchain that results depend on")
    info.set_defaults(handler=_info)
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
