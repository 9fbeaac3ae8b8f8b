"""The table of contents and the pages under book/ match one to one."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from execute_book import toc_files  # noqa: E402

PAGE_SUFFIXES = (".md", ".ipynb")


def test_every_toc_entry_exists():
    missing = [f for f in toc_files() if not any((ROOT / f"{f}{s}").exists() for s in PAGE_SUFFIXES)]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_every_page_is_in_the_toc():
    listed = set(toc_files())
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*") if p.suffix in PAGE_SUFFIXES}
    assert pages - listed == set(), f"pages under book/ missing from _toc.yml: {sorted(pages - listed)}"


def test_toc_has_no_duplicates():
    files = toc_files()
    assert len(files) == len(set(files))


def test_chapters_are_executable_notebooks():
    """Every numbered chapter is a MyST notebook with a python3 kernel and at least one code cell."""
    for f in toc_files():
        path = ROOT / f"{f}.md"
        if not path.name[:2].isdigit():
            continue
        text = path.read_text()
        assert "kernelspec:" in text and "name: python3" in text, f"{path} lacks the jupytext header"
        assert "```{code-cell} ipython3" in text, f"{path} has no code cell"
        assert "Learning objectives" in text, f"{path} lacks learning objectives"
        assert text.count("```{exercise}") >= 3, f"{path} has fewer than three exercises"
