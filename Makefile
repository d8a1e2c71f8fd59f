# Parcours — see README.md. `make demo` runs the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := PARCOURS_DEMO=1 DEBUG=1 PARCOURS_DEPARTEMENT=$(or $(DEPARTEMENT),59)
DEMO_SCALE ?= 0.05
# Tests and benchmarks run production's settings, which refuse to start without SECRET_KEY;
# the bench's servers answer plain http on 127.0.0.1, so their cookies cannot be Secure.
TEST_ENV := SECRET_KEY=parcours-tests-only-this-key-protects-nothing-0123456789abcdef \
	PARCOURS_ENCRYPTION_KEYS=cGFyY291cnMtdGVzdHMtb25seS1lbmNyeXB0LWtleTE= \
	PARCOURS_LOOKUP_HASH_KEY=cGFyY291cnMtdGVzdHMtb25seS1sb29rdXAtaGFzaDE=
BENCH_ENV := $(TEST_ENV) SECURE_COOKIES=0
# OpenFisca-France (earnings simulation) runs in its own environment: see services/openfisca/README.md.
OF_VENV := .venv-openfisca
OPENFISCA_PORT ?= 5001

.PHONY: install demo demo-data test test-sqlite test-postgres bench load fuzz lint format clean openfisca openfisca-install

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
	$(DEMO_ENV) $(BIN)/parcours demo-directory --departement $(or $(DEPARTEMENT),59) --seed 1
	$(DEMO_ENV) $(BIN)/parcours create-demo-agendas --departement $(or $(DEPARTEMENT),59)
	$(DEMO_ENV) $(BIN)/parcours demo-orientation --departement $(or $(DEPARTEMENT),59) --seed 1 --scale $(DEMO_SCALE)
	$(DEMO_ENV) $(BIN)/parcours generate-jobs --departement $(or $(DEPARTEMENT),59) --seed 1
	$(DEMO_ENV) $(BIN)/parcours demo-accompaniment --departement $(or $(DEPARTEMENT),59) --seed 1 --scale $(DEMO_SCALE)
	$(DEMO_ENV) $(BIN)/parcours demo-front-door --departement $(or $(DEPARTEMENT),59) --seed 1 --months 3
	$(DEMO_ENV) $(BIN)/parcours demo-aids --departement $(or $(DEPARTEMENT),59) --seed 1
	$(DEMO_ENV) $(BIN)/parcours generate-history --departement $(or $(DEPARTEMENT),59) --year 2019 --seed 1 --scale $(DEMO_SCALE)

# runserver, with OpenFisca and the task queue's cluster (daily schedules, web imports) in the
# background; both are stopped when runserver exits.
demo: demo-data openfisca-install
	@echo "Parcours : http://127.0.0.1:8000 (OpenFisca en arrière-plan sur le port $(OPENFISCA_PORT), journal var/openfisca.log ; tâches : var/qcluster.log)"
	$(OF_VENV)/bin/openfisca serve --country-package openfisca_france --port $(OPENFISCA_PORT) --workers 1 \
	  > var/openfisca.log 2>&1 & OF_PID=$$!; \
	  $(DEMO_ENV) $(BIN)/parcours qcluster > var/qcluster.log 2>&1 & Q_PID=$$!; \
	  trap 'kill $$OF_PID $$Q_PID' EXIT; \
	  $(DEMO_ENV) OPENFISCA_URL=http://127.0.0.1:$(OPENFISCA_PORT) $(BIN)/parcours runserver 127.0.0.1:8000

openfisca-install: $(OF_VENV)/.installed

$(OF_VENV)/.installed: services/openfisca/requirements.txt
	$(PYTHON) -m venv $(OF_VENV)
	$(OF_VENV)/bin/pip install --quiet --upgrade pip
	$(OF_VENV)/bin/pip install --quiet -r services/openfisca/requirements.txt
	touch $@

openfisca: openfisca-install
	$(OF_VENV)/bin/openfisca serve --country-package openfisca_france --port $(OPENFISCA_PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint src/parcours --quiet
	$(TEST_ENV) $(BIN)/parcours makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -m "not e2e and not postgres" -q

test-postgres: install
	$(TEST_ENV) $(BIN)/python scripts/with_postgres.py $(BIN)/pytest -q

test: lint openfisca-install test-sqlite test-postgres

bench: install
	$(BENCH_ENV) $(BIN)/python scripts/with_postgres.py $(BIN)/python -m bench

# The load test of bench/load.py for 10 minutes (20 users; LOAD_SECONDS, LOAD_USERS to change).
LOAD_SECONDS ?= 600
load: install
	LOAD_SECONDS=$(LOAD_SECONDS) $(BIN)/python scripts/with_postgres.py $(BIN)/python -m bench.load

# Schemathesis fuzzing of /api/v1/ (tests/fuzz), longer than in the suite and with new examples at
# each run, on PostgreSQL: FUZZ_MAX_EXAMPLES per operation, role and mode; counts in var/fuzz.json.
FUZZ_MAX_EXAMPLES ?= 100
fuzz: install
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) $(BIN)/python scripts/with_postgres.py $(BIN)/pytest -q tests/fuzz; \
	  status=$$?; cat var/fuzz.json; exit $$status

clean:
	rm -rf $(VENV) var
