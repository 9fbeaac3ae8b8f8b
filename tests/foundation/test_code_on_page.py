"""The contracts' code on the page: the excerpts the chapters include must exist.

Chapters 5 and 6 show the Vyper that students must read, and the Python twin beside it, with
Sphinx's ``literalinclude``, which reads the files when the book is built, so the page cannot
drift from the code. A contract excerpt is the lines between two marker comments,
``# [book: NAME]`` and ``# [/book: NAME]``; a twin excerpt is a function (``:pyobject:``),
possibly narrowed to some of its lines. An edit that removes, duplicates or reorders a
marker, renames a twin function or drops an excerpt from its chapter fails here, not in the
ten-minute book build. The directives are parsed by MyST and cut by Sphinx's own reader,
exactly as the build does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from myst_parser.parsers.directives import parse_directive_text
from pygments.lexers import get_lexer_by_name
from pygments.token import Error
from sphinx.config import Config
from sphinx.directives.code import LiteralInclude, LiteralIncludeReader
from sphinx.pycode import ModuleAnalyzer

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CONTRACTS = ROOT / "contracts"

#: What each chapter must show: a contract file and a marker name, or a twin file and the
#: function (``Class.method``) whose lines it shows.
EXPECTED = {
    "05_amm.md": {
        ("contracts/pool.vy", "quote"),
        ("contracts/pool.vy", "swap"),
        ("contracts/pool.vy", "oracle"),
        ("cst_ref/twins/pool.py", "PoolTwin._quote_swap"),
        ("cst_ref/twins/pool.py", "PoolTwin.swap"),
        ("cst_ref/twins/pool.py", "PoolTwin._update"),
    },
    "06_federation.md": {
        ("contracts/federation.vy", "split"),
        ("contracts/federation.vy", "pay"),
        ("contracts/guards.vy", "guard"),
        ("contracts/federation.vy", "scale"),
        ("cst_ref/twins/shares.py", "split_budget"),
        ("cst_ref/twins/federation.py", "FederationTwin._spend"),
        ("cst_ref/twins/guards.py", "check_due"),
    },
}

#: ```{literalinclude} PATH, its option lines, the closing fence
DIRECTIVE = re.compile(r"^```\{literalinclude\}[ \t]+(?P<arg>\S[^\n]*)\n(?P<body>(?:(?!```)[^\n]*\n)*)```[ \t]*$",
                       re.MULTILINE)
START = re.compile(r"^# \[book: (?P<name>[a-z][a-z0-9-]*)\]$")
END = re.compile(r"^# \[/book: (?P<name>[a-z][a-z0-9-]*)\]$")


def includes(page: Path) -> list[tuple[Path, dict]]:
    """Every literalinclude on ``page``: the file it reads and its options, as MyST parses them."""
    found = []
    for match in DIRECTIVE.finditer(page.read_text()):
        parsed = parse_directive_text(LiteralInclude, match["arg"], match["body"])
        assert not parsed.warnings, f"{page.name}: {parsed.warnings}"
        found.append(((page.parent / parsed.arguments[0]).resolve(), parsed.options))
    return found


def excerpt(path: Path, options: dict) -> str:
    """The text Sphinx renders for one literalinclude (its ValueError when a bound is missing)."""
    text, _ = LiteralIncludeReader(str(path), options, Config({}, {})).read()
    return text


def label(path: Path, options: dict) -> tuple[str, str]:
    """``(file, marker)`` for a contract excerpt, ``(file, object)`` for a twin's."""
    relative = str(path.relative_to(ROOT))
    if "pyobject" in options:
        return relative, options["pyobject"]
    start = START.match(options.get("start-after", ""))
    return relative, start["name"] if start else ""


