"""Interactive figures that work on the static page: Vega-Lite over data precomputed at build time.

A slider wired to Python (ipywidgets ``interact``) needs a kernel, and the built book has none:
on the static page such a slider moves and nothing changes. Here the Python side computes the
result for every position of every control once, while the book is built, and hands the whole
table to a Vega-Lite spec (written with Altair) whose parameters are bound to HTML range inputs;
moving a control filters the precomputed table in the browser. Two sliders need a 2-D grid,
which a filter on ``datum.a == a && datum.b == b`` handles without any extra code.

The JavaScript (vega, vega-lite, vega-embed) is vendored from npm into ``_vendor/vega/`` by
``scripts/vendor_assets.py`` and served as ``_static/vega/`` (``html_static_path``), so the
page needs no CDN. Pages that embed ipywidgets also load require.js; UMD bundles loaded by a
plain ``<script>`` after require.js register as anonymous AMD modules and fail ("Mismatched
anonymous define()"), so the loader asks require.js for them when it is present and uses plain
script tags only when it is not.

In JupyterLab (Binder) the vendored files are not on the server; the figure then says so and
the chapter's live ``interact`` cell is the kernel-backed equivalent.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from typing import Any

#: Where the vendored bundles are served, relative to the book's root (see _config.yml).
VEGA_STATIC = "_static/vega/"
#: Marker attribute on the figure's container: tests and the "every part has a widget" check
#: look for it.
MARKER = "data-cst-interactive"
#: Smallest text on an interactive figure, in CSS px: the body's small print. The page shows a
#: chart at its own size, and Vega-Lite's defaults (10 px axis and legend labels, 11 px their
#: titles) are smaller, so every figure gets these unless its spec sets its own.
TEXT_PX = 12
READABLE_TEXT = {
    "axis": {"labelFontSize": TEXT_PX, "titleFontSize": TEXT_PX},
    "legend": {"labelFontSize": TEXT_PX, "titleFontSize": TEXT_PX},
    "header": {"labelFontSize": TEXT_PX, "titleFontSize": TEXT_PX},
    "title": {"fontSize": TEXT_PX + 2},
    "text": {"fontSize": TEXT_PX},
}

_LOADER = """
(function () {
  var el = document.getElementById(%(id)s);
  var spec = JSON.parse(document.getElementById(%(spec_id)s).textContent);
  var root = document.documentElement.getAttribute("data-content_root");
  if (root === null) root = (window.DOCUMENTATION_OPTIONS || {}).URL_ROOT;
  function fail(error) {
    if (error) console.error("interactive figure " + el.id + " did not render:", error);
    el.querySelector(".cst-interactive-fallback").textContent =
      "This interactive figure runs in the built book. With a live kernel, run the interactive cell below it.";
  }
  if (root === undefined || root === null) { fail(null); return; }  // not in the built book
  var base = root + %(static)s;
  if (!window.cstVegaEmbed) {
    window.cstVegaEmbed = new Promise(function (resolve, reject) {
      if (typeof window.define === "function" && window.define.amd && window.requirejs) {
        window.requirejs.config({paths: {"vega": base + "vega.min", "vega-lite": base + "vega-lite.min",
                                         "vega-embed": base + "vega-embed.min"}});
        window.requirejs(["vega-embed"], resolve, reject);
        return;
      }
      var files = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"];
      (function next(i) {
        if (i === files.length) { resolve(window.vegaEmbed); return; }
        var script = document.createElement("script");
        script.src = base + files[i];
        script.onload = function () { next(i + 1); };
        script.onerror = reject;
        document.head.appendChild(script);
      })(0);
    });
  }
  window.cstVegaEmbed
    .then(function (vegaEmbed) { return vegaEmbed(el.querySelector(".cst-interactive-view"), spec,
                                                   {renderer: "svg", actions: false}); })
    .then(function (result) {
      el.cstView = result.view;
      el.querySelector(".cst-interactive-fallback").remove();
      el.setAttribute("data-cst-ready", "1");
    }, fail);
})();
"""


class InteractiveFigure:
    """A Vega-Lite spec shown as HTML that renders, controls included, on a page without a kernel.

    ``description`` becomes the figure's accessible label and its ``text/plain`` form, which is
    what the PDF prints in its place.
    """

    def __init__(self, spec: Mapping[str, Any], description: str) -> None:
        if not description.strip():
            raise ValueError("description must say what the figure shows (it is the accessible label)")
        if "$schema" not in spec:
            raise ValueError("spec must be a complete Vega-Lite spec (no $schema found)")
        self.spec = dict(spec)
        self.spec.setdefault("description", description)
        config = dict(self.spec.get("config", {}))
        for part, sizes in READABLE_TEXT.items():
            config[part] = {**sizes, **config.get(part, {})}
        self.spec["config"] = config
        self.description = description

    @classmethod
    def from_chart(cls, chart: Any, description: str) -> InteractiveFigure:
        """From an Altair chart (validated against Vega-Lite's schema by ``to_dict``)."""
        return cls(chart.to_dict(), description)

    @property
    def element_id(self) -> str:
        digest = hashlib.sha256(json.dumps(self.spec, sort_keys=True).encode()).hexdigest()[:12]
        return f"cst-vega-{digest}"

    def to_html(self) -> str:
        element = self.element_id
        spec = json.dumps(self.spec, separators=(",", ":")).replace("</", "<\\/")
        loader = _LOADER % {
            "id": json.dumps(element),
            "spec_id": json.dumps(f"{element}-spec"),
            "static": json.dumps(VEGA_STATIC),
        }
        label = html.escape(self.description, quote=True)
        return (
            f'<div id="{element}" class="cst-interactive" {MARKER}="vega-lite" role="figure" '
            f'aria-label="{label}">'
            f'<div class="cst-interactive-view"></div>'
            f'<p class="cst-interactive-fallback">Loading the interactive figure…</p>'
            f'<script type="application/json" id="{element}-spec">{spec}</script>'
            f"<script>{loader}</script></div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "text/plain": f"[Interactive figure in the HTML book: {self.description}]"}
