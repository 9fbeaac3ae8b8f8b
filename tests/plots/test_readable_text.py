"""Every figure of the book is readable at the width the page shows it, and draws nothing off itself.

The text column is 684 px wide and figures are drawn at 100 dpi, so a figure 7 in wide is shown
at about its own size and one point of font is about 1.36 px on the page. The body's small
print is 12-13 px, so every text a figure draws (tick labels, axis labels, titles, legends,
annotations) must be at least 9 pt once the figure is scaled to the column: a figure wider than
7 in is shrunk by ``7 / width`` (a narrower one is shown at its own size, not enlarged). And
every text and marker must lie inside the figure, markers and annotations inside their axes
(a point cut in half at the frame reads as a different value), no legend may sit on a bar or a
marker, and no two tick labels of an axis may overlap.

Each public function of ``cst_ref.plots`` that returns a Figure is drawn here with inputs
shaped as its chapter's (the same label lengths, client counts and series names), since
readability depends on them; a new figure function fails ``test_every_figure_function_is_checked``
until it gets inputs here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from tests.foundation.figures import figure_functions

#: The column shows 7 in at 100 dpi (684 px) without scaling; wider figures are shrunk to it.
COLUMN_INCHES = 7.0
#: 9 pt at 7 in ≈ 12 px on the page: the body's small print.
MIN_POINTS = 9.0
#: Slack for anti-aliasing and rounding, in display pixels.
TOLERANCE_PX = 1.0

E18 = 10**18
RULES = ("mint", "buy-back to client", "buy-back and burn", "inject")


# --- what a drawn figure shows -----------------------------------------------------------------


@contextmanager
def recording_texts() -> Iterator[list[Text]]:
    """The Text artists really drawn while inside: visible, non-empty, and on screen.

    Recorded as they draw rather than found with ``fig.findobj(Text)``, which also returns the
    labels of ticks outside the view, texts of hidden axes and empty placeholders.
    """
    drawn: list[Text] = []
    original = Text.draw

    def draw(self: Text, renderer: RendererBase) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and all(self is not t for t in drawn):
            drawn.append(self)

    Text.draw = draw
    try:
        yield drawn
    finally:
        Text.draw = original


def drawn_texts(fig: Figure) -> list[Text]:
    with recording_texts() as drawn:
        fig.canvas.draw()
    return drawn


def shown_points(text: Text, fig: Figure) -> float:
    """The text's size in points once the figure is shown at the column's width."""
    return text.get_fontsize() * min(1.0, COLUMN_INCHES / fig.get_figwidth())


def _outside(box: Bbox, frame: Bbox) -> bool:
    return (box.x0 < frame.x0 - TOLERANCE_PX or box.x1 > frame.x1 + TOLERANCE_PX
            or box.y0 < frame.y0 - TOLERANCE_PX or box.y1 > frame.y1 + TOLERANCE_PX)


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE_PX
            and min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE_PX)


def _markers(ax: Axes) -> Iterator[tuple[str, np.ndarray, tuple[float, float]]]:
    """(what, display centres, (x, y) half-extent in px) of every marker drawn in ``ax``."""
    dpi = ax.figure.dpi
    for line in ax.lines:
        marker = line.get_marker()
        if line.get_visible() and marker not in (None, "None", "none", "", " "):
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            r, edge = line.get_markersize() / 2 * dpi / 72, line.get_markeredgewidth() / 2 * dpi / 72
            # error bars' caps are flat: a cap on the frame is not cut
            half = {"_": (r, edge), "|": (edge, r)}.get(marker, (r, r)) if isinstance(marker, str) else (r, r)
            label = line.get_label()
            yield f"marker{'' if label.startswith('_') else f' of {label!r}'}", xy, half
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and collection.get_visible() and len(collection.get_offsets()):
            xy = collection.get_offset_transform().transform(np.asarray(collection.get_offsets(), dtype=float))
            size = float(np.max(collection.get_sizes())) if len(collection.get_sizes()) else 36.0
            r = np.sqrt(size) / 2 * dpi / 72
            yield "scatter point", xy, (r, r)


def _bars(ax: Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_visible()
            and abs(p.get_width() * p.get_height()) > 0]


def problems(fig: Figure) -> list[str]:
    """Everything about ``fig`` a reader of the column would trip over (empty when readable)."""
    found = []
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    assert texts, "the figure draws no text at all: the check would pass vacuously"
    frame = fig.bbox
    for text in texts:
        if shown_points(text, fig) < MIN_POINTS - 1e-9:
            found.append(f"{text.get_text()!r} is {text.get_fontsize():g} pt in a {fig.get_figwidth():g} in figure, "
                         f"{shown_points(text, fig):.1f} pt at the column's width (< {MIN_POINTS:g})")
        box = Text.get_window_extent(text, renderer)
        if _outside(box, frame):
            found.append(f"{text.get_text()!r} runs off the figure (x, y, w, h = {[round(v) for v in box.bounds]} "
                         f"in {[round(v) for v in frame.bounds]} px)")
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for text in ax.texts:  # annotations and bar labels belong inside their axes
            if text in texts and _outside(Text.get_window_extent(text, renderer), ax.bbox):
                found.append(f"annotation {text.get_text()!r} runs out of its axes")
        for what, xy, (rx, ry) in _markers(ax):
            xy = xy[np.all(np.isfinite(xy), axis=1)]
            cut = ((xy[:, 0] - rx < ax.bbox.x0 - TOLERANCE_PX) | (xy[:, 0] + rx > ax.bbox.x1 + TOLERANCE_PX)
                   | (xy[:, 1] - ry < ax.bbox.y0 - TOLERANCE_PX) | (xy[:, 1] + ry > ax.bbox.y1 + TOLERANCE_PX))
            if cut.any():
                found.append(f"{what} cut by the frame of axes {ax.get_title()!r} ({cut.sum()} of them)")
        for bar in _bars(ax):  # a bar whose end is on the frame may be cut there: the reader cannot tell
            box, (x, y), (w, h) = bar.get_window_extent(renderer), bar.get_xy(), (bar.get_width(), bar.get_height())
            rooms = {"left": (x if w > 0 else x + w, box.x0 - ax.bbox.x0),
                     "right": (x + w if w > 0 else x, ax.bbox.x1 - box.x1),
                     "bottom": (y if h > 0 else y + h, box.y0 - ax.bbox.y0),
                     "top": (y + h if h > 0 else y, ax.bbox.y1 - box.y1)}
            far = {max(("left", "right"), key=lambda side: abs(rooms[side][0])),
                   max(("bottom", "top"), key=lambda side: abs(rooms[side][0]))}
            cut = [side for side, (value, room) in rooms.items()
                   if room < -TOLERANCE_PX or (side in far and value != 0 and room < TOLERANCE_PX)]
            if cut:
                found.append(f"a bar of axes {ax.get_title()!r} reaches the frame ({', '.join(cut)})")
                break
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t for t in axis.get_ticklabels(which="both") if t in texts]
            boxes = [Text.get_window_extent(t, renderer) for t in labels]
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    if _overlap(boxes[i], boxes[j]):
                        found.append(f"tick labels {labels[i].get_text()!r} and {labels[j].get_text()!r} overlap")
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    for legend in (lg for lg in legends if lg.get_visible()):
        box = legend.get_window_extent(renderer)
        if _outside(box, frame):
            found.append(f"a legend runs off the figure (x, y, w, h = {[round(v) for v in box.bounds]} px)")
        for ax in fig.axes:
            if not ax.get_visible() or not _overlap(box, ax.bbox):
                continue
            if any(_overlap(box, bar.get_window_extent(renderer)) for bar in _bars(ax)):
                found.append(f"a legend covers bars of axes {ax.get_title()!r}")
            for what, xy, _ in _markers(ax):
                inside = ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1))
                if inside.any():
                    found.append(f"a legend covers {what} in axes {ax.get_title()!r} ({inside.sum()} of them)")
    return found


# --- every figure function, with inputs shaped as its chapter's ---------------------------------

def _rng() -> np.random.Generator:
    """A fresh generator per figure, so a figure's inputs do not depend on which ran before."""
    return np.random.default_rng(0)


