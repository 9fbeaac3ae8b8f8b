"""Figures of markets around a federation: returns by strategy, price paths, what an attack takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from cst_ref.checks import check_nonempty


def returns_figure(returns: Mapping[str, Sequence[float]], title: str) -> Figure:
    """One box per strategy of its returns over seeds (in %), with every seed as a dot."""
    check_nonempty("returns", returns)
    for name, values in returns.items():
        check_nonempty(f"returns[{name!r}]", values)
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    names = list(returns)
    ax.boxplot([list(returns[n]) for n in names], showfliers=False)
    for k, name in enumerate(names, start=1):
        values = np.asarray(returns[name], dtype=float)
        jitter = np.linspace(-0.15, 0.15, len(values))
        ax.scatter(k + jitter, values, s=8, alpha=0.6, color="#1f4e79")
    ax.set_xticks(range(1, len(names) + 1), names, fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("return on capital (%)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def price_paths_figure(prices: Mapping[str, np.ndarray], client_labels: Sequence[str] | None = None) -> Figure:
    """One panel per rule: every client's spot price (base per CST) before and after each round."""
    check_nonempty("prices", prices)
    rules = list(prices)
    fig, axes = plt.subplots(1, len(rules), figsize=(7.0, 2.8), sharey=True, squeeze=False)
    for ax, rule in zip(axes[0], rules):
        paths = np.asarray(prices[rule], dtype=float)
        if paths.ndim != 2:
            raise ValueError(f"prices[{rule!r}] must have shape (rounds + 1, clients), got {paths.shape}")
        for i in range(paths.shape[1]):
            label = client_labels[i] if client_labels is not None else f"client {i}"
            ax.plot(paths[:, i], linewidth=1, label=label)
        ax.set_title(rule, fontsize=9)
        ax.set_xlabel("round", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("price (base per CST)")
    fig.tight_layout()
    return fig


def sandwich_figure(tolerances_bps: Sequence[int], taken: Mapping[str, Sequence[float]]) -> Figure:
    """What a sandwich takes from a 100-token buy-back against the buy-back's slippage tolerance."""
    check_nonempty("tolerances_bps", tolerances_bps)
    check_nonempty("taken", taken)
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for (label, values), marker in zip(taken.items(), "osd^"):
        if len(values) != len(tolerances_bps):
            raise ValueError(f"taken[{label!r}] has {len(values)} values for {len(tolerances_bps)} tolerances")
        ax.plot(np.asarray(tolerances_bps) / 100, values, marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xlabel("buy-back tolerance below the quote (%)")
    ax.set_ylabel("attacker's profit (base tokens)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def title_claim_figure(quality: Sequence[float], returns: Mapping[str, np.ndarray], labels: Sequence[str],
                       title: str) -> Figure:
    """One panel per rule: each client's investor return (mean over runs, 95 % interval) against
    the client's built-in quality; ``returns[rule]`` is runs × clients, in %."""
    check_nonempty("returns", returns)
    quality = np.asarray(quality, dtype=float)
    rules = list(returns)
    fig, axes = plt.subplots(1, len(rules), figsize=(7.0, 2.9), sharey=True, squeeze=False)
    for ax, rule in zip(axes[0], rules):
        runs = np.asarray(returns[rule], dtype=float)
        if runs.ndim != 2 or runs.shape[1] != len(quality):
            raise ValueError(f"returns[{rule!r}] must have shape (runs, {len(quality)}), got {runs.shape}")
        half = stats.t.ppf(0.975, len(runs) - 1) * runs.std(0, ddof=1) / np.sqrt(len(runs)) if len(runs) > 1 \
            else np.zeros(len(quality))
        ax.errorbar(quality, runs.mean(0), yerr=half, fmt="o", color="#1f4e79", ecolor="#7f7f7f", capsize=2,
                    markersize=4)
        for q, r, label in zip(quality, runs.mean(0), labels):
            ax.annotate(label, (q, r), textcoords="offset points", xytext=(3, 3), fontsize=8)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(rule, fontsize=10)
        ax.set_xlabel("client quality", fontsize=9)
    axes[0][0].set_ylabel("investor's return (%)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig



def value_figure(prices: np.ndarray, values: np.ndarray, treasury: Sequence[float], clients: Mapping[int, str],
                 events: Mapping[int, str], title: str) -> Figure:
    """Left: the spot price (solid) and the fundamental value (dashed) of each of ``clients``
    (index → label) at every row of a market; right: the free treasury. ``events`` marks rows
    (index → label) with a vertical line on both panels."""
    check_nonempty("clients", clients)
    prices, values = np.asarray(prices, dtype=float), np.asarray(values, dtype=float)
    if prices.shape != values.shape or len(treasury) != len(prices):
        raise ValueError(f"prices {prices.shape}, values {values.shape} and treasury ({len(treasury)}) must share rows")
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.0, 3.6), gridspec_kw={"width_ratios": [2.2, 1]})
    rows = np.arange(len(prices))
    for k, (client, label) in enumerate(clients.items()):
        color = plt.get_cmap("tab10")(k)
        left.plot(rows, prices[:, client], color=color, label=label)
        left.plot(rows, values[:, client], color=color, linestyle="--")
    right.plot(rows, treasury, color="#1f4e79")
    for ax in (left, right):
        for row, label in events.items():
            ax.axvline(row, color="#7f7f7f", linewidth=0.8, linestyle=":")
            ax.annotate(label, (row, 1), xycoords=("data", "axes fraction"), xytext=(2, -10),
                        textcoords="offset points", fontsize=8, color="#555555")
        ax.set_xlabel("round", fontsize=9)
    left.set_ylabel("base per CST")
    right.set_ylabel("free treasury (base)")
    right.set_ylim(bottom=0)
    fig.suptitle(title + " (solid: price, dashed: value)", fontsize=10)
    fig.legend(*left.get_legend_handles_labels(), loc="lower center", ncol=len(clients), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def received_figure(received: Mapping[str, np.ndarray], direct: np.ndarray, clients: Mapping[int, str],
                    title: str) -> Figure:
    """One panel per client: the base it has taken out by each round under each rule (solid)
    against what direct payment in base would have given it (black, dashed). ``received[rule]``
    and ``direct`` are cumulative, rows × clients, in tokens."""
    check_nonempty("received", received)
    fig, axes = plt.subplots(1, len(clients), figsize=(7.0, 2.8), sharey=True, squeeze=False)
    for ax, (client, label) in zip(axes[0], clients.items()):
        for k, (rule, path) in enumerate(received.items()):
            ax.plot(np.asarray(path)[:, client], color=plt.get_cmap("tab10")(k), label=rule)
        ax.plot(np.asarray(direct)[:, client], color="black", linestyle="--", label="paid directly")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("round", fontsize=9)
    axes[0][0].set_ylabel("base taken out (cumulative)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
