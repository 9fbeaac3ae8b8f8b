"""Every figure a chapter draws is shown: an ``image/png`` in the executed notebook, an ``<img>``
on the built page.

A figure that reaches no renderer fails silently (the build stays green, the page shows
nothing): e.g. a module that switched matplotlib to Agg on import blanked every later figure
of chapters 7, 8 and 10. :mod:`tests.foundation.figures` defines which cells draw a figure;
the tests without the ``book`` marker check that rule and the package, the others read the
build (``make book-only``; ``CST_REF_HTML`` points them at another build, whose missing pages
are skipped).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tests.foundation.figures import cells_without_image, cells_without_image_on_page, figure_cells
from tests.foundation.test_built_book import HTML, built_page

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))
from colab_notebooks import TAG  # noqa: E402
from execute_book import notebook_pages  # noqa: E402

PNG = "iVBORw0KGgo="  # any base64 will do: the checks look for the mime type
FIGURE_TEXT = "<Figure size 640x480 with 1 Axes>"


def executed(*cells: tuple[str, list, list[str]]) -> dict:
    """A notebook of code cells, each (source, outputs, tags), as nbformat writes it."""
    notebook = new_notebook()
    for source, outputs, tags in cells:
        cell = new_code_cell(source, outputs=outputs)
        if tags:
            cell.metadata["tags"] = tags
        notebook.cells.append(cell)
    return notebook


def image() -> list:
    return [new_output("display_data", data={"image/png": PNG, "text/plain": FIGURE_TEXT})]


def figure_text() -> list:
    return [new_output("execute_result", data={"text/plain": FIGURE_TEXT}, execution_count=1)]


# --- the rule: which cells draw a figure -----------------------------------------------------


def test_the_symptom_is_caught():
    """The Agg symptom: the figure's text repr and no image, or (after ``;``) no output at all."""
    notebook = executed(
        ("from cst_ref.plots.report import allocation_figure, paper_figure as paper", [], []),
        ("fig = allocation_figure(report)\nfig", figure_text(), []),
        ("paper(reports);", [], []),
        ("make_something()", figure_text(), []),  # a figure from anywhere, judged by its output
        ("allocation_figure(report)", image(), []),  # shown: fine
    )
    missing = cells_without_image(notebook)
    assert [m.split(" (")[0] for m in missing] == ["code cell 1", "code cell 2", "code cell 3"], missing
    assert "outputs a Figure repr" in missing[2]


def test_what_counts_as_drawing():
    notebook = executed(
        ("import matplotlib.pyplot as plt\nfrom cst_ref.plots import report as r\nimport numpy as np", [], []),
        ("ax.plot([1, 2])", [], []),
        ("plt.subplots()", [], []),
        ("r.realised_figure(report);", [], []),
        ("def draw(x):\n    plt.figure()\n    plt.bar([0], [x])", [], []),  # defined, not called
        ("draw(3)", [], []),
        ("%time show()", [], []),
        ("fig", [], []),
        ("x = 1  # plt.show() in a comment\ns = 'fig.plot(1)'", [], []),
        ("plt.close('all')\nnp.array([1]).sum()", [], []),
        ("allocation_figure(report)", [], []),  # never imported here: someone else's function
        ("plt.show()", [], ["remove-output"]),  # the page shows no output by design
        ("plt.show()", [], ["hide-input"]),
    )
    drawn = [cell.index for cell in figure_cells(notebook)]
    assert drawn == [1, 2, 3, 5, 6, 7, 12]


def test_figure_metadata_and_magics():
    cell = new_code_cell("%%time\nx = 1")
    cell.metadata["mystnb"] = {"figure": {"name": "fig-x", "caption": "X"}}
    notebook = new_notebook(cells=[cell, new_code_cell("!ls\nx = 2")])
    assert [c.index for c in figure_cells(notebook)] == [0]


def test_the_rule_finds_the_chapters_figures():
    """On the sources (no outputs needed): the cells whose images went missing are found
    (each identified by the call that draws it, the chapters' cells being formatted over lines)."""
    drawn = {
        name: [cell.source for cell in figure_cells(jupytext.read(ROOT / "book" / f"{name}.md"))]
        for name in ("07_full_run", "08_investing", "10_paper_experiment")
    }
    assert [source.splitlines()[-1].strip() for source in drawn["07_full_run"]] == [
        ");", "allocation_figure(report);", "realised_figure(report);"]
    assert "payout_quality_figure(" in drawn["07_full_run"][0]
    assert any("price_paths_figure(" in source for source in drawn["08_investing"])
    assert any(source.strip().endswith("paper_figure(reports);") for source in drawn["10_paper_experiment"])


