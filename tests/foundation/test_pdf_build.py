"""The PDF (`make pdf`) is laid out as a book: book/_ext/latex_book.py.

Without TeX: the transforms on small doctrees, and the LaTeX Sphinx writes for a small book
built with the book's own configuration (parts, a nested page, an appendix, exercises, their
solutions and references to them). With the PDF built (`make pdf`), its text is checked too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx import addnodes

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import latex_book  # noqa: E402

PDF = ROOT / "_build" / "latex" / "wallstreetfeds.pdf"


def _document() -> nodes.document:
    return new_document("<test>", get_default_settings(Parser))


def _mime_bundle(*mimes: tuple[str, str]) -> nodes.container:
    bundle = nodes.container(nb_element="mime_bundle")
    for mime, text in mimes:
        bundle += nodes.container("", nodes.literal_block(text, text), mime_type=mime)
    return bundle


# --- the transforms on small doctrees -----------------------------------------------------


def test_progress_bars_and_stderr_are_dropped_and_other_outputs_kept():
    document = _document()
    bar = nodes.container(nb_element="cell_code_output")
    bar += _mime_bundle((latex_book.WIDGET_MIME, '{"model_id": "x"}'), ("text/plain", "FedAvg:   0%|   | 0/10"))
    kept = nodes.container(nb_element="cell_code_output")
    kept += _mime_bundle(("text/plain", "KEPT-RESULT"))
    kept += nodes.literal_block("stream", "KEPT-PRINT", classes=["output", "stream"])
    kept += nodes.literal_block("err", "a warning", classes=["output", "stderr"])
    document += [bar, kept]

    assert latex_book.drop_progress_outputs(document) == 2
    text = document.astext()
    assert "FedAvg" not in text and "a warning" not in text
    assert "KEPT-RESULT" in text and "KEPT-PRINT" in text
    assert bar not in document.children and kept in document.children, "an output left empty goes too"


def test_part_captions_become_numbered_parts_when_latex_would_number_them_alike():
    assert latex_book.part_latex("Part II: On-chain", 2) == "\\part{On-chain}\n"
    assert latex_book.part_latex("Part IV: Beyond one machine", 4) == "\\part{Beyond one machine}\n"
    # a caption that disagrees with LaTeX's count prints as written, unnumbered, in the contents
    mismatched = latex_book.part_latex("Part III: Markets", 2)
    assert "\\part*{Part III: Markets}" in mismatched and "\\addcontentsline{toc}{part}" in mismatched


def _chapter(docname: str, title: str, *children: nodes.Node) -> addnodes.start_of_file:
    """A page inlined as Sphinx's ``inline_all_toctrees`` does it: the page's nodes are handed
    over by assigning the children list, so they still name the page's document as parent."""
    page = _document()
    page += nodes.section("", nodes.title(title, title), *children, ids=[docname.replace("/", "-")])
    inlined = addnodes.start_of_file(docname=docname)
    inlined.children = page.children
    return inlined


def _wrapper(*files: addnodes.start_of_file) -> nodes.compound:
    return nodes.compound("", *files, classes=["toctree-wrapper"])


def test_the_root_page_becomes_front_matter_then_parts_then_appendices():
    document = _document()
    nested = _chapter("b/value", "Value")
    root = nodes.section(
        "",
        nodes.title("Book", "Book"),
        nodes.paragraph("", "INTRO"),
        nodes.section(
            "", nodes.title("Running", "Running"),
            _wrapper(_chapter("b/one", "One"), _chapter("b/two", "Two", _wrapper(nested))),
            _wrapper(_chapter("b/three", "Three")),
            _wrapper(_chapter("b/glossary", "Glossary")),
        ),
    )
    document += root
    latex_book.arrange_book(document, [
        ("Part I: First", True, ["b/one", "b/two"]),
        ("Part II: Second", True, ["b/three"]),
        ("Appendices", False, ["b/glossary"]),
    ])

    order = [
        child["docname"] if isinstance(child, addnodes.start_of_file)
        else child.astext().strip() if isinstance(child, nodes.raw)
        else child[0].astext() if isinstance(child, nodes.section) else child.tagname
        for child in root.children
    ]
    assert order == [
        "title", latex_book.FRONT_BEGIN.strip(), latex_book.FRONT_TITLE, latex_book.MAIN_BEGIN.strip(),
        "\\part{First}", "b/one", "b/two", "\\part{Second}", "b/three",
        order[9], "b/glossary",
    ]
    assert order[9].startswith("\\appendix") and "\\part*{Appendices}" in order[9]
    front = root[2]
    assert front.astext().startswith(latex_book.FRONT_TITLE + "\n\nINTRO") and "Running" in front.astext()
    assert not any("toctree-wrapper" in c["classes"] for c in front.findall(nodes.compound)), \
        "the emptied toctree wrappers are gone"
    assert nested.parent.parent.parent["docname"] == "b/two", "a sub-page stays a section of its chapter"


