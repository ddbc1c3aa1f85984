# Porchlight — two commands on a fresh machine: `make run` and `make test`.
# Everything installs into .venv from PyPI; nothing else is needed but Python 3.11.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DISTS  := libs/events libs/kit services/intake services/synthesis services/projects services/layers services/dashboard
EDITABLE := $(foreach d,$(DISTS),-e $(d))

.PHONY: install chromium run test lint format bench eval docs clean

$(STAMP): $(foreach d,$(DISTS),$(d)/pyproject.toml) requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(EDITABLE) -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) chromium ## venv, editable installs of every lib and service, dev tools, chromium

# The browser tests (tests/ui) drive Debian's chromium through Playwright, which never downloads a
# browser. Without apt-get this only warns: the browser tests then FAIL (never skip), loudly.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests (tests/ui)"; \
	  s=""; [ "$$(id -u)" = 0 ] || s="sudo -n"; \
	  $$s apt-get install -y chromium >/dev/null 2>&1 || { $$s apt-get update -q >/dev/null && $$s apt-get install -y chromium >/dev/null; } \
	    || echo "WARNING: apt-get could not install chromium: the browser tests (tests/ui) will fail"; \
	else echo "WARNING: no /usr/bin/chromium and no apt-get: the browser tests (tests/ui) will fail"; fi

run: install ## standalone mode: embedded PostgreSQL + broker, every service; the demo city on an empty database
	PORCHLIGHT_DASHBOARD_DEMO_ON_EMPTY=$${PORCHLIGHT_DASHBOARD_DEMO_ON_EMPTY:-true} \
	  PORCHLIGHT_LAYERS_DEMO_ON_EMPTY=$${PORCHLIGHT_LAYERS_DEMO_ON_EMPTY:-true} $(BIN)/porchlight run

test: install ## every test, on real embedded PostgreSQL and broker
	$(BIN)/python -m pytest

lint: install ## ruff (lint, format check) + mypy (libs/ with --strict's flags, see pyproject.toml); CI runs it
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/events/src libs/kit/src services/*/src

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install ## benchmarks and load generators (not part of make test)
	bash bench/run_all.sh

eval: install ## model quality on the labeled data in ../shared/data (synthesis, issue 4)
	$(BIN)/porchlight eval --data ../shared/data/topics_dev.csv --data ../shared/data/sentiment_dev.csv --train ../shared/data/topics_dev.csv

docs: install ## regenerate docs/asyncapi.yaml and docs/schemas/ from the event catalog
	$(BIN)/python -m porchlight.events.asyncapi --docs docs

clean:
	rm -rf $(VENV) .porchlight .pytest_cache .mypy_cache .ruff_cache tests/artifacts