def page(*outputs: str) -> str:
    cells = "".join(f'<div class="cell docutils container"><div class="cell_input docutils container">'
                    f'<pre>code</pre></div>{o}</div>' for o in outputs)
    state = ('{"version_major": 2, "version_minor": 0, "state": {'
             '"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_html"]}},'
             '"html": {"model_name": "HTMLModel", "state": {"value": "<img src=\\"data:image/png;base64,x\\"/>"}},'
             '"slider": {"model_name": "IntSliderModel", "state": {"value": 3}}}}')
    return (f'<html><body>{cells}<script type="application/vnd.jupyter.widget-state+json">{state}</script>'
            '</body></html>')


def output(inner: str) -> str:
    return f'<div class="cell_output docutils container">{inner}</div>'


def widget(model: str) -> str:
    return output(f'<script type="application/vnd.jupyter.widget-view+json">'
                  f'{{"version_major": 2, "version_minor": 0, "model_id": "{model}"}}</script>')


def test_the_page_check():
    """Page cells match the notebook's shown code cells in order (the install and removed cells
    are not on the page); a figure cell's output area must hold an image or a switcher of images."""
    notebook = executed(
        ("install()", [], [TAG]),
        ("from cst_ref.plots.report import allocation_figure as a", [], []),
        ("secret()", [], ["remove-cell"]),
        ("a(r)", image(), []),
        ("a(r)", image(), []),
        ("a(r)", image(), []),
        ("a(r)", image(), []),
        ("a(r)", [], ["remove-output"]),
    )
    html = page("", output('<img src="x.png"/>'), output("<pre>&lt;Figure size 640x480 with 1 Axes&gt;</pre>"),
                widget("box"), widget("slider"), "")
    missing = cells_without_image_on_page(notebook, html, TAG)
    assert [m.split(" (")[0] for m in missing] == ["code cell 4", "code cell 6"], missing
    with pytest.raises(AssertionError, match="cannot match"):
        cells_without_image_on_page(notebook, page("", ""), TAG)


# --- the package leaves matplotlib's backend alone --------------------------------------------


def test_importing_the_package_keeps_the_backend():
    """No module switches the backend on import (in a notebook that blanks every later figure);
    only ``cst-ref run`` chooses Agg, for itself."""
    script = textwrap.dedent("""
        import importlib, pkgutil, cst_ref, matplotlib
        for module in pkgutil.walk_packages(cst_ref.__path__, "cst_ref."):
            importlib.import_module(module.name)
        import matplotlib.pyplot
        print(matplotlib.get_backend())
    """)
    env = {**os.environ, "MPLBACKEND": "svg"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "svg", "a cst_ref module changed matplotlib's backend on import"


# --- the built book ----------------------------------------------------------------------------


def built_notebooks() -> list[str]:
    return [str(p.relative_to(ROOT).with_suffix("")) for p in notebook_pages()]


def executed_notebook(name: str) -> dict:
    """The notebook the build executed (offered for download beside the page)."""
    assert HTML.is_dir(), f"no {HTML}: build the book first (make book-only)"
    if "CST_REF_HTML" in os.environ and not (HTML / f"{name}.html").exists():
        pytest.skip(f"{name} is not in {HTML}")
    path = HTML / "_sources" / f"{name}.ipynb"
    assert path.exists(), f"{path} is missing: the build did not execute {name}"
    return nbformat.read(path, as_version=4)


@pytest.mark.book
@pytest.mark.parametrize("name", built_notebooks())
def test_every_figure_cell_has_an_image(name):
    missing = cells_without_image(executed_notebook(name))
    assert not missing, f"{name}: cells that draw a figure but hold no image/png: {missing}"


@pytest.mark.book
@pytest.mark.parametrize("name", built_notebooks())
def test_every_figure_shows_on_the_page(name):
    notebook = executed_notebook(name)
    missing = cells_without_image_on_page(notebook, built_page(name).read_text(), TAG)
    assert not missing, f"{name}: cells that draw a figure but show no <img> on the page: {missing}"
