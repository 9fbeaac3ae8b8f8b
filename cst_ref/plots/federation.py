"""Chapter 6's figures: the three distribution rules side by side, and what a round costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from cst_ref.checks import check_int, check_length, check_nonempty
from cst_ref.protocol.rule_comparison import RuleOutcome

from .palette import RULE_COLOURS, rule_colour


def _check_rule_count(rules: Sized) -> None:
    """One colour per rule: a fifth rule would be dropped silently by ``zip``."""
    check_nonempty("rules", rules)
    if len(rules) > len(RULE_COLOURS):
        raise ValueError(f"at most {len(RULE_COLOURS)} rules can be drawn, got {len(rules)}")


def rule_outcomes(outcomes: Sequence[RuleOutcome], client_labels: Sequence[str]) -> Figure:
    """Grouped bars per client: price change of its CST and change of its paper wealth under
    each rule, plus what the outside investor gained and the treasury paid."""
    _check_rule_count(outcomes)
    for outcome in outcomes:
        check_length(f"{outcome.name} price_change", outcome.price_change, len(client_labels), "clients")
        check_length(f"{outcome.name} client_gain", outcome.client_gain, len(client_labels), "clients")
    # 7 in at 100 dpi: shown at the text column's width without scaling the labels down.
    fig = plt.figure(figsize=(7, 5.6), dpi=100)
    grid = fig.add_gridspec(2, 2, height_ratios=(3, 2))
    axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])]
    x = np.arange(len(client_labels))
    width = 0.8 / len(outcomes)
    for k, outcome in enumerate(outcomes):
        colour = rule_colour(outcome.rule, k)
        offset = (k - (len(outcomes) - 1) / 2) * width
        axes[0].bar(x + offset, 100 * np.asarray(outcome.price_change), width, color=colour, label=outcome.name)
        axes[1].bar(x + offset, outcome.client_gain, width, color=colour)
    for ax, title in zip(axes[:2], ("CST price change (%)", "client's paper gain (base tokens)")):
        # labels that fill a half-column panel (five "client 3"s at 9 pt) would run into each other
        long = sum(len(str(label)) for label in client_labels) > 26
        ax.set_xticks(x, client_labels, rotation=35 if long else 0, ha="right" if long else "center")
        ax.set_title(title, fontsize=10)
        ax.axhline(0, color="black", lw=0.6)
        ax.tick_params(labelsize=9)
    names = [o.name for o in outcomes]
    y = np.arange(len(outcomes))
    axes[2].barh(y - 0.2, [o.investor_gain for o in outcomes], 0.4, color="#000000", label="investor gains")
    axes[2].barh(y + 0.2, [-o.treasury_paid for o in outcomes], 0.4, color="#999999", label="treasury pays")
    axes[2].set_yticks(y, names, fontsize=9)
    axes[2].invert_yaxis()
    axes[2].axvline(0, color="black", lw=0.6)
    axes[2].set_title("other parties (base tokens)", fontsize=10)
    axes[2].legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    # the rules' key above both bar panels: inside one, it covered that panel's bars
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="upper center",
        ncol=len(outcomes),
        fontsize=9,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.5,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def round_gas(ns: Sequence[int], table: Mapping[str, Sequence[int]], baseline: int) -> Figure:
    """Gas of one round against the number of clients paid, one line per rule, with the
    right axis in multiples of a plain ERC-20 transfer."""
    _check_rule_count(table)
    check_int("baseline", baseline, positive=True, numpy_ok=True)
    for name, gas in table.items():
        check_length(f"table[{name!r}]", gas, len(ns), "client counts")
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    for k, (name, gas) in enumerate(table.items()):
        ax.plot(ns, np.asarray(gas) / 1e6, marker="o", ms=3, color=rule_colour(name, k), label=name)
    ax.set_xlabel("clients paid in the round (n)")
    ax.set_ylabel("execution gas (millions)")

    # matplotlib hands these the axis values as arrays
    def to_transfers(gas: ArrayLike) -> np.ndarray:
        return np.asarray(gas) * 1e6 / baseline

    def to_gas(transfers: ArrayLike) -> np.ndarray:
        return np.asarray(transfers) * baseline / 1e6

    right = ax.secondary_yaxis("right", functions=(to_transfers, to_gas))
    right.set_ylabel("ERC-20 transfers")
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
