"""The kernel-free interactive figures: the precomputed table is what cst_ref computes, the
spec is valid Vega-Lite bound to sliders, and the HTML loads only the vendored bundles."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from cst_ref import amm
from cst_ref.data import dirichlet, label_histogram
from cst_ref.plots.amm import quote_explorer
from cst_ref.plots.fl import dirichlet_explorer
from cst_ref.plots.interactive import MARKER, InteractiveFigure

UNIT = 10**18
LABELS = np.repeat(np.arange(4), 30)


def values(figure: InteractiveFigure) -> list[dict]:
    spec = figure.spec
    (rows,) = spec["datasets"].values() if "datasets" in spec else (spec["data"]["values"],)
    return rows


def sliders(figure: InteractiveFigure) -> dict[str, dict]:
    return {p["name"]: p for p in figure.spec["params"] if p.get("bind", {}).get("input") == "range"}


def test_dirichlet_explorer_holds_every_split_on_the_grid() -> None:
    figure = dirichlet_explorer(LABELS, 3, 4, log10_alphas=[-1, 0, 1], seeds=range(2), min_size=2)
    rows = values(figure)
    assert len(rows) == 3 * 2 * 3  # α × seeds × clients
    parts = dirichlet(LABELS, 3, alpha=10.0, seed=1, min_size=2)
    expected = label_histogram(LABELS, parts, 4)
    got = [r["n"] for r in sorted(rows, key=lambda r: r["c"]) if r["a"] == 1 and r["s"] == 1]
    assert got == expected.tolist()
    assert {n: (p["bind"]["min"], p["bind"]["max"], p["bind"]["step"]) for n, p in sliders(figure).items()} == {
        "log_alpha": (-1, 1, 1.0), "seed": (0, 1, 1)}


def test_quote_explorer_prints_the_pools_integer_quote() -> None:
    x, y = 100 * UNIT, 200 * UNIT
    figure = quote_explorer(x, y, log10_sizes=[0, 1], tolerances_bps=[0, 50, 100])
    one_percent = next(r for r in values(figure) if r["p"] == 0)
    out = amm.get_amount_out(x // 100, x, y)
    assert one_percent["lines"][1].startswith(f"receive {out / UNIT:,.6f} base")
    assert one_percent["min_out"] == [f"{out * (10_000 - t) // 10_000 / UNIT:,.6f}" for t in (0, 50, 100)]
    assert set(sliders(figure)) == {"log_size", "tolerance_bps"}


def test_html_loads_the_vendored_bundles_and_escapes_the_spec() -> None:
    figure = InteractiveFigure({"$schema": "x", "mark": "point", "title": "</script><b>"}, "a test figure")
    html = figure._repr_mimebundle_()["text/html"]
    assert MARKER in html and 'aria-label="a test figure"' in html
    assert "</script><b>" not in html
    payload = re.search(r'type="application/json" id="[^"]+">(.*?)</script>', html, re.S).group(1)
    assert json.loads(payload)["title"] == "</script><b>"
    assert "_static/vega/" in html and "http" not in html.replace('"$schema":"x"', "")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: InteractiveFigure({"mark": "point"}, "x"), r"\$schema"),
        (lambda: InteractiveFigure({"$schema": "x"}, " "), "description"),
        (lambda: dirichlet_explorer(LABELS, 3, 4, log10_alphas=[0, 1, 3]), "evenly spaced"),
        (lambda: dirichlet_explorer(LABELS, 3, 4, seeds=[0, 2]), "consecutive"),
        (lambda: quote_explorer(UNIT, UNIT, log10_sizes=[1, 0]), "evenly spaced"),
        (lambda: quote_explorer(UNIT, UNIT, tolerances_bps=[0, 20_000]), r"\[0, 10000\]"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
