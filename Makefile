# One command per loop: `make build`, `make test`, `make lint`.
# Each creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build serve test lint format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/outcomes-graph build

serve: $(STAMP)
	$(BIN)/outcomes-graph serve

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/bench_alignment.py
	$(BIN)/python bench/bench_sparql.py --workers 4
	$(BIN)/python bench/bench_rest.py
	$(BIN)/python bench/bench_borough_check.py
	$(BIN)/python bench/bench_graphql.py
