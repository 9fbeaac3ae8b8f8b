"""The payout against constructed quality: who a payout rule pays on a federation of known quality."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cst_ref.checks import check_nonempty
from cst_ref.experiment.payout_quality import PayoutQuality


def payout_quality_figure(results: Mapping[str, PayoutQuality], behaviours: Sequence[str]) -> Figure:
    """Mean share of the budget per client (bars, one colour per payout design) with the range
    over seeds (whiskers); clients labelled by their built-in behaviour."""
    check_nonempty("results", results)
    n = len(behaviours)
    # 7 in at 100 dpi, the text column's width, so no text is shown under 9 pt; a behaviour of
    # several words takes a line per word, so ten clients' labels fit side by side
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
    width = 0.8 / len(results)
    for k, (label, result) in enumerate(results.items()):
        percent = 100 * result.fractions
        mean = percent.mean(0)
        x = np.arange(n) + (k - (len(results) - 1) / 2) * width
        ax.bar(x, mean, width, label=label)
        ax.errorbar(
            x,
            mean,
            yerr=[mean - percent.min(0), percent.max(0) - mean],
            fmt="none",
            ecolor="black",
            elinewidth=0.8,
            capsize=2,
        )
    ax.axhline(100 / n, color="grey", linestyle=":", linewidth=1)
    ax.set_xticks(np.arange(n), [f"{i}\n" + b.replace(" ", "\n") for i, b in enumerate(behaviours)], fontsize=9)
    ax.set_ylabel("share of the budget paid (%)")
    ax.set_title(
        f"Payout on a federation of known quality ({len(next(iter(results.values())).fractions)} seeds; "
        "dotted: equal split)",
        fontsize=11,
    )
    # above the axes, not over the bars
    ax.legend(fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=1, frameon=False)
    fig.tight_layout()
    return fig
