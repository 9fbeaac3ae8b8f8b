"""The ways a reader runs a chapter outside the book: Binder, the downloaded .ipynb, Colab.

Binder and Colab cannot be reached from here; what can be checked is checked: every chapter
links Binder to the repository's environment, offers its executed notebook for download, and
that notebook's first cell installs the package on Colab only and the rest runs as downloaded.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import jupytext
import nbclient
import nbformat
import pytest
import yaml

from tests.foundation.test_built_book import HTML, built_page, chapters

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from colab_notebooks import TAG, add_install_cell, install_source  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"]


def run_install_cell(monkeypatch, on_colab: bool) -> list[list[str]]:
    """Execute the install cell's code; return the commands it ran (none are really run)."""
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kwargs: calls.append(cmd))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(install_source(REPOSITORY), {})
    return calls


def test_install_cell_installs_from_the_repository_on_colab(monkeypatch):
    assert run_install_cell(monkeypatch, on_colab=True) == [
        [sys.executable, "-m", "pip", "install", "--quiet", f"git+{REPOSITORY}"]
    ]


def test_install_cell_does_nothing_elsewhere(monkeypatch):
    assert run_install_cell(monkeypatch, on_colab=False) == []


def test_install_cell_is_added_once(tmp_path):
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), path)
    add_install_cell(path, REPOSITORY)
    add_install_cell(path, REPOSITORY)
    cells = nbformat.read(path, as_version=4).cells
    assert [TAG in c.metadata.get("tags", []) for c in cells] == [True, False]
    assert cells[1].source == "x = 1"


def test_binder_builds_the_generated_environment():
    assert CONFIG["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert (ROOT / "environment.yml").exists()


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_launches_on_binder_and_downloads_as_a_notebook(chapter):
    html = built_page(chapter).read_text()
    org_repo = REPOSITORY.removeprefix("https://github.com/")
    binder = f'href="https://mybinder.org/v2/gh/{org_repo}/main?urlpath=lab/tree/{chapter}.md"'
    assert binder in html, f"{chapter} has no Binder launch link"
    assert f'href="../_sources/{chapter}.ipynb"' in html, f"{chapter} offers no .ipynb download"

    downloaded = nbformat.read(HTML / "_sources" / f"{chapter}.ipynb", as_version=4)
    first, rest = downloaded.cells[0], downloaded.cells[1:]
    assert TAG in first.metadata.get("tags", []) and first.source == install_source(REPOSITORY), chapter
    source = jupytext.read(ROOT / f"{chapter}.md")
    assert [c.source for c in rest if c.cell_type == "code"] == [
        c.source for c in source.cells if c.cell_type == "code"
    ], f"{chapter}: the downloaded notebook's code differs from the chapter's"
    assert any(c.get("outputs") for c in rest), f"{chapter}: the downloaded notebook is not the executed one"


@pytest.mark.book
def test_a_downloaded_chapter_runs_as_it_is(tmp_path):
    """Chapter 1, as a reader downloads it, executes start to finish outside the repository."""
    notebook = nbformat.read(HTML / "_sources" / "book" / "01_why_incentives.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    executed = nbclient.execute(notebook, cwd=str(tmp_path), timeout=120)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors and executed.cells[0].outputs == []
