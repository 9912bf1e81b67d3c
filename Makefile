# sgkg: the two commands a person needs are `make serve` and `make test`.
# Every target creates what it needs itself (virtualenv, system packages, build).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv install system-deps build test lint format serve bench clean ui

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes (the stamp is newer otherwise).
# The notebooks extra (pandas, networkx, matplotlib, nbclient) runs notebooks/.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev,notebooks]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash .ci/install-system-deps

build: install
	$(BIN)/sgkg build

test: system-deps install build ui
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve: system-deps install build ui
	$(BIN)/sgkg serve

# Benchmarks in tests/benchmarks/ (marker `bench`), each writing its own section of
# tests/benchmarks/RESULTS.md: sgkg against rdflib-endpoint, `oxigraph serve` and rdflib
# side by side; about 30 minutes on 2 cores. Smaller runs, e.g.
#   SGKG_BENCH_SCALE_SIZES=1000 SGKG_BENCH_RDFLIB_CAP=10 SGKG_BENCH_LOAD_SECONDS=5 make bench
bench: install
	@if ls tests/benchmarks/test_*.py >/dev/null 2>&1; then \
		$(BIN)/pytest -m bench tests/benchmarks; \
	else \
		echo "no benchmarks yet in tests/benchmarks/"; \
	fi

# --- query UI and API docs ---------------------------------------------------
# YASGUI and Swagger UI from the npm registry into the git-ignored vendor-ui/, served by
# the app at / and /docs (never from a CDN). Exact versions; no install scripts run.
# axe-core is not served: the browser tests run it on every page (accessibility check).
YASGUI_VERSION  := 4.6.2
SWAGGER_VERSION := 5.35.0
AXE_VERSION     := 4.14.1
UI_STAMP        := vendor-ui/.installed-$(YASGUI_VERSION)-$(SWAGGER_VERSION)-$(AXE_VERSION)

ui: $(UI_STAMP)

$(UI_STAMP):
	mkdir -p vendor-ui
	npm install --prefix vendor-ui --save-exact --no-audit --no-fund --ignore-scripts \
		@zazuko/yasgui@$(YASGUI_VERSION) swagger-ui-dist@$(SWAGGER_VERSION) \
		axe-core@$(AXE_VERSION)
	touch $(UI_STAMP)
# --- end query UI ------------------------------------------------------------------------

clean:
	rm -rf build tests/artifacts .pytest_cache .ruff_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
