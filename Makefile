# Radar: the few entry points. `make demo` runs the whole system, `make test` checks it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install kafka-jars test lint format demo clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)  ## create or update the virtualenv with the project and its test tools
	$(BIN)/radar sentiment prepare

kafka-jars: $(STAMP)  ## fetch Apache Kafka's jars from Maven Central once (or use KAFKA_HOME)
	$(BIN)/radar kafka fetch

test: kafka-jars  ## run every test (unit and integration, on a throwaway real broker)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: kafka-jars  ## the whole system on this machine with a replayed feed (Ctrl-C stops it)
	$(BIN)/radar demo

clean:  ## remove the virtualenv and local state (data/, caches)
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
