# One task runner. `make demo` and `make test` work on a fresh machine with only Python 3.11:
# they create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DIR := demo
DEMO_DB := sqlite:///$(DEMO_DIR)/xinyong.db
# The demo's data is as of the end of 2025; its server runs on this fixed date (every page says
# so), so that its lists, grades and open cases are current, whatever today is.
DEMO_TODAY := 2026-01-31

.PHONY: demo demo-data test lint fmt typecheck bench serve screenshots clean install

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "xinyong needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	touch $@

# `make demo` loads the demo data, then serves the portal and the API until Ctrl-C.
# `make demo-data` (used by CI) stops after loading.
demo: demo-data serve

demo-data: $(INSTALLED)
	mkdir -p $(DEMO_DIR)
	XINYONG_DATABASE_URL=$(DEMO_DB) $(BIN)/xinyong demo --folder $(DEMO_DIR)/sample --subjects 5000 --records 50000
	@echo
	@echo "The database is $(DEMO_DIR)/xinyong.db; the files the departments sent are in $(DEMO_DIR)/sample/."
	@echo "Run the commands above with: . $(BIN)/activate && export XINYONG_DATABASE_URL=$(DEMO_DB)"
	@echo
	@echo "To try the officials' workbench, sign in at http://127.0.0.1:8000/signin with this token:"
	@XINYONG_DATABASE_URL=$(DEMO_DB) $(BIN)/xinyong tokens issue "demo official" --role official
	@echo "Open the portal at http://127.0.0.1:8000/  (the API's OpenAPI page is /docs; Ctrl-C stops)"
	@echo "The demo's server runs on the fixed date $(DEMO_TODAY), the data's date; every page says so."

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports

fmt: $(INSTALLED)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

typecheck: $(INSTALLED)
	$(BIN)/mypy

# The suite runs on every core (pytest-xdist), each test file on one worker, so that a file's
# shared fixtures (a served site, a Spark session) are built once. schemathesis generates its
# cases at collection in a way xdist does not hand out (they would silently not run), so that
# file runs on its own afterwards.
TEST_WORKERS ?= auto
test: lint typecheck
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --ignore=tests/test_api_schema.py
	$(BIN)/python -m pytest -q tests/test_api_schema.py

bench: $(INSTALLED)
	$(BIN)/python bench/ingest.py --records 100000 --subjects 10000
	$(BIN)/python bench/ingest.py --records 1000000 --subjects 100000
	$(BIN)/python bench/services.py --ratings 1000000 --agencies 2000
	$(BIN)/python bench/regrade.py --subjects 5000 --records 50000 --samples 30
	$(BIN)/python bench/scheme.py --subjects 1000000 --records 10000000
	$(BIN)/python bench/scheme.py --subjects 1000000 --records 10000000 --scheme measures
	$(BIN)/python bench/check.py --subjects 1000000 --samples 2000
	$(BIN)/python bench/api.py --subjects 1000000 --seconds 20
	$(BIN)/python bench/search.py --subjects 1000000 --repeat 30
	$(BIN)/python bench/draw.py --subjects 1000000 --inspectors 2000 --repeat 3
	$(BIN)/python bench/draw_roster.py --subjects 1000000
	$(BIN)/python bench/impact.py --subjects 100000 --records 1000000 --repeat 3
	$(BIN)/python bench/linkage.py --registry 100000 --records 10000
	$(BIN)/python bench/linkage.py --registry 1000000 --records 10000
	if $(BIN)/python -c 'import pyspark' 2>/dev/null; then $(BIN)/python bench/linkage.py --registry 20000 --records 2000 --spark; else echo 'linkage on Spark: PySpark is not installed (pip install .[spark])'; fi
	$(MAKE) demo-data
	$(BIN)/python bench/portal.py --database $(DEMO_DB) --repeat 20

serve: $(INSTALLED)
	XINYONG_DATABASE_URL=$(DEMO_DB) XINYONG_TODAY=$(DEMO_TODAY) $(BIN)/xinyong serve

# Refresh the portal screenshots in docs/screenshots: every page, zh and en, desktop and phone
# (the tour in tests/test_portal_tour.py; needs Debian's chromium).
screenshots: $(INSTALLED)
	rm -rf docs/screenshots
	XINYONG_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_portal_tour.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks
