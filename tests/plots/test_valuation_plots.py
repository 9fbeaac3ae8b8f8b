"""Chapter 3's figures: one bar per client and method, one line per estimator, honest error bars."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.plots.valuation import cost_vs_accuracy, percent_of_equal_bars, volatility

REWARDS = {"Shapley": np.array([120.0, 80.0, 100.0]), "LOO": np.array([150.0, 50.0, 100.0])}


def test_reward_bars_one_per_client_and_method_with_labels() -> None:
    fig = percent_of_equal_bars(REWARDS, ["a", "b", "c"], title="shares")
    (ax,) = fig.axes
    assert len(ax.patches) == 2 * 3
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [*REWARDS["Shapley"], *REWARDS["LOO"]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Shapley", "LOO"]
    assert list(ax.lines[0].get_ydata()) == [100, 100]  # the equal-payout line


def test_cost_vs_accuracy_draws_each_series() -> None:
    fig = cost_vs_accuracy({"MC": [(10, 0.3), (100, 0.1)], "GTG": [(20, 0.05)]}, reference="exact")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["MC", "GTG"]
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), [[10, 0.3], [100, 0.1]])
    assert ax.get_xscale() == "log" and "against exact" in ax.get_title()


def test_volatility_shows_mean_and_spread_over_seeds() -> None:
    shares = np.array([[0.2, 0.3, 0.5], [0.4, 0.3, 0.3]])  # 2 seeds × 3 clients
    fig = volatility({"Shapley": shares})
    (ax,) = fig.axes
    container = ax.containers[0]
    np.testing.assert_allclose(container.lines[0].get_ydata(), [0.3, 0.3, 0.4])
    segments = container.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segments], 2 * shares.std(0))
    assert ax.lines[-1].get_ydata()[0] == pytest.approx(1 / 3)  # the equal-share line


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: percent_of_equal_bars({}), "rewards must not be empty"),
        (lambda: percent_of_equal_bars({"a": [1.0, 2.0], "b": [1.0]}), "rewards\\['b'\\] has 1 values for 2 clients"),
        (lambda: percent_of_equal_bars(REWARDS, ["a", "b"]), "client_labels has 2 values for 3 clients"),
        (lambda: cost_vs_accuracy({}), "points must not be empty"),
        (lambda: cost_vs_accuracy({"MC": []}), "points\\['MC'\\] must not be empty"),
        (lambda: cost_vs_accuracy({"MC": [(0, 0.1)]}), "positive evaluation counts"),
        (lambda: volatility({}), "shares_by_seed must not be empty"),
        (lambda: volatility({"a": np.ones(3)}), "shape \\(seeds, clients\\)"),
        (lambda: volatility({"a": np.ones((2, 3)), "b": np.ones((2, 4))}), "has 4 values for 3 clients"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_figures_fit_a_700_px_column_in_distinct_colour_blind_safe_colours() -> None:
    """7 × 3.5 in at 100 dpi (issue 13: a 1,400 px figure squeezed into the column had tiny legends)."""
    rewards = {f"method {k}": np.full(8, 100.0 + k) for k in range(5)}
    figures = [percent_of_equal_bars(rewards), cost_vs_accuracy({"MC": [(10, 0.3)], "GTG": [(20, 0.05)]}),
               volatility({"a": np.ones((2, 3)) / 3, "b": np.ones((2, 3)) / 3})]
    for fig in figures:
        assert tuple(fig.get_size_inches()) == (7.0, 3.5) and fig.dpi == 100
    (ax,) = figures[0].axes
    colours = {tuple(bar.get_facecolor()) for bar in ax.patches}
    assert len(colours) == 5
    assert all(t.get_fontsize() >= 9 for t in ax.get_legend().get_texts())
