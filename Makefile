# Two entry points for a fresh machine: `make run` and `make check`.
# Each builds .venv/ from pyproject.toml first when it is missing or older.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run sandbox check redis lint types test bench bench-portal bench-events trusted-documents

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# The gateway and one worker beside it, on one Redis and one secret key. Without Redis on
# REDIS_URL (default 127.0.0.1:6379) the gateway runs alone: no events go out.
run: $(STAMP)
	@export REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}"; \
	export PORTAL_SECRET_KEY="$${PORTAL_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))')}"; \
	if $(BIN)/python -c 'import redis, sys; redis.Redis.from_url(sys.argv[1], socket_timeout=1).ping()' "$$REDIS_URL" 2>/dev/null; then \
		$(BIN)/portal-gateway worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/portal-gateway serve; \
	else \
		echo "Redis does not answer on $$REDIS_URL: serving without events (no worker)"; \
		REDIS_URL= $(BIN)/portal-gateway serve; \
	fi

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

# Events out: event-to-delivery latency and subscription fan-out (needs Redis on :6379).
bench-events: $(STAMP)
	$(BIN)/python -m bench.events
