"""Chapter 2's figures: who holds which labels, and how training accuracy evolves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cst_ref.checks import check_nonempty


def draw_label_histogram(ax: Axes, histogram: np.ndarray, title: str = "") -> None:
    """Stacked bars: one per client, one colour per class, height = samples held."""
    histogram = np.asarray(histogram)
    if histogram.ndim != 2 or histogram.size == 0 or np.any(histogram < 0):
        raise ValueError(
            f"histogram must be a non-empty (clients × classes) array of counts, got shape {histogram.shape}"
        )
    n_clients, n_classes = histogram.shape
    colours = plt.get_cmap("tab10" if n_classes <= 10 else "tab20")(np.arange(n_classes))
    bottom = np.zeros(n_clients)
    for c in range(n_classes):
        ax.bar(np.arange(n_clients), histogram[:, c], bottom=bottom, color=colours[c], width=0.8, label=str(c))
        bottom += histogram[:, c]
    ax.set_xticks(np.arange(n_clients))
    ax.set_xlabel("client")
    ax.set_ylabel("samples")
    ax.set_title(title, fontsize=10)


def label_histograms(histograms: Mapping[str, np.ndarray]) -> Figure:
    """One panel per partition, so IID and the kinds of skew can be compared at a glance."""
    check_nonempty("histograms", histograms)
    fig, axes = plt.subplots(1, len(histograms), figsize=(3.3 * len(histograms), 3.2), sharey=True, squeeze=False)
    for ax, (title, histogram) in zip(axes[0], histograms.items()):
        draw_label_histogram(ax, histogram, title)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, title="class", loc="center right", fontsize=8)
    fig.tight_layout(rect=(0, 0, 0.93, 1))
    return fig


def accuracy_curves(curves: Mapping[str, Sequence[float]], title: str = "Global model accuracy") -> Figure:
    """Validation accuracy of the global model after each round, one line per setting."""
    check_nonempty("curves", curves)
    for label, accuracies in curves.items():
        check_nonempty(f"curve {label!r}", accuracies)
        values = np.asarray(accuracies, dtype=float)
        if not np.all((values >= 0) & (values <= 1)):  # percentages would fall off the [0, 1] axis
            raise ValueError(f"curve {label!r} must hold accuracies in [0, 1], got {list(accuracies)}")
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, accuracies in curves.items():
        ax.plot(np.arange(1, len(accuracies) + 1), accuracies, marker="o", markersize=3, label=label)
    ax.set_xlabel("round")
    ax.set_ylabel("validation accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(title)
    fig.tight_layout()
    return fig
