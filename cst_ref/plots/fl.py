"""Chapter 2's figures: who holds which labels, and how training accuracy evolves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from cst_ref.checks import check_nonempty
from cst_ref.data import dirichlet, label_histogram

from .interactive import InteractiveFigure


def _listed_colours(name: str) -> tuple[str, ...]:
    """Every colour of matplotlib's listed colour map ``name``, in order, as hex."""
    colour_map = plt.get_cmap(name)
    return tuple(to_hex(colour_map(i)) for i in range(colour_map.N))


#: One colour per class wherever the book colours by class, so class 3 is the same red in the
#: static histograms and in the Dirichlet explorer's chart: matplotlib's tab10 (Vega's own
#: "tableau10" scheme orders other colours), and tab20 when there are more than ten classes.
CLASS_COLOURS = _listed_colours("tab10")
CLASS_COLOURS_20 = _listed_colours("tab20")


def class_colours(n_classes: int) -> list[str]:
    """The colour of each of ``n_classes`` classes, class ``c`` first at index ``c``."""
    palette = CLASS_COLOURS if n_classes <= len(CLASS_COLOURS) else CLASS_COLOURS_20
    return [palette[c % len(palette)] for c in range(n_classes)]


def draw_label_histogram(ax: Axes, histogram: np.ndarray, title: str = "") -> None:
    """Stacked bars: one per client, one colour per class, height = samples held."""
    histogram = np.asarray(histogram)
    if histogram.ndim != 2 or histogram.size == 0 or np.any(histogram < 0):
        raise ValueError(
            f"histogram must be a non-empty (clients × classes) array of counts, got shape {histogram.shape}"
        )
    n_clients, n_classes = histogram.shape
    colours = class_colours(n_classes)
    bottom = np.zeros(n_clients)
    for c in range(n_classes):
        bars = ax.bar(np.arange(n_clients), histogram[:, c], bottom=bottom, color=colours[c], width=0.8, label=str(c))
        # a stacked bar's base must not stop the axis' top margin: an empty class on top of the
        # tallest stack sits at its height, and the stack then ended on the frame
        for bar in bars if c else []:
            bar.sticky_edges.y.clear()
        bottom += histogram[:, c]
    ax.set_xticks(np.arange(n_clients))
    ax.set_xlabel("client")
    ax.set_ylabel("samples")
    ax.set_title(title, fontsize=10)


def label_histograms(histograms: Mapping[str, np.ndarray]) -> Figure:
    """One panel per partition, so IID and the kinds of skew can be compared at a glance.

    At most two panels per row and 7 inches wide at 100 dpi: the figure is shown at the text
    column's width (about 700 px), so a wider one would be scaled down until its labels and
    legend become unreadable.
    """
    check_nonempty("histograms", histograms)
    columns = min(2, len(histograms))
    rows = -(-len(histograms) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(7, 0.4 + 2.6 * rows), sharey=True, squeeze=False, dpi=100)
    for ax, (title, histogram) in zip(axes.flat, histograms.items()):
        draw_label_histogram(ax, histogram, title)
    for ax in axes.flat[len(histograms) :]:
        ax.set_visible(False)
    for ax in axes[:-1].flat:  # one x label per column, at the bottom
        ax.set_xlabel("")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, title="class", loc="center right", fontsize=9, title_fontsize=9)
    fig.tight_layout(rect=(0, 0, 0.88, 1))
    return fig


def dirichlet_explorer(
    labels: np.ndarray,
    n_clients: int,
    n_classes: int,
    *,
    log10_alphas: Sequence[float] = tuple(np.round(np.arange(-1.3, 2.01, 0.1), 1)),
    seeds: Sequence[int] = range(5),
    min_size: int = 5,
) -> InteractiveFigure:
    """Dirichlet label histograms for every α on a log grid and every seed, switched by two
    sliders in the browser: the kernel-free version of chapter 2's α slider.

    Every split is computed here, with ``cst_ref.data.dirichlet``, when the book is built; the
    page only filters the table. One row per (α, seed, client) holds that client's class counts.
    """
    check_nonempty("log10_alphas", log10_alphas)
    check_nonempty("seeds", seeds)
    log10_alphas = [round(float(a), 2) for a in log10_alphas]
    steps = np.diff(log10_alphas)
    if len(steps) and (steps.min() <= 0 or not np.allclose(steps, steps[0])):
        raise ValueError(f"log10_alphas must be an increasing, evenly spaced grid, got {log10_alphas}")
    seeds = [int(s) for s in seeds]
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        raise ValueError(f"seeds must be consecutive integers, got {seeds}")
    rows: list[dict[str, Any]] = []
    for log_alpha in log10_alphas:
        for seed in seeds:
            parts = dirichlet(labels, n_clients, alpha=10**log_alpha, seed=seed, min_size=min_size)
            for client, counts in enumerate(label_histogram(labels, parts, n_classes)):
                rows.append({"a": log_alpha, "s": seed, "c": client, "n": [int(k) for k in counts]})
    step = round(float(steps[0]), 2) if len(steps) else 1.0
    alpha = alt.param(
        name="log_alpha",
        value=min(log10_alphas, key=lambda a: abs(a - np.log10(0.5))),
        bind=alt.binding_range(min=log10_alphas[0], max=log10_alphas[-1], step=step, name="log₁₀ α "),
    )
    seed_param = alt.param(
        name="seed", value=seeds[0], bind=alt.binding_range(min=seeds[0], max=seeds[-1], step=1, name="seed ")
    )
    most = max(sum(r["n"]) for r in rows)
    chart = (
        alt.Chart(alt.Data(values=rows))
        .transform_filter(f"abs(datum.a - log_alpha) < {step / 2} && datum.s == seed")
        .transform_calculate(k=f"sequence({n_classes})")
        .transform_flatten(["n", "k"], as_=["samples", "class"])
        .mark_bar()
        .encode(
            x=alt.X("c:O", title="client", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("samples:Q", title="samples", scale=alt.Scale(domain=[0, most])),
            color=alt.Color(
                "class:N",
                title="class",  # the static histograms' colours, class by class
                scale=alt.Scale(domain=list(range(n_classes)), range=class_colours(n_classes)),
            ),
            order=alt.Order("class:Q"),
            tooltip=["c:O", "class:N", "samples:Q"],
        )
        .add_params(alpha, seed_param)
        .properties(
            width=520,
            height=260,
            title=alt.Title(
                alt.expr(
                    "'Dirichlet α = ' + format(pow(10, log_alpha), log_alpha >= 1 ? '.0f' : '.2~g') + ', seed ' + seed"
                )
            ),
        )
    )
    return InteractiveFigure.from_chart(
        chart, f"Label histograms of a Dirichlet split over {n_clients} clients, with sliders for α and the seed"
    )


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
