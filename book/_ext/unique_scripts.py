"""Sphinx extension: each page loads each script once.

sphinx-thebe and sphinx-togglebutton register their inline settings (``const THEBE_JS_URL =
...``) on every ``env-before-read-docs`` event, and myst-nb's execution table makes Sphinx read
twice, so every page declared the same ``const`` twice: a SyntaxError in the browser console.
Dropping repeats of the same script (same file or same inline body) fixes it for any extension.
"""

from __future__ import annotations

from typing import Any


def _drop_repeats(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # an inline script's filename is None or "", depending on how it was added
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


def setup(app: Any) -> dict[str, Any]:
    # Early: Sphinx stops calling html-page-context handlers once one returns a template name.
    app.connect("html-page-context", _drop_repeats, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
