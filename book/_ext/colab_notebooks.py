"""Sphinx extension: each chapter's downloadable .ipynb runs as it is on Google Colab.

sphinx-book-theme already offers the notebook of every notebook page under the page's download
button (it copies it to ``_sources/``); this makes it the executed one. Colab starts without this book's package, so
this extension puts one cell before the chapter's first: on Colab it installs the package from
the book's repository; anywhere else (Binder, JupyterLab, the book's own build) it does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from jupyter_cache import get_cache

#: Marks the inserted cell, so a notebook is never given two.
TAG = "colab-install"


def install_source(repository_url: str) -> str:
    """The first cell's code: install the package from ``repository_url`` on Colab only."""
    return (
        "# On Google Colab, install this book's package first; anywhere else this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "git+{repository_url}"], check=True)\n'
    )


def with_install_cell(nb: nbformat.NotebookNode, repository_url: str) -> nbformat.NotebookNode:
    """``nb`` with the Colab install cell first (added once, however often this runs)."""
    if not (nb.cells and TAG in nb.cells[0].metadata.get("tags", [])):
        nb.cells.insert(0, nbformat.v4.new_code_cell(install_source(repository_url), metadata={"tags": [TAG]}))
    return nb


def add_install_cell(notebook: Path, repository_url: str) -> None:
    """Put the Colab install cell first in the notebook file ``notebook``."""
    nbformat.write(with_install_cell(nbformat.read(notebook, as_version=4), repository_url), notebook)


def with_outputs(nb: nbformat.NotebookNode, cache_path: str) -> nbformat.NotebookNode:
    """``nb`` as executed, from the execution cache, if the cache has it (else unchanged).

    myst-nb writes the notebook it read, with outputs only when it executed it during this build;
    a page served from the cache (for example executed ahead by scripts/execute_book.py) would
    download without any output.
    """
    try:
        return get_cache(cache_path).merge_match_into_notebook(nb)[1]
    except KeyError:  # not in the cache: execution is off, or the page failed
        return nb


def _on_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if context.get("ipynb_source"):
        notebook = Path(app.outdir) / "_sources" / context["ipynb_source"]
        nb = nbformat.read(notebook, as_version=4)
        if app.config.nb_execution_mode == "cache":
            nb = with_outputs(nb, app.config.nb_execution_cache_path)
        nbformat.write(with_install_cell(nb, app.config.html_theme_options["repository_url"]), notebook)


def setup(app: Any) -> dict[str, Any]:
    # The theme copies the notebook into _sources/ at priority 501; run just after it.
    app.connect("html-page-context", _on_page, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
