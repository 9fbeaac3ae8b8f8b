"""A failing cell fails the book build: the book's configuration, on a two-page book."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def test_failing_cell_fails_the_build(tmp_path):
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "_vendor").symlink_to(ROOT / "_vendor")
    (tmp_path / "book").mkdir()
    for folder in ("_ext", "_assets"):  # the config's local extensions and stylesheet
        (tmp_path / "book" / folder).symlink_to(ROOT / "book" / folder)
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    (tmp_path / "book" / "index.md").write_text("# Index\n\n```{bibliography}\n:all:\n```\n")
    (tmp_path / "book" / "broken.md").write_text(
        FRONT_MATTER + "# Broken\n\n```{code-cell} ipython3\nprint('before')\n1 / 0\n```\n"
    )
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n- file: book/broken\n")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [jupyter_book, "build", str(tmp_path), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "ZeroDivisionError" in output
