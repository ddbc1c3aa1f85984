# Porchlight — two commands on a fresh machine: `make run` and `make test`.
# Everything installs into .venv from PyPI; nothing else is needed but Python 3.11.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DISTS  := libs/events libs/kit services/intake services/synthesis services/projects services/layers services/dashboard
EDITABLE := $(foreach d,$(DISTS),-e $(d))

.PHONY: install chromium promtool run test lint format bench eval docs lock sbom clean

$(STAMP): $(foreach d,$(DISTS),$(d)/pyproject.toml) requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(EDITABLE) -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) chromium promtool ## venv, editable installs of every lib and service, dev tools, chromium, promtool

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

# The alert rules' unit tests (tests/deploy/test_monitoring.py) run Prometheus' promtool. Debian's
# `prometheus` package ships it (a static binary): it is downloaded, not installed, and unpacked into
# .venv/bin, so neither a server nor root is needed. Without apt-get this only warns: those tests then
# FAIL (never skip), loudly.
promtool: $(STAMP)
	@if [ -x $(BIN)/promtool ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then \
	  echo "unpacking Debian's promtool into $(BIN) for the alert rules' tests (tests/deploy)"; \
	  d=$$(mktemp -d); s=""; [ "$$(id -u)" = 0 ] || s="sudo -n"; \
	  { cp /var/cache/apt/archives/prometheus_*.deb $$d/ 2>/dev/null \
	    || (cd $$d && apt-get download prometheus >/dev/null 2>&1) \
	    || { $$s apt-get update -q >/dev/null && (cd $$d && apt-get download prometheus >/dev/null 2>&1); }; } \
	  && dpkg -x "$$(ls $$d/prometheus_*.deb | tail -n 1)" $$d/x && cp $$d/x/usr/bin/promtool $(BIN)/promtool \
	    || echo "WARNING: could not get Debian's prometheus package: the alert rules' tests (tests/deploy) will fail"; \
	  rm -rf $$d; \
	else echo "WARNING: no apt-get: no promtool, so the alert rules' tests (tests/deploy) will fail"; fi

# With no SMTP relay set, the demo's mail (confirmations, newsletters) goes into a Maildir under the
# data directory instead of waiting in the queue: nothing leaves the machine.
run: install ## standalone mode: embedded PostgreSQL + broker, every service; the demo city on an empty database
	PORCHLIGHT_DASHBOARD_DEMO_ON_EMPTY=$${PORCHLIGHT_DASHBOARD_DEMO_ON_EMPTY:-true} \
	  PORCHLIGHT_LAYERS_DEMO_ON_EMPTY=$${PORCHLIGHT_LAYERS_DEMO_ON_EMPTY:-true} \
	  PORCHLIGHT_INTAKE_MAIL_DIR=$${PORCHLIGHT_INTAKE_MAIL_DIR:-$${PORCHLIGHT_DATA_DIR:-.porchlight}/mail} $(BIN)/porchlight run

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

eval: install ## model quality on the labeled data in ../shared/data (synthesis, issues 4 and 17)
	@echo "== A city's first day: the taxonomy alone (no labels learned), and topic shares on 200 random districts =="
	$(BIN)/porchlight eval --data ../shared/data/topics_dev.csv --bags 200 --bag-size 150
	@echo "== With the labeled rows learned (5-fold cross-validation), and topic shares on 200 random districts =="
	$(BIN)/porchlight eval --data ../shared/data/topics_dev.csv --data ../shared/data/sentiment_dev.csv --train ../shared/data/topics_dev.csv --bags 200 --bag-size 150

docs: install ## regenerate docs/asyncapi.yaml and docs/schemas/ from the event catalog
	$(BIN)/python -m porchlight.events.asyncapi --docs docs

# The images install from these lock files (deploy/docker/Dockerfile: pip --require-hashes --no-deps),
# one per service: every runtime dependency of libs/events, libs/kit and the service, pinned with its
# hashes, for the image's Python (3.11, Linux). Run after changing a pyproject.toml's dependencies;
# tests/deploy/test_ops_supply_chain.py fails until then. torch is left out (with the CUDA packages
# PyPI's torch wheel asks for): the synthesis image installs the pinned CPU build from PyTorch's index.
LOCK_SERVICES := intake synthesis projects layers dashboard
LOCK_DIR      := deploy/docker/requirements
LOCK_OMIT     := porchlight-events porchlight-kit $(foreach s,$(LOCK_SERVICES),porchlight-$(s)) torch triton
lock: install ## the image's lock files (uv pip compile with hashes), from the pyproject.toml files
	@mkdir -p $(LOCK_DIR)
	@for s in $(LOCK_SERVICES); do \
	  lock_one() { printf './libs/events\n./libs/kit\n./services/%s\n' $$s | $(BIN)/uv pip compile - --quiet \
	    --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	    --custom-compile-command "make lock" $(foreach p,$(LOCK_OMIT),--no-emit-package $(p)) "$$@" -o $(LOCK_DIR)/$$s.txt; }; \
	  lock_one || exit 1; \
	  cuda=$$(grep -oE '^(nvidia|cuda)-[a-z0-9-]+' $(LOCK_DIR)/$$s.txt | sed 's/^/--no-emit-package /'); \
	  if [ -n "$$cuda" ]; then lock_one $$cuda || exit 1; fi; \
	  echo "$(LOCK_DIR)/$$s.txt"; \
	done
	@echo 'hatchling>=1.25' | $(BIN)/uv pip compile - --quiet --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" -o $(LOCK_DIR)/build.txt
	@echo "$(LOCK_DIR)/build.txt (the build backend that turns libs/ and services/ into wheels)"

# A CycloneDX SBOM (JSON) per image, from its lock file (and, for synthesis, the torch it installs
# besides), by cyclonedx-py (PyPI cyclonedx-bom). Written to $(SBOM_DIR), which stays out of images.
SBOM_DIR ?= build/sbom
sbom: ## a CycloneDX SBOM of each service's image, from the lock files
	@mkdir -p $(SBOM_DIR)
	@for s in $(LOCK_SERVICES); do \
	  { cat $(LOCK_DIR)/$$s.txt; grep -o '"torch==[^"]*"' services/$$s/pyproject.toml | tr -d '"'; } \
	    | $(BIN)/cyclonedx-py requirements - --pyproject services/$$s/pyproject.toml --of JSON --sv 1.6 \
	      -o $(SBOM_DIR)/porchlight-$$s.cdx.json || exit 1; \
	  echo "$(SBOM_DIR)/porchlight-$$s.cdx.json"; \
	done

clean:
	rm -rf $(VENV) .porchlight .pytest_cache .mypy_cache .ruff_cache tests/artifacts