def test_solutions_move_to_the_end_of_their_chapter_and_exercises_point_to_them():
    from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

    def exercise(label: str) -> exercise_enumerable_node:
        return exercise_enumerable_node("", nodes.paragraph("", f"ASK-{label}"), ids=[label], label=label)

    def solution(label: str, docname: str) -> solution_node:
        return solution_node(
            "", nodes.paragraph("", f"ANSWER-{label}"),
            ids=[f"{docname}-solution"], label=f"{docname}-solution", target_label=label, docname=docname,
        )

    document = _document()
    sub = _chapter("b/sub", "Sub", exercise("ex-2"), solution("ex-2", "b/sub"))
    chapter = _chapter("b/one", "One", exercise("ex-1"), solution("ex-1", "b/one"),
                       nodes.paragraph("", "AFTER"), _wrapper(sub))
    document += nodes.section("", nodes.title("Book", "Book"), chapter)

    latex_book.move_solutions(document, "b/index", solution_node)
    keys = latex_book.anchor_exercises(document, "b/index", (exercise_enumerable_node,))

    text = document.astext()
    assert text.index("AFTER") < text.index("ASK-ex-2") < text.index("ANSWER-ex-1") < text.index("ANSWER-ex-2")
    heading = next(n for n in document.findall(nodes.raw) if "Solutions" in n.astext())
    assert heading.parent is chapter[0], "the Solutions section ends the chapter's own section"
    for found in document.findall(solution_node):
        # each solution sits in its own page's scope: labels inside it are the ones its page's use
        assert found.parent["docname"] == found["docname"]
    assert keys == {"b/one:ex-1", "b/sub:ex-2"}
    pointers = {p.parent["label"]: p["target"] for p in document.findall(latex_book.solution_pointer)}
    assert pointers == {"ex-1": "b/one:b/one-solution", "ex-2": "b/sub:b/sub-solution"}


def test_a_numbered_reference_to_an_exercise_prints_its_number_as_text():
    document = _document()
    inline = nodes.inline("", "Exercise 3.2")
    to_exercise = addnodes.number_reference("", "", inline, refuri="%b/three#val-ex-2", title="Exercise %s")
    to_figure = addnodes.number_reference("", "", nodes.inline("", "Fig. 1"), refuri="%b/three#fig-1")
    document += nodes.paragraph("", "", to_exercise, to_figure)

    assert latex_book.plain_exercise_references(document, "b/index", {"b/three:val-ex-2"}) == 1
    refs = list(document.findall(nodes.reference))
    assert [type(r) for r in refs] == [nodes.reference, addnodes.number_reference]
    assert refs[0]["refuri"] == "%b/three#val-ex-2" and refs[0].astext() == "Exercise 3.2"


# --- the LaTeX of a small book, built with the book's configuration (no TeX needed) ----------

CHAPTER_ONE = """# One

## A section

Text of one.

## Exercises

```{exercise}
:label: one-ex-1
ASKONE.
```

```{solution} one-ex-1
:class: dropdown
ANSWERONE.
```

AFTERONE.
"""

ONE_MORE = """# One more

```{exercise}
:label: more-ex-1
ASKMORE.
```

```{solution} more-ex-1
ANSWERMORE.
```
"""

CHAPTER_TWO = """# Two

See {ref}`one-ex-1`, and {ref}`the other one <more-ex-1>`; also {numref}`two-ex-1`.

```{exercise}
:label: two-ex-1
ASKTWO.
```
"""

TOC = """format: jb-book
root: book/index
parts:
  - caption: "Part I: First things"
    numbered: true
    chapters:
      - file: book/one
        sections:
          - file: book/one_more
  - caption: "Part II: Second things"
    numbered: true
    chapters:
      - file: book/two
  - caption: Appendices
    chapters:
      - file: book/extra
"""


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    book = tmp_path_factory.mktemp("pdfbook")
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    (book / "_vendor").symlink_to(ROOT / "_vendor")
    (book / "book").mkdir()
    for folder in ("_ext", "_assets"):
        (book / "book" / folder).symlink_to(ROOT / "book" / folder)
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    pages = {
        "index": "# Small book\n\nINTROTEXT.\n\n## How to read it\n\nRead it.\n",
        "one": CHAPTER_ONE, "one_more": ONE_MORE, "two": CHAPTER_TWO,
        "extra": "# Extra\n\nAn appendix.\n\n```{bibliography}\n:all:\n```\n",
    }
    for name, text in pages.items():
        (book / "book" / f"{name}.md").write_text(text)
    (book / "_toc.yml").write_text(TOC)
    return book


