"""Figures of what running on a chain costs."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cst_ref.checks import check_nonempty


def cost_bars(costs: Mapping[str, float], unit: str, title: str) -> Figure:
    """One bar per operation (or rule) with its cost written on it."""
    check_nonempty("costs", costs)
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)  # the text column's width: text shown at 9 pt or more
    bars = ax.bar(list(costs), list(costs.values()), color="#1f4e79")
    ax.bar_label(bars, fmt="%.4g", fontsize=9, padding=2)
    ax.margins(y=0.15)  # room above the tallest bar for its label
    ax.set_ylabel(unit)
    ax.set_title(title, fontsize=11)
    ax.tick_params(labelsize=9)
    fig.tight_layout()
    return fig
