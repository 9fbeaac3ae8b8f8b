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
