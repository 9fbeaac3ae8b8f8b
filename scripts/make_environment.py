"""Write environment.yml (Binder) from requirements.lock so the two never drift apart.

Binder builds with conda and has no GPU. torch and torchvision are installed by pip from
PyTorch's own CPU wheel index at the lock's exact versions with the ``+cpu`` local tag:
conda-forge's PyTorch builds lag PyTorch's releases (its torchvision is several minor versions
behind the lock), and PyPI's default torch is a multi-GB CUDA build whose runtime wheels
(left out here) Binder has no use for. Every other package is installed by pip with exactly the
lock's pin; conda provides only Python and pip.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Locked distributions that only exist to run PyPI's CUDA build of torch.
CUDA_ONLY = re.compile(r"^(nvidia-.*|cuda-.*|triton)$")
#: Locked distributions installed as PyTorch's CPU builds, from PyTorch's wheel index.
CPU_BUILDS = ("torch", "torchvision")
#: Where PyTorch publishes its CPU-only wheels (an extra index: everything else stays on PyPI).
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: Tools conda provides itself; pinning them through pip would fight conda.
CONDA_TOOLS = ("pip", "setuptools", "wheel")


def read_lock(path: Path = ROOT / "requirements.lock") -> dict[str, str]:
    """Map each locked distribution's normalised name to its pinned version."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        if not sep:
            raise ValueError(f"requirements.lock: {line!r} is not pinned with ==")
        pins[normalise(name)] = version
    return pins


def normalise(name: str) -> str:
    """PEP 503 name normalisation, so `Sphinx` and `sphinx` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def render(pins: dict[str, str]) -> str:
    cpu = "\n".join(f"    - {name}=={pins[name]}+cpu" for name in CPU_BUILDS)
    pip = "\n".join(
        f"    - {name}=={version}"
        for name, version in sorted(pins.items())
        if name not in CPU_BUILDS and name not in CONDA_TOOLS and not CUDA_ONLY.match(name)
    )
    return (
        "# Binder environment, generated from requirements.lock by scripts/make_environment.py.\n"
        "# Do not edit by hand: run `make lock` (tests/foundation/test_environment.py checks it).\n"
        "name: wallstreetfeds\n"
        "channels:\n  - conda-forge\n"
        "dependencies:\n"
        "  - python=3.11\n"
        f"  - pip={pins['pip']}\n"
        "  - pip:\n"
        f"    - --extra-index-url {CPU_INDEX}\n"
        f"{cpu}\n"
        f"{pip}\n"
        "    - -e .\n"
    )


def main() -> int:
    (ROOT / "environment.yml").write_text(render(read_lock()))
    print("wrote environment.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
