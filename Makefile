# Syndication Desk. `make run`: set up and run the app with demo data. `make test`: set up and run the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Two processes (this machine has two cores); the browser tests share one of them.
PYTEST_ARGS ?= -n 2 --dist loadgroup -m "not fault"
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt | sha1sum | cut -c1-12)
FLASK  := $(BIN)/flask --app app

SERVE_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1/syndication_desk
SERVE_REDIS_URL    ?= redis://127.0.0.1:6379/0

# `make soak`: the fault tests (PostgreSQL and Redis restarted, SMTP refusing, workers killed).
# `make mutation`: mutation scores of the pure rules (tests/mutation); fails below the floors.
.PHONY: soak mutation run serve test lint setup system-deps migrate demo bench audit clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)
	@bash .ci/system-deps.sh app

migrate: setup
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty

run: demo
	@echo ""
	@echo "  Syndication Desk: http://127.0.0.1:$(PORT)/"
	@echo "  Request form:     http://127.0.0.1:$(PORT)/republish"
	@echo "  Staff sign-in:    http://127.0.0.1:$(PORT)/login"
	@echo "    staff@syndication-desk.org   / staff-demo-2026   (staff)"
	@echo "    finance@syndication-desk.org / finance-demo-2026 (finance)"
	@echo "    admin@syndication-desk.org   / admin-demo-2026   (admin, staff, finance)"
	@echo ""
	PORT=$(PORT) $(BIN)/python -m licensing.serve --port $(PORT)

# Production mode on one machine: PostgreSQL + Redis + gunicorn (a worker per core) + RQ workers.
serve: setup
	@bash .ci/services.sh
	DATABASE_URL=$(SERVE_DATABASE_URL) $(FLASK) db create
	DATABASE_URL=$(SERVE_DATABASE_URL) $(FLASK) db upgrade
	DATABASE_URL=$(SERVE_DATABASE_URL) $(FLASK) demo load --if-empty
	DATABASE_URL=$(SERVE_DATABASE_URL) REDIS_URL=$(SERVE_REDIS_URL) PORT=$(PORT) \
	  $(BIN)/python -m licensing.serve --production --port $(PORT)

# The architecture's rules (import-linter) and the style rules (ruff), both in pyproject.toml.
lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .

test: $(STAMP) lint
	@bash .ci/system-deps.sh test
	@bash .ci/services.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

soak: $(STAMP)
	@bash .ci/system-deps.sh test
	$(BIN)/python -m pytest -m fault -p no:randomly tests/integration/faults

# mutmut over each rules module's functions and our own mutator over its tables, each module against its
# unit tests only; prints a score per module and the survivors. Two mutants at a time (two cores).
mutation: $(STAMP)
	$(BIN)/python -m tests.mutation.run --jobs 2

audit: setup
	$(BIN)/pip-audit -r requirements.txt --progress-spinner off | grep -v "could not be audited" || true

bench: setup
	@bash .ci/system-deps.sh bench
	@bash .ci/services.sh
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache mutants
