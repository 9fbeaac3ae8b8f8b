"""Versions of the toolchain that results depend on, for ``cst-ref info`` and every report."""

from __future__ import annotations

import platform
from importlib import metadata

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
