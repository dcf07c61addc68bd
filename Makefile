# khabar: `make run` and `make test` work on a fresh machine (Python >= 3.11 + Java 17 + Maven).
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test unit lint faults stack-up stack-down clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==0.13.9
	$(BIN)/uv pip sync -q -p $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q -p $(BIN)/python --no-deps -e .
	@touch $(STAMP)

# Regenerate the lock after changing pyproject.toml dependencies.
lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -p 3.11 -o requirements.lock

run: install
	$(BIN)/khabar run

# The whole suite (unit + integration against the real local Kafka and Elasticsearch).
# Starts the local stack when it is not up and stops what it started, also on failure.
test: install lint
	$(BIN)/python tests/with_stack.py $(BIN)/pytest -q -p no:cacheprovider -m "not faults" $(PYTEST_ARGS)

# Fault injection (issue 12): Elasticsearch frozen/killed, Kafka killed, on a stack of its own
# (ports 39092/39200, started and stopped by the tests). The fast cases (kill -9 of a worker,
# a write block) are in tests/integration/test_faults_fast.py and run in `make test`.
faults: install
	$(BIN)/pytest -q -p no:cacheprovider -s -m faults tests/faults $(PYTEST_ARGS)

unit: install
	$(BIN)/pytest -q -m "not integration and not faults" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check khabar ingest processors tests
	$(BIN)/lint-imports

stack-up: install
	$(BIN)/khabar stack up

stack-down: install
	$(BIN)/khabar stack down

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
