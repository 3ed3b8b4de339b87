# The two commands: `make run` sets up and serves the app, `make test` sets up and runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app tracker

CATALOGUE := tracker/translations/de/LC_MESSAGES/messages
.PHONY: run test coverage install lint clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The German catalogue, compiled from its .po file whenever that changes.
$(CATALOGUE).mo: $(CATALOGUE).po $(STAMP)
	$(BIN)/pybabel compile -d tracker/translations

# axe-core for the browser tests' accessibility checks (npm; without npm those tests skip).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# plotly.js with only the trace types the app draws, bundled by esbuild from the npm registry's
# plotly.js, both pinned by tracker/assets/plotly/package-lock.json. Without npm the app serves
# the plotly package's full plotly.js (about four times larger) and `flask check` says so;
# so it does when the registry cannot be reached (tests/unit/test_assets.py fails where npm is).
PLOTLY := build/plotly/plotly.min.js
$(PLOTLY): tracker/assets/plotly/package-lock.json tracker/assets/plotly/entry.js
	@if ! command -v npm >/dev/null; then \
		echo "npm not found: the full plotly.js is served (four times larger)"; \
	elif ! { npm ci --prefix tracker/assets/plotly --no-audit --no-fund --silent && \
		npm run --prefix tracker/assets/plotly --silent build; }; then \
		echo "the plotly.js bundle could not be built: the full plotly.js is served"; fi

# The static files under content-hashed names, with gzip and brotli copies (tracker/assets).
ASSETS := build/assets/manifest.json
$(ASSETS): $(STAMP) $(PLOTLY) $(shell find tracker/static -type f)
	$(FLASK) assets

install: $(STAMP) $(CATALOGUE).mo $(ASSETS)

## Extract the texts marked for translation and bring the German catalogue up to date
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --ignore-dirs=".* .venv node_modules" \
		-o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations \
		--no-fuzzy-matching --ignore-obsolete

## Create the environment, migrate, load facts and demo data, serve on http://127.0.0.1:5000
run: $(STAMP) $(CATALOGUE).mo $(ASSETS)
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Create the environment and run lint plus the whole suite on SQLite, then on PostgreSQL
## (skipped with a reason when no server answers; TRACKER_TEST_REQUIRE_POSTGRES=1 makes that fail).
## Two workers. Tests marked `once` (heavy, and the same on either engine) and the browser tests
## run in the SQLite pass only.
# The tests run in an order shuffled by TEST_SEED (pytest-randomly): the same order for the same
# seed, so a run is repeatable; `make test TEST_SEED=$$RANDOM` tries another order.
TEST_SEED ?= 20261207
PYTEST := $(BIN)/pytest -n 2 -p randomly --randomly-seed=$(TEST_SEED) --no-cov
test: $(STAMP) $(CATALOGUE).mo $(ASSETS) $(AXE) lint
	$(PYTEST) -m "not browser"
	$(PYTEST) --db=postgresql -m "not browser and not once"
	$(PYTEST) -m browser

## The suite on SQLite measuring branch coverage, printed for the package and for its services
coverage: $(STAMP) $(CATALOGUE).mo $(ASSETS)
	$(BIN)/pytest -n 2 -p randomly --randomly-seed=$(TEST_SEED) -m "not browser" \
		--cov=tracker --cov-branch --cov-report=term:skip-covered
	$(BIN)/coverage report --include='tracker/services/*' --precision=1

lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build
