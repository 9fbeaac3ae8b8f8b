"""Chapter 5's figures: arguments beyond those tests/amm/test_amm_plots.py covers."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.plots.amm import price_impact, price_paths

E18 = 10**18


def test_price_impact_draws_the_requested_number_of_points() -> None:
    fig = price_impact(100 * E18, 200 * E18, fee_bps=30, max_fraction=0.5, points=7)
    prices, impacts = fig.axes
    assert len(prices.lines[0].get_xdata()) == len(impacts.lines[0].get_xdata()) == 7
    assert impacts.lines[0].get_xdata()[-1] == pytest.approx(50.0)  # % of the input reserve
    assert impacts.lines[0].get_label() == "constant product, fee 30 bps"


def test_price_paths_one_step_line_per_series() -> None:
    (ax,) = price_paths([0, 10, 20], {"spot": [1.0, 2.0, 1.5], "TWAP": [1.0, 1.5, 1.5]}, ylabel="price").axes
    assert [line.get_label() for line in ax.lines] == ["spot", "TWAP"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 2.0, 1.5])
    assert ax.get_ylabel() == "price"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: price_impact(100 * E18, 200 * E18, points=0), "points"),
        (lambda: price_impact(100 * E18, 200 * E18, max_fraction="1"), "max_fraction must be a real number"),
        (lambda: price_impact(100 * E18, 200 * E18, max_fraction=float("nan")), "max_fraction must be finite"),
        (lambda: price_paths([0, 1], {}), "series must not be empty"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
