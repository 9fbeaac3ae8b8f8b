"""Write a run's report, summary and figures: all at once or not at all.

Everything is written into a temporary folder beside ``out`` and moved into place at the end,
so an interrupted or failed run never leaves half a report behind. A run's folder carries a
marker listing its files; only such a folder, holding nothing else, is ever replaced, so a
wrong ``--out`` cannot delete a reader's own files. This module draws the report's figures, so
it sits with the command line above ``plots`` (``cst_ref.FLOW``).
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from cst_ref.experiment import ConfigError, Experiment, dumps, summary
from cst_ref.plots.report import allocation_figure, realised_figure

MARKER = ".cst-ref-run"
"""The file, in every folder ``write_outputs`` fills, that lists what it wrote there."""
MARKER_BYTES = 4096


def _refused(path: Path, problem: str) -> ConfigError:
    return ConfigError([f"{path}: {problem}"])


def _run_files(folder: Path) -> set[str]:
    """The names the marker in ``folder`` says a run wrote (none without a marker)."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return set()
    with open(marker, "rb") as file:
        listed = file.read(MARKER_BYTES).decode(errors="replace").splitlines()
    return {name for name in listed if name and not name.startswith("#")} | {MARKER}


def _check_replaceable(out: Path, given: Path) -> None:
    """``--force`` deletes what is in ``out``: only an earlier run's files, never a reader's."""
    written = _run_files(out)
    if not written:
        raise _refused(
            given,
            f"not a folder written by `cst-ref run` (no {MARKER} marker); --force replaces "
            "only an earlier run's output, choose another --out",
        )
    foreign = sorted(p.name for p in out.iterdir() if p.name not in written or p.is_symlink() or not p.is_file())
    if foreign:
        raise _refused(
            given,
            f"holds files `cst-ref run` did not write ({', '.join(foreign[:3])}"
            f"{', …' if len(foreign) > 3 else ''}); --force replaces only an earlier run's output",
        )


def _check_writable(out: Path, given: Path) -> None:
    """Outputs are staged beside ``out`` at the end of the run: try that now, not after training."""
    existing = given.parent  # as the reader wrote it, for the message
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise _refused(given, f"{existing} is not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}.", dir=existing))
    except OSError as error:
        raise _refused(given, f"cannot write in {existing} ({error.strerror or error})") from None


def check_out(out: str | Path, force: bool = False) -> Path:
    """``out``, absolute, once it is known that the run may write there: absent, an empty folder,
    or with ``force`` an earlier run's folder. ``ConfigError`` naming the path otherwise."""
    given = Path(out)
    out = Path(os.path.abspath(given))
    if out == out.parent:
        raise _refused(given, "is the root folder; choose a folder for the outputs")
    if out.is_symlink():
        raise _refused(given, "is a symbolic link; give the folder itself")
    if out.exists():
        if not out.is_dir():
            raise _refused(given, "exists and is not a folder; --out takes a folder (choose another path)")
        if any(out.iterdir()):
            if not force:
                raise _refused(given, "exists and is not empty; choose another folder or pass --force")
            _check_replaceable(out, given)
    _check_writable(out, given)
    return out


def _non_finite(value: Any, where: str = "report") -> str | None:
    """The path of the first NaN or infinity in ``value``: JSON has neither."""
    if isinstance(value, float):
        return None if math.isfinite(value) else where
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list | tuple) else ()
    for key, item in items:
        found = _non_finite(item, f"{where}.{key}")
        if found:
            return found
    return None


def _write_files(report: dict[str, Any], folder: Path) -> None:
    """The report, its summary, the figures and last the marker listing them, in ``folder``."""
    (folder / "report.json").write_text(dumps(report))
    (folder / "summary.md").write_text(summary(report))
    names = ["report.json", "summary.md"]
    for name, make in (("allocation", allocation_figure), ("realised", realised_figure)):
        figure = make(report)
        try:
            for suffix in ("png", "svg"):
                figure.savefig(
                    folder / f"{name}.{suffix}", dpi=120, metadata={"Date": None} if suffix == "svg" else None
                )
                names.append(f"{name}.{suffix}")
        finally:
            plt.close(figure)
    (folder / MARKER).write_text(
        "# written by `cst-ref run`; --force may replace this folder while it holds "
        "only these files\n" + "".join(f"{name}\n" for name in names)
    )


def _move_into_place(staging: Path, out: Path) -> None:
    """``staging`` becomes ``out``; an earlier run's folder there is deleted only once the new
    one is in place, and put back if it cannot be."""
    if not out.exists():
        os.replace(staging, out)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    previous = trash / out.name
    try:
        os.replace(out, previous)
        os.replace(staging, out)
    finally:
        if previous.exists() and not out.exists():
            os.replace(previous, out)
        shutil.rmtree(trash, ignore_errors=True)


def write_outputs(experiment: Experiment, out: str | Path, force: bool = False) -> Path:
    """Write ``report.json``, ``summary.md``, the figures (PNG and SVG) and the marker into
    ``out``, atomically; ``force`` replaces an earlier run's folder (see :func:`check_out`)."""
    given, out = Path(out), check_out(out, force)
    where = _non_finite(experiment.report)
    if where:
        raise ConfigError([f"{where}: is not a finite number, which JSON cannot hold; the run diverged"])
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        _write_files(experiment.report, staging)
        _move_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already once in place
    return given
