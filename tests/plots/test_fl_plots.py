"""Chapter 2's figures draw exactly the histograms and curves they are given."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.plots.fl import accuracy_curves, label_histograms

HISTOGRAM = np.array([[5, 0, 1], [2, 3, 0]])  # 2 clients × 3 classes


def test_one_panel_per_partition_and_one_bar_per_client_and_class() -> None:
    fig = label_histograms({"IID": HISTOGRAM, "skewed": HISTOGRAM[::-1]})
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("IID", "skewed")
    assert len(left.patches) == HISTOGRAM.size
    heights = np.array([bar.get_height() for bar in left.patches]).reshape(3, 2)  # class-major
    np.testing.assert_array_equal(heights, HISTOGRAM.T)
    tops = [bar.get_y() + bar.get_height() for bar in left.patches[-2:]]  # last class on top
    np.testing.assert_array_equal(tops, HISTOGRAM.sum(1))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["0", "1", "2"]


def test_accuracy_curves_plot_each_setting_by_round() -> None:
    fig = accuracy_curves({"IID": [0.5, 0.7, 0.9], "skewed": [0.3, 0.4]}, title="runs")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["IID", "skewed"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.3, 0.4])
    assert ax.get_title() == "runs"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: label_histograms({}), "histograms must not be empty"),
        (lambda: label_histograms({"flat": np.array([1, 2, 3])}), "clients × classes"),
        (lambda: label_histograms({"negative": -HISTOGRAM}), "counts"),
        (lambda: accuracy_curves({}), "curves must not be empty"),
        (lambda: accuracy_curves({"IID": []}), "curve 'IID' must not be empty"),
        (lambda: accuracy_curves({"percent": [50.0, 90.0]}), "accuracies in \\[0, 1\\]"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_the_dirichlet_explorer_colours_each_class_as_the_static_histograms_do() -> None:
    """Chapter 2 shows both, one above the other: class 3 must be the same colour in each."""
    from matplotlib.colors import to_hex

    from cst_ref.plots.fl import CLASS_COLOURS, class_colours, dirichlet_explorer

    bars = label_histograms({"IID": HISTOGRAM}).axes[0].patches  # class-major, 2 clients per class
    static = [to_hex(bars[2 * c].get_facecolor()) for c in range(3)]
    explorer = dirichlet_explorer(np.repeat(np.arange(3), 20), 2, 3, log10_alphas=[0], seeds=[0], min_size=2)
    scale = explorer.spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == dict(enumerate(static))
    assert static == list(CLASS_COLOURS[:3])
    assert class_colours(12)[11] != class_colours(12)[0] and len(set(class_colours(20))) == 20
