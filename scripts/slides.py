"""Weekly slide decks from the executed chapters: reveal.js through nbconvert, offline.

For each week of the twelve-week plan in ``book/course.yml`` the week's chapters are read as
the build executed them (the page, with its outputs from the book's execution cache, so
nothing runs again) and cut into slides: a title slide per chapter with its learning
objectives, a slide per section with the section's opening paragraph, a sub-slide per figure
or table the section draws, and the week's problem set. Code is not shown, and solutions are
left out. MyST roles become plain Markdown (a glued number becomes its value, formatted as
the page formats it). nbconvert's reveal.js exporter writes one HTML file per week into
``_build/html/slides/``; reveal.js, MathJax and the other scripts come from the book's own
vendored assets (``_vendor``, served under ``_static``), so the slides open offline.

Run after the book is built: ``.venv/bin/python scripts/slides.py`` (``make book`` does it).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml
from jupyter_cache import get_cache
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
OUT = ROOT / "_build" / "html" / "slides"
TEMPLATE = ROOT / "scripts" / "slides_template"
STATIC = "../_static"
"""Where the slides find the vendored assets, relative to ``OUT``."""
PARAGRAPH_CHARS = 700
"""A section's opening paragraph is cut at a sentence end past this many characters."""

ROLE = re.compile(r"\{(?P<role>[a-z:-]+)\}`(?P<body>[^`]*)`")
FENCE = re.compile(r"^(```+|:::+)\{(?P<name>[a-z-]+)\}(?P<arg>[^\n]*)\n(?P<body>.*?)^\1\s*$", re.M | re.S)


def glue_text(value: str, spec: str) -> str:
    """A glued value as ``{glue:text}`name:spec``` prints it."""
    try:
        number = float(value)
    except ValueError:
        return value.strip("'\"")
    return format(number, spec) if spec else value


def plain(text: str, glued: dict[str, str]) -> str:
    """MyST roles as plain Markdown: ``{doc}`text <target>``` → text, a glued value → the value."""

    def role(match: re.Match) -> str:
        name, body = match["role"], match["body"]
        if name == "glue:text":
            key, _, spec = body.partition(":")
            return glue_text(glued.get(key, "?"), spec)
        if name in ("glue", "glue:any"):
            return glue_text(glued.get(body, "?"), "")
        if name == "cite":
            return "[" + body + "]"
        label = re.match(r"(.*?)\s*<[^>]*>$", body)
        return label[1] if label else body

    return ROLE.sub(role, text)


