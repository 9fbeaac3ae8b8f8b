"""The chapters' code is formatted (ruff format, 88 columns), so no code cell needs a sideways
scroll at the book's column width (book/_assets/cst_ref.css sets code to fit 88 columns).

Reformat every page with ``make format-book`` (``scripts/format_book.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.foundation.test_toc import toc_files

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from format_book import COLUMNS, code_lines, format_page  # noqa: E402

PAGES = [name for name in toc_files() if "{code-cell}" in (ROOT / f"{name}.md").read_text()]


@pytest.mark.parametrize("name", PAGES)
def test_no_code_line_is_wider_than_the_column(name):
    wide = [f"{line[:50]}… ({len(line)})" for line in code_lines((ROOT / f"{name}.md").read_text())
            if len(line) > COLUMNS]
    assert not wide, f"{name}: code lines over {COLUMNS} columns: {wide}"


@pytest.mark.parametrize("name", PAGES)
def test_code_cells_are_formatted(name):
    text = (ROOT / f"{name}.md").read_text()
    assert format_page(text) == text, f"{name}: `make format-book` would reformat its code cells"


def test_only_cell_bodies_are_formatted():
    page = ("# Title\n\nProse  with   spaces.\n\n```{code-cell} ipython3\n---\ntags: [x]\n---\n"
            "x = {'a':1}\n```\n\n```{code-cell} ipython3\n:tags: [y]\n%timeit  f()\n```\n\n"
            "```{code-cell} ipython3\nplot( x );\n```\n")
    assert format_page(page) == page.replace("x = {'a':1}", 'x = {"a": 1}').replace("plot( x );", "plot(x);")
