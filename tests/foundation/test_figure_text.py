"""Figures drawn directly in a chapter's cells are as readable as those of ``cst_ref.plots``.

``tests/plots/test_readable_text.py`` draws every plotting function; a figure a cell draws
itself is measured while the book executes (``scripts/figure_text_probe.py``, installed in the
kernels by ``scripts/execute_book.py``), and its log is read here. The probe itself is tested
on figures made here; the log is read only after a build that executed the pages (a page taken
from the execution cache draws nothing, so its figures were measured by the build that
executed it).
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.text import Text

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "_build" / "figure_text.jsonl"


@pytest.fixture
def probe(tmp_path):
    """The probe installed with its log in ``tmp_path``, uninstalled afterwards."""
    spec = importlib.util.spec_from_file_location("figure_text_probe", ROOT / "scripts" / "figure_text_probe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    log = tmp_path / "figures.jsonl"
    original_print, original_draw = FigureCanvasBase.print_figure, Text.draw
    module.install(str(log))
    try:
        yield log
    finally:
        FigureCanvasBase.print_figure, Text.draw = original_print, original_draw


def shown(width: float, fontsize: float) -> None:
    fig, ax = plt.subplots(figsize=(width, 3))
    ax.set_title("probe", fontsize=12 * max(1.0, width / 7))
    ax.set_xlabel("a label", fontsize=fontsize)
    ax.tick_params(labelsize=12 * max(1.0, width / 7))
    fig.savefig(io.BytesIO(), format="png")  # what the inline backend does to show it
    plt.close(fig)


def records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line]


def test_the_probe_flags_text_below_nine_points_as_shown(probe):
    shown(7, 10)  # readable
    shown(7, 6)  # too small at the column's width
    shown(14, 14)  # 14 pt on a 14 in figure is shown at 7 pt
    readable, small, shrunk = records(probe)
    assert readable["small"] == [] and readable["texts"] >= 3
    assert small["small"] == [["a label", 6.0]]
    assert shrunk["small"] == [["a label", 7.0]] and shrunk["width_in"] == 14


@pytest.mark.book
def test_no_figure_the_book_executed_has_text_below_nine_points():
    if not LOG.exists() or not LOG.read_text().strip():
        pytest.skip(f"{LOG} is empty: no page was executed by this build (all came from the cache)")
    small = [r for r in records(LOG) if r["small"]]
    assert small == [], "figures with text below 9 pt at the column's width:\n" + "\n".join(map(json.dumps, small))
