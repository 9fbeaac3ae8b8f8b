"""Which code cells of an executed notebook draw a figure, and whether the figure was shown.

A figure that reaches no renderer fails silently: the cell runs, the build stays green, and the
page shows nothing (or only the ``<Figure size 640x480 with 1 Axes>`` text of a figure that was
never drawn, when matplotlib's backend was switched away from the inline one). These helpers
find the cells that should show a figure and check that the executed notebook holds an
``image/png`` for each, and that the built HTML page shows it.

A code cell **draws a figure** when any of these holds (read from its source parsed as Python
after IPython's magics are transformed, so strings and comments never count):

* one of its outputs is a matplotlib figure's text repr, ``<Figure size WxH with N Axes>``;
* it calls a function of ``cst_ref.plots`` annotated to return a ``matplotlib.figure.Figure``
  (found by introspecting the package, and followed through the notebook's imports and aliases);
* it calls pyplot (a name bound to ``matplotlib.pyplot``) other than to configure or close;
* it calls a method ``.plot(...)`` or anything named ``show``, or refers to a name ``fig``;
* it calls a function defined in an earlier (or the same) cell whose body does any of the above;
* its metadata asks for a figure (a ``mystnb.figure`` entry or a tag naming a figure).

Cells tagged ``remove-output`` or ``remove-cell`` are exempt: the page shows none of their
outputs by design (e.g. a slider wired to Python that only a live kernel can redraw).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import pkgutil
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: matplotlib's repr of a figure (``Figure.__str__``), left as text/plain when nothing drew it.
FIGURE_REPR = re.compile(r"<(?:Sub)?Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with \d+ Axes>")
PYPLOT = "matplotlib.pyplot"
#: pyplot calls that configure or release figures rather than draw one.
PYPLOT_QUIET = {"close", "ioff", "ion", "isinteractive", "rc", "rcdefaults", "rc_context",
                "switch_backend", "get_backend", "style.use", "style.context", "get_fignums"}
EXEMPT_TAGS = {"remove-output", "remove-cell"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@functools.cache
def figure_functions() -> frozenset[str]:
    """The qualified names of every public ``cst_ref.plots`` function returning a Figure."""
    from matplotlib.figure import Figure

    import cst_ref.plots

    def returns_figure(annotation: Any) -> bool:
        if inspect.isclass(annotation):
            return issubclass(annotation, Figure)
        return any(returns_figure(a) for a in typing.get_args(annotation))

    found = set()
    for info in pkgutil.iter_modules(cst_ref.plots.__path__):
        module = importlib.import_module(f"cst_ref.plots.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not name.startswith("_"):
                if returns_figure(inspect.signature(obj, eval_str=True).return_annotation):
                    found.add(f"{module.__name__}.{name}")
    assert found, "cst_ref.plots has no function annotated to return a Figure: the rule finds nothing"
    return frozenset(found)


#: Magics that run the code they are given (``%time draw()``, ``%%timeit``): their code counts.
RUNNING_MAGICS = {"time", "timeit", "prun", "capture"}


def python_source(source: str) -> ast.Module | None:
    """The cell as Python: magics transformed as IPython does (``!ls`` becomes a call), and the
    code that ``%time``-like magics run parsed too (IPython passes it as a string)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None
    for node in list(ast.walk(tree)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic")
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
                and node.args and node.args[0].value in RUNNING_MAGICS):
            inner = python_source(node.args[-1].value)
            if inner is not None:
                tree.body.extend(inner.body)
    return tree


