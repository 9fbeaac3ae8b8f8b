"""Execute the book's notebook pages two at a time into the build's execution cache.

Jupyter Book 1 executes pages one after another while it reads them (its command line runs
Sphinx in one process), so on a 2-core machine a clean build waits for every chapter in turn.
This runs them in parallel (jupyter-cache's ``local-parallel`` executor, one process per core)
into the same cache, read the same way as myst-nb reads them, so the build that follows finds
every page already executed and only renders. A page that fails here is left to the build,
which executes it again and fails with the page's traceback.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor

ROOT = Path(__file__).resolve().parent.parent
#: Pages that report on the others' execution (the course plan's compute times): run after them.
LAST = ("course_plan",)
#: How myst-nb reads a MyST Markdown notebook (its jupyter-cache reader plugin).
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}
#: One JSON line per figure the executed pages drew (``scripts/figure_text_probe.py``).
FIGURE_TEXT_LOG = ROOT / "_build" / "figure_text.jsonl"


def probe_figure_text(ipython_dir: Path) -> None:
    """Kernels started from now on log their figures' text sizes into :data:`FIGURE_TEXT_LOG`."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "figure_text_probe.py", startup / "00-figure-text.py")
    FIGURE_TEXT_LOG.parent.mkdir(parents=True, exist_ok=True)
    FIGURE_TEXT_LOG.write_text("")
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    os.environ["CST_REF_FIGURE_TEXT_LOG"] = str(FIGURE_TEXT_LOG)


def toc_files(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page the table of contents lists, root first (paths without suffix)."""
    data = yaml.safe_load(toc.read_text())
    files, stack = [data["root"]], list(data.get("parts", [])) + list(data.get("chapters", []))
    while stack:
        entry = stack.pop()
        if "file" in entry:
            files.append(entry["file"])
        stack.extend(entry.get("chapters", []) + entry.get("sections", []))
    return files


def notebook_pages() -> list[Path]:
    """The listed pages that are notebooks (a kernelspec in their front matter)."""
    pages = [ROOT / f"{name}.md" for name in toc_files()]
    return [page for page in pages if page.exists() and "\nkernelspec:" in page.read_text().split("\n---", 1)[0]]


def main() -> int:
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import kernel_encryption  # the kernels started here talk to their clients as the build's do

    kernel_encryption.setup(None)
    with tempfile.TemporaryDirectory(prefix="cst-ref-ipython-") as ipython_dir:
        probe_figure_text(Path(ipython_dir))
        return execute()


def execute() -> int:
    """Every notebook page into the cache, two at a time, the pages in ``LAST`` after the rest."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]
    cache = get_cache(str(ROOT / config["cache"]))
    pages = [str(page) for page in notebook_pages()]
    for page in pages:
        cache.add_nb_to_project(page, read_data=MYST_READER)
    started = time.perf_counter()
    last = [page for page in pages if Path(page).stem in LAST]
    executor = load_executor("local-parallel", cache)
    succeeded, failed = [], []
    for batch in ([page for page in pages if page not in last], last):
        result = executor.run_and_cache(filter_uris=batch, timeout=config["timeout"],
                                        allow_errors=config["allow_errors"])
        succeeded += result.succeeded
        failed += result.excepted + result.errored
    print(f"executed {len(succeeded)} of {len(pages)} pages in {time.perf_counter() - started:.0f} s"
          + (f"; left to the build, which will report why: {failed}" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