def _build(book: Path, builder: str) -> None:
    result = subprocess.run(
        [Path(sys.executable).parent / "jupyter-book", "build", str(book), "--builder", builder, "--keep-going"],
        check=False, capture_output=True, text=True, cwd=book, timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


@pytest.fixture(scope="module")
def tex(small_book) -> str:
    _build(small_book, "latex")  # LaTeX only: no TeX needed
    body = (small_book / "_build" / "latex" / "wallstreetfeds.tex").read_text()
    return body[body.index("\\begin{document}"):]


def _positions(text: str, *needles: str) -> list[int]:
    found = []
    for needle in needles:
        assert needle in text, needle
        found.append(text.index(needle))
    return found


def test_the_latex_has_front_matter_parts_chapters_and_appendices(tex):
    where = _positions(
        tex, "INTROTEXT", "\\part{First things}", "\\chapter{One}", "\\section{One more}",
        "\\part{Second things}", "\\chapter{Two}", "\\appendix", "\\part*{Appendices}", "\\chapter{Extra}",
    )
    assert where == sorted(where)
    assert tex.count("\\part{") == 2 and tex.count("\\chapter{") == 4  # About this book, One, Two, Extra
    # Sphinx would title the contents with the root page's first caption ("Part I: First things")
    assert "\\renewcommand{\\contentsname}{Contents}\\sphinxtableofcontents" in tex
    front = tex[tex.index("\\setcounter{secnumdepth}{-1}"):where[1]]
    assert f"\\chapter{{{latex_book.FRONT_TITLE}}}" in front and "INTROTEXT" in front


def test_solutions_print_at_the_end_of_their_chapter(tex):
    chapter_one = tex[tex.index("\\chapter{One}"):tex.index("\\part{Second things}")]
    where = _positions(chapter_one, "ASKONE", "AFTERONE", "ASKMORE", "\\section*{Solutions}",
                       "ANSWERONE", "ANSWERMORE")
    assert where == sorted(where)
    assert chapter_one.count("Solution on page") == 2


def _label(key: str) -> str:
    return re.sub(r"\\detokenize\{(.*)\}", r"\1", key)


def test_every_reference_in_the_latex_has_its_label(tex):
    """LaTeX prints "??" for a \\ref to a missing label; a \\hyperref to one links nowhere."""
    defined = [_label(m) for m in re.findall(r"\\label\{((?:\\detokenize\{[^{}]*\})|[^{}]*)\}", tex)]
    labels = set(defined)
    assert len(defined) == len(labels), "a label defined twice: " + str(sorted(
        label for label in labels if defined.count(label) > 1))
    wanted = {_label(m) for m in re.findall(r"\\(?:ref|pageref\*?)\{((?:\\detokenize\{[^{}]*\})|[^{}]*)\}", tex)}
    wanted |= {_label(m) for m in re.findall(r"\\hyperref\[((?:\\detokenize\{[^{}]*\})|[^\]]*)\]", tex)}
    assert wanted, "the small book has references"
    assert wanted <= labels, sorted(wanted - labels)
    chapter_two = tex[tex.index("\\chapter{Two}"):]
    assert "Exercise 1.1" in chapter_two and "Exercise 2.1" in chapter_two, "numbers as in HTML"
    assert "the other one" in chapter_two


def test_the_html_keeps_each_solution_under_its_exercise(small_book, tex):
    _build(small_book, "html")
    html = (small_book / "_build" / "html" / "book" / "one.html").read_text()
    where = _positions(html, "ASKONE", "ANSWERONE", "AFTERONE")
    assert where == sorted(where)
    assert "Solution on page" not in html and latex_book.FRONT_TITLE not in html


# --- the PDF itself (needs TeX and the whole book: `make pdf`) -------------------------------


@pytest.mark.skipif(not PDF.exists() or shutil.which("pdftotext") is None,
                    reason="needs the PDF from `make pdf` (TeX Live, the executed book) and pdftotext")
def test_the_built_pdf_has_no_unresolved_references_or_progress_bars():
    text = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "??" not in text, "an unresolved reference"
    # a tqdm bar's text: "FedAvg:   0%|          | 0/10 [00:00<?, ?it/s]"
    assert not re.search(r"\d+%\|", text) and not re.search(r"\d+/\d+ \[\d\d:\d\d", text), "a progress bar"
    for heading in ("Part I", "Federated learning", "Part IV", "Appendices", "Solutions", latex_book.FRONT_TITLE):
        assert heading in text, heading
