# zoomaudit: the two commands a new user needs are `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: install bytecode demo test lint typecheck unit bench browser-deps postgres-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Bytecode for the sources, as a wheel install has (an editable install has none, and with
# PYTHONDONTWRITEBYTECODE set every run would compile the package again).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src/zoomaudit >/dev/null

install: $(STAMP)

# Debian's Chromium for the web console's browser tests (Playwright drives it by path; no browser download).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's PostgreSQL server for the store tests on PostgreSQL; the tests start their own
# throwaway server (as the postgres user when run as root) and never touch a cluster of the machine's.
postgres-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

demo: $(STAMP) bytecode
	$(BIN)/zoomaudit demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	ZOOMAUDIT_TEST_POSTGRES=require $(BIN)/pytest -q

test: $(STAMP) browser-deps postgres-deps lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
