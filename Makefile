# Convene: `make run` serves the demo congress, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Calendar clients the feed tests parse with (npm, pinned by their package-lock.json).
CALENDAR_CLIENTS := tests/agenda/calendar_clients

.PHONY: run test install system-deps bench bench-day lint format demo-data clean

run: install
	scripts/run-demo.sh

test: install
	scripts/test.sh

install: system-deps $(VENV)/.installed $(CALENDAR_CLIENTS)/node_modules/.installed

system-deps:
	scripts/install-system-deps.sh

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

$(CALENDAR_CLIENTS)/node_modules/.installed: $(CALENDAR_CLIENTS)/package.json $(CALENDAR_CLIENTS)/package-lock.json
	npm ci --prefix $(CALENDAR_CLIENTS) --no-audit --no-fund --loglevel=error
	touch $@

# The registration race runs on PostgreSQL (as the issue measures it); the rest on SQLite.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/convene_bench
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py $(BENCH_ARGS)

# The whole site on the congress's first morning (gunicorn, PostgreSQL convene_bench_day, Redis
# db 13, the RQ worker, Locust): make bench-day BENCH_ARGS="--duration 60 --users 400"
bench-day: install
	$(BIN)/python bench/run.py congress_day $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) convene.sqlite3* staticfiles media bench/out