def directives(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """``text`` without its fenced directives, and the directives as (name, argument, body)."""
    found = [(m["name"], m["arg"].strip(), m["body"]) for m in FENCE.finditer(text)]
    return FENCE.sub("", text), found


def directive_body(body: str) -> str:
    """A directive's content without its ``:option:`` lines."""
    return "\n".join(line for line in body.splitlines() if not re.match(r"^:[a-z-]+:", line)).strip()


def first_paragraph(text: str) -> str:
    """The opening paragraph (or list) of a section, cut at a sentence end past the limit."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip() and not b.strip().startswith("$$")]
    if not blocks:
        return ""
    paragraph = blocks[0]
    if len(paragraph) > PARAGRAPH_CHARS:
        cut = paragraph.find(". ", PARAGRAPH_CHARS)
        paragraph = paragraph[: cut + 1] + " …" if cut > 0 else paragraph
    return paragraph


def executed(page: Path) -> nbformat.NotebookNode:
    """The page as the build executed it: its outputs from the book's execution cache."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]
    notebook = jupytext.read(page)
    _, merged = get_cache(str(ROOT / config["cache"])).merge_match_into_notebook(notebook)
    return merged


def glue_values(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Every value the page glued, as text."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = output["data"].get("application/papermill.record/text/plain", "?")
    return values


def slide(source: str, kind: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": kind}})


def shown_outputs(cell: nbformat.NotebookNode) -> list[dict]:
    """The figures and tables a code cell shows (not its glued values or printed text)."""
    shown = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "scrapbook" in output.get("metadata", {}) or output.get("output_type") == "stream":
            continue
        if "image/png" in data:
            shown.append({"output_type": "display_data", "metadata": {}, "data": {"image/png": data["image/png"]}})
        elif "text/markdown" in data and "|" in data["text/markdown"]:
            shown.append({"output_type": "display_data", "metadata": {}, "data": {"text/markdown": data["text/markdown"]}})
    return shown


def chapter_cells(notebook: nbformat.NotebookNode, number: str) -> tuple[list, list[str]]:
    """A chapter's slides, and the exercises it sets (label, text) for the problem set."""
    glued = glue_values(notebook)
    cells, exercises = [], []
    section_open = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            text, found = directives(cell.source)
            for part in re.split(r"^(?=#{1,2} )", text, flags=re.M):
                heading = re.match(r"^(#{1,2}) (.*)\n?", part)
                if heading and len(heading[1]) == 1:
                    cells.append(slide(f"# {number} {plain(heading[2], glued)}", "slide"))
                    section_open = False
                elif heading and heading[2].strip() not in ("Exercises",):
                    lead = first_paragraph(part[heading.end():])
                    cells.append(slide(f"## {plain(heading[2], glued)}\n\n{plain(lead, glued)}", "slide"))
                    section_open = True
                elif heading:
                    section_open = False
            for name, arg, body in found:  # after the headings: the objectives follow the title
                if name == "admonition" and arg == "Learning objectives":
                    cells.append(slide("### Learning objectives\n\n" + plain(directive_body(body), glued), "subslide"))
                elif name == "exercise":
                    label = re.search(r"^:label:\s*(\S+)", body, re.M)
                    exercises.append((label[1] if label else "", plain(directive_body(body), glued)))
        elif cell.cell_type == "code" and section_open:
            for output in shown_outputs(cell):
                figure = nbformat.v4.new_code_cell("", metadata={"slideshow": {"slide_type": "subslide"}})
                figure.outputs = [nbformat.from_dict(output)]
                cells.append(figure)
    return cells, exercises


def week_deck(week: dict, titles: dict[str, str]) -> nbformat.NotebookNode:
    """One week: a title slide with its outcomes, each chapter's slides, its problem set."""
    chapters = " · ".join(titles[c] for c in week["chapters"])
    cells = [slide(f"# Week {week['week']}\n\n{chapters}\n\n**By the end of the week you can** "
                   f"{week['outcomes']}", "slide")]
    points = {label: value for label, value in week["problems"]}
    problems = []
    for chapter in week["chapters"]:
        number = str(int(chapter[:2]))
        chapter_slides, exercises = chapter_cells(executed(BOOK / f"{chapter}.md"), number)
        cells += chapter_slides
        problems += [(label, text) for label, text in exercises if label in points]
    listing = "\n".join(f"{k}. ({points[label]} points) {text}" for k, (label, text) in enumerate(problems, 1))
    cells.append(slide(f"## Problem set, week {week['week']} ({sum(points.values())} points)\n\n{listing}", "slide"))
    deck = nbformat.v4.new_notebook(cells=cells)
    deck.metadata["title"] = f"Week {week['week']}: {chapters}"
    return deck


def exporter() -> SlidesExporter:
    """nbconvert's reveal.js exporter, on the book's vendored assets and its own template."""
    return SlidesExporter(
        extra_template_basedirs=[str(TEMPLATE.parent)], template_name=TEMPLATE.name, exclude_input=True,
        reveal_url_prefix=f"{STATIC}/reveal.js", reveal_theme="white", reveal_scroll=True,
        require_js_url=f"{STATIC}/require.js", jquery_url=f"{STATIC}/jquery.min.js",
        mathjax_url=f"{STATIC}/mathjax/tex-chtml.js")


def main() -> int:
    course = yaml.safe_load((BOOK / "course.yml").read_text())
    titles = {c: re.search(r"^# (.+)$", (BOOK / f"{c}.md").read_text(), re.M)[1]
              for week in course["twelve_weeks"] for c in week["chapters"]}
    OUT.mkdir(parents=True, exist_ok=True)
    slides = exporter()
    for week in course["twelve_weeks"]:
        html, _ = slides.from_notebook_node(week_deck(week, titles))
        (OUT / f"week-{week['week']:02d}.html").write_text(html)
    (OUT / "index.json").write_text(json.dumps(
        {f"week-{w['week']:02d}.html": [titles[c] for c in w["chapters"]] for w in course["twelve_weeks"]}, indent=1))
    print(f"wrote {len(course['twelve_weeks'])} weekly decks into {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
