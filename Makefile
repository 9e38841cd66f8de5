# Radar: the few entry points. `make demo` runs the whole system, `make test` checks it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?= --durations=20
DEMO_ARGS ?=

.PHONY: help install kafka-jars test lint format demo clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# The build tools first, at the versions and hashes requirements-build.lock pins, as the
# Docker image does: the sdists among the dependencies (jieba, snownlp) and the project are
# then built with them (--no-build-isolation), not with whatever setuptools PyPI serves that
# day. Then every dependency (and the test tools) at the version and hashes
# requirements.lock pins; then the project itself without resolving anything. After
# changing dependencies in pyproject.toml, regenerate the lock, then the Docker image's
# locks: its runtime part at the same pins, and the build backend (tests/unit/test_lock.py
# fails until then):
#   .venv/bin/uv pip compile pyproject.toml --extra test -o requirements.lock \
#       --generate-hashes --python-version 3.11 --no-header
#   .venv/bin/uv pip compile pyproject.toml -c requirements.lock -o requirements-image.lock \
#       --generate-hashes --python-version 3.11 --no-header
#   printf 'setuptools>=78.1.1\nwheel\n' | .venv/bin/uv pip compile - -o requirements-build.lock \
#       --generate-hashes --python-version 3.11 --no-header
$(STAMP): pyproject.toml requirements.lock requirements-build.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-build.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-build-isolation -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)  ## create or update the virtualenv from requirements.lock, then the project
	$(BIN)/radar sentiment prepare

kafka-jars: $(STAMP)  ## fetch Apache Kafka's jars from Maven Central once (or use KAFKA_HOME)
	$(BIN)/radar kafka fetch

test: kafka-jars  ## run every test (unit and integration, on a throwaway real broker)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff and mypy (strict on the stream worker)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict streams

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: kafka-jars  ## the whole system on this machine with a replayed feed (Ctrl-C stops it)
	$(BIN)/radar demo $(DEMO_ARGS)

clean:  ## remove the virtualenv and local state (data/, caches)
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