def _outcome(name: str, k: int):
    from cst_ref.protocol.rule_comparison import RuleOutcome

    price = (0.0, 0.0, 0.0) if name == "mint" else (0.05 * k, -0.01 * k, 0.02)
    return RuleOutcome(k, name, None, None, price, (12.0 + k, 6.0 - k, 3.0), 4.0 - 2 * k, 25.0 * (k > 0))


def _report(n_clients: int, methods: list[str], seed: int = 0) -> dict:
    """A ``cst-ref run`` report as chapter 7's quick.toml writes it (client 4 a free rider)."""
    draw = np.random.default_rng(seed)
    return {"clients": [
        {"id": i, "behaviour": "free_rider" if i == n_clients - 1 else "honest",
         "methods": {m: {"share": 1 / n_clients, "percent_of_equal": 100.0 if m == "equal" else float(draw.uniform(0, 180))}
                     for m in methods},
         "rules": {r: {"realised_base": float(draw.uniform(0, 130)), "allocated": 100.0}
                   for r in ("mint", "buyback", "buyback_burn", "inject")}}
        for i in range(n_clients)]}


def _payout_quality(fractions: np.ndarray):
    from cst_ref.experiment.payout_quality import PayoutQuality

    return PayoutQuality("mr_loo", ("loss", "federation"), "cumulative", fractions,
                         np.linspace(1, 0, fractions.shape[1]), (8, 9), (7,))


