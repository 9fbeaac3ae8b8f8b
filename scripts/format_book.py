"""Format the code cells of every book page with ruff (88 columns), in place.

Only the body of each ```{code-cell}``` block changes: its options (a ``---`` YAML block or
``:key:`` lines), the prose and the page's front matter are left as written. A cell that
starts with an IPython magic (``%`` or ``!``) is not Python and is left alone; a cell's final
semicolon, which keeps Jupyter from showing the cell's value, is kept.
``tests/foundation/test_code_style.py`` checks that this changes nothing.

Run: ``.venv/bin/python scripts/format_book.py`` (``make format-book``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = 88
CELL = re.compile(r"^(?P<open>```\{code-cell\}[^\n]*\n)(?P<options>(?:---\n.*?\n---\n)|(?::[^\n]*\n)*)"
                  r"(?P<body>.*?)^(?P<close>```)[ \t]*$", re.M | re.S)


def ruff_format(source: str) -> str:
    """``source`` formatted as ruff formats a file of it (without the file's final newline)."""
    result = subprocess.run([sys.executable, "-m", "ruff", "format", f"--line-length={COLUMNS}",
                             "--stdin-filename=cell.py", "-"], input=source, capture_output=True, text=True)
    if result.returncode:
        raise ValueError(f"ruff could not format a cell:\n{source}\n{result.stderr}")
    return result.stdout.rstrip("\n")


def format_page(text: str) -> str:
    """The page with every Python code cell's body formatted."""

    def cell(match: re.Match) -> str:
        body = match["body"].rstrip("\n")
        if not body.strip() or body.lstrip().startswith(("%", "!")):
            return match[0]
        formatted = ruff_format(body)
        if body.rstrip().endswith(";") and not formatted.endswith(";"):
            formatted += ";"  # a trailing semicolon hides the cell's value: ruff drops it, Jupyter needs it
        return f"{match['open']}{match['options']}{formatted}\n{match['close']}"

    return CELL.sub(cell, text)


def code_lines(text: str) -> list[str]:
    """Every line of every code cell's body."""
    return [line for match in CELL.finditer(text) for line in match["body"].splitlines()]


def main(pages: list[str]) -> int:
    paths = [Path(p) for p in pages] or sorted((ROOT / "book").glob("*.md"))
    changed = 0
    for path in paths:
        text = path.read_text()
        formatted = format_page(text)
        if formatted != text:
            path.write_text(formatted)
            changed += 1
            print(f"formatted {path}")
    print(f"{changed} of {len(paths)} pages changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
