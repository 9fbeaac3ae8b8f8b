"""Every interactive control of the built book responds on the static page, without a kernel.

Headless Chromium (tests/foundation/browser.py) opens each page that has a control, moves it
as a reader would (sets the range input or picks a dropdown option and fires the events the
browser would fire), and checks that the figure or the number on the page changed:

- chapter 2: the Dirichlet label histograms (sliders log10 α and seed),
- chapter 5: the quote of a sale (sliders trade size and slippage tolerance; the tolerance
  changes only the min_out line),
- chapters 8, 10 and 12: the ipywidgets figure switchers (dropdown → shown image).

``CST_REF_HTML`` points the tests at another build; pages missing from it are skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.foundation.browser import Browser, Page, serve

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("CST_REF_HTML", ROOT / "_build" / "html"))
SWITCHER_PAGES = ["book/08_investing", "book/10_paper_experiment", "book/12_real_chain"]

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def open_page() -> Iterator:
    assert HTML.is_dir(), f"no {HTML}: build the book first (make book-only)"
    with serve(HTML) as origin, Browser() as browser:
        page = browser.new_page()

        def visit(name: str, settle: str) -> Page:
            if "CST_REF_HTML" in os.environ and not (HTML / f"{name}.html").exists():
                pytest.skip(f"{name} is not in {HTML}")
            page.goto(f"{origin}/{name}.html", settle=settle)
            return page

        yield visit
        page.close()


VEGA_READY = "document.querySelector('[data-cst-interactive][data-cst-ready]') !== null"


def vega_state(page: Page) -> dict:
    """What the interactive figure shows now: its SVG's marks and texts."""
    return page.evaluate("""(async () => {
      const figure = document.querySelector("[data-cst-interactive][data-cst-ready]");
      await figure.cstView.runAsync();
      const svg = figure.querySelector("svg");
      return {marks: [...svg.querySelectorAll("path, rect")]
        .map((m) => `${m.getAttribute("d") || ""}@${m.getAttribute("transform") || ""}`).join("|"),
              text: [...svg.querySelectorAll("text")].flatMap((t) => {
                const lines = [...t.querySelectorAll("tspan")];  // a multi-line text mark
                return lines.length ? lines.map((l) => l.textContent) : [t.textContent];
              }).join("\\n")};
    })()""")


def move_slider(page: Page, name: str, value: float) -> None:
    """Set the range input bound to Vega parameter ``name`` and fire input and change."""
    moved = page.evaluate(f"""(() => {{
      const input = document.querySelector('[data-cst-interactive] input[type=range][name={json.dumps(name)}]');
      if (!input) return false;
      input.value = {json.dumps(str(value))};
      input.dispatchEvent(new Event("input", {{bubbles: true}}));
      input.dispatchEvent(new Event("change", {{bubbles: true}}));
      return true;
    }})()""")
    assert moved, f"no slider bound to {name!r}"


def test_dirichlet_sliders_change_the_histograms(open_page):
    page = open_page("book/02_federated_learning", VEGA_READY)
    loading_errors = list(page.log.errors)  # test_pages_in_browser reports those
    start = vega_state(page)
    assert "Dirichlet α = 0.5" in start["text"], start["text"]
    move_slider(page, "log_alpha", 2)
    iid = vega_state(page)
    assert iid["marks"] != start["marks"] and "Dirichlet α = 100" in iid["text"]
    move_slider(page, "seed", 3)
    reseeded = vega_state(page)
    assert reseeded["marks"] != iid["marks"] and "seed 3" in reseeded["text"]
    assert page.log.errors == loading_errors, "moving the controls logged errors"


def test_quote_sliders_change_the_quote(open_page):
    page = open_page("book/05_amm", VEGA_READY)
    loading_errors = list(page.log.errors)
    start = vega_state(page)
    assert "(1.00 % of the reserve)" in start["text"] and "moves > 0.50 %" in start["text"], start["text"]
    move_slider(page, "log_size", 1)
    bigger = vega_state(page)
    assert "(10.00 % of the reserve)" in bigger["text"], bigger["text"]
    assert bigger["marks"] != start["marks"]  # the point moved along the curve
    lines = dict(zip(("sell", "receive", "impact", "min_out"), bigger["text"].splitlines()[-4:]))
    move_slider(page, "tolerance_bps", 300)
    looser = vega_state(page)
    new_lines = dict(zip(("sell", "receive", "impact", "min_out"), looser["text"].splitlines()[-4:]))
    assert new_lines["min_out"] != lines["min_out"] and "moves > 3.00 %" in new_lines["min_out"]
    assert [new_lines[k] for k in ("sell", "receive", "impact")] == [lines[k] for k in ("sell", "receive", "impact")]
    assert page.log.errors == loading_errors, "moving the controls logged errors"


SWITCHER_READY = "document.querySelector('.widget-dropdown select') !== null"
SHOWN_IMAGE = """(() => {
  const box = document.querySelector('.widget-dropdown').parentElement.closest('.widget-vbox');
  const shown = [...box.querySelectorAll('img')].filter((i) => i.offsetParent !== null && i.naturalWidth > 0);
  return shown.map((i) => i.src.slice(-200)).join('|');
})()"""


@pytest.mark.parametrize("name", SWITCHER_PAGES)
def test_figure_switcher_changes_the_figure(open_page, name):
    page = open_page(name, SWITCHER_READY)
    loading_errors = list(page.log.errors)
    before = page.wait_for(SHOWN_IMAGE)
    options = page.evaluate("document.querySelector('.widget-dropdown select').options.length")
    assert options >= 2
    page.evaluate("""(() => {
      const select = document.querySelector('.widget-dropdown select');
      select.selectedIndex = select.options.length - 1;
      select.dispatchEvent(new Event('change', {bubbles: true}));
    })()""")
    after = page.wait_for(f"(() => {{ const s = {SHOWN_IMAGE}; return s && s !== {json.dumps(before)} ? s : ''; }})()")
    assert after and after != before
    assert page.log.errors == loading_errors, "moving the controls logged errors"