def _sandwich() -> Figure:
    from cst_ref.plots.markets import sandwich_figure

    # chapter 9's numbers (cst_ref.scenarios.safeguards.sandwich_outcome at these tolerances)
    small = [0.10617, 0.53064, 1.06072]
    return sandwich_figure((10, 50, 100, 300, 1_000, 10_000), {
        "bound and loosest guards (10 %), guard-aware attacker": [*small, 3.17547, 9.15919, 9.15919],
        "bound and default guards (2 %), guard-aware attacker": [*small, 1.98491, 1.98491, 1.98491],
        "bound and default guards, naive attacker": [*small, -0.09494, -0.32185, -5.47619],
    })


def _histogram(n_clients: int = 8, n_classes: int = 10, alpha: float = 0.5) -> np.ndarray:
    return np.round(_rng().dirichlet([alpha] * n_classes, n_clients) * _rng().integers(80, 250, (n_clients, 1))).astype(int)


def _label_histogram_on_axes() -> Figure:
    from cst_ref.plots.fl import draw_label_histogram

    # chapter 2's live-kernel cell draws on a 6 × 3.2 in figure of its own; its layout is the cell's
    fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    draw_label_histogram(ax, _histogram(), "Dirichlet α = 0.5")
    return fig


def _figures() -> dict[str, Callable[[], Figure]]:
    from cst_ref.plots import (
        amm,
        chain,
        federation,
        fl,
        markets,
        overview,
        payout,
        report,
        tokens,
        valuation,
    )

    paths = np.cumsum(_rng().uniform(0, 3, (11, 10)), axis=0)
    return {
        "cst_ref.plots.amm.constant_product_trade": lambda: amm.constant_product_trade(100 * E18, 200 * E18, 30 * E18),
        "cst_ref.plots.amm.price_impact": lambda: amm.price_impact(100 * E18, 200 * E18),
        "cst_ref.plots.amm.price_paths": lambda: amm.price_paths(
            list(range(0, 2400, 12)), {"spot price": 2 + np.sin(np.arange(200) / 20),
                                       "TWAP over 5 minutes": 2 + 0.5 * np.sin(np.arange(200) / 20)}),
        "cst_ref.plots.chain.cost_bars": lambda: chain.cost_bars(
            dict(zip(RULES, (0.0004821, 0.0011913, 0.0010254, 0.0009811))), "ether per round",
            "A round of three clients at 100 gwei"),
        "cst_ref.plots.federation.round_gas": lambda: federation.round_gas(
            [1, 5, 10, 20, 30, 40, 50], {r: [90_000 * (k + 1) + 40_000 * (k + 1) * n for n in (1, 5, 10, 20, 30, 40, 50)]
                                         for k, r in enumerate(RULES)}, 29_000),
        "cst_ref.plots.federation.rule_outcomes": lambda: federation.rule_outcomes(
            [_outcome(r, k) for k, r in enumerate(RULES)], ["client 0", "client 1", "client 2"]),
        "cst_ref.plots.fl.accuracy_curves": lambda: fl.accuracy_curves(
            {name: list(np.clip(top * (1 - np.exp(-np.arange(1, 16) / 3)), 0, 0.99))
             for name, top in (("IID", 0.95), ("Dirichlet α=1", 0.9), ("Dirichlet α=0.1", 0.7),
                               ("1 class per client", 0.3))}, "FedAvg on digits, 10 clients"),
        "cst_ref.plots.fl.label_histograms": lambda: fl.label_histograms(
            {name: _histogram(alpha=a) for name, a in (("IID", 100), ("Dirichlet α=0.5", 0.5),
                                                       ("linear quantity skew", 100), ("2 classes per client", 0.05))}),
        "cst_ref.plots.fl.draw_label_histogram": _label_histogram_on_axes,
        "cst_ref.plots.markets.price_paths_figure": lambda: markets.price_paths_figure(
            {r: 1 + paths / 30 * (k - 1.5) for k, r in enumerate(("mint", "buyback", "buyback_burn", "inject"))}),
        "cst_ref.plots.markets.received_figure": lambda: markets.received_figure(
            {r: paths * (1 + k / 4) for k, r in enumerate(("mint", "buyback", "buyback_burn", "inject"))}, paths * 1.2,
            {1: "client 1 (honest)", 5: "client 5 (flips 40 %)", 8: "client 8 (free rider)"},
            "Base each client has taken out, clients selling what they receive"),
        "cst_ref.plots.markets.returns_figure": lambda: markets.returns_figure(
            {kind: _rng().normal(2 * k - 3, 4, 20) for k, kind in
             enumerate(("buy and hold", "index", "momentum", "informed", "uninformed"))},
            "Investor returns under buy-back and burn, 20 seeds"),
        "cst_ref.plots.markets.sandwich_figure": _sandwich,
        "cst_ref.plots.markets.title_claim_figure": lambda: markets.title_claim_figure(
            [1, 1, 1, 1, 0.8, 0.6, 0.3, 0.0, 0.0, 0.0],
            {r: _rng().normal(np.linspace(10, -10, 10), 5, (20, 10)) for r in ("mint", "buyback", "buyback_burn", "inject")},
            ["H", "H", "H", "H", "20", "40", "70", "100", "FR", "FR"],
            "Investor return against client quality, clients sell on receipt"),
        "cst_ref.plots.markets.value_figure": lambda: markets.value_figure(
            1 + np.cumsum(_rng().normal(0, 0.05, (51, 10)), axis=0), np.linspace(1, 0.5, 51)[:, None] * np.ones((1, 10)),
            np.linspace(1000, 50, 51), {0: "client 0 (honest, leaves)", 1: "client 1 (honest)",
                                        5: "client 5 (flips 40 %)", 8: "client 8 (free rider)"},
            {30: "client 0 leaves"}, "Buy-back and burn, clients sell on receipt"),
        "cst_ref.plots.overview.system_map": lambda: overview.system_map(4),
        "cst_ref.plots.overview.system_map[6 clients]": lambda: overview.system_map(6),
        "cst_ref.plots.overview.system_map[1 client]": lambda: overview.system_map(1),
        "cst_ref.plots.payout.payout_quality_figure": lambda: payout.payout_quality_figure(
            {"accuracy, members' FedAvg, round by round": _payout_quality(_rng().dirichlet(np.ones(10), 3)),
             "loss, federation weights, cumulative (default)": _payout_quality(_rng().dirichlet(np.ones(10), 3))},
            ["honest"] * 4 + ["flips 20%", "flips 40%", "flips 70%", "flips 100%", "free rider", "noise rider"]),
        "cst_ref.plots.report.allocation_figure": lambda: report.allocation_figure(
            _report(5, ["equal", "data_size", "mr_loo", "mr_shapley", "gtg_shapley"])),
        "cst_ref.plots.report.paper_figure": lambda: report.paper_figure(
            [_report(10, ["equal", "data_size", "mr_loo", "or_shapley", "mr_shapley", "gtg_shapley"], s)
             for s in range(5)]),
        "cst_ref.plots.report.realised_figure": lambda: report.realised_figure(
            _report(5, ["equal", "mr_shapley"])),
        "cst_ref.plots.tokens.erc20_gas_bars": lambda: tokens.erc20_gas_bars(
            {"mint to a new holder": 46_012, "mint to a holder": 11_712, "transfer to a new holder": 29_912,
             "transfer to a holder": 12_812, "transferFrom, finite allowance": 16_745,
             "transferFrom, infinite allowance": 12_845, "burn part of a balance": 8_601},
            creates_balance={"mint to a new holder", "transfer to a new holder"}),
        "cst_ref.plots.valuation.cost_vs_accuracy": lambda: valuation.cost_vs_accuracy(
            {"Monte Carlo": [(400, 0.35), (1600, 0.2), (6400, 0.12)], "GTG, cycles": [(190, 0.3), (600, 0.16), (2100, 0.1)],
             "GTG, size strata": [(300, 0.25), (800, 0.15), (1900, 0.1)], "MR leave-one-out": [(170, 0.075)]},
            reference="exact MR (65,536 evaluations)"),
        "cst_ref.plots.valuation.percent_of_equal_bars": lambda: valuation.percent_of_equal_bars(
            {m: _rng().uniform(0, 180, 8) for m in ("data size", "OR Shapley", "MR Shapley", "MR leave-one-out", "GTG-Shapley")},
            [str(i) for i in range(7)] + ["7 (free rider)"], "Reward as % of an equal payout, Dirichlet α=0.5"),
        "cst_ref.plots.valuation.percent_of_equal_bars[16 clients]": lambda: valuation.percent_of_equal_bars(
            {"exact MR Shapley": _rng().uniform(0, 180, 16)}, [str(i) for i in range(15)] + ["15 (FR)"],
            "Exact Shapley, 16 clients, one round"),
        "cst_ref.plots.valuation.volatility": lambda: valuation.volatility(
            {m: _rng().dirichlet(np.ones(8) * 20, 5) for m in ("data size", "OR Shapley", "MR Shapley", "GTG-Shapley")},
            "Shares over 5 training seeds (Dirichlet α=0.5, client 7 free-rides)"),
    }


