"""A wheel built from the repository carries the contracts and deploys them on its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DEPLOY_FROM_WHEEL = """
import cst_ref, sys
from cst_ref.chain.deploy import CONTRACTS_DIR, deploy_base_token
assert cst_ref.__file__.startswith(sys.argv[1]), cst_ref.__file__
token = deploy_base_token()
print(CONTRACTS_DIR, token.symbol())
"""


def source_copy(folder: Path) -> Path:
    """What the build reads (pyproject.toml's packages, package data and metadata files), copied to
    ``folder``: setuptools builds in the source tree, and its ``build/`` and ``*.egg-info`` then
    land here, not in the repository (where a stale ``build/lib`` would also leak into wheels)."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "cst_ref", folder / "cst_ref", symlinks=True, ignore=skip)  # contracts: a link
    shutil.copytree(ROOT / "contracts", folder / "contracts", ignore=skip)  # ... to ../contracts
    for name in ("pyproject.toml", "README.md", *(p.name for p in ROOT.glob("LICEN[CS]E*"))):
        shutil.copy2(ROOT / name, folder / name)
    return folder


def test_installed_wheel_deploys_its_own_contracts(tmp_path):
    source = source_copy(tmp_path / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(tmp_path / "dist")], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("cst_ref-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"cst_ref/contracts/{c}.vy" for c in ("cst_token", "pool", "guards", "federation")} <= set(names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", DEPLOY_FROM_WHEEL, str(target)], cwd=tmp_path, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(target), "PATH": ""}).stdout
    contracts_dir, symbol = out.split()
    assert contracts_dir == str(target / "cst_ref" / "contracts") and symbol == "BUSD"
