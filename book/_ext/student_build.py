"""Sphinx extension: with ``student_build = True``, the book is built without its solutions.

sphinx-exercise's own ``hide_solutions`` drops a ``{solution}`` directive but leaves the
cells of a gated ``{solution-start}`` … ``{solution-end}`` solution on the page. By the time
a page's doctree is read, sphinx-exercise has gathered those cells into the solution's node,
so removing every solution node removes both kinds whole. The notebooks are untouched: a
student build reuses the execution cache of the main build and executes nothing.
"""

from __future__ import annotations

from typing import Any

from sphinx_exercise.nodes import solution_node


def _drop_solutions(app: Any, doctree: Any) -> None:
    if app.config.student_build:
        for node in list(doctree.findall(solution_node)):
            node.parent.remove(node)


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("student_build", False, "env")
    app.connect("doctree-read", _drop_solutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
