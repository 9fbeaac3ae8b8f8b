"""Settlement: what a round pays from its scores, cumulatively or round by round."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cst_ref.protocol.settlement import Settlement
from cst_ref.protocol.round_shares import round_shares
from cst_ref.twins import SHARE_SCALE, WAD, split_budget

BUDGET = 100 * WAD


def test_the_first_round_pays_the_same_under_both():
    scores = [0.3, 0.1, -0.2]
    cumulative, per_round = Settlement("cumulative", 3), Settlement("round", 3)
    a, b = cumulative.settle(scores, BUDGET), per_round.settle(scores, BUDGET)
    assert a == b and a.shares == tuple(round_shares(scores)) and a.budget == BUDGET
    assert cumulative.paid == split_budget(a.shares, BUDGET)


def test_a_noisy_late_round_moves_little_money_when_settled_cumulatively():
    """Round 1 teaches a lot (client 0 earns it all); round 2 is noise that favours client 2."""
    rounds = [[0.5, 0.0, 0.0], [0.001, -0.002, 0.003]]
    cumulative, per_round = Settlement("cumulative", 3), Settlement("round", 3)
    for scores in rounds:
        cumulative.settle(scores, BUDGET)
        per_round.settle(scores, BUDGET)
    assert per_round.paid[2] == pytest.approx(75 * WAD, rel=1e-9)  # 0.003 / 0.004 of round 2
    entitled = 2 * BUDGET * 0.003 / 0.504
    assert cumulative.paid[2] == pytest.approx(entitled, rel=1e-6)  # about 1.2 tokens of 200
    for ledger in (cumulative, per_round):  # both spend both budgets, up to the floors' dust
        assert 2 * BUDGET - 3 <= sum(ledger.paid) <= 2 * BUDGET


def test_a_client_paid_ahead_of_its_entitlement_waits():
    ledger = Settlement("cumulative", 2)
    ledger.settle([1.0, 1.0], BUDGET)  # 50 / 50
    second = ledger.settle([0.0, 2.0], BUDGET)  # entitlement to date: 50 / 150 of 200
    assert second.amounts()[0] == 0
    assert ledger.paid[0] == 50 * WAD and ledger.paid[1] == 150 * WAD


def test_nothing_positive_carries_the_budget_over():
    ledger = Settlement("cumulative", 2)
    first = ledger.settle([-0.1, 0.0], BUDGET)
    assert first.shares is None and first.budget == 0 and ledger.unpaid == BUDGET
    second = ledger.settle([0.3, 0.0], BUDGET)  # the sums: -0.1 + 0.3 > 0 for client 0 alone
    assert second.shares == (SHARE_SCALE, 0) and second.budget == 2 * BUDGET and ledger.unpaid == 0
    equal = Settlement("round", 2).settle([-0.1, 0.0], BUDGET)  # round by round: the old equal split
    assert equal.shares == (SHARE_SCALE // 2, SHARE_SCALE // 2)


def test_left_out_clients_count_zero_and_a_round_nobody_delivered_pays_nothing():
    ledger = Settlement("cumulative", 3)
    first = ledger.settle([0.2, np.nan, 0.2], BUDGET)
    assert first.amounts()[1] == 0
    empty = ledger.settle([np.nan] * 3, BUDGET)
    assert empty.shares is None and ledger.budget == BUDGET  # no model was made: no budget accrues
    per_round = Settlement("round", 3).settle([np.nan, 0.5, np.nan], BUDGET)
    assert per_round.shares == (0, SHARE_SCALE, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(-1, 1, allow_nan=False), min_size=4, max_size=4), min_size=1, max_size=12),
       st.lists(st.integers(0, 10**24), min_size=12, max_size=12), st.sampled_from(["cumulative", "round"]))
def test_never_more_than_the_budget_and_every_wei_accounted(rounds, budgets, kind):
    ledger = Settlement(kind, 4)
    total = 0
    for scores, budget in zip(rounds, budgets):
        allocation = ledger.settle(scores, budget)
        total += budget
        amounts = allocation.amounts()
        assert sum(amounts) <= allocation.budget and all(a >= 0 for a in amounts)
        if allocation.shares is not None:
            assert sum(allocation.shares) == SHARE_SCALE
        assert ledger.budget == total and 0 <= ledger.unpaid <= total
    if kind == "cumulative" and (np.clip(np.sum(rounds, 0), 0, None) > 0).any():
        # once anything is positive, all but the floors' dust is allocated
        assert ledger.unpaid <= 4 * len(rounds)


@pytest.mark.parametrize("kind, scores, budget, message", [
    ("later", [1.0], 1, "settlement must be one of"),
    ("cumulative", [1.0, 2.0], 1, r"one score per client \(1\)"),
    ("cumulative", [np.inf], 1, "finite or NaN"),
    ("cumulative", [1.0], -5, "budget"),
    ("cumulative", [1.0], 1.5, "budget"),
])
def test_bad_input_is_refused(kind, scores, budget, message):
    with pytest.raises(ValueError, match=message):
        Settlement(kind, 1).settle(scores, budget)
