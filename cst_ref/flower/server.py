"""The ServerApp and the one-call simulation: Flower's engine drives, the strategy records and pays.

The same :func:`make_server_app` serves both Flower runtimes: ``simulate`` runs it on the
simulation engine (Ray, one machine, one process per CPU), and ``cst_ref.flower.app``
exposes it to ``flwr run`` for a deployment across machines, reading the setup from
Flower's run config (``cst_ref.flower.deployment`` runs such a deployment on this machine).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flwr.app import Context
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp

from cst_ref.checks import positive_int
from cst_ref.fl import History
from cst_ref.protocol.round_loop import FederationRun, Payout
from cst_ref.twins import SystemConfig

from .client import make_client_app
from .payer import RoundPayer
from .record import RunRecord
from .spec import RECORD_PATH, FlowerSetup, federation
from .strategy import RecordingFedAvg

RAY_SYSTEM_CONFIG = {"agent_register_timeout_ms": 120_000, "raylet_start_wait_time_s": 120}
"""Ray's Python agents can take longer than its default wait to start on a busy 2-core machine,
and the raylet then aborts; two minutes is ample and costs nothing when they are quick."""

PayoutFor = Callable[[FlowerSetup], Payout | None]
"""Chooses the payout for a setup (``None``: train and record only)."""


def gtg_payout(setup: FlowerSetup) -> Payout:
    """The deployment default: GTG-Shapley per round (affordable at any n), every rule, default system."""
    return Payout(method="gtg_shapley", system=SystemConfig(n_clients=setup.n_clients))


@dataclass
class FlowerRun:
    """One Flower run: its setup, the recording strategy, and the payouts if it paid."""

    setup: FlowerSetup
    strategy: RecordingFedAvg
    payer: RoundPayer | None

    @property
    def history(self) -> History:
        return self.strategy.history

    @property
    def participants(self) -> list[tuple[int, ...]]:
        return self.strategy.participants

    @property
    def payouts(self) -> FederationRun | None:
        """Rounds, payments and each rule's system, as ``run_federation`` returns them."""
        return self.payer.run if self.payer else None


def start_run(setup: FlowerSetup, payout: Payout | None, backend: str = "twin") -> FlowerRun:
    """The strategy (and payer) for ``setup``, built from the same seeded data the clients use."""
    fed = federation(setup)
    payer = None if payout is None else RoundPayer(payout, fed.validation, backend, seed=setup.fedavg.seed)
    return FlowerRun(setup, RecordingFedAvg(fed.model, setup.n_clients, fed.validation, payer), payer)


def make_server_app(
    setup: FlowerSetup | None = None,
    payout_for: PayoutFor = gtg_payout,
    backend: str = "twin",
    runs: list[FlowerRun] | None = None,
) -> ServerApp:
    """A ServerApp running :class:`RecordingFedAvg` for ``setup`` (``None``: from the run config).

    Each run it starts is appended to ``runs``, so a caller in the same process (the
    simulation engine runs the ServerApp in a thread) can read the history and payouts. A
    caller in another process (``flwr run``) names a file in the run config's ``record-path``
    instead, and gets the run as a :class:`~cst_ref.flower.record.RunRecord` there.
    """
    app = ServerApp()

    @app.main()
    def _main(grid: Grid, context: Context) -> None:
        chosen = setup or FlowerSetup.from_run_config(context.run_config)
        run = start_run(chosen, payout_for(chosen), backend)
        if runs is not None:
            runs.append(run)
        run.strategy.start(grid=grid, initial_arrays=run.strategy.initial_arrays(), num_rounds=chosen.fedavg.rounds)
        record_path = str(context.run_config.get(RECORD_PATH, ""))
        if record_path:
            RunRecord.of(run).write(Path(record_path))

    return app


@contextlib.contextmanager
def _quiet(level: int) -> Iterator[None]:
    """Flower logs every round at INFO (and warns that ``run_simulation`` is deprecated in favour
    of ``flwr run``, which cannot return the run to the caller); a notebook wants errors only."""
    logger = logging.getLogger("flwr")
    before = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(before)


def simulate(
    setup: FlowerSetup,
    payout: Payout | None = None,
    backend: str = "twin",
    client_app: ClientApp | None = None,
    num_cpus: int = 2,
    log_level: int = logging.ERROR,
) -> FlowerRun:
    """Run ``setup`` on Flower's simulation engine with one supernode per client; pay by ``payout``.

    Ray starts with ``num_cpus`` CPUs and one client per CPU at a time. ``client_app``
    replaces the default ClientApp (e.g. one that fails on purpose).
    """
    # imported here, not with the module: every ServerApp and ClientApp process of a deployment
    # imports this module, and the simulation engine adds a second to each one's start
    from flwr.simulation import run_simulation

    positive_int("num_cpus", num_cpus)
    runs: list[FlowerRun] = []
    with _quiet(log_level), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Tip: In future versions of Ray", FutureWarning)  # GPUs: none here
        run_simulation(
            server_app=make_server_app(setup, lambda _: payout, backend, runs),
            client_app=client_app or make_client_app(setup),
            num_supernodes=setup.n_clients,
            backend_config={
                "client_resources": {"num_cpus": 1, "num_gpus": 0.0},
                # flwr types init_args' values as record values (scalars, lists), but it hands them to
                # ray.init, whose _system_config is a dict
                "init_args": {"num_cpus": num_cpus, "_system_config": RAY_SYSTEM_CONFIG},  # type: ignore[dict-item]
            },
        )
    if not runs:
        raise RuntimeError("Flower's simulation ended before the ServerApp started")
    return runs[0]
