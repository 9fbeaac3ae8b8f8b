"""Integer shares: exact sums, fair rounding, and the contract's split of a budget."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cst_ref.twins.shares import MAX_BUDGET, SHARE_SCALE, scores_hash, split_budget, to_shares

weights = st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=20).filter(lambda w: sum(w) > 0)


@given(weights)
def test_shares_sum_to_scale_and_are_within_one_unit(ws):
    shares = to_shares(ws)
    assert sum(shares) == SHARE_SCALE and all(isinstance(s, int) and s >= 0 for s in shares)
    total = sum(Fraction(repr(w)) for w in ws)
    for w, s in zip(ws, shares):
        assert abs(s - Fraction(repr(w)) * SHARE_SCALE / total) < 1


def test_decimal_scores_give_round_shares():
    assert to_shares([0.5, 0.3, 0.2]) == [5 * 10**17, 3 * 10**17, 2 * 10**17]
    assert to_shares([1, 1, 1]) == [SHARE_SCALE // 3 + 1, SHARE_SCALE // 3, SHARE_SCALE // 3]


@pytest.mark.parametrize(
    ("bad", "message"),
    [([], "empty"), ([-1.0, 2.0], "non-negative"), ([0.0, 0.0], "positive sum"),
     ([float("nan"), 1.0], "finite real"), ([float("inf"), 1.0], "finite real"), (["0.5", 0.5], "finite real"),
     ([True, 1], "finite real")],
)
def test_bad_weights_raise(bad, message):
    with pytest.raises(ValueError, match=message):
        to_shares(bad)


def test_numpy_weights_are_accepted():
    assert to_shares(np.array([1, 1, 2])) == to_shares([1, 1, 2]) == [SHARE_SCALE // 4] * 2 + [SHARE_SCALE // 2]


def test_split_refuses_what_the_contract_cannot_take():
    with pytest.raises(ValueError, match="budget must be non-negative"):
        split_budget([SHARE_SCALE], -100)
    with pytest.raises(ValueError, match=r"shares\[1\] must be an int"):
        split_budget([SHARE_SCALE // 2, SHARE_SCALE / 2], 100)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=10).filter(any), st.integers(0, 10**30))
def test_split_never_pays_more_than_the_budget_and_leaves_less_than_n(ws, budget):
    parts = split_budget(to_shares(ws), budget)
    assert 0 <= budget - sum(parts) < len(ws)


def test_scores_hash_commits_to_clients_and_shares():
    a, b = "0x" + "11" * 20, "0x" + "22" * 20
    assert scores_hash([a], [SHARE_SCALE]) != scores_hash([b], [SHARE_SCALE])
    assert scores_hash([a, b], [1, SHARE_SCALE - 1]) != scores_hash([a, b], [2, SHARE_SCALE - 2])
    assert len(scores_hash([a], [SHARE_SCALE])) == 32


@pytest.mark.parametrize(
    ("shares", "budget", "message"),
    [
        ([1, 2], 100, "shares must sum to SHARE_SCALE"),
        ([SHARE_SCALE, 1], 100, "shares must sum to SHARE_SCALE"),
        ([], 100, "shares must sum to SHARE_SCALE"),
        ([SHARE_SCALE], MAX_BUDGET + 1, "budget must be at most"),
    ],
)
def test_split_refuses_a_round_the_contract_refuses(shares, budget, message):
    """Shares that do not sum to SHARE_SCALE (or a budget whose parts overflow) revert on chain."""
    with pytest.raises(ValueError, match=message):
        split_budget(shares, budget)


def test_split_takes_the_largest_budget_the_contract_takes():
    assert split_budget([SHARE_SCALE], MAX_BUDGET) == [MAX_BUDGET]
    assert split_budget([SHARE_SCALE // 2, SHARE_SCALE // 2], 0) == [0, 0]


A, B = "0x" + "11" * 20, "0x" + "22" * 20


@pytest.mark.parametrize(
    ("clients", "shares", "message"),
    [
        (["alice"], [SHARE_SCALE], r"clients\[0\] must be a 20-byte hex address, got 'alice'"),
        ([A, "0x" + "11" * 19], [1, SHARE_SCALE - 1], r"clients\[1\] must be a 20-byte hex address"),
        (A, [SHARE_SCALE], "clients must be a sequence of addresses"),
        ([A], [-1], r"shares\[0\] must be non-negative"),
        ([A], [2**256], r"shares\[0\] must be at most"),
        ([A], [1.0], r"shares\[0\] must be an int"),
        ([A, B], [SHARE_SCALE], "shares has 1 values for 2 clients"),
    ],
)
def test_scores_hash_refuses_what_the_abi_cannot_encode(clients, shares, message):
    with pytest.raises(ValueError, match=message):
        scores_hash(clients, shares)


def test_scores_hash_of_an_address_is_the_same_in_any_case():
    mixed = "0x" + "ab" * 20
    assert scores_hash([mixed], [SHARE_SCALE]) == scores_hash([mixed.upper().replace("0X", "0x")], [SHARE_SCALE])
