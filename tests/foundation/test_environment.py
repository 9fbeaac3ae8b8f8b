"""environment.yml (Binder) installs exactly what requirements.lock pins."""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from make_environment import CONDA_TOOLS, CUDA_ONLY, FROM_CONDA, normalise, read_lock, render  # noqa: E402


def environment() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(conda pins, pip pins, other pip lines) as written in environment.yml."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip, other = {}, {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep["pip"]:
                name, sep, version = line.partition("==")
                if sep:
                    pip[normalise(name)] = version
                else:
                    other.append(line)
        else:
            name, _, version = dep.removeprefix("conda-forge::").partition("=")
            conda[name] = version.split("=")[0]
    return conda, pip, other


def test_pip_pins_match_the_lock_one_by_one():
    lock = read_lock()
    _, pip, _ = environment()
    expected = {n: v for n, v in lock.items() if n not in FROM_CONDA + CONDA_TOOLS and not CUDA_ONLY.match(n)}
    mismatched = {n: (pip.get(n), v) for n, v in expected.items() if pip.get(n) != v}
    assert not mismatched, f"environment.yml disagrees with the lock (env, lock): {mismatched}"
    assert set(pip) == set(expected), f"extra pins in environment.yml: {set(pip) - set(expected)}"


def test_conda_builds_match_the_lock():
    lock = read_lock()
    conda, _, other = environment()
    assert conda["python"] == "3.11"
    assert conda["pytorch"] == lock["torch"] and conda["torchvision"] == lock["torchvision"]
    assert conda["pip"] == lock["pip"]
    assert other == ["-e ."]


def test_environment_file_is_the_generated_one():
    assert (ROOT / "environment.yml").read_text() == render(read_lock())


def test_lock_pins_the_toolchain_the_book_relies_on():
    lock = read_lock()
    assert lock["torch"] == "2.14.1" and lock["torchvision"] == "0.29.1"
    assert lock["vyper"] == "0.4.3" and lock["titanoboa"] == "0.2.8" and lock["snekmate"] == "0.1.2"
    assert lock["jupyter-book"].startswith("1.") and "py-evm" in lock
