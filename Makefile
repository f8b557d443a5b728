# Syndication Desk. `make run`: set up and run the app with demo data. `make test`: set up and run the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt | sha1sum | cut -c1-12)
FLASK  := $(BIN)/flask --app app

.PHONY: run test setup system-deps migrate demo bench clean

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

test: $(STAMP)
	@bash .ci/system-deps.sh test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