#: Figure functions that cannot be drawn in a unit test, with the reason (none so far).
NOT_DRAWN: dict[str, str] = {}

FIGURES = _figures()


def test_every_figure_function_is_checked() -> None:
    covered = {name.split("[")[0] for name in FIGURES} | set(NOT_DRAWN)
    missing = sorted(figure_functions() - covered)
    assert not missing, f"figure functions without inputs in this test (add them, or to NOT_DRAWN with why): {missing}"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_text_is_readable_at_the_column_width_and_nothing_is_cut(name: str) -> None:
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    assert 0.6 * COLUMN_INCHES <= fig.get_figwidth() <= COLUMN_INCHES / 0.6, "keep figures about 7 in wide"
    assert problems(fig) == []


def _font_sizes(spec: object, where: str = "spec") -> Iterator[tuple[str, float]]:
    """Every font size a Vega-Lite spec sets (``fontSize``, ``labelFontSize``, …), where it sets it."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key.lower().endswith("fontsize") and isinstance(value, int | float):
                yield f"{where}.{key}", value
            else:
                yield from _font_sizes(value, f"{where}.{key}")
    elif isinstance(spec, list):
        for k, value in enumerate(spec):
            yield from _font_sizes(value, f"{where}[{k}]")


def test_interactive_figures_set_no_text_under_12_px() -> None:
    """The page shows a Vega-Lite chart at its own size, in CSS px: 12 px is the body's small print."""
    from cst_ref.plots.amm import quote_explorer
    from cst_ref.plots.fl import dirichlet_explorer
    from cst_ref.plots.interactive import InteractiveFigure

    figures = [dirichlet_explorer(np.repeat(np.arange(4), 30), 3, 4, log10_alphas=[0], seeds=[0], min_size=2),
               quote_explorer(100 * E18, 200 * E18, log10_sizes=[0, 1], tolerances_bps=[0, 50])]
    for figure in figures:
        sizes = dict(_font_sizes(figure.spec))
        for part in ("axis.labelFontSize", "axis.titleFontSize", "legend.labelFontSize", "title.fontSize"):
            assert f"spec.config.{part}" in sizes, f"Vega-Lite's default {part} is under 12 px"
        assert {where: size for where, size in sizes.items() if size < 12} == {}
    own = InteractiveFigure({"$schema": "x", "config": {"axis": {"labelFontSize": 16}}}, "a chart")
    assert own.spec["config"]["axis"] == {"labelFontSize": 16, "titleFontSize": 12}  # the spec's own size wins


