"""A Flower run as a file: what the ServerApp of a deployment hands back to whoever started it.

Under ``flwr run`` the ServerApp runs in a process Flower starts, so its :class:`FlowerRun` cannot
be returned; it writes this record instead (to the run config's ``record-path``). The same record
is made from a simulation's run, so a deployment and a simulation are compared field by field:
the global model after every round, metrics, participants and every rule's payout per client.
"""

from __future__ import annotations

import base64
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .server import FlowerRun

FORMAT = "cst-ref flower run record 1"


@dataclass(frozen=True)
class PaidRule:
    """One rule's payment in a round: asked, allowed, and the amount each client received (wei)."""

    requested: int
    paid: int
    amounts: tuple[int, ...]
    note: str


@dataclass(frozen=True)
class PaidRound:
    """One round's payout: scores (``None`` where a client was not valued), shares and every rule."""

    round: int
    left_out: tuple[int, ...]
    scores: tuple[float | None, ...] | None
    shares: tuple[int, ...] | None
    budget: int
    paid: int
    rules: dict[str, PaidRule]


@dataclass(frozen=True)
class RunRecord:
    """Everything the comparison needs: θ_0 … θ_R, per-round metrics and participants, and the payouts."""

    run_config: dict[str, Any]
    global_params: tuple[np.ndarray, ...]
    metrics: tuple[dict[str, float], ...]
    participants: tuple[tuple[int, ...], ...]
    sample_counts: tuple[int, ...]
    payouts: tuple[PaidRound, ...]
    """Empty when the run trained without paying."""

    @classmethod
    def of(cls, run: FlowerRun) -> RunRecord:
        history = run.history
        rounds = run.payouts.rounds if run.payouts is not None else []
        return cls(
            run_config=dict(run.setup.to_run_config()),
            global_params=tuple(theta.detach().numpy().astype(np.float32) for theta in history.global_params),
            metrics=tuple({k: float(v) for k, v in m.items()} for m in history.metrics),
            participants=tuple(tuple(int(c) for c in p) for p in run.participants),
            sample_counts=tuple(int(n) for n in history.sample_counts),
            payouts=tuple(
                PaidRound(
                    round=r.round,
                    left_out=tuple(r.left_out),
                    scores=None if r.scores is None else tuple(None if math.isnan(s) else float(s) for s in r.scores),
                    shares=None if r.shares is None else tuple(int(s) for s in r.shares),
                    budget=int(r.budget),
                    paid=int(r.paid),
                    rules={
                        rule: PaidRule(p.requested, p.paid, tuple(p.record.amounts) if p.record else (), p.note)
                        for rule, p in r.payments.items()
                    },
                )
                for r in rounds
            ),
        )

    def amounts(self) -> list[dict[str, tuple[int, ...]]]:
        """Per round, per rule, what each client received: the figures two runs must share exactly."""
        return [{rule: paid.amounts for rule, paid in r.rules.items()} for r in self.payouts]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON; each θ_t as base64 of little-endian float32 (exact, a fraction of decimal text's size)."""
        return {
            "format": FORMAT,
            "run_config": self.run_config,
            "global_params": [base64.b64encode(t.astype("<f4").tobytes()).decode() for t in self.global_params],
            "metrics": list(self.metrics),
            "participants": [list(p) for p in self.participants],
            "sample_counts": list(self.sample_counts),
            "payouts": [
                {
                    "round": r.round,
                    "left_out": list(r.left_out),
                    "scores": None if r.scores is None else list(r.scores),
                    "shares": None if r.shares is None else list(r.shares),
                    "budget": r.budget,
                    "paid": r.paid,
                    "rules": {
                        rule: {"requested": p.requested, "paid": p.paid, "amounts": list(p.amounts), "note": p.note}
                        for rule, p in r.rules.items()
                    },
                }
                for r in self.payouts
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a run record of format {FORMAT!r}: {data.get('format')!r}")
        return cls(
            run_config=data["run_config"],
            global_params=tuple(np.frombuffer(base64.b64decode(t), dtype="<f4").copy() for t in data["global_params"]),
            metrics=tuple(data["metrics"]),
            participants=tuple(tuple(p) for p in data["participants"]),
            sample_counts=tuple(data["sample_counts"]),
            payouts=tuple(
                PaidRound(
                    round=r["round"],
                    left_out=tuple(r["left_out"]),
                    scores=None if r["scores"] is None else tuple(r["scores"]),
                    shares=None if r["shares"] is None else tuple(r["shares"]),
                    budget=r["budget"],
                    paid=r["paid"],
                    rules={
                        rule: PaidRule(p["requested"], p["paid"], tuple(p["amounts"]), p["note"])
                        for rule, p in r["rules"].items()
                    },
                )
                for r in data["payouts"]
            ),
        )

    def write(self, path: Path) -> None:
        """Write atomically (a temporary file renamed into place): a reader never sees half a record."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(self.to_json()))
        partial.replace(path)

    @classmethod
    def read(cls, path: Path) -> RunRecord:
        return cls.from_json(json.loads(path.read_text()))


def parameter_gaps(a: RunRecord, b: RunRecord) -> list[float]:
    """max |θ_a − θ_b| over the parameters, for θ_0 … θ_R (the runs must have as many rounds)."""
    if len(a.global_params) != len(b.global_params):
        raise ValueError(f"the runs have {len(a.global_params) - 1} and {len(b.global_params) - 1} rounds")
    return [float(np.abs(x.astype(np.float64) - y).max()) for x, y in zip(a.global_params, b.global_params)]
