"""Kernel start-up hook: log every figure a page draws whose text would read smaller than 9 pt.

``scripts/execute_book.py`` installs this file as an IPython start-up script of the kernels it
starts (``IPYTHONDIR``) and names a log in ``CST_REF_FIGURE_TEXT_LOG``. Every figure a chapter
shows, drawn by ``cst_ref.plots`` or directly in a cell, passes through the canvas's
``print_figure``; the texts it really draws are measured as the page shows them (a figure wider
than the 7 in column is shrunk by ``7 / width``), one JSON line per figure.
``tests/foundation/test_figure_text.py`` fails on any line with a text below 9 pt (the body's small
print). Without the variable (a reader's kernel) nothing is patched.
"""

from __future__ import annotations

import json
import os

COLUMN_INCHES = 7.0
MIN_POINTS = 9.0
PIXELS_PER_POINT = 684 / (COLUMN_INCHES * 72)  # the column is 684 px wide
TOLERANCE_POINTS = 1.0 / PIXELS_PER_POINT  # one display pixel of rounding


def small_texts(figure, texts) -> list[tuple[str, float]]:
    """(text, shown size in points) of every text below the minimum at the column's width."""
    scale = min(1.0, COLUMN_INCHES / figure.get_figwidth())
    return [(text.get_text()[:40], round(text.get_fontsize() * scale, 2)) for text in texts
            if text.get_fontsize() * scale < MIN_POINTS - TOLERANCE_POINTS]


def install(log: str) -> None:
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.text import Text

    original_print, original_draw = FigureCanvasBase.print_figure, Text.draw

    def print_figure(canvas, *args, **kwargs):
        drawn: list = []

        def draw(text, renderer):
            original_draw(text, renderer)
            if text.get_visible() and text.get_text().strip() and all(text is not t for t in drawn):
                drawn.append(text)

        Text.draw = draw
        try:
            return original_print(canvas, *args, **kwargs)
        finally:
            Text.draw = original_draw
            figure = canvas.figure
            titles = [t for t in [figure._suptitle.get_text() if figure._suptitle else ""]
                      + [ax.get_title() for ax in figure.axes] if t]
            record = {"figure": (titles or ["(untitled)"])[0][:60],
                      "width_in": round(figure.get_figwidth(), 2), "texts": len(drawn),
                      "small": small_texts(figure, drawn)}
            with open(log, "a", encoding="utf-8") as file:
                file.write(json.dumps(record) + "\n")

    FigureCanvasBase.print_figure = print_figure


if os.environ.get("CST_REF_FIGURE_TEXT_LOG"):
    install(os.environ["CST_REF_FIGURE_TEXT_LOG"])
