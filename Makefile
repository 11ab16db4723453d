# The two commands a new machine needs (see README):
#   make demo   set up, load the demo data and serve it
#   make test   set up and run every test, on SQLite and on PostgreSQL
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: setup demo serve test test-sqlite test-postgres soak browser clean

setup: $(VENV)/.installed web/static/vendor/bpmn-js/.copied web/translations/en/LC_MESSAGES/messages.mo

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

web/static/vendor/bpmn-js/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf web/static/vendor/bpmn-js
	mkdir -p web/static/vendor
	cp -r node_modules/bpmn-js/dist web/static/vendor/bpmn-js
	cp node_modules/camunda-bpmn-moddle/resources/camunda.json web/static/vendor/bpmn-js/camunda-moddle.json
	touch $@

web/translations/en/LC_MESSAGES/messages.mo: web/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d web/translations -f

demo: setup
	$(BIN)/chidao demo

serve: setup
	$(BIN)/chidao serve

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

test: setup browser
	$(BIN)/python -m pytest
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest

test-sqlite: setup browser
	$(BIN)/python -m pytest

test-postgres: setup browser
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest

# The model-based soak, longer than in `make test` (SOAK_STEPS steps; SOAK_SEED=N walks seed N again).
SOAK_STEPS ?= 600
soak: setup
	SOAK_STEPS=$(SOAK_STEPS) $(BIN)/python -m pytest -s tests/test_soak.py
	SOAK_STEPS=$(SOAK_STEPS) DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -s tests/test_soak.py

clean:
	rm -rf $(VENV) node_modules web/static/vendor chidao.db chidao.db-* instance
