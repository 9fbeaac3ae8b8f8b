"""Chapter 5's figures: the constant-product curve, price impact, and TWAP against spot price.

Every number drawn comes from ``cst_ref.amm``'s integer formulas, so a figure shows
what the Vyper pool would do, not a floating-point approximation of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import amm
from ..amm import get_amount_out, spot_price
from ..checks import check_nonempty, check_real, positive_int

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
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.plot(xs, x0 * y0 / xs, color="#1f4e79", label="$x \\cdot y = k$ before the trade")
    ax.plot([x0, x1], [y0, y1], "o", color="#b26a00")
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops={"arrowstyle": "-|>", "color": "#b26a00", "lw": 1.5})
    k_growth = 100 * ((reserve_token + amount_in) * (reserve_base - amount_out) / (reserve_token * reserve_base) - 1)
    ax.annotate(f"sell {amount_in / UNIT:g} CST\nget {amount_out / UNIT:.4f} base\n$k$ grows {k_growth:.3f} %", xy=((x0 + x1) / 2, (y0 + y1) / 2),
                xytext=(12, 12), textcoords="offset points", color="#b26a00", fontsize=9)
    ax.set_xlabel("CST reserve $x$")
    ax.set_ylabel("base reserve $y$")
    ax.set_ylim(0, 2.2 * y0)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("A trade moves the pool along its curve")
    fig.tight_layout()
    return fig


def price_impact(reserve_in: int, reserve_out: int, fee_bps: int = 30, max_fraction: float = 1.0,
                 points: int = 60) -> Figure:
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
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.8))
    left.plot(100 * fractions, prices, color="#1f4e79", label="average price paid")
    left.axhline(spot, color="grey", ls="--", label="spot price before the trade")
    left.set_xscale("log")
    left.set_xlabel("trade size, % of the input reserve")
    left.set_ylabel("output per unit of input")
    left.legend(fontsize=8)
    right.loglog(100 * fractions, impact, color="#b26a00", label=f"constant product, fee {fee_bps} bps")
    right.loglog(100 * fractions, 100 * fractions / (1 + fractions), color="grey", ls=":",
                 label="curve alone (no fee): $f/(1+f)$")
    right.axhline(fee_bps / 100, color="grey", ls="--", lw=0.8, label="the fee alone")
    right.set_xlabel("trade size, % of the input reserve")
    right.set_ylabel("price impact, %")
    right.legend(fontsize=8)
    fig.suptitle("Bigger trades pay worse prices")
    fig.tight_layout()
    return fig


def price_paths(times: Sequence[float], series: Mapping[str, Sequence[float]], *,
                ylabel: str = "price of CST in base") -> Figure:
    """Several price series over time, e.g. the spot price and its TWAP."""
    check_nonempty("series", series)
    for label, values in series.items():
        if len(values) != len(times):
            raise ValueError(f"series {label!r} has {len(values)} points for {len(times)} times")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for label, values in series.items():
        ax.step(times, values, where="post", label=label)
    ax.set_xlabel("time, s")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
