"""Shared test settings: hypothesis profiles, the repository root, and how the suite runs in
parallel (pytest-xdist) and without a built book."""

from __future__ import annotations

import os
from pathlib import Path

import boa
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

#: titanoboa starts the EVM's clock at the wall clock; pinning it makes every run see the same
#: block times, so deadlines and the TWAP oracle replay identically.
GENESIS_TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z
boa.env.timestamp = GENESIS_TIMESTAMP

# "ci" is the default: no per-example deadline (EVM and torch calls vary with machine load),
# derandomised and without the example database, so that a red run reproduces exactly on any
# machine. "dev" explores more, with fresh randomness and the database.
settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The built book that tests marked ``book`` read (``CST_REF_HTML`` points them at another build).
BOOK_HTML = Path(os.environ.get("CST_REF_HTML", ROOT / "_build" / "html"))
#: ``make pytest`` (what CI runs after ``make book-only``) sets this: without a build the
#: ``book`` tests then fail, as before, instead of skipping, so CI cannot pass on a missing book.
REQUIRE_BOOK = os.environ.get("CST_REF_REQUIRE_BOOK") == "1"

#: Test files that take minutes (the federation's state machine, one test: about half of the
#: suite's serial time). Under xdist they are handed out first, so that the run lasts about as
#: long as the longest of them or the rest divided over the workers, not the rest plus them.
LONGEST_FIRST = ("tests/federation/test_stateful.py",)
#: End-to-end files: processes, a node, a Ray cluster, whole builds. Marked ``integration``:
#: `make test` runs them, `make check` (the unit, contract and parity tests) leaves them out.
INTEGRATION = (
    "tests/experiment/test_cli_run.py",
    "tests/experiment/test_cli_safety.py",
    "tests/flower/test_deployment.py",
    "tests/flower/test_simulation.py",
    "tests/foundation/test_build_fails.py",
    "tests/foundation/test_pdf_build.py",
    "tests/foundation/test_slides.py",
    "tests/foundation/test_student_build.py",
    "tests/node/test_mempool.py",
    "tests/node/test_node.py",
    "tests/node/test_paged_rounds.py",
    "tests/node/test_rpc_backend.py",
    "tests/packaging/test_wheel.py",
)
_missing = [f for f in (*LONGEST_FIRST, *INTEGRATION) if not (ROOT / f).is_file()]
assert not _missing, f"tests/conftest.py names test files that do not exist: {_missing}"


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)  # marks added before `-m` deselects by them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _file(item) in INTEGRATION:
            item.add_marker(pytest.mark.integration)
    # Without a built book the ``book`` tests skip (``pytest`` works before ``make book-only``).
    if not REQUIRE_BOOK and not BOOK_HTML.is_dir():
        skip = pytest.mark.skip(reason=f"no built book at {BOOK_HTML}: run `make book-only` first "
                                       "(make pytest fails here instead of skipping)")
        for item in items:
            if item.get_closest_marker("book") is not None:
                item.add_marker(skip)

    # xdist (`--dist loadfile --no-loadscope-reorder`, pyproject's addopts) hands out whole
    # files in this order; every worker collects, and reorders, alike.
    if hasattr(config, "workerinput"):
        items[:] = ([item for item in items if _file(item) in LONGEST_FIRST]
                    + [item for item in items if _file(item) not in LONGEST_FIRST])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
