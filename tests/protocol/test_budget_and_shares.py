"""Budget schedules in exact wei, and the one place where scores become integer shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cst_ref.protocol.budget import BudgetSchedule, RoundBudget
from cst_ref.protocol.round_shares import round_shares
from cst_ref.twins import SHARE_SCALE, WAD


def test_schedules_in_exact_wei():
    assert [BudgetSchedule("constant", 7 * WAD).at(t) for t in (0, 9)] == [RoundBudget(0, 7 * WAD)] * 2
    geometric = BudgetSchedule("geometric", 100 * WAD, decay=0.9)
    assert [geometric.at(t).budget for t in range(3)] == [100 * WAD, 90 * WAD, 81 * WAD]
    assert BudgetSchedule("revenue", 10 * WAD, share=0.3).at(4) == RoundBudget(10 * WAD, 3 * WAD)


@pytest.mark.parametrize("bad, message", [
    ({"kind": "linear"}, "budget kind must be"),
    ({"amount": 0}, "amount must be positive"),
    ({"amount": 1.5}, "amount must be an int"),
    ({"decay": 1.2}, r"decay must lie in \[0, 1\]"),
    ({"share": float("nan")}, "share must be a finite number"),
    ({"share": "half"}, "share must be a finite number"),
])
def test_bad_schedules_are_refused_by_name(bad, message):
    with pytest.raises(ValueError, match=message):
        BudgetSchedule(**bad)


def test_negative_scores_earn_nothing_and_no_positive_score_means_equal():
    assert round_shares([3.0, -2.0, 1.0]) == [3 * SHARE_SCALE // 4, 0, SHARE_SCALE // 4]
    assert round_shares([-1.0, 0.0, -3.0]) == [SHARE_SCALE // 3 + 1, SHARE_SCALE // 3, SHARE_SCALE // 3]


def test_huge_scores_do_not_vanish():
    assert round_shares([1e308, 9e307]) == [SHARE_SCALE * 10 // 19 + 1, SHARE_SCALE * 9 // 19]


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=64))
def test_shares_always_sum_to_the_scale(scores):
    shares = round_shares(scores)
    assert sum(shares) == SHARE_SCALE and min(shares) >= 0
    assert all(s == 0 for s, x in zip(shares, scores) if x < 0) or all(x <= 0 for x in scores)
