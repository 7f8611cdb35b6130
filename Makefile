# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs formcheck into it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench models clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/formcheck demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check formcheck tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

models: $(STAMP)
	$(BIN)/formcheck models build lite full

clean:
	rm -rf $(VENV) .pytest_cache
