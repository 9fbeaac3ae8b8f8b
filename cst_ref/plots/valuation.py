"""Chapter 3's figures: rewards per method, cost against accuracy, volatility across seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from cst_ref.checks import check_length, check_nonempty

#: Okabe & Ito's colour-blind-safe palette (black left out: it draws the reference lines).
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
#: 7 × 3.5 inches at 100 dpi: shown at a ~700 px text column's width without scaling the labels down.
FIGSIZE, DPI = (7.0, 3.5), 100


def _colour(k: int) -> str:
    return COLOURS[k % len(COLOURS)]


def legend_above(ax: Axes, title: str, ncol: int = 3) -> None:
    """The legend in rows of ``ncol`` between the axes and their title, where it covers no data
    (inside, with many series, it hid some bars or points); all text at 9 pt or more."""
    labels = ax.get_legend_handles_labels()[1]
    ncol = max(1, min(ncol, len(labels)))
    ax.legend(fontsize=9, ncol=ncol, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.set_title(title, fontsize=10, pad=8 + 14 * -(-len(labels) // ncol))


def percent_of_equal_bars(
    rewards: Mapping[str, np.ndarray], client_labels: Sequence[str] | None = None, title: str = ""
) -> Figure:
    """Grouped bars: each client's reward as % of an equal payout, one colour per method.

    The dashed line at 100 % is the equal split; the paper plots the same quantity.
    """
    check_nonempty("rewards", rewards)
    methods = list(rewards)
    n = len(next(iter(rewards.values())))
    for method in methods:
        check_length(f"rewards[{method!r}]", rewards[method], n, "clients")
    labels = list(client_labels) if client_labels is not None else [str(i) for i in range(n)]
    check_length("client_labels", labels, n, "clients")
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    for k, method in enumerate(methods):
        ax.bar(
            np.arange(n) + (k - (len(methods) - 1) / 2) * width, rewards[method], width, label=method, color=_colour(k)
        )
    ax.axhline(100, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(np.arange(n), labels, fontsize=9)
    ax.set_xlabel("client")
    ax.set_ylabel("reward (% of equal payout)")
    legend_above(ax, title)  # not over the bars: with many methods an inner legend hides some of them
    fig.tight_layout()
    return fig


def cost_vs_accuracy(points: Mapping[str, Sequence[tuple[float, float]]], reference: str = "exact MR") -> Figure:
    """Utility evaluations (log scale) against error vs the reference, one series per method.

    A point further left is cheaper, lower is closer to exact Shapley; a series traces a
    method's knob (permutations, tolerance).
    """
    check_nonempty("points", points)
    for label, series in points.items():
        check_nonempty(f"points[{label!r}]", series)
        if min(x for x, _ in series) <= 0:  # the log axis would drop the point silently
            raise ValueError(f"points[{label!r}] needs positive evaluation counts, got {list(series)}")
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    for k, (label, series) in enumerate(points.items()):
        xs, ys = zip(*series)
        ax.plot(xs, ys, marker="o", label=label, color=_colour(k))
    ax.set_xscale("log")
    # 100, 200, 500, 1,000, …: a single "10³" told the reader little
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels overlap at this width
    ax.set_xlabel("utility evaluations (log scale)")
    ax.set_ylabel("1 − Spearman ρ")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    # the reference in the title: written in the corner, it sat on the cheapest, worst points
    ax.set_title(f"Cost against accuracy, error measured against {reference}", fontsize=10)
    fig.tight_layout()
    return fig


def volatility(shares_by_seed: Mapping[str, np.ndarray], title: str = "Shares across training seeds") -> Figure:
    """Per method, each client's share as mean ± one standard deviation over seeds.

    ``shares_by_seed[method]`` has shape (seeds, clients). Wide bars mean a client's reward
    depends on luck in training as much as on its data.
    """
    check_nonempty("shares_by_seed", shares_by_seed)
    shares_by_seed = {method: np.asarray(shares, dtype=float) for method, shares in shares_by_seed.items()}
    for method, shares in shares_by_seed.items():
        if shares.ndim != 2 or 0 in shares.shape:
            raise ValueError(f"shares_by_seed[{method!r}] must have shape (seeds, clients), got {shares.shape}")
    methods = list(shares_by_seed)
    n = shares_by_seed[methods[0]].shape[1]
    for method, shares in shares_by_seed.items():
        check_length(f"shares_by_seed[{method!r}] rows", shares[0], n, "clients")
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    for k, method in enumerate(methods):
        shares = shares_by_seed[method]
        x = np.arange(n) + (k - (len(methods) - 1) / 2) * width
        ax.errorbar(x, shares.mean(0), yerr=shares.std(0), fmt="o", capsize=3, label=method, color=_colour(k))
    ax.axhline(1 / n, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(np.arange(n))
    ax.set_xlabel("client")
    ax.set_ylabel("share")
    legend_above(ax, title, ncol=4)  # inside, it covered some clients' points
    fig.tight_layout()
    return fig
