"""Chapter 1's map of the WallStreetFeds system: who holds what and where value flows."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cst_ref.checks import check_int

_COLOURS = {"federation": "#1f4e79", "client": "#2e7d32", "pool": "#b26a00", "investor": "#6a1b9a"}


def _box(ax: Axes, x: float, y: float, text: str, kind: str, width: float = 0.19, height: float = 0.1) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2), width, height,
            boxstyle="round,pad=0.01", facecolor=_COLOURS[kind], edgecolor="none", alpha=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=9, wrap=True)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str, colour: str) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, lw=1.3,
                        shrinkA=4, shrinkB=4, connectionstyle="arc3,rad=0.08")
    )
    if not label:
        return
    mid_x, mid_y = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    ax.text(mid_x, mid_y, label, fontsize=7.5, color=colour, ha="center", va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def system_map(n_clients: int = 3) -> Figure:
    """Draw the federation, ``n_clients`` clients with their CST pools, and an outside investor.

    The picture separates the two halves of the incentive problem: the federation *allocates*
    (valuation turns model updates into shares) and the pools *distribute* (rewards move the
    price of each client's token, which anyone can hold).
    """
    if not 1 <= check_int("n_clients", n_clients, numpy_ok=True) <= 6:
        raise ValueError(f"n_clients must be between 1 and 6 for a legible map, got {n_clients}")
    fig, ax = plt.subplots(figsize=(9, 5.2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    fed = (0.4, 0.5)
    _box(ax, *fed, "Federation\nFedAvg + valuation\ntreasury (base token)", "federation", width=0.22, height=0.16)
    investor = (0.92, 0.5)
    _box(ax, *investor, "Investor\nbuys /\nsells CSTs", "investor", width=0.13, height=0.16)
    ys = [0.92 - (i + 0.5) * 0.78 / n_clients for i in range(n_clients)]
    middle = n_clients // 2
    for i, y in enumerate(ys):
        client, pool = (0.1, y), (0.7, y)
        _box(ax, *client, f"Client {i + 1}\nholds CST$_{i + 1}$", "client", width=0.17, height=min(0.1, 0.6 / n_clients))
        _box(ax, *pool, f"Pool {i + 1}\nCST$_{i + 1}$ / base", "pool", width=0.17, height=min(0.1, 0.6 / n_clients))
        labelled = i == middle
        _arrow(ax, (client[0] + 0.09, client[1]), (fed[0] - 0.115, fed[1] + 0.04 * (middle - i)),
               "model update" if labelled else "", _COLOURS["client"])
        _arrow(ax, (fed[0] + 0.115, fed[1] + 0.04 * (middle - i)), (pool[0] - 0.09, pool[1]),
               "reward $s_i R_t$" if labelled else "", _COLOURS["federation"])
        _arrow(ax, (investor[0] - 0.07, investor[1] + 0.04 * (middle - i)), (pool[0] + 0.09, pool[1]),
               "trade" if labelled else "", _COLOURS["investor"])
    ax.set_title("WallStreetFeds: the federation allocates, client-specific token pools distribute",
                 fontsize=10)
    fig.tight_layout()
    return fig
