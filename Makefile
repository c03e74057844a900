# Puente — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck unit install clean vocabularies context crosswalks load bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check app tests vocabularies bench

typecheck: install
	$(BIN)/mypy --strict app

unit: install
	$(BIN)/pytest -q

test: lint typecheck unit

# Regenerate derived data (needs ../shared); tests fail when these are stale.
vocabularies: install
	$(BIN)/python vocabularies/regenerate.py --sources ../shared/vocabulary-sources

context: install
	$(BIN)/python -m app.profile.context > shapes/context.jsonld

# validation throughput, side by side (README "Performance"); options: make bench ARGS="--records 10000 --json"
bench: install
	$(BIN)/python -m bench $(ARGS)

# 50 clients for 60 s on loopback (figures in README "Under load")
load: install
	$(BIN)/python -m bench.load --clients 50 --seconds 60

crosswalks: install
	$(BIN)/python -m app.crosswalk.table

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
