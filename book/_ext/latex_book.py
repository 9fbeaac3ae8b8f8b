"""Sphinx extension: the LaTeX build (``make pdf``) is laid out as a book; HTML is untouched.

Sphinx's LaTeX builder inlines every page into the root page where its toctree stands, so the
chapters ended up as sections of the landing page's last section, the parts' captions were
lost, and the numbers differed from the HTML's. Every change below is a post-transform (or a
node only these transforms create) limited to the ``latex`` builder:

- **Structure.** The landing page becomes an unnumbered chapter (:data:`FRONT_TITLE`) before
  the first part; each captioned toctree of the root page becomes a LaTeX ``\\part`` ("Part I:
  Federated learning" prints as Part I, *Federated learning*), its pages chapters numbered on
  through the parts as the HTML numbers them (1-12), a page's own sub-pages staying sections
  where the HTML numbers them (8.10). The part captioned :data:`APPENDIX_CAPTION` starts
  ``\\appendix``: its pages are appendices A, B, ...
- **Progress bars.** A tqdm bar is an ipywidget: a mime bundle whose print fallback is the bar
  as text ("FedAvg: 0%| | 0/10"). Widget bundles and stderr streams are dropped before myst-nb
  picks a bundle's mime type.
- **Solutions.** sphinx-exercise's solutions (folded under their exercise in HTML) move to a
  "Solutions" section at the end of their chapter; each exercise ends with the page of its
  solution, and each solution is titled with its exercise's number ("Solution to Exercise 2.1").
- **References to exercises.** sphinx-exercise labels an exercise in LaTeX as
  ``exercise:<label>`` while ``{ref}`` (turned into ``numref`` by sphinx-exercise) points at
  ``<docname>:<label>``, and ``\\ref`` would print LaTeX's own counter: both printed "??".
  Each exercise gets the label Sphinx looks up, and a reference prints the number Sphinx
  computed for the HTML ("Exercise 2.1") as text.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.texescape import escape as tex_escape

logger = logging.getLogger(__name__)

#: The heading of the landing page's text in print (its own title is the title page's).
FRONT_TITLE = "About this book"
#: The caption of the toctree whose pages are the book's appendices.
APPENDIX_CAPTION = "Appendices"
#: A caption such as "Part II: On-chain": LaTeX numbers the part itself.
PART_CAPTION = re.compile(r"^\s*Part\s+([IVXLC]+)\s*[:.\u2013\u2014-]\s*(?P<title>.+)$")

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# LaTeX for the structure; the landing page's chapter and sections carry no numbers.
FRONT_BEGIN = (
    "\\newcounter{bookmainsecnumdepth}"
    "\\setcounter{bookmainsecnumdepth}{\\value{secnumdepth}}"
    "\\setcounter{secnumdepth}{-1}\n"
)
MAIN_BEGIN = "\\setcounter{secnumdepth}{\\value{bookmainsecnumdepth}}\n"
# An unnumbered section, in the contents in line with the numbered sections' titles.
SOLUTIONS_HEADING = (
    "\\section*{Solutions}\\markright{Solutions}"
    "\\phantomsection\\addcontentsline{toc}{section}{\\protect\\numberline{}Solutions}\n"
)


class latex_anchor(nodes.Element, nodes.Invisible):
    """A ``\\phantomsection\\label{<docname>:<id>}`` for each id in ``anchor_ids``: the label a
    Sphinx reference to that id looks up (``<docname>`` is the page the anchor is printed in)."""


class solution_pointer(nodes.Element):
    """Ends an exercise in print: "Solution on page N", linked to the label sphinx-exercise
    prints at the solution (``<docname>:<label>``)."""


def _visit_anchor(self: Any, node: latex_anchor) -> None:
    self.body.append("".join(self.hypertarget(i, anchor=True) for i in node["anchor_ids"]) + "\n")
    raise nodes.SkipNode


def _visit_pointer(self: Any, node: solution_pointer) -> None:
    target = self.idescape(node["target"])
    self.body.append(
        f"\n\\par{{\\small\\hyperref[{target}]{{Solution on page~\\pageref*{{{target}}}}}}}\\par\n"
    )
    raise nodes.SkipNode


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex, format="latex")


def repair_parents(document: nodes.Element) -> None:
    """Point every node at the parent that holds it.

    ``inline_all_toctrees`` hands a page's top-level nodes to its ``start_of_file`` by assigning
    the children list, so their ``parent`` is still the page's own document: walking up from a
    node inside an inlined page would never reach its ``start_of_file``.
    """
    stack = [document]
    while stack:
        node = stack.pop()
        for child in node.children:
            child.parent = node
            if isinstance(child, nodes.Element):
                stack.append(child)


def _inside(node: nodes.Node, cls: type) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, cls):
            return True
        parent = parent.parent
    return False


def _docname_of(node: nodes.Node, default: str) -> str:
    """The page a node of the assembled tree comes from (its nearest ``start_of_file``)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.start_of_file):
            return parent["docname"]
        parent = parent.parent
    return default


