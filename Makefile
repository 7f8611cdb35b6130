# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs formcheck into it on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench models dev notebooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/formcheck demo

test: $(STAMP)
	$(BIN)/python -m pytest

dev: $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check formcheck tests benchmarks

notebooks: $(DEV_STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Rebuild the two bundles that ship in the package, in place (each must match its pinned hash).
models: $(STAMP)
	$(BIN)/formcheck models build lite full --out formcheck/models

clean:
	rm -rf $(VENV) .pytest_cache formcheck-out
