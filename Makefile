# Two entry points for a fresh machine: `make run` and `make check`.
# Each builds .venv/ from pyproject.toml first when it is missing or older.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run sandbox check redis lint types test bench bench-portal trusted-documents

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/portal-gateway serve

sandbox: $(STAMP)
	$(BIN)/portal-gateway sandbox

check: redis lint types test

# The freshness tests need a real Redis: start one when none answers, or say how in one line.
redis:
	.ci/redis

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) redis
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

bench-portal: $(STAMP)
	$(BIN)/python -m bench.portal_browser

# The web app's documents, as its browser tests send them: browser sessions in production
# may send only these (PORTAL_TRUSTED_DOCUMENTS_ONLY). Run after changing a query of the app.
trusted-documents: $(STAMP)
	PORTAL_REBUILD_TRUSTED_DOCUMENTS=1 $(BIN)/pytest -q tests/browser
