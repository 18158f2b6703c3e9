# Two entry points (see README): `make run` and `make test`. Both set everything up from scratch.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run demo-reset test lint setup clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The demo is a local development server: development mode is chosen here, explicitly.
run: $(STAMP)
	CHIIKI_ENVIRONMENT=development $(BIN)/chiiki demo
	CHIIKI_ENVIRONMENT=development $(BIN)/chiiki serve --port $(PORT)

demo-reset: $(STAMP)
	CHIIKI_ENVIRONMENT=development $(BIN)/chiiki demo --reset

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

test: $(STAMP)
	bash scripts/test.sh

clean:
	rm -rf $(VENV) var
