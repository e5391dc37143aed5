# careteam — the two commands are `make run` and `make test`.
# Each creates .venv (Python 3.11+) and installs what it needs first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run soak test fuzz lint format check-migrations smoke clean help

help:
	@echo "make run    install, migrate, seed demo data, start web + worker + beat (embedded default)"
	@echo "make test   install and run the whole test suite"
	@echo "make soak   the embedded default for two hours with messages flowing; a report of what was lost"
	@echo "make fuzz   schemathesis over the whole API: no request may get a 5xx (a few minutes)"
	@echo "make lint   ruff, and migrations in step with the models"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "careteam needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  careteam is starting on http://127.0.0.1:$${CARETEAM_PORT:-8000}/  (Ctrl-C stops web, worker and beat)"
	@echo "  Two-factor sign-in is relaxed for the demo (CARETEAM_MFA_REQUIRED=0); run"
	@echo "  'CARETEAM_MFA_REQUIRED=1 make run' to be asked to enrol, as production does."
	@echo ""
	CARETEAM_MFA_REQUIRED=$${CARETEAM_MFA_REQUIRED:-0} $(BIN)/python -m careteam.supervise Procfile.dev

# The embedded default for SOAK_SECONDS (default two hours) with messages flowing and the worker
# killed every half hour, in a fresh var/soak/; the report lands in var/soak/soak-report.md.
soak: install
	rm -rf var/soak
	CARETEAM_VAR_DIR=$(CURDIR)/var/soak $(BIN)/python manage.py migrate --noinput -v0
	CARETEAM_VAR_DIR=$(CURDIR)/var/soak $(BIN)/python manage.py seed_demo
	CARETEAM_VAR_DIR=$(CURDIR)/var/soak $(BIN)/python manage.py soak --duration $${SOAK_SECONDS:-7200}

test: install
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# CARETEAM_FUZZ_EXAMPLES (default 50) requests per operation; CARETEAM_FUZZ_COVERAGE=1 adds every
# boundary case (several times slower); CARETEAM_FUZZ_USER picks the demo login (default supervisor).
fuzz: install
	CARETEAM_FUZZ=1 $(BIN)/python -m pytest -n 2 -p no:cacheprovider tests/api_fuzz $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ .pytest_cache .ruff_cache
