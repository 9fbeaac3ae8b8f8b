"""Chapter 6's figures: one bar group per client and rule, one gas line per rule."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.plots.federation import round_gas, rule_outcomes
from cst_ref.protocol.rule_comparison import RuleOutcome


def outcome(name: str, price_change: tuple[float, ...], gain: tuple[float, ...], investor: float, paid: float):
    """A RuleOutcome carrying only what the figure reads (no chain record or model)."""
    return RuleOutcome(0, name, None, None, price_change, gain, investor, paid)


OUTCOMES = [outcome("mint", (0.1, -0.2), (5.0, 1.0), 2.0, 0.0), outcome("buyback", (0.3, 0.05), (7.0, 2.0), 1.0, 9.0)]


def test_rule_outcomes_draws_each_client_under_each_rule() -> None:
    fig = rule_outcomes(OUTCOMES, ["A", "B"])
    prices, gains, others = fig.axes
    np.testing.assert_allclose([bar.get_height() for bar in prices.patches], [10, -20, 30, 5])
    assert [bar.get_height() for bar in gains.patches] == [5.0, 1.0, 7.0, 2.0]
    assert [t.get_text() for t in prices.get_xticklabels()] == ["A", "B"]
    # the rules' key sits above both panels, not over the bars of one
    assert prices.get_legend() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["mint", "buyback"]
    assert [bar.get_width() for bar in others.patches] == [2.0, 1.0, -0.0, -9.0]  # investor, then treasury
    assert [t.get_text() for t in others.get_yticklabels()] == ["mint", "buyback"]


def test_round_gas_plots_millions_per_rule_and_transfers_on_the_right() -> None:
    fig = round_gas([1, 2, 4], {"mint": [1_000_000, 2_000_000, 4_000_000], "buyback": [3e6, 5e6, 9e6]}, 50_000)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["mint", "buyback"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 2, 4])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [1, 2, 4])
    fig.canvas.draw()  # the secondary axis takes its limits from the main one when drawn
    right = ax.child_axes[0]
    assert right.get_ylabel() == "ERC-20 transfers"
    np.testing.assert_allclose(right.get_ylim(), np.array(ax.get_ylim()) * 20)  # 1 M gas = 20 × 50,000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rule_outcomes([], ["A"]), "rules must not be empty"),
        (lambda: rule_outcomes(OUTCOMES * 3, ["A", "B"]), "at most 4 rules"),
        (lambda: rule_outcomes(OUTCOMES, ["A", "B", "C"]), "mint price_change has 2 values for 3 clients"),
        (lambda: round_gas([1, 2], {}, 21_000), "rules must not be empty"),
        (lambda: round_gas([1, 2], {"mint": [1]}, 21_000), "table\\['mint'\\] has 1 values for 2 client counts"),
        (lambda: round_gas([1], {"mint": [1]}, 0), "baseline must be positive"),
        (lambda: round_gas([1], {str(k): [1] for k in range(5)}, 21_000), "at most 4 rules"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
