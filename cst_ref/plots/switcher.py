"""A control that still works on the static page: precomputed figures switched in the browser.

A slider or dropdown wired to Python needs a kernel; the built book has none. Here every
option's figure is rendered once, at build time, into an HTML image, and the dropdown is
linked to the stack of images in JavaScript (``jslink``), so choosing an option on the
static page shows that option's figure.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cst_ref.checks import check_nonempty


def _png(figure: Figure) -> str:
    """The figure as base64 PNG (closed afterwards: a switcher may hold dozens)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _image(png: str, alt: str) -> widgets.HTML:
    alt = html.escape(alt, quote=True)
    return widgets.HTML(f'<img alt="{alt}" style="max-width:100%" src="data:image/png;base64,{png}"/>')


class FigureSwitcher(widgets.VBox):
    """The dropdown and its stack of images; printed (the PDF book) as the first option's figure."""

    def __init__(self, children: list[widgets.Widget], first_png: str) -> None:
        super().__init__(children)
        self._first_png = first_png

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = self._first_png
        return bundle


def figure_switcher(description: str, figures: Mapping[str, Figure]) -> FigureSwitcher:
    """A dropdown over ``figures`` (label → figure) showing the chosen one, kernel or not."""
    check_nonempty("figures", figures)
    pngs = {label: _png(figure) for label, figure in figures.items()}
    choose = widgets.Dropdown(options=list(pngs), description=description)
    stack = widgets.Stack([_image(png, f"{description}: {label}") for label, png in pngs.items()], selected_index=0)
    widgets.jslink((choose, "index"), (stack, "selected_index"))
    return FigureSwitcher([choose, stack], first_png=next(iter(pngs.values())))
