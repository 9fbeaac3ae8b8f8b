"""Figures of a ``cst-ref run`` report: the paper's reward figure and what each rule realised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from cst_ref.checks import check_nonempty
from cst_ref.twins import Rule
from cst_ref.valuation import LABELS

from .palette import rule_colour
from .valuation import COLOURS, legend_above, percent_of_equal_bars


def _client_labels(report: Mapping[str, Any]) -> list[str]:
    return [
        f"{c['id']}" + ("" if c["behaviour"] == "honest" else f"\n{c['behaviour'].replace('_', ' ')}")
        for c in report["clients"]
    ]


def allocation_figure(report: Mapping[str, Any]) -> Figure:
    """Each client's reward as % of an equal payout under every configured method (one run)."""
    methods = list(report["clients"][0]["methods"])
    rewards = {LABELS[m]: np.array([c["methods"][m]["percent_of_equal"] for c in report["clients"]]) for m in methods}
    return percent_of_equal_bars(rewards, _client_labels(report), title="Allocation: reward as % of equal payout")


def paper_figure(reports: Sequence[Mapping[str, Any]], confidence: float = 0.95) -> Figure:
    """The paper's figure over several seeds: mean % of equal payout per client and method,
    with a ``confidence`` interval (Student t over the seeds) as error bars."""
    check_nonempty("reports", reports)
    methods = list(reports[0]["clients"][0]["methods"])
    n = len(reports[0]["clients"])
    values = np.array(
        [[[c["methods"][m]["percent_of_equal"] for c in r["clients"]] for m in methods] for r in reports]
    )  # seeds × methods × clients
    mean = values.mean(axis=0)
    if len(reports) > 1:
        half = stats.t.ppf((1 + confidence) / 2, len(reports) - 1) * values.std(axis=0, ddof=1) / np.sqrt(len(reports))
    else:
        half = np.zeros_like(mean)
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(7.0, 4.0), dpi=100)
    for k, method in enumerate(methods):  # each method in the colour the allocation figure gives it
        ax.bar(
            np.arange(n) + (k - (len(methods) - 1) / 2) * width,
            mean[k],
            width,
            yerr=half[k],
            capsize=2,
            label=method,
            color=COLOURS[k % len(COLOURS)],
            error_kw={"linewidth": 0.8},
        )
    ax.axhline(100, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(np.arange(n), _client_labels(reports[0]), fontsize=9)
    ax.set_xlabel("client")
    ax.set_ylabel("reward (% of equal payout)")
    legend_above(ax, f"Reward as % of an equal payout, mean of {len(reports)} seeds, {confidence:.0%} CI")
    fig.tight_layout()
    return fig


def realised_figure(report: Mapping[str, Any]) -> Figure:
    """Per client and rule, the base token it can really take out, as % of what it was allocated."""
    clients = report["clients"]
    rules = list(clients[0]["rules"])
    n = len(clients)
    width = 0.8 / len(rules)
    fig, ax = plt.subplots(figsize=(7.0, 3.8), dpi=100)
    for k, rule in enumerate(rules):
        percent = [
            100 * c["rules"][rule]["realised_base"] / c["rules"][rule]["allocated"]
            if c["rules"][rule]["allocated"]
            else 0.0
            for c in clients
        ]
        ax.bar(
            np.arange(n) + (k - (len(rules) - 1) / 2) * width,
            percent,
            width,
            label=Rule.of(rule).label,
            color=rule_colour(rule, k),
        )
    ax.axhline(100, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(np.arange(n), _client_labels(report), fontsize=9)
    ax.set_xlabel("client")
    ax.set_ylabel("realised base (% of allocated)")
    legend_above(ax, "Distribution: what each client can take out of its pool", ncol=4)
    fig.tight_layout()
    return fig
