"""environment.yml (Binder) installs exactly what requirements.lock pins."""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from make_environment import CONDA_TOOLS, CPU_BUILDS, CPU_INDEX, CUDA_ONLY, normalise, read_lock, render  # noqa: E402


def environment() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(conda pins, pip pins, other pip lines) as written in environment.yml."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip, other = {}, {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep["pip"]:
                name, sep, version = line.partition("==")
                if sep:
                    assert normalise(name) not in pip, f"{name} is pinned twice"
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
    expected = {n: v for n, v in lock.items() if n not in CPU_BUILDS + CONDA_TOOLS and not CUDA_ONLY.match(n)}
    expected |= {n: f"{lock[n]}+cpu" for n in CPU_BUILDS}
    mismatched = {n: (pip.get(n), v) for n, v in expected.items() if pip.get(n) != v}
    assert not mismatched, f"environment.yml disagrees with the lock (env, lock): {mismatched}"
    assert set(pip) == set(expected), f"extra pins in environment.yml: {set(pip) - set(expected)}"


def test_torch_comes_from_pytorchs_cpu_index_at_the_locked_versions():
    """conda-forge's torch lags the lock; PyPI's is a CUDA build. PyTorch's CPU index has both."""
    lock = read_lock()
    conda, pip, other = environment()
    assert pip["torch"] == f"{lock['torch']}+cpu" and pip["torchvision"] == f"{lock['torchvision']}+cpu"
    assert not {"pytorch", "torch", "torchvision"} & set(conda), "torch must not also come from conda"
    assert other == [f"--extra-index-url {CPU_INDEX}", "-e ."]
    assert CPU_INDEX == "https://download.pytorch.org/whl/cpu"


def test_conda_provides_only_python_and_the_locked_pip():
    lock = read_lock()
    conda, _, _ = environment()
    assert conda == {"python": "3.11", "pip": lock["pip"]}


def test_environment_file_is_the_generated_one():
    assert (ROOT / "environment.yml").read_text() == render(read_lock())


def test_lock_pins_the_toolchain_the_book_relies_on():
    lock = read_lock()
    assert lock["torch"] == "2.14.1" and lock["torchvision"] == "0.29.1"
    assert lock["vyper"] == "0.4.3" and lock["titanoboa"] == "0.2.8" and lock["snekmate"] == "0.1.2"
    assert lock["jupyter-book"].startswith("1.") and "py-evm" in lock
