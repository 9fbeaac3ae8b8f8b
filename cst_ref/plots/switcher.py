"""A control that still works on the static page: precomputed figures switched in the browser.

A slider or dropdown wired to Python needs a kernel; the built book has none. Here every
option's figure is rendered once, at build time, into an HTML image, and the dropdown is
linked to the stack of images in JavaScript (``jslink``), so choosing an option on the
static page shows that option's figure.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cst_ref.checks import check_nonempty


def _image(figure: Figure) -> widgets.HTML:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    return widgets.HTML(f'<img alt="figure" style="max-width:100%" src="data:image/png;base64,{data}"/>')


def figure_switcher(description: str, figures: Mapping[str, Figure]) -> widgets.VBox:
    """A dropdown over ``figures`` (label → figure) showing the chosen one, kernel or not."""
    check_nonempty("figures", figures)
    choose = widgets.Dropdown(options=list(figures), description=description)
    stack = widgets.Stack([_image(figure) for figure in figures.values()], selected_index=0)
    widgets.jslink((choose, "index"), (stack, "selected_index"))
    return widgets.VBox([choose, stack])
