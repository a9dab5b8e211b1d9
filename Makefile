# The two commands: `make run` and `make test`. Each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

LOCAL_ENV := REGISTRY_ENV=development

.PHONY: help run test demo-code lint assets install chromium tools bench load security-scan clean

help:
	@echo "make run    set up and serve the registry on http://127.0.0.1:$(PORT) with demo data"
	@echo "make test   set up and run the whole test suite (SQLite, PostgreSQL, Chromium)"
	@echo "make lint   ruff"
	@echo "make load   locust against gunicorn on SQLite and on two servers sharing PostgreSQL; checks no 5xx, no lost writes (LOAD_SECONDS)"
	@echo "make security-scan  sqlmap on every list and search page's parameters, SQLite and PostgreSQL (slow)"
	@echo "make bench  benchmarks at 1k and 1M agreements on SQLite and PostgreSQL (BENCH_SIZES, BENCH_DB; slow)"

$(STAMPS):
	@mkdir -p $(STAMPS)

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMPS)/python-deps: requirements.txt requirements-dev.txt | $(BIN)/python $(STAMPS)
	@echo "==> Installing pinned Python packages"
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(STAMPS)/python-deps

node_modules/.package-lock.json: package.json package-lock.json
	@echo "==> Installing pinned front-end packages"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/registry.css: node_modules/.package-lock.json static/scss/registry.scss static/copy-assets.mjs
	@echo "==> Building the stylesheet and copying GOV.UK Frontend assets"
	npm run --silent build

assets: static/dist/registry.css

chromium:
	@bash scripts/ensure-chromium.sh

tools:
	@bash scripts/ensure-tools.sh

run: install assets
	@mkdir -p instance
	@echo "==> Migrating the database"
	@$(LOCAL_ENV) $(BIN)/flask --app wsgi db upgrade
	@$(LOCAL_ENV) $(BIN)/flask --app wsgi registry init-signing-key
	@$(LOCAL_ENV) $(BIN)/flask --app wsgi registry load-demo
	@$(LOCAL_ENV) $(BIN)/flask --app wsgi registry demo-sign-ins
	@echo "==> Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	@$(LOCAL_ENV) $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

# the current two-factor code of a demo account (local runs only)
demo-code: install
	@$(LOCAL_ENV) $(BIN)/flask --app wsgi registry demo-code $(EMAIL)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install assets chromium tools
	@echo "==> Lint"
	$(BIN)/ruff check .
	@echo "==> Tests (unit and integration on SQLite and PostgreSQL, browser in Chromium)"
	bash scripts/with-postgres.sh $(BIN)/pytest

# the scale benchmark (bench/scale.py; docs/PERFORMANCE.md) and then the documents benchmark.
# Seeded databases are cached (bench/data/, PostgreSQL databases registry_bench_<size>).
BENCH_SIZES ?= 1000,1000000
BENCH_DB ?= sqlite,postgresql

$(STAMPS)/bench-deps: requirements-bench.txt $(STAMPS)/python-deps
	@echo "==> Installing the benchmark's client packages"
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

bench: install $(STAMPS)/bench-deps
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = "0" ]; then echo "==> Installing wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else echo "Install the Debian package wrk for the benchmark" >&2; exit 1; fi; }
	BENCH_SIZES=$(BENCH_SIZES) BENCH_DB=$(BENCH_DB) bash scripts/with-postgres.sh $(BIN)/python -m bench.scale
	$(BIN)/python -m bench.documents

# load and security checks (docs/LOAD-AND-SCAN.md): not part of `make test`; results in bench/results/
$(STAMPS)/load-deps: requirements-load.txt $(STAMPS)/python-deps
	@echo "==> Installing the load-test tool (locust)"
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-load.txt
	@touch $@

load: install $(STAMPS)/load-deps
	bash scripts/with-postgres.sh $(BIN)/python scripts/load/run.py

security-scan: install
	bash scripts/security_scan.sh

clean:
	rm -rf $(STAMPS) static/dist
