"""Chapter 1's map of the WallStreetFeds system: who holds what and where value flows."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cst_ref.checks import check_int

_COLOURS = {"federation": "#1f4e79", "client": "#2e7d32", "pool": "#b26a00", "investor": "#6a1b9a"}


#: Text sizes at the figure's 7 in, shown at the text column's width without scaling: at least
#: 9 pt (about 12 px on the page, the body's small print).
_BOX_FONT, _LABEL_FONT, _TITLE_FONT = 10, 9, 11


def _box(ax: Axes, x: float, y: float, text: str, kind: str, width: float, height: float) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.01",
            facecolor=_COLOURS[kind],
            edgecolor="none",
            alpha=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=_BOX_FONT, linespacing=1.25)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str, colour: str) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=12,
            color=colour,
            lw=1.3,
            shrinkA=4,
            shrinkB=4,
            connectionstyle="arc3,rad=0.08",
        )
    )
    if not label:
        return
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    # just above the arrow's middle, so the label hides neither the arrow nor its head
    ax.annotate(
        label,
        middle,
        xytext=(0, 5),
        textcoords="offset points",
        fontsize=_LABEL_FONT,
        color=colour,
        ha="center",
        va="bottom",
        linespacing=1.1,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
    )


def system_map(n_clients: int = 3) -> Figure:
    """Draw the federation, ``n_clients`` clients with their CST pools, and an outside investor.

    The picture separates the two halves of the incentive problem: the federation *allocates*
    (valuation turns model updates into shares) and the pools *distribute* (rewards move the
    price of each client's token, which anyone can hold). Drawn 7 in wide at 100 dpi, the
    text column's width, so its labels are shown at their size (no text below 9 pt).
    """
    if not 1 <= check_int("n_clients", n_clients, numpy_ok=True) <= 6:
        raise ValueError(f"n_clients must be between 1 and 6 for a legible map, got {n_clients}")
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=100)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    # box centres and widths (axes fractions): wide enough for 10 pt text at 7 in, with gaps
    # between the columns wide enough for the arrows' 9 pt labels (two short lines each)
    client_x, client_w = 0.09, 0.15
    fed, fed_w = (0.395, 0.5), 0.25
    pool_x, pool_w = 0.70, 0.15
    investor, investor_w = (0.925, 0.5), 0.12
    box_h = min(0.12, 0.72 / n_clients)
    _box(ax, *fed, "Federation\nFedAvg + valuation\ntreasury (base token)", "federation", fed_w, 0.2)
    _box(ax, *investor, "Investor\nbuys and\nsells CSTs", "investor", investor_w, 0.2)
    ys = [0.97 - (i + 0.5) * 0.94 / n_clients for i in range(n_clients)]
    middle = n_clients // 2
    spread = 0.07 / max(1, (n_clients - 1) / 2)
    gap = 0.005  # between a box's edge and an arrow's end
    for i, y in enumerate(ys):
        client, pool = (client_x, y), (pool_x, y)
        _box(ax, *client, f"Client {i + 1}\nholds CST$_{i + 1}$", "client", client_w, box_h)
        _box(ax, *pool, f"Pool {i + 1}\nCST$_{i + 1}$ / base", "pool", pool_w, box_h)
        labelled = i == middle
        fan = spread * ((n_clients - 1) / 2 - i)  # arrows meet the middle boxes spread over their height
        _arrow(
            ax,
            (client_x + client_w / 2 + gap, y),
            (fed[0] - fed_w / 2 - gap, fed[1] + fan),
            "model\nupdate" if labelled else "",
            _COLOURS["client"],
        )
        _arrow(
            ax,
            (fed[0] + fed_w / 2 + gap, fed[1] + fan),
            (pool_x - pool_w / 2 - gap, y),
            "reward\n$s_i R_t$" if labelled else "",
            _COLOURS["federation"],
        )
        _arrow(
            ax,
            (investor[0] - investor_w / 2 - gap, investor[1] + fan),
            (pool_x + pool_w / 2 + gap, y),
            "trade" if labelled else "",
            _COLOURS["investor"],
        )
    ax.set_title("WallStreetFeds: the federation allocates, token pools distribute", fontsize=_TITLE_FONT)
    return fig
