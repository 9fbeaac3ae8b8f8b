"""The run's report: one JSON document with everything a figure or a reader needs.

Its layout is documented in ``docs/report.md`` and fixed by ``report.schema.json``, which
every report is validated against in the tests. It holds no timestamp and no path, so the
same config and seed give the same bytes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import numpy as np

from cst_ref.amm import get_amount_out, spot_price
from cst_ref.backends.state import SystemState
from cst_ref.protocol.round_loop import FederationRun, RoundResult
from cst_ref.twins import RULE_KEYS, RULE_MINT, SHARE_SCALE, SKIP_REASONS, WAD, RoundRecord, split_budget
from cst_ref.valuation import percent_of_equal, shares_from_scores
from cst_ref.versions import toolchain_versions

from .build import Federation
from .config import ExperimentConfig

SCHEMA_VERSION = 3


def schema() -> dict[str, Any]:
    """The report's JSON Schema (draft 2020-12)."""
    return json.loads((resources.files("cst_ref.experiment") / "report.schema.json").read_text())


def _round(result: RoundResult) -> dict[str, Any]:
    rules = {}
    for rule, payment in result.payments.items():
        record = dataclasses.asdict(payment.record) if payment.record else None
        if record is not None:
            record.pop("clients")  # the run's fixed client accounts, listed once per report
            record = {
                k: (v.hex() if isinstance(v, bytes) else list(v) if isinstance(v, tuple) else v)
                for k, v in record.items()
            }
        rules[rule] = {
            "requested": payment.requested,
            "paid": payment.paid,
            "note": payment.note,
            "gas": payment.gas,
            "event": record,
            **_held_back(payment.record),
        }
    return {
        "round": result.round,
        "accuracy": result.accuracy,
        "loss": result.loss,
        "revenue": result.revenue,
        "budget": result.budget,
        "scores": list(result.scores) if result.scores is not None else None,
        "paid": result.paid,
        "shares": list(result.shares) if result.shares is not None else None,
        "amounts": split_budget(result.shares, result.paid) if result.shares is not None else None,
        "rules": rules,
    }


def _held_back(record: RoundRecord | None) -> dict[str, Any]:
    """What a rule's round really moved (``spent``: base spent, or CST minted), which clients it
    did not pay in full and why, and what the federation owes all of them after it."""
    if record is None:
        return {"spent": 0, "held_back": [], "owed": 0}
    held = [{"client": i, "code": code, "reason": SKIP_REASONS[code]} for i, code in enumerate(record.skipped) if code]
    return {"spent": sum(record.amounts), "held_back": held, "owed": sum(record.owed)}


def _payouts(run: FederationRun) -> list[dict[str, Any]]:
    """Per client: what the settlement allocated it over the run, in wei and as a fraction of
    everything allocated (the same for every rule; what a rule really paid is under ``rules``)."""
    allocated = run.ledger.paid
    total = sum(allocated)
    return [{"share": a / total if total else 0.0, "base": a} for a in allocated]


def _exit_value(state: SystemState, account: str, client: int, extra_cst: int) -> int:
    """What ``account`` could take out of ``state`` (its liquidation value) holding ``extra_cst``
    more of client ``client``'s CST than it does."""
    held = state.holdings[account]
    cst = tuple(amount + (extra_cst if i == client else 0) for i, amount in enumerate(held.cst))
    holdings = {**state.holdings, account: dataclasses.replace(held, cst=cst)}
    return dataclasses.replace(state, holdings=holdings).liquidation_value(account)


def _client_rules(run: FederationRun, finals: Mapping[str, SystemState], index: int) -> dict[str, dict[str, Any]]:
    """What each rule really gave client ``index``: the money it can take out and its parts.

    A client's own supply vests out of escrow over the rounds, so ``realised_base`` counts the
    part that vested during the run as the client's from the start: what it can take out at
    the end (its holdings plus its vested, unreleased CST) less what that vested supply was
    worth at the start. The difference is what the rule did for the client, not its supply.
    """
    account = run.backends[run.payout.rules[0]].accounts[index]
    results = run.rounds + ([run.settlement] if run.settlement else [])
    out = {}
    for rule, final in finals.items():
        initial = run.initial[rule]
        claimable = run.backends[rule].releasable(index)
        vested = run.backends[rule].vesting(index).released + claimable
        pool = final.pools[index]
        records = [p.record for r in results if r.payments for p in [r.payments[rule]] if p.record is not None]
        gives_tokens = RULE_KEYS[rule] in (RULE_MINT, RULE_KEYS["buyback"])
        received = sum(record.tokens_out[index] for record in records) if gives_tokens else 0
        spent = 0 if RULE_KEYS[rule] == RULE_MINT else sum(record.amounts[index] for record in records)
        out[rule] = {
            "allocated": sum(  # a round that paid has shares
                p.paid * r.shares[index] // SHARE_SCALE
                for r in results
                if r.payments and r.shares is not None
                for p in [r.payments[rule]]
            ),
            "realised_base": _exit_value(final, account, index, claimable)
            - _exit_value(initial, account, index, vested),
            "base_spent": spent,
            "cst_received": received,
            "sale_base": get_amount_out(received, pool.reserve_token, pool.reserve_base, final.fee_bps)
            if received
            else 0,
            "final_price": spot_price(pool.reserve_token, pool.reserve_base),
        }
    return out


def build_report(
    config: ExperimentConfig,
    seed: int,
    backend: str,
    federation: Federation,
    run: FederationRun,
    allocation: Mapping[str, np.ndarray],
    market: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report of ``run``; ``allocation`` maps each configured method to its scores, ``market``
    is the run's markets (``cst_ref.experiment.markets.run_markets``) or ``None``."""
    shares = {method: shares_from_scores(scores) for method, scores in allocation.items()}
    percents = {method: percent_of_equal(s) for method, s in shares.items()}
    assert run.history is not None, "the run has trained"
    counts = run.history.sample_counts
    finals = {rule: backend.state() for rule, backend in run.backends.items()}
    clients = [
        {
            "id": i,
            "samples": int(counts[i]),
            "behaviour": federation.behaviours[i],
            "methods": {
                m: {"share": float(shares[m][i]), "percent_of_equal": float(percents[m][i])} for m in allocation
            },
            "rules": _client_rules(run, finals, i),
        }
        for i in range(len(counts))
    ]
    payouts = _payouts(run)
    for client, payout in zip(clients, payouts):
        client["payout"] = payout
    treasury = {rule: {"start": run.initial[rule].treasury, "end": final.treasury} for rule, final in finals.items()}
    return {
        "schema_version": SCHEMA_VERSION,
        "config": config.model_dump(mode="json"),
        "seed": seed,
        "backend": backend,
        "versions": toolchain_versions(),
        "payout": {
            "method": run.payout.method,
            "metric": run.payout.metric,
            "weights": run.payout.weights,
            "timing": run.payout.timing,
            "settlement": run.payout.settlement,
            "rules": list(run.payout.rules),
            "unit": "wei (10^-18 token)",
            "budget": run.ledger.budget,
            "allocated": sum(p["base"] for p in payouts),
            "treasury": treasury,
        },
        "rounds": [_round(r) for r in run.rounds],
        "settlement": _round(run.settlement) if run.settlement else None,
        "clients": clients,
        "market": market,
    }


def dumps(report: Mapping[str, Any]) -> str:
    """The report as the bytes written to ``report.json``: stable key order, exact integers."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def tokens(wei: int) -> float:
    """Wei as whole tokens, for prose and tables (never for sums)."""
    return wei / WAD