# --- the check catches what it is for ------------------------------------------------------------


def test_a_7_pt_label_is_caught_and_a_9_pt_one_passes() -> None:
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.set_xlabel("clients", fontsize=7)
    assert any("'clients' is 7 pt" in p for p in problems(fig))
    ax.set_xlabel("clients", fontsize=9)
    assert problems(fig) == []


def test_a_9_pt_label_in_a_wide_figure_is_too_small_once_shrunk() -> None:
    fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
    ax.tick_params(labelsize=10)
    ax.set_title("t", fontsize=11)
    ax.set_xlabel("clients", fontsize=9)
    assert [p for p in problems(fig) if "is 9 pt in a 9 in figure, 7.0 pt" in p]


def test_cut_markers_stray_text_and_legends_on_bars_are_caught() -> None:
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.plot([0, 1], [0, 1], "o", ms=8, label="points")
    ax.set_xlim(0, 1)  # both markers half outside the frame
    ax.text(1.2, 0.5, "beyond the axes")
    found = problems(fig)
    assert any("marker of 'points' cut by the frame of axes '' (2 of them)" in p for p in found)
    assert any("'beyond the axes' runs out of its axes" in p for p in found)
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.bar([0, 1], [2, 5])
    ax.set_ylim(0, 4)
    assert any("reaches the frame (top)" in p for p in problems(fig))
    ax.set_ylim(0, 6)
    assert problems(fig) == []
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.bar([0, 1, 2], [3, 3, 3], label="bars")
    ax.legend(loc="upper left")
    assert any("legend covers bars" in p for p in problems(fig))
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.set_xticks(range(8), ["a long tick label"] * 8, fontsize=12)
    assert any("overlap" in p for p in problems(fig))
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    fig.text(0.99, 0.5, "off the right edge", fontsize=12)
    assert any("runs off the figure" in p for p in problems(fig))
