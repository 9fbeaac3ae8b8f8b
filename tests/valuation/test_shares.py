"""Scores → shares and the percent-of-equal reward."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cst_ref.valuation import percent_of_equal, shares_from_scores


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
def test_shares_are_a_distribution(scores: list[float]) -> None:
    shares = shares_from_scores(np.array(scores))
    assert np.all(shares >= 0) and np.isclose(shares.sum(), 1.0)


def test_negative_scores_are_clipped_to_zero() -> None:
    np.testing.assert_allclose(shares_from_scores(np.array([3.0, -2.0, 1.0])), [0.75, 0.0, 0.25])


def test_all_non_positive_scores_fall_back_to_equal() -> None:
    np.testing.assert_allclose(shares_from_scores(np.array([-1.0, 0.0, -3.0])), 1 / 3)


def test_percent_of_equal() -> None:
    np.testing.assert_allclose(percent_of_equal(np.array([0.25] * 4)), 100.0)
    np.testing.assert_allclose(percent_of_equal(np.array([0.5, 0.25, 0.25, 0.0])), [200.0, 100.0, 100.0, 0.0])


@pytest.mark.parametrize("bad", [np.array([]), np.array([1.0, np.nan]), np.array([[1.0]])])
def test_bad_scores_raise(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        shares_from_scores(bad)
    with pytest.raises(ValueError):
        percent_of_equal(bad)