class DropProgressOutputs(SphinxPostTransform):
    """Progress bars and other widgets have no print form: drop them, and stderr streams."""

    default_priority = 3  # before myst-nb's SelectMimeType (4) replaces a bundle by one mime type
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        dropped = drop_progress_outputs(self.document)
        if dropped:
            logger.info("latex_book: dropped %d progress bar or stderr outputs", dropped)


def drop_progress_outputs(document: nodes.Element) -> int:
    """Remove widget mime bundles and stderr streams from ``document``; return how many."""
    repair_parents(document)
    doomed: list[nodes.Element] = []
    for node in document.findall(nodes.container):
        if node.get("nb_element") == "mime_bundle" and any(
            child.get("mime_type") == WIDGET_MIME for child in node.children if isinstance(child, nodes.Element)
        ):
            doomed.append(node)
    doomed.extend(
        node for node in document.findall(nodes.literal_block) if "stderr" in node.get("classes", [])
    )
    for node in doomed:
        node.parent.remove(node)
    for node in list(document.findall(nodes.container)):
        if node.get("nb_element") == "cell_code_output" and not node.children:
            node.parent.remove(node)
    return len(doomed)


class LatexBook(SphinxPostTransform):
    """Parts, chapters and appendices; solutions at the end of each chapter; exercise labels."""

    default_priority = 30  # after sphinx-exercise has titled exercises and solutions (20-22)
    builders = ("latex",)

    def run(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

        root = self.config.root_doc
        docname = self.document.get("docname", self.env.docname)
        if docname == root and any(self.document.findall(addnodes.start_of_file)):
            toctrees = list(self.env.get_doctree(root).findall(addnodes.toctree))
            arrange_book(
                self.document,
                [(t.get("caption"), bool(t.get("numbered")), list(t["includefiles"])) for t in toctrees],
                latex_engine=self.config.latex_engine,
            )
        move_solutions(self.document, docname, solution_node)
        exercise_ids = anchor_exercises(self.document, docname, (exercise_node, exercise_enumerable_node))
        plain_exercise_references(self.document, docname, exercise_ids)


def part_latex(caption: str | None, number: int, latex_engine: str = "xelatex") -> str:
    """The LaTeX that opens the ``number``-th numbered part (1 for Part I)."""
    caption = caption or f"Part {number}"
    match = PART_CAPTION.match(caption)
    if match and _roman(match.group(1)) == number:
        return f"\\part{{{tex_escape(match.group('title').strip(), latex_engine)}}}\n"
    # a caption LaTeX's numbering would contradict: print it as written, still in the contents
    title = tex_escape(caption, latex_engine)
    return f"\\cleardoublepage\\phantomsection\\addcontentsline{{toc}}{{part}}{{{title}}}\\part*{{{title}}}\n"


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for here, after in zip(numeral, numeral[1:] + " "):
        value = values[here]
        total += -value if value < values.get(after, 0) else value
    return total


def arrange_book(
    document: nodes.Element, parts: list[tuple[str | None, bool, list[str]]], latex_engine: str = "xelatex"
) -> None:
    """Lay out the assembled tree of the root page as front matter, parts and appendices.

    ``parts`` are the root page's toctrees in order: (caption, numbered, pages).
    """
    repair_parents(document)
    title_section = next((c for c in document.children if isinstance(c, nodes.section)), None)
    if title_section is None:
        return
    chapters = {
        node["docname"]: node
        for node in list(document.findall(addnodes.start_of_file))
        if not _inside(node, addnodes.start_of_file)
    }
    for node in chapters.values():
        node.parent.remove(node)
    for node in list(document.findall(nodes.compound)):
        if "toctree-wrapper" in node.get("classes", []) and not node.children:
            node.parent.remove(node)

    # The landing page's text (everything after its title) becomes an unnumbered chapter.
    front = nodes.section("", ids=["latex-book-front"], names=[])
    front += nodes.title("", FRONT_TITLE)
    for child in list(title_section.children[1:]):
        title_section.remove(child)
        front += child
    title_section += _raw(FRONT_BEGIN)
    title_section += front
    title_section += _raw(MAIN_BEGIN)

    numbered_parts = 0
    for caption, numbered, pages in parts:
        if caption == APPENDIX_CAPTION:
            title = tex_escape(caption, latex_engine)
            title_section += _raw(
                "\\appendix\n\\cleardoublepage\\phantomsection"
                f"\\addcontentsline{{toc}}{{part}}{{{title}}}\\part*{{{title}}}\n"
            )
        elif caption and numbered:
            numbered_parts += 1
            title_section += _raw(part_latex(caption, numbered_parts, latex_engine))
        elif caption:
            title = tex_escape(caption, latex_engine)
            title_section += _raw(
                f"\\cleardoublepage\\phantomsection\\addcontentsline{{toc}}{{part}}{{{title}}}\\part*{{{title}}}\n"
            )
        for page in pages:
            if page in chapters:
                title_section += chapters.pop(page)
    for leftover in chapters.values():  # pages no toctree of the root lists (none in this book)
        title_section += leftover


def move_solutions(document: nodes.Element, root: str, solution_cls: type) -> None:
    """Move every solution to a "Solutions" section at the end of its chapter.

    A chapter is a page inlined at the top level (a ``start_of_file`` in no other); its
    sub-pages' solutions join its own. Solutions outside chapters stay where they are.
    """
    repair_parents(document)
    chapters = [
        node for node in document.findall(addnodes.start_of_file) if not _inside(node, addnodes.start_of_file)
    ]
    for chapter in chapters:
        solutions = list(chapter.findall(solution_cls))
        if not solutions:
            continue
        sections = [c for c in chapter.children if isinstance(c, nodes.section)]
        end = sections[-1] if sections else chapter
        end += _raw(SOLUTIONS_HEADING)
        groups: dict[str, addnodes.start_of_file] = {}
        for solution in solutions:
            page = solution.get("docname") or _docname_of(solution, root)
            solution.parent.remove(solution)
            if page not in groups:
                # the solution's own page, so labels inside it are the ones its references use
                groups[page] = addnodes.start_of_file(docname=page)
                end += groups[page]
            groups[page] += solution


def anchor_exercises(document: nodes.Element, root: str, exercise_classes: tuple[type, ...]) -> set[str]:
    """Give each exercise the label references look up, and its solution's page; return the
    exercises' ``<docname>:<id>`` keys."""
    repair_parents(document)
    from sphinx_exercise.nodes import solution_node

    solutions: dict[str, str] = {}
    for solution in document.findall(solution_node):
        if solution.get("target_label") and solution.get("label"):
            # the label sphinx-exercise prints at each solution (its page, then its label)
            page = solution.get("docname") or _docname_of(solution, root)
            solutions[solution["target_label"]] = f"{page}:{solution['label']}"
    keys = set()
    for exercise in list(document.findall(lambda n: isinstance(n, exercise_classes))):
        page = _docname_of(exercise, root)
        exercise.parent.insert(exercise.parent.index(exercise), latex_anchor(anchor_ids=list(exercise["ids"])))
        keys.update(f"{page}:{i}" for i in exercise["ids"])
        if exercise.get("label") in solutions:
            exercise += solution_pointer(target=solutions[exercise["label"]])
    return keys


def plain_exercise_references(document: nodes.Element, root: str, exercise_ids: set[str]) -> int:
    """A numbered reference to an exercise prints Sphinx's number as text (LaTeX's ``\\ref``
    would print its own counter); return how many were replaced."""
    repair_parents(document)
    from sphinx_exercise.nodes import exercise_latex_number_reference

    replaced = 0
    for ref in list(document.findall(addnodes.number_reference)):
        if isinstance(ref, exercise_latex_number_reference):
            continue  # sphinx-exercise's own, already printed as text and linked
        if ref.get("refid"):
            key = f"{_docname_of(ref, root)}:{ref['refid']}"
        else:
            key = ref.get("refuri", "")[1:].replace("#", ":", 1)
        if key not in exercise_ids:
            continue
        plain = nodes.reference("", "", *ref.children, internal=True)
        for attr in ("refuri", "refid"):
            if ref.get(attr):
                plain[attr] = ref[attr]
        plain["classes"] = list(ref.get("classes", []))
        ref.replace_self(plain)
        replaced += 1
    return replaced


def setup(app: Any) -> dict[str, Any]:
    for node in (latex_anchor, solution_pointer):
        visit = _visit_anchor if node is latex_anchor else _visit_pointer
        app.add_node(
            node,
            latex=(visit, None),
            html=(_skip, None),
            text=(_skip, None),
            man=(_skip, None),
            texinfo=(_skip, None),
        )
    app.add_post_transform(DropProgressOutputs)
    app.add_post_transform(LatexBook)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
