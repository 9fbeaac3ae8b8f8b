"""``summary.md``: what a run paid, to whom, by which method and settlement, in a page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cst_ref.twins import Rule
from cst_ref.valuation import LABELS

from .report import tokens

SETTLEMENT_TEXT = {
    "cumulative": "settled cumulatively: each round pays every client its shortfall against its share of "
    "the valuation so far times the budget so far, so a round whose scores are mostly noise "
    "moves little money",
    "round": "settled round by round: each round's budget is split by that round's own scores alone",
}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _held_back(rounds: list[Mapping[str, Any]], rules: list[str]) -> list[str]:
    """Per rule: the rounds that did not pay some client in full, why, and what stays owed."""
    lines = []
    for rule in rules:
        held = [(r["round"], h) for r in rounds for h in r["rules"][rule]["held_back"]]
        owed = rounds[-1]["rules"][rule]["owed"] if rounds else 0
        if not held:
            lines.append(f"- {Rule.of(rule).label}: every part paid in full.")
            continue
        listed = "; ".join(f"round {n}, client {h['client']}: {h['reason']}" for n, h in held)
        lines.append(
            f"- {Rule.of(rule).label}: {len(held)} part(s) not paid in full ({listed}); "
            f"{tokens(owed):.3f} tokens still owed at the end, paid with later rounds."
        )
    return lines


def _market(market: Mapping[str, Any]) -> list[str]:
    """Per kind of account and rule: the mean profit at exit, summed over the kind's accounts."""
    rules = list(market["rules"])
    kinds: dict[str, dict[str, float]] = {}
    for rule, result in market["rules"].items():
        for account in result["accounts"]:
            kinds.setdefault(account["kind"], dict.fromkeys(rules, 0.0))[rule] += account["exit_profit"]
    lines = [
        (
            f"Profit at exit, in base tokens, summed over each kind of account (mean over the exit orders and "
            f"market seeds {market['seeds']}; clients {market['client_policy'].replace('_', ' ')}). "
            "Every column sums to zero: money only moves between these accounts."
        ),
        "",
    ]
    return lines + _table(
        ["account"] + [Rule.of(r).label for r in rules],
        [[kind] + [f"{row[r]:,.3f}" for r in rules] for kind, row in kinds.items()],
    )


def summary(report: Mapping[str, Any]) -> str:
    """A short Markdown summary: what each round paid, each client's total, the whole-run
    valuations beside it (labelled as such), and what each rule realised."""
    payout, clients, rounds = report["payout"], report["clients"], report["rounds"]
    n = len(clients)
    when = "every round" if payout["timing"] == "round" else "once, after the last round"
    lines = [
        "# WallStreetFeds run",
        "",
        (
            f"Backend `{report['backend']}`, seed {report['seed']}, {len(rounds)} rounds, final accuracy "
            f"{rounds[-1]['accuracy']:.3f}."
        ),
        "",
        "## What was paid",
        "",
        (
            f"Rewards are allocated by **{LABELS[payout['method']]}** "
            f"(coalitions scored by validation {payout['metric']}), "
            f"paid {when} and {SETTLEMENT_TEXT[payout['settlement']]}. Budget {tokens(payout['budget']):.3f} tokens, "
            f"allocated {tokens(payout['allocated']):.3f}. Amounts in tokens; every rule is given the same allocation."
        ),
        "",
    ]
    paid = [r for r in [*rounds, *([report["settlement"]] if report["settlement"] else [])] if r["amounts"]]
    rows = [
        [str(r["round"]), f"{tokens(r['budget']):.3f}", f"{tokens(r['paid']):.3f}"]
        + [f"{tokens(a):.3f}" for a in r["amounts"]]
        for r in paid
    ]
    rows.append(
        ["total", f"{tokens(payout['budget']):.3f}", f"{tokens(payout['allocated']):.3f}"]
        + [f"{tokens(c['payout']['base']):.3f}" for c in clients]
    )
    lines += _table(["round", "budget", "paid"] + [f"client {i}" for i in range(n)], rows)
    methods = list(clients[0]["methods"])
    rules = payout["rules"]
    lines += ["", "## What each rule held back", "", *_held_back(paid, rules)]
    lines += ["", "## Per client", ""]
    lines += _table(
        ["client", "behaviour", "samples", "paid (tokens)", "paid (% of all)"]
        + [f"whole-run {LABELS[m]} (% of equal)" for m in methods]
        + [f"{Rule.of(r).label}: realised (tokens)" for r in rules],
        [
            [
                str(c["id"]),
                c["behaviour"],
                str(c["samples"]),
                f"{tokens(c['payout']['base']):.3f}",
                f"{100 * c['payout']['share']:.1f}",
            ]
            + [f"{c['methods'][m]['percent_of_equal']:.1f}" for m in methods]
            + [f"{tokens(c['rules'][r]['realised_base']):.3f}" for r in rules]
            for c in clients
        ],
    )
    if report["market"] is not None:
        lines += ["", "## Market", "", *_market(report["market"])]
    lines += [
        "",
        (
            "- **Paid**: what the settlement allocated to each client over the run (`payout` in the report). "
            "It is the sum of the rounds above, not a valuation of the whole run."
        ),
        (
            "- **Whole-run** columns: each listed method applied once to the whole training, for comparison; "
            "the run did not pay by them."
        ),
        (
            "- **Mint** pays in newly minted client tokens: the allocated number is a number of CST, worth base "
            "tokens only when sold into the client's pool (the realised column sells them)."
        ),
        (
            "- **Realised**: base tokens the client could take out at the end (sell every CST it holds and can "
            "claim) minus the same at the start. Units and fields: `docs/report.md`."
        ),
        "",
    ]
    return "\n".join(lines)
