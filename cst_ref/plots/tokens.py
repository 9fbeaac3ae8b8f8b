"""Chapter 4's figure: what each ERC-20 operation costs in gas, and why.

The numbers are measured by the caller on the EVM (``cst_ref.chain.gas.gas_of``); this module
only draws them. The figure separates the operations that turn a zero storage slot into a
non-zero one (a new holder's balance: 20,000 gas for the write alone) from those that only
change slots that already hold a value, which is the one distinction that explains most of
the spread, and marks the 21,000 intrinsic gas a real transaction pays on top.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..checks import check_int, check_nonempty

NEW_SLOT_COLOUR = "#b26a00"
CHANGED_SLOT_COLOUR = "#1f4e79"


def erc20_gas_bars(
    gas: Mapping[str, int],
    creates_balance: Collection[str] = (),
    *,
    intrinsic: int = 21_000,
    title: str = "Execution gas of ERC-20 operations",
) -> Figure:
    """One horizontal bar per operation, in the order given, its gas printed at the bar's end.

    ``creates_balance`` names the operations that write a balance slot that was zero; they are
    drawn in a second colour. A dotted line at ``intrinsic`` shows the per-transaction gas the
    measurement leaves out, so a reader does not compare these bars with a wallet's total.
    Sized for a ~700 px text column (7 × 3.5 inches at 100 dpi).
    """
    check_nonempty("gas", gas)
    values = {name: check_int(f"gas[{name!r}]", value) for name, value in gas.items()}
    unknown = sorted(set(creates_balance) - set(values))
    if unknown:
        raise ValueError(f"creates_balance names operations that were not measured: {unknown}")
    check_int("intrinsic", intrinsic)

    names = list(values)
    colours = [NEW_SLOT_COLOUR if name in creates_balance else CHANGED_SLOT_COLOUR for name in names]
    fig, ax = plt.subplots(figsize=(7, 3.8), dpi=100)
    positions = range(len(names))
    ax.barh(positions, [values[n] for n in names], color=colours, height=0.6)
    ax.set_yticks(list(positions), names, fontsize=9)
    ax.invert_yaxis()  # first operation on top, as listed
    top = max([*values.values(), intrinsic])
    for y, name in zip(positions, names):
        ax.text(values[name] + 0.01 * top, y, f"{values[name]:,}", va="center", fontsize=9)
    ax.axvline(intrinsic, color="grey", ls=":", lw=1.2)
    ax.set_xlim(0, 1.15 * top)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlabel("gas executed, priced as the first call of a new transaction", fontsize=9)
    ax.set_title(title, fontsize=11)
    fig.legend(
        handles=[
            Patch(color=NEW_SLOT_COLOUR, label="creates a balance"),
            Patch(color=CHANGED_SLOT_COLOUR, label="updates existing slots only"),
            Line2D([], [], color="grey", ls=":", label=f"+{intrinsic:,} intrinsic gas per transaction"),
        ],
        fontsize=9,
        loc="lower center",
        ncol=2,
        frameon=False,
        handlelength=1.5,
        columnspacing=1.2,
    )
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig
