"""The weekly slides (``scripts/slides.py``): MyST turned into plain Markdown, and, on the
built book, one offline reveal.js deck per week of the twelve-week plan."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from tests.foundation.browser import serve
from tests.foundation.test_built_book import HTML, rendered_dom

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import slides  # noqa: E402

COURSE = yaml.safe_load((ROOT / "book" / "course.yml").read_text())


def test_myst_roles_become_plain_markdown():
    glued = {"gap": "0.15175", "runs": "48", "name": "'burn'"}
    text = ("{glue:text}`runs` markets, a gap of {glue:text}`gap:.2f` under {glue:text}`name`; see "
            "{doc}`chapter 9 <09_attacks>`, {term}`free rider`, {ref}`run-ex-1` and {cite}`adams2020uniswapv2`.")
    assert slides.plain(text, glued) == ("48 markets, a gap of 0.15 under burn; see chapter 9, free rider, "
                                         "run-ex-1 and [adams2020uniswapv2].")


def test_directives_are_taken_out_with_their_options_and_bodies():
    text = "Before.\n\n```{exercise}\n:label: a-ex-1\nDo it.\n```\n\nAfter.\n"
    rest, found = slides.directives(text)
    assert "exercise" not in rest and "Before." in rest and "After." in rest
    assert found == [("exercise", "", ":label: a-ex-1\nDo it.\n")]
    assert slides.directive_body(found[0][2]) == "Do it."


def test_a_section_opens_with_its_first_paragraph_cut_at_a_sentence():
    long = "A sentence. " * 100
    assert slides.first_paragraph("\n\nFirst part.\n\nSecond part.") == "First part."
    cut = slides.first_paragraph(long)
    assert cut.endswith(". …") and slides.PARAGRAPH_CHARS <= len(cut) < slides.PARAGRAPH_CHARS + 20


def test_every_problem_is_an_exercise_of_its_week():
    for week in COURSE["twelve_weeks"] + COURSE["six_weeks"]:
        labels = set()
        for chapter in week["chapters"]:
            labels |= set(re.findall(r":label: (\S+)", (ROOT / "book" / f"{chapter}.md").read_text()))
        assert {label for label, _ in week["problems"]} <= labels, week["week"]


@pytest.mark.book
@pytest.mark.parametrize("week", COURSE["twelve_weeks"], ids=lambda w: f"week-{w['week']:02d}")
def test_each_week_has_an_offline_deck_with_its_problem_set(week):
    deck = HTML / "slides" / f"week-{week['week']:02d}.html"
    assert deck.exists(), f"{deck} is missing: make book-only writes the slides after the book"
    html = deck.read_text()
    assert not re.search(r"""(src|href)=["']https?://""", html), "a deck loads something from the internet"
    for asset in re.findall(r"""(?:src|href)=["'](\.\./_static/[^"']+)""", html):
        assert (deck.parent / asset).resolve().exists(), asset
    total = sum(points for _, points in week["problems"])
    assert f"Problem set, week {week['week']} ({total} points)" in html
    assert "<img" in html or "<table" in html, "a week's slides show its figures and tables"
    leftovers = re.findall(r"\{[a-z:-]+\}`|\{solution|\{exercise|:label:", html)
    assert not leftovers, f"MyST the slides did not turn into Markdown: {sorted(set(leftovers))}"


@pytest.mark.book
def test_a_deck_renders_its_slides_and_math_offline():
    with serve(HTML) as origin:
        dom = rendered_dom(f"{origin}/slides/week-05.html")
    assert 'class="reveal' in dom and "slides" in dom
    assert "mjx-container" in dom, "MathJax did not typeset the slides' math"
    assert len(re.findall(r"<section", dom)) > 5
