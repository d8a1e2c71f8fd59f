# Parcours — see README.md. `make demo` runs the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := PARCOURS_DEMO=1 DEBUG=1 PARCOURS_DEPARTEMENT=$(or $(DEPARTEMENT),59)
DEMO_SCALE ?= 0.05

.PHONY: install demo demo-data test test-sqlite test-postgres bench lint format clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

demo-data: install
	$(DEMO_ENV) $(BIN)/parcours migrate --noinput
	$(DEMO_ENV) $(BIN)/parcours load-territory --departement $(or $(DEPARTEMENT),59)
	$(DEMO_ENV) $(BIN)/parcours generate --departement $(or $(DEPARTEMENT),59) --seed 1 --scale $(DEMO_SCALE)
	$(DEMO_ENV) $(BIN)/parcours create-demo-agents --departement $(or $(DEPARTEMENT),59)

demo: demo-data
	@echo "Parcours : http://127.0.0.1:8000"
	$(DEMO_ENV) $(BIN)/parcours runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint src/parcours --quiet

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -m "not e2e and not postgres" -q

test-postgres: install
	$(BIN)/python scripts/with_postgres.py $(BIN)/pytest -q

test: lint test-sqlite test-postgres

bench: install
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