class Scope:
    """What the notebook's names are bound to, cell after cell: imports and figure-drawing functions."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.drawers: set[str] = set()  # functions defined in the notebook that draw a figure

    def qualified(self, node: ast.expr) -> str | None:
        """``plt.subplots`` → ``matplotlib.pyplot.subplots`` through the imports seen so far."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def bind(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def why_drawn(self, call: ast.Call) -> str | None:
        name = self.qualified(call.func)
        if name in figure_functions():
            return f"calls {name}, which returns a Figure"
        if name and name.startswith(f"{PYPLOT}.") and name.removeprefix(f"{PYPLOT}.") not in PYPLOT_QUIET:
            return f"calls {name}"
        attribute = call.func.attr if isinstance(call.func, ast.Attribute) else None
        if attribute == "plot":
            return "calls .plot(...)"
        if "show" in (attribute, getattr(call.func, "id", None)):
            return "calls show()"
        if isinstance(call.func, ast.Name) and call.func.id in self.drawers:
            return f"calls {call.func.id}, defined in the notebook to draw a figure"
        return None

    def reasons(self, tree: ast.AST) -> list[str]:
        """Why the statements in ``tree`` draw a figure (function bodies count only when called)."""
        found: list[str] = []

        def visit(node: ast.AST) -> None:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                return
            if isinstance(node, ast.Call) and (reason := self.why_drawn(node)):
                found.append(reason)
            if isinstance(node, ast.Name) and node.id == "fig":
                found.append("refers to fig")
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(tree)
        return found

    def learn_drawers(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if any(self.reasons(statement) for statement in node.body):
                    self.drawers.add(node.name)


def tags(cell: Mapping[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def output_data(cell: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for output in cell.get("outputs", []):
        if output.get("output_type") in ("display_data", "execute_result"):
            yield output.get("data", {})


def has_image(cell: Mapping[str, Any]) -> bool:
    return any("image/png" in data for data in output_data(cell))


@dataclass(frozen=True)
class FigureCell:
    """A code cell that draws a figure: its position among the notebook's code cells, and why."""

    index: int  # among all code cells of the notebook (0 = first)
    reasons: tuple[str, ...]
    source: str
    has_image: bool

    def describe(self) -> str:
        first = next((line for line in self.source.splitlines() if line.strip()), "")
        return f"code cell {self.index} ({'; '.join(dict.fromkeys(self.reasons))}): {first[:80]!r}"


def figure_cells(notebook: Mapping[str, Any]) -> list[FigureCell]:
    """Every code cell of ``notebook`` (an nbformat 4 dict) that draws a figure, in order."""
    scope, found = Scope(), []
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    for index, cell in enumerate(code):
        source = text(cell.get("source", ""))
        tree = python_source(source)
        reasons = []
        if tree is not None:
            scope.bind(tree)
            scope.learn_drawers(tree)
            reasons += scope.reasons(tree)
        if any(FIGURE_REPR.search(text(data.get("text/plain", ""))) for data in output_data(cell)):
            reasons.append("outputs a Figure repr")
        metadata = cell.get("metadata", {})
        if "figure" in metadata.get("mystnb", {}) or any("figure" in t for t in tags(cell)):
            reasons.append("asks for a figure in its metadata")
        if reasons and not tags(cell) & EXEMPT_TAGS:
            found.append(FigureCell(index, tuple(reasons), source, has_image(cell)))
    return found


def cells_without_image(notebook: Mapping[str, Any]) -> list[str]:
    """The figure-drawing cells of an executed notebook that hold no ``image/png`` output."""
    return [cell.describe() for cell in figure_cells(notebook) if not cell.has_image]


# --- the built HTML page ---------------------------------------------------------------------


def page_cells(html: str) -> list[Any]:
    """The code cells of a built page (myst-nb's ``div.cell``), in order."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").select("div.cell")


def shown_cells(notebook: Mapping[str, Any], skip_tag: str) -> list[int]:
    """The indices (among code cells) of the cells the page renders: not removed, not ``skip_tag``."""
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    return [i for i, c in enumerate(code) if not tags(c) & {"remove-cell", skip_tag}]


def widget_images(model_id: str, state: Mapping[str, Any]) -> bool:
    """Whether the widget ``model_id`` (or one it contains) holds an image: a figure switcher."""
    seen, stack = set(), [model_id]
    while stack:
        model = state.get(stack.pop(), {})
        values = model.get("state", {})
        if str(values.get("value", "")).lstrip().startswith("<img"):
            return True
        refs = [values.get("children", [])] if isinstance(values.get("children"), list) else []
        for ref in (r for group in refs for r in group):
            key = str(ref).removeprefix("IPY_MODEL_")
            if key not in seen:
                seen.add(key)
                stack.append(key)
    return False


def page_widget_state(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))["state"] if match else {}


def output_shows_image(cell: Any, state: Mapping[str, Any]) -> bool:
    """The cell's output area on the page holds an ``<img>`` (or a switcher over images)."""
    output = cell.select_one("div.cell_output")
    if output is None:
        return False
    if output.find("img") is not None:
        return True
    for script in output.find_all("script", attrs={"type": WIDGET_VIEW}):
        model = json.loads(script.string or "{}").get("model_id")
        if model and widget_images(model, state):
            return True
    return False


def cells_without_image_on_page(notebook: Mapping[str, Any], html: str, skip_tag: str) -> list[str]:
    """The figure-drawing cells whose output area on the built page shows no image.

    The page's cells are matched to the notebook's code cells in order, leaving out those the
    page does not render (``remove-cell``, and ``skip_tag``: the Colab install cell).
    """
    shown = shown_cells(notebook, skip_tag)
    cells = page_cells(html)
    assert len(cells) == len(shown), (
        f"the page has {len(cells)} code cells, the notebook {len(shown)} shown ones: cannot match them"
    )
    position = {index: cells[k] for k, index in enumerate(shown)}
    state = page_widget_state(html)
    return [figure.describe() for figure in figure_cells(notebook)
            if figure.index in position and not output_shows_image(position[figure.index], state)]
