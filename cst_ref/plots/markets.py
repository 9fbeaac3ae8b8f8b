"""Figures of markets around a federation: returns by strategy, price paths, what an attack takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullLocator, SymmetricalLogLocator
from scipy import stats

from cst_ref.checks import check_nonempty


def returns_figure(returns: Mapping[str, Sequence[float]], title: str) -> Figure:
    """One box per strategy of its returns over seeds (in %), with every seed as a dot."""
    check_nonempty("returns", returns)
    for name, values in returns.items():
        check_nonempty(f"returns[{name!r}]", values)
    fig, ax = plt.subplots(figsize=(7.0, 3.6), dpi=100)
    names = list(returns)
    ax.boxplot([list(returns[n]) for n in names], showfliers=False)
    for k, name in enumerate(names, start=1):
        points = np.asarray(returns[name], dtype=float)
        jitter = np.linspace(-0.15, 0.15, len(points))
        ax.scatter(k + jitter, points, s=8, alpha=0.6, color="#1f4e79")
    ax.set_xticks(range(1, len(names) + 1), names, fontsize=9)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("return on capital (%)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def price_paths_figure(prices: Mapping[str, np.ndarray], client_labels: Sequence[str] | None = None) -> Figure:
    """One panel per rule: every client's spot price (base per CST) before and after each round."""
    check_nonempty("prices", prices)
    rules = list(prices)
    fig, axes = plt.subplots(1, len(rules), figsize=(7.0, 2.9), dpi=100, sharey=True, squeeze=False)
    for ax, rule in zip(axes[0], rules):
        paths = np.asarray(prices[rule], dtype=float)
        if paths.ndim != 2:
            raise ValueError(f"prices[{rule!r}] must have shape (rounds + 1, clients), got {paths.shape}")
        for i in range(paths.shape[1]):
            label = client_labels[i] if client_labels is not None else f"client {i}"
            ax.plot(paths[:, i], linewidth=1, label=label)
        ax.set_title(rule.replace("_", " "), fontsize=10)
        ax.set_xlabel("round", fontsize=9)
        ax.tick_params(labelsize=9)
        ax.locator_params(axis="x", nbins=4)  # a few ticks: the panels are a quarter column wide
    axes[0][0].set_ylabel("price (base per CST)")
    fig.tight_layout()
    return fig


