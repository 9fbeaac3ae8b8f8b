"""Chapter 8's title-claim figure: one panel per rule, a point per client at its quality."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.plots.markets import title_claim_figure


def test_each_client_is_a_point_at_its_quality_with_its_mean_return() -> None:
    returns = {"mint": np.array([[1.0, -2.0, 3.0], [3.0, -4.0, 5.0]]), "inject": np.zeros((2, 3))}
    fig = title_claim_figure([1.0, 0.5, 0.0], returns, ["H", "50", "FR"], "t")
    assert len(fig.axes) == 2 and [ax.get_title() for ax in fig.axes] == ["mint", "inject"]
    points = fig.axes[0].lines[0].get_xydata()
    assert points.tolist() == [[1.0, 2.0], [0.5, -3.0], [0.0, 4.0]]
    assert [t.get_text() for t in fig.axes[0].texts] == ["H", "50", "FR"]


def test_returns_of_the_wrong_shape_are_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        title_claim_figure([1.0, 0.0], {"mint": np.zeros((2, 3))}, ["a", "b"], "t")
    with pytest.raises(ValueError):
        title_claim_figure([1.0], {}, ["a"], "t")


def test_the_value_figure_draws_a_price_and_a_value_per_client_and_the_treasury() -> None:
    from cst_ref.plots.markets import value_figure

    prices, values = np.ones((4, 3)), np.full((4, 3), 0.5)
    fig = value_figure(prices, values, [10.0, 8.0, 6.0, 4.0], {0: "a", 2: "c"}, {2: "leaves"}, "t")
    left, right = fig.axes
    assert [line.get_ydata().tolist() for line in left.lines[:4]] == [[1.0] * 4, [0.5] * 4, [1.0] * 4, [0.5] * 4]
    assert right.lines[0].get_ydata().tolist() == [10.0, 8.0, 6.0, 4.0]
    assert [t.get_text() for t in fig.legends[0].texts] == ["a", "c", "leaves (round 2)"]  # events named there
    with pytest.raises(ValueError, match="share rows"):
        value_figure(prices, values[:2], [1.0] * 4, {0: "a"}, {}, "t")


def test_the_received_figure_puts_each_rule_beside_the_direct_payment() -> None:
    from cst_ref.plots.markets import received_figure

    path = np.cumsum(np.ones((5, 2)), axis=0)
    fig = received_figure({"mint": path, "inject": 2 * path}, 3 * path, {1: "client 1"}, "t")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["mint", "inject", "paid directly"]
    assert ax.lines[2].get_ydata().tolist() == (3 * path[:, 1]).tolist()
