# Convene: `make run` serves the demo congress, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install system-deps bench lint format demo-data clean

run: install
	scripts/run-demo.sh

test: install
	scripts/test.sh

install: system-deps $(VENV)/.installed

system-deps:
	scripts/install-system-deps.sh

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) convene.sqlite3* staticfiles media bench/out
