"""The report's figures show the report's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from cst_ref.plots.report import allocation_figure, paper_figure, realised_figure


def _report(percents, realised, allocated=100):
    methods = {"equal": [100.0] * len(percents), "data_size": percents}
    return {"clients": [{"id": i, "behaviour": "honest" if i else "free_rider",
                         "methods": {m: {"share": v[i] / 100 / len(percents), "percent_of_equal": v[i]}
                                     for m, v in methods.items()},
                         "rules": {"mint": {"realised_base": 0, "allocated": allocated},
                                   "inject": {"realised_base": realised[i], "allocated": allocated}}}
                        for i in range(len(percents))]}


def _heights(figure):
    return [round(patch.get_height(), 9) for patch in figure.axes[0].patches]


def test_allocation_figure_has_a_bar_per_client_and_method():
    figure = allocation_figure(_report([50.0, 150.0], [0, 0]))
    assert _heights(figure) == [100.0, 100.0, 50.0, 150.0]
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == ["equal", "data size"]
    assert figure.axes[0].get_xticklabels()[0].get_text() == "0\nfree rider"


def test_paper_figure_averages_seeds_with_an_interval():
    figure = paper_figure([_report([40.0, 160.0], [0, 0]), _report([60.0, 140.0], [0, 0])])
    assert _heights(figure) == [100.0, 100.0, 50.0, 150.0]
    # whiskers of "data size": mean ± t(0.975, 1)·s/√2 with s = 14.142 for both clients
    (whiskers,) = [c for c in figure.axes[0].collections if np.ptp(c.get_segments()[0][:, 1]) > 0]
    half = [np.ptp(segment[:, 1]) / 2 for segment in whiskers.get_segments()]
    assert np.allclose(half, 12.706 * 10, rtol=1e-4)
    with pytest.raises(ValueError, match="reports must not be empty"):
        paper_figure([])


def test_realised_figure_shows_realised_as_percent_of_allocated():
    figure = realised_figure(_report([100.0, 100.0], [100, 25]))
    assert _heights(figure) == [0.0, 0.0, 100.0, 25.0]


def test_figure_switcher_links_a_dropdown_to_one_image_per_option():
    import ipywidgets
    import matplotlib.pyplot as plt

    from cst_ref.plots.switcher import figure_switcher

    figures = {f"seed {k}": plt.figure() for k in range(3)}
    box = figure_switcher("seed", figures)
    choose, stack = box.children
    assert list(choose.options) == list(figures) and len(stack.children) == 3
    assert [child.value.split('"')[1] for child in stack.children] == [f"seed: seed {k}" for k in range(3)]
    bundle = box._repr_mimebundle_()  # the web page shows the widget; the PDF the first figure
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"] == stack.children[0].value.split("base64,")[1].split('"')[0]
    links = [w for w in ipywidgets.widgets.widget._instances.values()
             if isinstance(w, ipywidgets.widgets.widget_link.Link) and w.source == (choose, "index")]
    assert [link.target for link in links] == [(stack, "selected_index")]  # linked in the browser, no kernel
    with pytest.raises(ValueError, match="figures must not be empty"):
        figure_switcher("seed", {})


def test_cost_bars_label_each_bar_with_its_cost():
    from cst_ref.plots.chain import cost_bars

    figure = cost_bars({"mint": 0.5, "inject": 1.25}, "ether", "t")
    assert _heights(figure) == [0.5, 1.25]
    assert [t.get_text() for t in figure.axes[0].texts] == ["0.5", "1.25"]
    with pytest.raises(ValueError, match="costs must not be empty"):
        cost_bars({}, "ether", "t")
