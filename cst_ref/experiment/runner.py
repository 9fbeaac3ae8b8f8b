"""Run a configured experiment end to end: train, value, pay, trade, and build its report.

Writing the report, its summary and figures to a folder is ``cst_ref.outputs``' job (it
draws the figures, so it sits above ``plots``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from cst_ref.backends import check_backend
from cst_ref.backends.anvil import NodeError
from cst_ref.fl import one_thread
from cst_ref.protocol.round_loop import FederationRun, run_federation
from cst_ref.protocol.valuer import total_scores
from cst_ref.valuation import NonFiniteUtility

from .build import Federation, build_federation
from .config import ConfigError, ExperimentConfig
from .markets import run_markets
from .report import build_report

LOWER = "lower training.lr (or a behaviour's noise scale or sigma)"


@dataclass(frozen=True)
class Experiment:
    """A finished run: its report and the objects behind it (for chapters that look inside)."""

    report: dict[str, Any]
    run: FederationRun
    federation: Federation


def _chain(backend: str, rpc_url: str | None) -> AbstractContextManager[Any]:
    """The node the ``rpc`` backend deploys to (its own anvil without ``rpc_url``), connected
    before training so that an unreachable node or an unfunded key fails at once."""
    if backend != "rpc":
        if rpc_url is not None:
            raise ConfigError([f"--rpc-url: only the rpc backend uses a node, not {backend!r}"])
        return nullcontext()
    from cst_ref.backends.rpc import on_node  # titanoboa's network mode: only when asked for

    return on_node(rpc_url)


@contextmanager
def node_answers(backend: str) -> Iterator[None]:
    """A node that stops answering mid-run (stopped, network down) is a ``NodeError``, like
    one that never answered: the requests titanoboa sends raise their own errors."""
    if backend != "rpc":
        yield
        return
    import requests  # titanoboa's HTTP client and its transport: present whenever the rpc backend is
    import urllib3

    try:
        yield
    except (ConnectionError, requests.RequestException, urllib3.exceptions.HTTPError) as error:
        detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise NodeError(
            f"--backend rpc: the node stopped answering during the run ({detail}); nothing was written"
        ) from error


def check_trained(run: FederationRun) -> None:
    """A diverged training (too large a learning rate) makes NaN losses, which strict JSON
    readers reject: stop with the round that diverged instead of writing them."""
    for result in run.rounds:
        for name in ("loss", "accuracy"):
            value = getattr(result, name)
            if not math.isfinite(value):
                raise ConfigError(
                    [
                        (
                            f"training: diverged: {name} is {'NaN' if math.isnan(value) else value} at round "
                            f"{result.round}; {LOWER}"
                        )
                    ]
                )


@contextmanager
def divergence_named() -> Iterator[None]:
    """The valuation refuses a NaN utility before the round loop returns: the same divergence."""
    try:
        yield
    except NonFiniteUtility as error:
        raise ConfigError([f"training: diverged: a model's validation loss is {error.value}; {LOWER}"]) from error


def run_experiment(
    config: ExperimentConfig,
    backend: str = "twin",
    seed: int | None = None,
    data_dir: str | Path | None = None,
    progress: bool = False,
    rpc_url: str | None = None,
) -> Experiment:
    """Train, value, pay under every configured rule on ``backend``, and build the report.

    ``rpc_url`` points the ``rpc`` backend at a node, signing with the key in the environment
    variable ``CST_REF_PRIVATE_KEY``; without it the run starts and stops its own anvil.
    """
    try:
        check_backend(backend)
    except ValueError as error:
        raise ConfigError([f"backend: {error}"]) from None
    seed = config.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError([f"seed: must be an integer in 0..2^32-1, got {seed!r}"])
    with node_answers(backend), _chain(backend, rpc_url) as connection, one_thread():
        federation = build_federation(config, seed, data_dir, progress)
        with divergence_named():
            run = run_federation(
                federation.model,
                federation.clients,
                federation.validation,
                federation.fedavg,
                federation.payout,
                backend,
                seed,
                connection,
            )
            check_trained(run)
            assert run.history is not None, "the run has trained"
            utility = federation.payout.utility
            allocation = {
                method: total_scores(method, run.history, federation.validation, seed, **utility)
                for method in tqdm(config.valuation.methods, desc="valuation", disable=not progress or None)
            }
        market = run_markets(config, run, backend, connection) if config.market is not None else None
        report = build_report(config, seed, backend, federation, run, allocation, market)  # node still up
    return Experiment(report, run, federation)
