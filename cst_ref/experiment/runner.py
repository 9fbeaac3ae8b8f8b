"""Run a configured experiment end to end and write its report, figures and summary.

Outputs appear all at once or not at all: everything is written into a temporary folder
beside ``out`` and moved into place at the end, so an interrupted or failed run never
leaves half a report behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import torch
from tqdm.auto import tqdm

from cst_ref.plots.report import allocation_figure, realised_figure
from cst_ref.protocol.backends import BACKENDS
from cst_ref.protocol.round_loop import FederationRun, run_federation
from cst_ref.protocol.valuer import total_scores

from .config import ConfigError, ExperimentConfig
from .report import build_report, dumps
from .setup import Federation, build_federation
from .summary import summary


@dataclass(frozen=True)
class Experiment:
    """A finished run: its report and the objects behind it (for chapters that look inside)."""

    report: dict[str, Any]
    run: FederationRun
    federation: Federation


@contextmanager
def one_thread() -> Iterator[None]:
    """Same seed, same numbers: torch's float sums depend on its thread count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _chain(backend: str, rpc_url: str | None) -> AbstractContextManager[Any]:
    """The node the ``rpc`` backend deploys to (its own anvil without ``rpc_url``), connected
    before training so that an unreachable node or an unfunded key fails at once."""
    if backend != "rpc":
        if rpc_url is not None:
            raise ConfigError([f"--rpc-url: only the rpc backend uses a node, not {backend!r}"])
        return nullcontext()
    from cst_ref.protocol.rpc_backend import on_node  # titanoboa's network mode: only when asked for

    return on_node(rpc_url)


def run_experiment(config: ExperimentConfig, backend: str = "model", seed: int | None = None,
                   data_dir: str | Path | None = None, progress: bool = False,
                   rpc_url: str | None = None) -> Experiment:
    """Train, value, pay under every configured rule on ``backend``, and build the report.

    ``rpc_url`` points the ``rpc`` backend at a node, signing with the key in the environment
    variable ``CST_REF_PRIVATE_KEY``; without it the run starts and stops its own anvil.
    """
    if backend not in BACKENDS:
        raise ConfigError([f"backend: must be one of {list(BACKENDS)}, got {backend!r}"])
    seed = config.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError([f"seed: must be an integer in 0..2^32-1, got {seed!r}"])
    with _chain(backend, rpc_url), one_thread():
        federation = build_federation(config, seed, data_dir, progress)
        run = run_federation(federation.model, federation.clients, federation.validation, federation.fedavg,
                             federation.payout, backend, seed)
        utility = federation.payout.utility
        allocation = {method: total_scores(method, run.history, federation.validation, seed, **utility)
                      for method in tqdm(config.valuation.methods, desc="valuation", disable=not progress or None)}
        report = build_report(config, seed, backend, federation, run, allocation)  # reads the chain: node still up
    return Experiment(report, run, federation)


def write_outputs(experiment: Experiment, out: str | Path, force: bool = False) -> Path:
    """Write ``report.json``, ``summary.md`` and the figures (PNG and SVG) into ``out``, atomically."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise ConfigError([f"--out: {out} exists and is not empty; choose another folder or pass --force"])
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / "report.json").write_text(dumps(experiment.report))
        (staging / "summary.md").write_text(summary(experiment.report))
        for name, make in (("allocation", allocation_figure), ("realised", realised_figure)):
            figure = make(experiment.report)
            for suffix in ("png", "svg"):
                figure.savefig(staging / f"{name}.{suffix}", dpi=120, metadata={"Date": None} if suffix == "svg"
                               else None)
            plt.close(figure)
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
