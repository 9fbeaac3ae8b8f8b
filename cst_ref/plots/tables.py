"""Small result tables rendered as Markdown, so chapters show numbers without pandas."""

from __future__ import annotations

from collections.abc import Sequence

from IPython.display import Markdown

from cst_ref.checks import check_nonempty


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Markdown:
    """A Markdown table: strings as given, ints with thousands separators, floats to 2 places."""
    check_nonempty("columns", columns)
    if any(len(row) != len(columns) for row in rows):
        raise ValueError("every row needs one cell per column")

    def cell(value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        return f"{value:,d}" if isinstance(value, int) else f"{value:,.2f}"

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))
