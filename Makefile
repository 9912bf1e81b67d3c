# sgkg: the two commands a person needs are `make serve` and `make test`.
# Every target creates what it needs itself (virtualenv, system packages, build).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv install system-deps build test lint format serve bench clean

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes (the stamp is newer otherwise).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash .ci/install-system-deps

build: install
	$(BIN)/sgkg build

test: system-deps install build
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve: system-deps install build
	$(BIN)/sgkg serve

# Placeholder until tests/benchmarks/ has content: runs whatever benchmarks exist.
bench: install
	@if ls tests/benchmarks/test_*.py >/dev/null 2>&1; then \
		$(BIN)/pytest -m bench tests/benchmarks; \
	else \
		echo "no benchmarks yet in tests/benchmarks/"; \
	fi

clean:
	rm -rf build tests/artifacts .pytest_cache .ruff_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
