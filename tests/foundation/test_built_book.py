"""The built book (``make book-only`` writes _build/html) is executed and renders offline.

These tests read the HTML that the test command built just before pytest ran, and open the
pages in headless Chromium served from 127.0.0.1 with every other host unresolvable, so math
and widgets must render from the vendored assets alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.foundation.browser import serve
from tests.foundation.test_toc import toc_files

ROOT = Path(__file__).resolve().parents[2]
#: ``CST_REF_HTML`` points the tests at another build (e.g. a few chapters built into /tmp).
HTML = Path(os.environ.get("CST_REF_HTML", ROOT / "_build" / "html"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
INTERACTIVE = "data-cst-interactive"

#: Every test here reads _build/html: ``pytest -m "not book"`` skips them before a build.
pytestmark = pytest.mark.book


def built_page(name: str) -> Path:
    page = HTML / f"{name}.html"
    assert page.exists(), f"{page} is missing: build the book first (make book-only)"
    return page


def chapters() -> list[str]:
    return [f for f in toc_files() if Path(f).name[:2].isdigit()]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Serve _build/html on an ephemeral loopback port."""
    assert HTML.is_dir(), "no _build/html: build the book first (make book-only)"
    with serve(HTML) as origin:
        yield origin


def rendered_dom(url: str) -> str:
    """The DOM after scripts ran, from headless Chromium that can reach only 127.0.0.1."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--virtual-time-budget=15000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_every_toc_page_was_built():
    for name in toc_files():
        built_page(name)


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_was_executed(chapter):
    """Each chapter's code cells ran at build time: its page carries their outputs."""
    html = built_page(chapter).read_text()
    assert 'class="cell_output' in html, f"{chapter} has no executed outputs"
    assert "Traceback (most recent call last)" not in html


def test_pages_load_nothing_from_the_internet():
    external = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"')
    offenders = {
        str(page.relative_to(HTML)): external.findall(page.read_text())
        for page in HTML.rglob("*.html")
    }
    offenders = {page: urls for page, urls in offenders.items() if urls}
    assert not offenders, f"pages load scripts or styles from the internet: {offenders}"


def test_math_renders_offline(server):
    dom = rendered_dom(f"{server}/book/01_why_incentives.html")
    assert dom.count("<mjx-container") >= 5, "MathJax did not typeset the page from the vendored copy"


def works_without_a_kernel(html: str) -> bool:
    """A figure switcher (ipywidgets linked in JavaScript) or a Vega-Lite figure over data
    precomputed at build time (cst_ref.plots.interactive): controls that respond on the static
    page. A plain ``interact`` slider does not count: without a kernel it changes nothing."""
    return INTERACTIVE in html or '"model_name": "LinkModel"' in html or '"model_name":"LinkModel"' in html


def test_every_part_has_an_interactive_widget():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc["parts"]:
        if part.get("numbered"):
            files = [entry["file"] for entry in part["chapters"]]
            assert any(works_without_a_kernel(built_page(f).read_text()) for f in files), (
                f"{part['caption']} has no page with a control that works without a kernel"
            )


def test_interactive_figures_use_the_vendored_vega():
    """Every Vega-Lite figure loads vega from _static/vega/, whose bundles match the versions
    Altair writes its specs for (package.json pins them; a mismatch renders wrongly or not at all)."""
    import altair

    packages = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert packages["vega-lite"] == altair.VEGALITE_VERSION
    assert packages["vega"].split(".")[0] == altair.VEGA_VERSION
    assert packages["vega-embed"].split(".")[0] == altair.VEGAEMBED_VERSION
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        assert (HTML / "_static" / "vega" / name).stat().st_size > 10_000, name
    pages = [c for c in chapters() if INTERACTIVE in built_page(c).read_text()]
    assert len(pages) >= 2  # chapters 2 and 5


def test_widgets_render_offline(server):
    pages = [c for c in chapters() if WIDGET_VIEW in built_page(c).read_text()]
    assert pages, "no chapter embeds a widget"
    for chapter in pages:
        dom = rendered_dom(f"{server}/{chapter}.html")
        assert re.search(r'class="[^"]*widget-(slider|dropdown|hbox|vbox|inline)', dom), (
            f"{chapter}: the embedded widgets did not render from the vendored html-manager"
        )


def widget_state(chapter: str) -> dict[str, dict]:
    """The ipywidgets models a built page embeds (what the browser renders without a kernel)."""
    match = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                      built_page(chapter).read_text(), re.S)
    return json.loads(match.group(1))["state"] if match else {}


def test_switchers_work_without_a_kernel():
    """Every dropdown over precomputed figures is linked in the browser (a LinkModel, run by the
    embed manager) to a stack holding one distinct image per option."""
    switchers = 0
    for chapter in chapters():
        state = widget_state(chapter)
        for model in state.values():
            if model["model_name"] != "LinkModel":
                continue
            (source, attribute), (target, target_attribute) = model["state"]["source"], model["state"]["target"]
            dropdown, stack = state[source.removeprefix("IPY_MODEL_")], state[target.removeprefix("IPY_MODEL_")]
            assert (dropdown["model_name"], attribute) == ("DropdownModel", "index"), chapter
            assert (stack["model_name"], target_attribute) == ("StackModel", "selected_index"), chapter
            images = [state[c.removeprefix("IPY_MODEL_")]["state"]["value"] for c in stack["state"]["children"]]
            assert len(images) == len(dropdown["state"]["_options_labels"]) >= 2, chapter
            assert len(set(images)) == len(images) and all(i.startswith("<img") for i in images), chapter
            switchers += 1
    assert switchers >= 3  # chapters 8, 10 and 12


def test_a_switcher_renders_offline(server):
    dom = rendered_dom(f"{server}/book/10_paper_experiment.html")
    assert re.search(r'class="[^"]*widget-dropdown', dom), "the seed switcher's dropdown did not render"
    assert dom.count('src="data:image/png;base64,') >= 1, "the switcher's figure did not render"
