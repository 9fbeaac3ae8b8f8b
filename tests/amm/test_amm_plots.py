"""Chapter 5's figures build from the integer maths and refuse nonsense."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from cst_ref.plots.amm import constant_product_trade, price_impact, price_paths  # noqa: E402

E18 = 10**18


def test_trade_figure_marks_both_states():
    fig = constant_product_trade(100 * E18, 200 * E18, 30 * E18)
    (ax,) = fig.axes
    xs, ys = ax.lines[1].get_data()  # the two pool states
    # the fee stays in the pool: after the trade it holds more base than k / x would leave
    assert list(xs) == [100, 130] and ys[0] == 200 and 200 * 100 / 130 < ys[1] < 200


def test_price_impact_is_at_least_the_fee():
    fig = price_impact(100 * E18, 200 * E18, fee_bps=30)
    impact = fig.axes[1].lines[0].get_ydata()
    assert min(impact) >= 0.3 and list(impact) == sorted(impact)
    with pytest.raises(ValueError, match="max_fraction"):
        price_impact(100 * E18, 200 * E18, max_fraction=0)


def test_price_paths_need_one_value_per_time():
    assert len(price_paths([0, 1], {"spot": [1.0, 2.0]}).axes[0].lines) == 1
    with pytest.raises(ValueError, match="has 1 points for 2 times"):
        price_paths([0, 1], {"spot": [1.0]})
