"""Copy the npm-installed browser assets into _vendor/ so the built book needs no CDN.

Sphinx serves _vendor/ as static files (see html_static_path in _config.yml). It is kept
apart from _static/ because Jupyter Book adds every .js file under _static/ to every page.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: node_modules source → folder under _vendor/
ASSETS = {
    "mathjax/es5": "mathjax",
    "@jupyter-widgets/html-manager/dist": "html-manager",
    "requirejs/require.js": "require.js",
    # Interactive figures (cst_ref.plots.interactive): the UMD bundles, loaded through
    # require.js where a page has it (ipywidgets pages) and by plain script tags elsewhere.
    "vega/build/vega.min.js": "vega/vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega/vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega/vega-embed.min.js",
    # The weekly slides (scripts/slides.py): nbconvert's reveal.js template and its jQuery.
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "jquery/dist/jquery.min.js": "jquery.min.js",
}


def main() -> int:
    modules, vendor = ROOT / "node_modules", ROOT / "_vendor"
    missing = [src for src in ASSETS if not (modules / src).exists()]
    if missing:
        print(f"missing npm assets {missing}: run `npm ci` first", file=sys.stderr)
        return 1
    shutil.rmtree(vendor, ignore_errors=True)
    vendor.mkdir()
    for src, dst in ASSETS.items():
        source = modules / src
        if source.is_dir():
            shutil.copytree(source, vendor / dst, ignore=shutil.ignore_patterns("*.map"))
        else:
            (vendor / dst).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, vendor / dst)
    print(f"vendored {len(ASSETS)} assets into {vendor.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
