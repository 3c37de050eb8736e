# The commands the README shows. Everything installs from the package registries into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: venv demo serve test test-postgres lint browser-deps content bench bench-deps load clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

venv: $(STAMP)

instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > instance/config.py
	@echo "Wrote instance/config.py with a new random SECRET_KEY."

## demo: set everything up (venv, install, migrate, seed, demo data) and serve on http://127.0.0.1:5000
demo: venv instance/config.py
	$(BIN)/muni-assess init-db
	$(BIN)/muni-assess seed --demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)  (sign in with a demo login printed above; Ctrl-C to stop)"
	MUNI_ASSESS_SESSION_COOKIE_SECURE=$${MUNI_ASSESS_SESSION_COOKIE_SECURE:-false} $(BIN)/muni-assess run --host $(HOST) --port $(PORT)

# Plain http on this machine: the session cookie cannot be Secure-only here (it is by default in production).
serve: venv instance/config.py
	MUNI_ASSESS_SESSION_COOKIE_SECURE=$${MUNI_ASSESS_SESSION_COOKIE_SECURE:-false} $(BIN)/muni-assess run --host $(HOST) --port $(PORT)

## browser-deps: Debian's Chromium for the real-browser tests (installed when missing and we may)
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "NOTE: /usr/bin/chromium is missing; browser tests will be skipped (CI requires them)."; fi; \
	fi

## test: set up and run the whole suite (SQLite; PostgreSQL too when DATABASE_URL is set)
test: venv browser-deps
	$(BIN)/python -m pytest

test-postgres: venv browser-deps
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

content: venv
	$(BIN)/muni-assess validate-content

## bench: page throughput (gunicorn + wrk), documents, national scale (20,000 towns on PostgreSQL) and the funding
## optimizer, each printing one table (about 20 minutes on 2 cores); run by hand, figures go in the README.
## Throwaway databases are made beside DATABASE_URL (default: the local PostgreSQL) and dropped afterwards.
BENCH_DB = DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
bench: venv bench-deps
	$(BENCH_DB) $(BIN)/python bench/throughput_bench.py
	$(BENCH_DB) $(BIN)/python bench/documents_bench.py
	$(BENCH_DB) $(BIN)/python bench/national_bench.py
	$(BIN)/python bench/funding_bench.py

## bench-deps: wrk for the throughput benchmark (installed when missing and we may, like chromium for the tests)
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's wrk for the throughput benchmark..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: install it (Debian: apt-get install wrk) to run the benchmarks."; exit 1; fi; \
	fi

## load: 50 users autosaving for 60 s on PostgreSQL via gunicorn, then the same while workers are SIGKILLed
load: venv
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python bench/load_autosave.py
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python bench/load_autosave.py --kill-worker

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
