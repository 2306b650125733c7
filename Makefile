# HangarStack developer commands. `make` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help install run test chaos e2e bench instructions audit lint fmt check clean

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/.installed: requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "HangarStack needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(BIN)/.installed ## Create the virtualenv and install dependencies

run: install ## Serve the whole stack at http://127.0.0.1:$(PORT) (Ctrl-C stops it all)
	$(BIN)/python -m devstack serve

# Tests get their own servers and data (.devstack/test), so they never disturb `make run`.
TEST_STACK := HANGARSTACK_STATE_DIR=$(CURDIR)/.devstack/test

test: install ## Run the whole test suite against real PostgreSQL, Redis and Kafka
	$(TEST_STACK) $(BIN)/python -m devstack exec -- $(BIN)/pytest $(PYTEST_ARGS)

# The fault suite owns its servers (.devstack/chaos) so it can stop, hang and
# restart them; no pytest-django, and not the rest of the tests' conftest.
chaos: install ## Fault suite: each outage staged against real servers and gunicorn (~4 min)
	HANGARSTACK_STATE_DIR=$(CURDIR)/.devstack/chaos $(BIN)/pytest tests/chaos -p no:django --confcutdir=tests/chaos -v -rP $(PYTEST_ARGS)

# Browser tests get their own servers too (.devstack/e2e), so they can run beside `make test`.
E2E_STACK := HANGARSTACK_STATE_DIR=$(CURDIR)/.devstack/e2e

$(BIN)/.e2e-installed: $(BIN)/.installed requirements/e2e.txt tests/e2e/package-lock.json
	$(BIN)/python -m pip install --quiet -r requirements/e2e.txt
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	touch $@

e2e: $(BIN)/.e2e-installed ## Browser tests in Chromium (Playwright; needs Debian's chromium)
	$(E2E_STACK) $(BIN)/python -m devstack exec -- $(BIN)/pytest tests/e2e $(PYTEST_ARGS)

# The shipped catalogue, loaded into its own database, audited as visitors would see it.
AUDIT_STACK := HANGARSTACK_STATE_DIR=$(CURDIR)/.devstack/audit

audit: install ## Audit fixtures/aircraft.json: completeness report; fails on any contradiction
	$(AUDIT_STACK) $(BIN)/python -m devstack exec -- sh -c '\
		$(BIN)/python manage.py migrate --verbosity 0 && \
		$(BIN)/python manage.py load_aircraft --verbosity 0 && \
		$(BIN)/python manage.py audit_catalogue --fail-on contradictions $(AUDIT_ARGS)'

bench: install ## Benchmark against a bare Django floor; writes bench/results/
	$(BIN)/python -m bench.run $(BENCH_ARGS)

instructions: install ## Instructions per cached detail hit, events on vs off (callgrind: apt-get install valgrind)
	$(BIN)/python -m bench.instructions $(INSTR_ARGS)

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install ## Django system checks and missing migrations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean: ## Remove the virtualenv and local server data
	rm -rf $(VENV) .devstack staticfiles artifacts tests/e2e/node_modules
