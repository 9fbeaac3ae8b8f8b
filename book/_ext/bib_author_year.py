"""Sphinx extension: the bibliography's labels are the in-text author-year citations.

The chapters cite with ``bibtex_reference_style: author_year`` ("Geimer et al., 2024"), while
pybtex's default ``alpha`` style labels the bibliography "[GFPS24]": a reader cannot match one
to the other. This registers a pybtex formatting style, ``authoryear`` (``plain`` with the label
style below), that labels each entry the way sphinxcontrib-bibtex writes it in the text: the
first author's last name, "A and B" for two authors, "A et al." for three or more, then the year.
Two entries with the same label are a bibliography bug (the text could not tell them apart), so
the build warns, and the book's ``-W`` build fails, naming them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _last_name(person) -> str:
    """"von Last" as plain text, with LaTeX braces and accents decoded."""
    parts = [part.render_as("text") for part in (*person.rich_prelast_names, *person.rich_last_names)]
    return " ".join(parts)


def author_year_label(entry) -> str:
    """The citation text sphinxcontrib-bibtex's author_year style prints for ``entry``."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in persons]
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    year = entry.fields.get("year")
    return f"{who}, {year}" if year else who


class AuthorYearLabelStyle(BaseLabelStyle):
    """Label = in-text citation; duplicates get a, b, ... and a build warning."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year_label(entry) for entry in entries]
        count = Counter(labels)
        for label, n in count.items():
            if n > 1:
                keys = [e.key for e, lab in zip(entries, labels) if lab == label]
                logger.warning(f"bibliography: entries {keys} share the citation label {label!r}; "
                               "give them distinct authors or years")
        seen: Counter[str] = Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class AuthorYearSortingStyle(BaseSortingStyle):
    """Alphabetical by label, so a reader finds "Vyper Team, 2024" among the V's (pybtex's own
    author sort puts a braced corporate author after every personal name)."""

    def sorting_key(self, entry):
        return (author_year_label(entry).casefold(), entry.fields.get("title", "").casefold())


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` entries, sorted and labelled by author and year."""

    default_label_style = "authoryear"
    default_sorting_style = "authoryear"


register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabelStyle)
register_plugin("pybtex.style.sorting", "authoryear", AuthorYearSortingStyle)
register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def setup(app: Any) -> dict[str, Any]:
    """Nothing to connect: importing this module registers the pybtex plugins."""
    return {"parallel_read_safe": True, "parallel_write_safe": True}
