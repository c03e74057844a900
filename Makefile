# Puente — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# the suite runs on every core (pytest-xdist; a module's tests stay together, each process starts its own servers)
TEST_WORKERS ?= auto

.PHONY: native-clean test-plain run test system-deps bench-deps lint typecheck unit install native clean vocabularies context crosswalks load bench bench-catalogue

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The pipeline's hot modules compiled with mypyc (app/native.py): about a third less CPU per record. Rebuilt
# when a source changed; needs a C compiler and Python's headers (Debian: gcc python3-dev).
native: install
	@PUENTE_NATIVE_BUILDING=1 $(BIN)/python -m app.native ensure >$(VENV)/native.log 2>&1 || { tail -25 $(VENV)/native.log; \
	  echo "make native failed (above); it needs a C compiler and Python's headers (sudo apt-get install gcc python3-dev)"; \
	  exit 1; }
	@PUENTE_NATIVE_BUILDING=1 $(BIN)/python -m app.native status

# Without a compiler the service still runs, as plain Python (slower); `make native` says why it failed.
run: install
	@$(MAKE) --no-print-directory native || echo "Puente runs as plain Python (see above)."
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check app tests vocabularies bench

typecheck: install
	$(BIN)/mypy --strict app

unit: native
	PUENTE_NATIVE_REQUIRED=1 $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

# The browser test drives Debian's Chromium; the SPARQL backend's tests start Debian's Virtuoso 7. Installed here
# when missing (as root, with apt-get); otherwise the command to run is printed and the target fails.
system-deps:
	@missing=""; \
	[ -x "$${PUENTE_CHROMIUM:-/usr/bin/chromium}" ] || missing="$$missing chromium"; \
	[ -x /usr/bin/virtuoso-t ] || missing="$$missing virtuoso-opensource-7"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "The tests need:$$missing (sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# The benchmark's Jena rows run Debian's Jena with a JDK (javac compiles a small harness); installed here when missing.
bench-deps:
	@if [ ! -f /usr/share/java/jena-shacl.jar ] || ! command -v javac >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libapache-jena-java default-jdk-headless; \
	  else \
	    echo "The benchmark's Jena rows need: sudo apt-get install libapache-jena-java default-jdk-headless"; exit 1; \
	  fi; \
	fi

test: system-deps bench-deps lint typecheck unit

# The golden and engine-equivalence tests again on plain Python (the compiled modules removed): both builds answer
# alike. .ci/run calls it after `make test`.
test-plain: install native-clean
	$(BIN)/pytest -q -p no:cacheprovider tests/pipeline/test_golden_reports.py tests/crosswalk/test_golden_mapping.py \
	  tests/shacl tests/runtime/test_batch.py

# Regenerate derived data (from vocabularies/upstream, shapes, mappings); tests fail when these are stale.
vocabularies: install
	$(BIN)/python vocabularies/regenerate.py --sources vocabularies/upstream

context: install
	$(BIN)/python -m app.profile.context > shapes/context.jsonld

# validation throughput, side by side (README "Performance"); options: make bench ARGS="--records 10000 --json"
bench: native bench-deps
	$(BIN)/python -m bench $(ARGS)

# the harmonised catalogue end to end at 10,000 (embedded store and Virtuoso side by side) and 100,000 datasets
# (README "The harmonised catalogue: figures", "Running on Virtuoso and the SPARQL endpoint");
# one size: make bench-catalogue ARGS="--datasets 10000 --json"
bench-catalogue: native
	@if [ -n "$(ARGS)" ]; then $(BIN)/python -m bench.catalogue $(ARGS); else \
	  $(BIN)/python -m bench.catalogue --datasets 10000 && \
	  $(BIN)/python -m bench.catalogue --datasets 100000 --stores oxigraph; fi

# 50 clients for 60 s on loopback (figures in README "Under load")
load: native
	$(BIN)/python -m bench.load --clients 50 --seconds 60

crosswalks: install
	$(BIN)/python -m app.crosswalk.table

# Back to plain Python: the compiled modules removed (same answers, slower).
native-clean:
	-PUENTE_NATIVE_BUILDING=1 $(BIN)/python -m app.native clean

clean: native-clean
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build
