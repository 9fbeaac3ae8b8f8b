"""Write environment.yml (Binder) from requirements.lock so the two never drift apart.

Binder builds with conda and has no GPU: torch and torchvision come from conda-forge's CPU
builds of the locked versions, and the CUDA runtime wheels that PyPI's torch drags in are left
out. Every other package is installed by pip with exactly the lock's pin.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Locked distributions that only exist to run PyPI's CUDA build of torch.
CUDA_ONLY = re.compile(r"^(nvidia-.*|cuda-.*|triton)$")
#: Locked distributions that conda installs (CPU builds) instead of pip.
FROM_CONDA = ("torch", "torchvision")
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
    conda = "\n".join(f"  - conda-forge::{'pytorch' if n == 'torch' else n}={pins[n]}=cpu*" for n in FROM_CONDA)
    pip = "\n".join(
        f"    - {name}=={version}"
        for name, version in sorted(pins.items())
        if name not in FROM_CONDA and name not in CONDA_TOOLS and not CUDA_ONLY.match(name)
    )
    return (
        "# Binder environment, generated from requirements.lock by scripts/make_environment.py.\n"
        "# Do not edit by hand: run `make lock` (tests/foundation/test_environment.py checks it).\n"
        "name: wallstreetfeds\n"
        "channels:\n  - conda-forge\n"
        "dependencies:\n"
        "  - python=3.11\n"
        f"  - pip={pins['pip']}\n"
        f"{conda}\n"
        "  - pip:\n"
        f"{pip}\n"
        "    - -e .\n"
    )


def main() -> int:
    (ROOT / "environment.yml").write_text(render(read_lock()))
    print("wrote environment.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
