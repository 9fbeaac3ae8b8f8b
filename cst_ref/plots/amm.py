"""Chapter 5's figures: the constant-product curve, price impact, and TWAP against spot price.

Every number drawn comes from ``cst_ref.amm``'s integer formulas, so a figure shows
what the Vyper pool would do, not a floating-point approximation of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import amm
from ..amm import get_amount_out, spot_price
from ..checks import check_nonempty, check_real, positive_int
from .interactive import InteractiveFigure

UNIT = 10**18


def constant_product_trade(reserve_token: int, reserve_base: int, amount_in: int, fee_bps: int = 30) -> Figure:
    """The curve ``x * y = k`` with one sale of ``amount_in`` CST into the pool.

    The trade moves the pool along the curve; the fee kept in the pool lifts it
    onto a slightly higher curve (too close to draw apart at usual fees, so the
    growth of ``k`` is printed instead), which is how LPs earn.
    """
    amount_out = get_amount_out(amount_in, reserve_token, reserve_base, fee_bps)
    x0, y0 = reserve_token / UNIT, reserve_base / UNIT
    x1, y1 = (reserve_token + amount_in) / UNIT, (reserve_base - amount_out) / UNIT
    xs = np.linspace(0.35 * x0, max(2.2 * x0, 1.15 * x1), 400)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
    ax.plot(xs, x0 * y0 / xs, color="#1f4e79", label="$x \\cdot y = k$ before the trade")
    ax.plot([x0, x1], [y0, y1], "o", color="#b26a00")
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "-|>", "color": "#b26a00", "lw": 1.5})
    k_growth = 100 * ((reserve_token + amount_in) * (reserve_base - amount_out) / (reserve_token * reserve_base) - 1)
    ax.annotate(
        f"sell {amount_in / UNIT:g} CST\nget {amount_out / UNIT:.4f} base\n$k$ grows {k_growth:.3f} %",
        xy=((x0 + x1) / 2, (y0 + y1) / 2),
        xytext=(12, 12),
        textcoords="offset points",
        color="#b26a00",
        fontsize=9,
    )
    ax.set_xlabel("CST reserve $x$")
    ax.set_ylabel("base reserve $y$")
    ax.set_ylim(0, 2.2 * y0)
    ax.legend(loc="upper right", fontsize=9)
    ax.set_title("A trade moves the pool along its curve")
    fig.tight_layout()
    return fig


def price_impact(
    reserve_in: int, reserve_out: int, fee_bps: int = 30, max_fraction: float = 1.0, points: int = 60
) -> Figure:
    """Average execution price and price impact against trade size (a fraction of the input reserve).

    On log axes the two costs of a trade separate: small trades pay about the
    fee, large ones mostly pay for moving along the curve, ``f / (1 + f)``.
    """
    if not 1e-4 < check_real("max_fraction", max_fraction) <= 10:
        raise ValueError(f"max_fraction must be in (0.0001, 10], got {max_fraction}")
    positive_int("points", points)
    fractions = np.logspace(-4, np.log10(max_fraction), points)
    spot = spot_price(reserve_in, reserve_out)
    sizes = [max(1, int(f * reserve_in)) for f in fractions]
    impact = 100 * np.array([amm.price_impact(s, reserve_in, reserve_out, fee_bps) for s in sizes])
    prices = spot * (1 - impact / 100)
    # 7 in at 100 dpi, the text column's width: two panels side by side, their legends below
    # them (inside, they would cover the curves), no text under 9 pt
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 4.4), dpi=100, layout="constrained")
    left.plot(100 * fractions, prices, color="#1f4e79", label="average price paid")
    left.axhline(spot, color="grey", ls="--", label="spot price before the trade")
    left.set_ylabel("output per unit of input")
    right.loglog(100 * fractions, impact, color="#b26a00", label=f"constant product, fee {fee_bps} bps")
    right.loglog(
        100 * fractions,
        100 * fractions / (1 + fractions),
        color="grey",
        ls=":",
        label="curve alone (no fee): $f/(1+f)$",
    )
    right.axhline(fee_bps / 100, color="grey", ls="--", lw=0.8, label="the fee alone")
    right.set_ylabel("price impact (%)")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("trade size (% of the input reserve)")
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False)
    fig.suptitle("Bigger trades pay worse prices")
    return fig


def price_paths(
    times: Sequence[float], series: Mapping[str, Sequence[float]], *, ylabel: str = "price of CST in base"
) -> Figure:
    """Several price series over time, e.g. the spot price and its TWAP."""
    check_nonempty("series", series)
    for label, values in series.items():
        if len(values) != len(times):
            raise ValueError(f"series {label!r} has {len(values)} points for {len(times)} times")
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    for label, values in series.items():
        ax.step(times, values, where="post", label=label)
    ax.set_xlabel("time, s")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def quote_explorer(
    reserve_token: int,
    reserve_base: int,
    fee_bps: int = 30,
    *,
    log10_sizes: Sequence[float] = tuple(np.round(np.arange(-2, 2.001, 0.05), 2)),
    tolerances_bps: Sequence[int] = range(0, 501, 10),
) -> InteractiveFigure:
    """A sale's quote for every trade size and slippage tolerance on a grid, switched by two
    sliders in the browser: the kernel-free version of chapter 5's quote widget.

    Sizes are percentages of the CST reserve on a log grid. Every number is computed here with
    ``cst_ref.amm``'s integer formulas (``min_out = out * (10000 - tolerance) // 10000``) and
    formatted as chapter 5's live widget prints it; the page only looks the text up.
    """
    check_nonempty("log10_sizes", log10_sizes)
    check_nonempty("tolerances_bps", tolerances_bps)
    log10_sizes = [round(float(s), 3) for s in log10_sizes]
    tolerances = [int(t) for t in tolerances_bps]
    size_steps, tolerance_steps = np.diff(log10_sizes), np.diff(tolerances)
    if len(size_steps) and (size_steps.min() <= 0 or not np.allclose(size_steps, size_steps[0])):
        raise ValueError(f"log10_sizes must be an increasing, evenly spaced grid, got {log10_sizes}")
    if len(tolerance_steps) and (tolerance_steps.min() <= 0 or len(set(tolerance_steps)) > 1):
        raise ValueError(f"tolerances_bps must be an increasing, evenly spaced grid, got {tolerances}")
    if tolerances[0] < 0 or tolerances[-1] > 10_000:
        raise ValueError(f"tolerances_bps must lie in [0, 10000], got {tolerances}")
    spot = spot_price(reserve_token, reserve_base)
    rows = []
    for log_size in log10_sizes:
        size_percent = 10**log_size
        amount_in = int(size_percent / 100 * reserve_token)
        out = get_amount_out(amount_in, reserve_token, reserve_base, fee_bps)
        impact = amm.price_impact(amount_in, reserve_token, reserve_base, fee_bps)
        rows.append(
            {
                "p": log_size,
                "size": size_percent,
                "impact": 100 * impact,
                "lines": [
                    f"sell {amount_in / UNIT:,.3f} CST ({size_percent:.2f} % of the reserve)",
                    f"receive {out / UNIT:,.6f} base at {out / amount_in:.6f} base/CST (spot {spot:.6f})",
                    f"price impact {100 * impact:.3f} %",
                ],
                "min_out": [f"{out * (10_000 - t) // 10_000 / UNIT:,.6f}" for t in tolerances],
            }
        )
    size_step = round(float(size_steps[0]), 3) if len(size_steps) else 1.0
    tolerance_step = int(tolerance_steps[0]) if len(tolerance_steps) else 1
    size = alt.param(
        name="log_size",
        value=min(log10_sizes, key=abs),
        bind=alt.binding_range(min=log10_sizes[0], max=log10_sizes[-1], step=size_step, name="log₁₀ size (% of x) "),
    )
    tolerance = alt.param(
        name="tolerance_bps",
        value=min(tolerances, key=lambda t: abs(t - 50)),
        bind=alt.binding_range(min=tolerances[0], max=tolerances[-1], step=tolerance_step, name="tolerance (bps) "),
    )
    chosen = f"abs(datum.p - log_size) < {size_step / 2}"
    base = alt.Chart().encode(
        x=alt.X("size:Q", scale=alt.Scale(type="log"), title="trade size, % of the CST reserve"),
        y=alt.Y("impact:Q", scale=alt.Scale(type="log"), title="price impact, %"),
    )
    curve = base.mark_line(color="#0072B2")
    point = base.mark_point(color="#D55E00", filled=True, size=90).transform_filter(chosen)
    readout = (
        alt.Chart()
        .transform_filter(chosen)
        .transform_calculate(
            text=f"[datum.lines[0], datum.lines[1], datum.lines[2], 'min_out ' + datum.min_out["
            f"round((tolerance_bps - {tolerances[0]}) / {tolerance_step})] + ' base (reverts if the price"
            " moves > ' + format(tolerance_bps / 100, '.2f') + ' %)']"
        )
        .mark_text(align="left", baseline="top", font="monospace", fontSize=12, lineHeight=18)
        .encode(text="text:N", x=alt.value(0), y=alt.value(0))
        .properties(width=520, height=72)
    )
    chart = alt.vconcat(
        (curve + point)
        .add_params(size, tolerance)
        .properties(width=520, height=220, title=f"Quote for a sale into the pool (fee {fee_bps} bps)"),
        readout,
        data=alt.Data(values=rows),  # once, shared by both views
    ).configure_view(stroke=None)
    return InteractiveFigure.from_chart(
        chart, "Price impact against trade size with the quote for the chosen size and slippage tolerance"
    )
