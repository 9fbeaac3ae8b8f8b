"""Every page of the built book, opened in headless Chromium as a reader meets it.

One browser visits every page in _toc.yml once (served from 127.0.0.1, every other host
unresolvable), runs ``page_checks.js`` after MathJax has typeset the page, records every
request and console message, and writes a full-page screenshot to ``_build/screenshots/``
(a build artifact). Each check is then its own test per page, so a failure names the page and
what a reader would see: no title, raw TeX, a broken or unlabelled image, a figure wider than
the column or shrunk until unreadable, clipped code or tables, a request to another host, a
broken internal link or reference, a console error.

``CST_REF_HTML`` points the tests at another build (e.g. one chapter built into /tmp); pages
of _toc.yml missing from such a build are skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.foundation.browser import Browser, serve
from tests.foundation.test_toc import toc_files

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("CST_REF_HTML", ROOT / "_build" / "html"))
SCREENSHOTS = HTML.parent / "screenshots"
CHECKS = (Path(__file__).parent / "page_checks.js").read_text()
#: Wait until MathJax (when the page loads it) has typeset and interactive figures have drawn.
SETTLE = """
(async () => {
  if (document.readyState !== "complete") return false;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const figures = [...document.querySelectorAll("[data-cst-interactive]")];
  return figures.every((f) => f.hasAttribute("data-cst-ready")
                              || !f.querySelector(".cst-interactive-fallback").textContent.startsWith("Loading"));
})()
"""

pytestmark = pytest.mark.book


def pages() -> list[str]:
    names = toc_files()
    if "CST_REF_HTML" in os.environ:
        names = [n for n in names if (HTML / f"{n}.html").exists()]
    return names


@pytest.fixture(scope="module")
def reports() -> Iterator[dict[str, dict]]:
    """Open every page once; what each page showed and did, keyed by page name."""
    assert HTML.is_dir(), f"no {HTML}: build the book first (make book-only)"
    results: dict[str, dict] = {}
    with serve(HTML) as origin, Browser() as browser:
        page = browser.new_page()
        for name in pages():
            if not (HTML / f"{name}.html").exists():
                continue
            page.goto(f"{origin}/{name}.html", settle=SETTLE)
            page.drain(0.3)  # late requests (fonts, images) and console messages
            report = page.evaluate(CHECKS)
            page.screenshot(SCREENSHOTS / f"{Path(name).name}.png")
            report["requests"] = list(page.log.requests)
            report["failed"] = list(page.log.failed)
            report["errors"] = list(page.log.errors)
            report["origin"] = origin
            results[name] = report
        page.close()
    yield results


def report_for(reports: dict[str, dict], name: str) -> dict:
    assert name in reports, f"{name}.html was not built"
    return reports[name]


@pytest.mark.parametrize("name", pages())
def test_page_opens_with_a_title(reports, name):
    assert report_for(reports, name)["title"], f"{name}: no <h1> title"


@pytest.mark.parametrize("name", pages())
def test_math_is_typeset(reports, name):
    report = report_for(reports, name)
    assert not report["raw"], f"{name}: raw $ or TeX in the visible text: {report['raw']}"
    assert not report["mathErrors"], f"{name}: MathJax errors: {report['mathErrors']}"


@pytest.mark.parametrize("name", pages())
def test_images_load_and_have_alt_text(reports, name):
    report = report_for(reports, name)
    assert not report["broken"], f"{name}: images that did not load: {report['broken']}"
    assert not report["noAlt"], f"{name}: images without alt text: {report['noAlt']}"


@pytest.mark.parametrize("name", pages())
def test_figures_fit_the_text_column(reports, name):
    report = report_for(reports, name)
    assert not report["wide"], f"{name}: wider than the text column: {report['wide']}"


@pytest.mark.parametrize("name", pages())
def test_figures_are_drawn_for_the_column(reports, name):
    """A figure drawn much wider than the column is scaled down until its labels and legend
    are unreadable (chapter 2's histograms had 6 px legends): draw it ~7 in at 100 dpi."""
    report = report_for(reports, name)
    assert not report["shrunk"], f"{name}: figures shrunk to fit: {report['shrunk']}"


@pytest.mark.parametrize("name", pages())
def test_wide_code_and_tables_scroll(reports, name):
    report = report_for(reports, name)
    assert not report["clipped"], f"{name}: content cut off without a scrollbar: {report['clipped']}"


@pytest.mark.parametrize("name", pages())
def test_code_and_outputs_need_no_sideways_scroll(reports, name):
    """Chapter 3 had 11 of its 11 code cells scrolling sideways and chapter 5 cut its printed
    reserves: code is formatted to 88 columns (test_code_style.py), set in a font that fits
    them, and printed output must fit too."""
    report = report_for(reports, name)
    assert not report["sideways"], f"{name}: lines a reader must scroll to read: {report['sideways']}"


@pytest.mark.parametrize("name", pages())
def test_page_requests_only_the_local_server(reports, name):
    report = report_for(reports, name)
    foreign = [u for u in report["requests"]
               if not (u.startswith(report["origin"]) or u.startswith(("data:", "blob:", "about:")))]
    assert not foreign, f"{name}: requests to other hosts: {foreign}"
    assert not report["failed"], f"{name}: failed requests: {report['failed']}"


@pytest.mark.parametrize("name", pages())
def test_no_console_errors(reports, name):
    report = report_for(reports, name)
    assert not report["errors"], f"{name}: console errors: {report['errors']}"


_ids: dict[Path, set[str]] = {}


def anchors(path: Path) -> set[str]:
    if path not in _ids:
        _ids[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(errors="replace")))
    return _ids[path]


@pytest.mark.parametrize("name", pages())
def test_internal_links_and_references_resolve(reports, name):
    report = report_for(reports, name)
    broken = []
    for href in set(report["links"]):
        parts = urlsplit(href)
        target = HTML / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{href} (no such file)")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(target):
            broken.append(f"{href} (no #{parts.fragment} in {target.name})")
    assert not broken, f"{name}: broken internal links: {sorted(broken)}"
    assert not report["unresolved"], f"{name}: unresolved references: {report['unresolved']}"


def test_every_page_has_a_screenshot(reports):
    missing = [n for n in reports if not (SCREENSHOTS / f"{Path(n).name}.png").exists()]
    assert not missing
