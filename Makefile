# The two commands: `make run` sets up and serves the app, `make test` sets up and runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app tracker

.PHONY: run test install lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Create the environment, migrate, load facts and demo data, serve on http://127.0.0.1:5000
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Create the environment and run lint plus the whole suite on SQLite, then on PostgreSQL
## (skipped with a reason when no server answers; TRACKER_TEST_REQUIRE_POSTGRES=1 makes that fail).
## Two workers; the browser tests, which do not depend on the database, run in the SQLite pass.
test: $(STAMP) lint
	$(BIN)/pytest -n 2 --cov=tracker --cov-branch --cov-report=
	$(BIN)/pytest -n 2 --db=postgresql -m "not browser" --cov=tracker --cov-branch --cov-append \
		--cov-report=term:skip-covered
	$(BIN)/coverage report --include='tracker/services/*' --precision=1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
