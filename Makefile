# The two commands a newcomer needs (see README.md):
#   make book   install everything, build the executed book into _build/html
#   make test   install everything, build the executed book, run the whole test suite
# Everything installs from requirements.lock and package-lock.json; nothing else is fetched.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
JB     := $(BIN)/jupyter-book
# Installs are skipped when their lock file did not change (stamp files record the last install).
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
CHROMIUM   ?= /usr/bin/chromium

# LaTeX for `make pdf`, from Debian's TeX Live (XeLaTeX, as sphinx-jupyterbook-latex expects).
TEX_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk xindy fonts-freefont-otf tex-gyre

.PHONY: help install venv assets book book-only book-student format-book test pytest check lint lab lock browser latex pdf benchmarks clean

help:
	@echo "make book    install, then build the executed book into _build/html"
	@echo "make test    install, build the book, run every test (CI runs this)"
	@echo "make check   the fast loop: lint, then the unit, contract and parity tests on 2 workers (needs .venv)"
	@echo "make lint    ruff (lint and format) and mypy on the package"
	@echo "make pytest  every test on 2 workers against the book already built in _build/html"
	@echo "make book-student   the book without its solutions, into _build/student/_build/html"
	@echo "make lab     JupyterLab on the book's notebooks"
	@echo "make pdf     install LaTeX (Debian's TeX Live), build the book as one PDF"
	@echo "make benchmarks   run the benchmark scripts under benchmarks/"
	@echo "make lock    re-resolve requirements.in into requirements.lock and environment.yml"

$(VENV_STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV_STAMP)

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(NODE_STAMP) $(VENV_STAMP)
	$(BIN)/python scripts/vendor_assets.py

install: venv assets

# Pages execute two at a time into the execution cache first (Jupyter Book runs them one by one).
book-only:
	$(BIN)/python scripts/execute_book.py
	$(JB) build . --warningiserror --nitpick --keep-going
	$(BIN)/python scripts/slides.py
	@echo "Book built: open file://$(CURDIR)/_build/html/index.html (weekly slides in _build/html/slides/)"

book: install book-only

# The student edition: the same pages without their solutions (book/_ext/student_build.py),
# rendered from the same execution cache into _build/student/_build/html.
book-student: install
	$(BIN)/python scripts/execute_book.py
	$(BIN)/python scripts/student_config.py
	$(JB) build . --config _config.local-student.yml --path-output _build/student --warningiserror --nitpick --keep-going
	@echo "Student edition built: open file://$(CURDIR)/_build/student/_build/html/index.html"

# Format the chapters' code cells (ruff, 88 columns); tests/foundation/test_code_style.py checks it.
format-book: venv
	$(BIN)/python scripts/format_book.py

browser:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Two pytest-xdist workers (the machine has 2 cores; more only adds contention). `make pytest` is
# the whole suite and needs the built book (CST_REF_REQUIRE_BOOK: fail, not skip, without it);
# `make check` is the developer's loop: no install, no book; the unit, contract and parity tests
# (the `book` and `integration` tests deselected; tests/conftest.py lists the integration files).
PYTEST_WORKERS ?= 2

# --durations: the slowest tests, reported at the end of every run.
pytest:
	CST_REF_REQUIRE_BOOK=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=15

check: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not book and not integration" --durations=15

# The package's lint, format and types (settings in pyproject.toml); the chapters' cells have their own
# formatter (format-book) and test (tests/foundation/test_code_style.py).
lint:
	$(BIN)/python -m ruff check cst_ref
	$(BIN)/python -m ruff format --check cst_ref
	$(BIN)/python -m mypy

test: install browser book-only lint pytest

latex:
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && kpsewhich tgtermes.sty >/dev/null && command -v xindy >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null)

# The PDF reuses the HTML build's execution cache: chapters already executed are not run again.
pdf: install latex
	rm -rf _build/latex  # latexmk would otherwise trust the state a failed run left behind
	$(JB) build . --builder pdflatex --keep-going
	@echo "PDF built: $(CURDIR)/_build/latex/wallstreetfeds.pdf"

lab: install
	$(BIN)/jupyter lab book/

benchmarks: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lock:
	rm -rf /tmp/cst-ref-lock && $(PYTHON) -m venv /tmp/cst-ref-lock
	/tmp/cst-ref-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Fully pinned environment: the source of truth for every install (make venv, Binder, CI)."; \
	  echo "# Generated from requirements.in by \`make lock\`; do not edit by hand."; \
	  /tmp/cst-ref-lock/bin/pip freeze --all --exclude-editable; } > requirements.lock
	$(PYTHON) scripts/make_environment.py

clean:
	rm -rf _build _vendor