def sandwich_figure(tolerances_bps: Sequence[int], taken: Mapping[str, Sequence[float]]) -> Figure:
    """What a sandwich takes from a 100-token buy-back against the buy-back's slippage tolerance."""
    check_nonempty("tolerances_bps", tolerances_bps)
    check_nonempty("taken", taken)
    percent = np.asarray(tolerances_bps, dtype=float) / 100
    fig, ax = plt.subplots(figsize=(7.0, 4.4), dpi=100)
    for (label, values), marker in zip(taken.items(), "osd^"):
        if len(values) != len(tolerances_bps):
            raise ValueError(f"taken[{label!r}] has {len(values)} values for {len(tolerances_bps)} tolerances")
        ax.plot(percent, values, marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1)
    # symlog autoscaling leaves no margin, so the extreme points were cut in half by the frame:
    # pad the data's range by 8 % on each side in the scale's own coordinates
    scale = ax.yaxis.get_transform()
    every = np.concatenate([np.asarray(v, dtype=float) for v in taken.values()])
    low, high = scale.transform(np.array([[every.min()], [every.max()]]))[:, 0]
    pad = 0.08 * max(high - low, 1.0)
    ax.set_ylim(*scale.inverted().transform(np.array([[low - pad], [high + pad]]))[:, 0])
    ax.yaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=1, subs=(1, 3)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}".replace("-", "\N{MINUS SIGN}")))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xticks(percent, [f"{p:g}" for p in percent])  # the tolerances measured, as plain numbers
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("buy-back tolerance below the quote (%)")
    ax.set_ylabel("attacker's profit (base tokens)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    fig.tight_layout()
    return fig


def title_claim_figure(
    quality: Sequence[float] | np.ndarray, returns: Mapping[str, np.ndarray], labels: Sequence[str], title: str
) -> Figure:
    """One panel per rule: each client's investor return (mean over runs, 95 % interval) against
    the client's built-in quality; ``returns[rule]`` is runs × clients, in %. Clients that share
    a quality and a label (four honest ones) are labelled once, beside the highest of them."""
    check_nonempty("returns", returns)
    quality = np.asarray(quality, dtype=float)
    rules = list(returns)
    fig, axes = plt.subplots(1, len(rules), figsize=(7.0, 3.0), dpi=100, sharey=True, squeeze=False)
    for ax, rule in zip(axes[0], rules):
        runs = np.asarray(returns[rule], dtype=float)
        if runs.ndim != 2 or runs.shape[1] != len(quality):
            raise ValueError(f"returns[{rule!r}] must have shape (runs, {len(quality)}), got {runs.shape}")
        half = (
            stats.t.ppf(0.975, len(runs) - 1) * runs.std(0, ddof=1) / np.sqrt(len(runs))
            if len(runs) > 1
            else np.zeros(len(quality))
        )
        ax.errorbar(
            quality, runs.mean(0), yerr=half, fmt="o", color="#1f4e79", ecolor="#7f7f7f", capsize=2, markersize=4
        )
        highest: dict[tuple[float, str], float] = {}
        for q, r, label in zip(quality, runs.mean(0), labels):
            highest[q, label] = max(r, highest.get((q, label), -np.inf))
        for (q, label), r in highest.items():
            ax.annotate(label, (q, r), textcoords="offset points", xytext=(4, 2), fontsize=9)
        ax.margins(x=0.2)  # room for the labels right of the points at the highest quality
        ax.locator_params(axis="x", nbins=3)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(rule.replace("_", " "), fontsize=10)
        ax.set_xlabel("client quality", fontsize=9)
    axes[0][0].set_ylabel("investor's return (%)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def value_figure(
    prices: np.ndarray,
    values: np.ndarray,
    treasury: Sequence[float],
    clients: Mapping[int, str],
    events: Mapping[int, str],
    title: str,
) -> Figure:
    """Left: the spot price (solid) and the fundamental value (dashed) of each of ``clients``
    (index → label) at every row of a market; right: the free treasury. ``events`` marks rows
    (index → label) with a dotted vertical line on both panels, named in the legend."""
    check_nonempty("clients", clients)
    prices, values = np.asarray(prices, dtype=float), np.asarray(values, dtype=float)
    if prices.shape != values.shape or len(treasury) != len(prices):
        raise ValueError(f"prices {prices.shape}, values {values.shape} and treasury ({len(treasury)}) must share rows")
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.0, 3.8), dpi=100, gridspec_kw={"width_ratios": [2.2, 1]})
    rows = np.arange(len(prices))
    for k, (client, label) in enumerate(clients.items()):
        color = plt.get_cmap("tab10")(k)
        left.plot(rows, prices[:, client], color=color, label=label)
        left.plot(rows, values[:, client], color=color, linestyle="--")
    right.plot(rows, treasury, color="#1f4e79")
    for ax in (left, right):
        for row in events:
            ax.axvline(row, color="#7f7f7f", linewidth=0.8, linestyle=":")
        ax.set_xlabel("round", fontsize=9)
    left.set_ylabel("base per CST")
    right.set_ylabel("free treasury (base)")
    right.set_ylim(bottom=0)
    fig.suptitle(title + " (solid: price, dashed: value)", fontsize=10)
    # the events are named in the legend, not on the panels, where a label covered the lines
    handles, labels = left.get_legend_handles_labels()
    for row, label in events.items():
        handles.append(Line2D([], [], color="#7f7f7f", linewidth=1.2, linestyle=":"))
        labels.append(f"{label} (round {row})")
    fig.legend(handles, labels, loc="lower center", ncol=min(2, len(labels)), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.065 * -(-len(labels) // 2), 1, 1))
    return fig


def received_figure(
    received: Mapping[str, np.ndarray], direct: np.ndarray, clients: Mapping[int, str], title: str
) -> Figure:
    """One panel per client: the base it has taken out by each round under each rule (solid)
    against what direct payment in base would have given it (black, dashed). ``received[rule]``
    and ``direct`` are cumulative, rows × clients, in tokens."""
    check_nonempty("received", received)
    fig, axes = plt.subplots(1, len(clients), figsize=(7.0, 3.2), dpi=100, sharey=True, squeeze=False)
    for ax, (client, label) in zip(axes[0], clients.items()):
        for k, (rule, path) in enumerate(received.items()):
            ax.plot(np.asarray(path)[:, client], color=plt.get_cmap("tab10")(k), label=rule)
        ax.plot(np.asarray(direct)[:, client], color="black", linestyle="--", label="paid directly")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("round", fontsize=9)
    axes[0][0].set_ylabel("base taken out (cumulative)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(
        handles,
        [label.replace("_", " ") for label in labels],
        loc="lower center",
        ncol=len(labels),
        fontsize=9,
        frameon=False,
        handlelength=1.5,
        columnspacing=1.2,
    )
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