def marker_lines(path: Path) -> dict[str, list[int]]:
    """Each marker comment in a contract and the lines it stands on."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if START.match(line.strip()) or END.match(line.strip()):
            found.setdefault(line.strip(), []).append(number)
    return found


PAGES = sorted(BOOK.glob("*.md"))
ALL_INCLUDES = [(page.name, path, options) for page in PAGES for path, options in includes(page)]
CUTS = {"start-after", "start-at", "end-before", "end-at", "lines"}
CONTRACT_EXCERPTS = [(p, f, o) for p, f, o in ALL_INCLUDES if f.suffix == ".vy" and CUTS & set(o)]
PYTHON_EXCERPTS = [(p, f, o) for p, f, o in ALL_INCLUDES if "pyobject" in o]


def ids(cases: list) -> list[str]:
    return [f"{page}:{label(path, options)[1] or path.name}" for page, path, options in cases]


@pytest.mark.parametrize("chapter", sorted(EXPECTED))
def test_each_chapter_shows_its_excerpts(chapter):
    shown = {label(path, options) for path, options in includes(BOOK / chapter)}
    missing = EXPECTED[chapter] - shown
    assert not missing, f"{chapter} no longer includes {sorted(missing)}"


@pytest.mark.parametrize(("page", "path", "options"), ALL_INCLUDES, ids=ids(ALL_INCLUDES))
def test_every_excerpt_renders(page, path, options):
    """The file is in the repository, the excerpt is cut as written, and it highlights."""
    assert path.is_file() and ROOT in path.parents, f"{page}: {path} is not a file of the repository"
    text = excerpt(path, options)
    assert text.strip(), f"{page}: the excerpt of {path.name} is empty"
    assert "[book:" not in text and "[/book:" not in text, f"{page}: an excerpt of {path.name} holds a marker"
    lexer = get_lexer_by_name(options.get("language", "python"))
    errors = [value for token, value in lexer.get_tokens(text) if token in Error]
    assert not errors, f"{page}: {lexer.name} cannot lex {errors!r} in {path.name}"


@pytest.mark.parametrize(("page", "path", "options"), CONTRACT_EXCERPTS, ids=ids(CONTRACT_EXCERPTS))
def test_contract_excerpts_are_bounded_by_a_marker_pair(page, path, options):
    """A contract excerpt runs from ``# [book: NAME]`` to ``# [/book: NAME]``, each of which
    stands once in the file on a line of its own, in that order."""
    start, end = START.match(options.get("start-after", "")), END.match(options.get("end-before", ""))
    assert start and end, f"{page}: {path.name} excerpt not bounded by markers: {options}"
    assert start["name"] == end["name"], f"{page}: {start.string} closed by {end.string}"
    lines = marker_lines(path)
    assert len(lines.get(start.string, [])) == 1, f"{path.name}: {start.string!r} at lines {lines.get(start.string)}"
    assert len(lines.get(end.string, [])) == 1, f"{path.name}: {end.string!r} at lines {lines.get(end.string)}"
    assert lines[start.string][0] < lines[end.string][0], f"{path.name}: {end.string!r} before {start.string!r}"


@pytest.mark.parametrize(("page", "path", "options"), PYTHON_EXCERPTS, ids=ids(PYTHON_EXCERPTS))
def test_python_excerpts_are_unambiguous(page, path, options):
    """A Python excerpt (a twin's, or any other) names an existing function, and any line it
    starts or ends at occurs once in that function (Sphinx would silently take the first)."""
    tags = ModuleAnalyzer.for_file(str(path), "").find_tags()
    assert options["pyobject"] in tags, f"{page}: no {options['pyobject']} in {path.name}"
    _, first, last = tags[options["pyobject"]]
    body = "\n".join(path.read_text().splitlines()[first - 1:last])
    for key in ("start-at", "start-after", "end-at", "end-before"):
        if key in options:
            assert body.count(options[key]) == 1, f"{page}: {options[key]!r} occurs {body.count(options[key])} times"


@pytest.mark.parametrize("contract", sorted(CONTRACTS.glob("*.vy")), ids=lambda p: p.name)
def test_every_marker_is_used_and_paired(contract):
    """Markers are whole comment lines, in pairs, and some page includes each pair: a marker
    nobody uses would mislead the next editor into keeping it."""
    lines = marker_lines(contract)
    starts = {START.match(m)["name"] for m in lines if START.match(m)}
    ends = {END.match(m)["name"] for m in lines if END.match(m)}
    assert starts == ends, f"{contract.name}: unpaired markers {sorted(starts ^ ends)}"
    used = {label(path, options)[1] for _, path, options in ALL_INCLUDES if path == contract.resolve()}
    assert starts <= used, f"{contract.name}: markers no page includes: {sorted(starts - used)}"
    shared = [line for line in contract.read_text().splitlines()
              if re.search(r"\[/?book: [a-z]", line) and not (START.match(line.strip()) or END.match(line.strip()))]
    assert not shared, f"{contract.name}: a book marker shares its line with code or text: {shared}"
