# Two entry points (see README): `make run` and `make test`. Both set everything up from scratch.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHIIKI_DATA_DIR ?= var/demo
export CHIIKI_DATA_DIR

.PHONY: run test lint setup clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/chiiki demo
	$(BIN)/chiiki serve

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

test: $(STAMP)
	bash scripts/test.sh

clean:
	rm -rf $(VENV) var
