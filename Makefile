# One task runner. `make demo` and `make test` work on a fresh machine with only Python 3.11:
# they create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_DIR := demo
DEMO_DB := sqlite:///$(DEMO_DIR)/xinyong.db

.PHONY: demo test lint fmt typecheck bench serve clean install

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "xinyong needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(INSTALLED)
	mkdir -p $(DEMO_DIR)
	XINYONG_DATABASE_URL=$(DEMO_DB) $(BIN)/xinyong demo --folder $(DEMO_DIR)/sample --subjects 5000 --records 50000
	@echo
	@echo "The database is $(DEMO_DIR)/xinyong.db; the files the departments sent are in $(DEMO_DIR)/sample/."
	@echo "Run the commands above with: . $(BIN)/activate && export XINYONG_DATABASE_URL=$(DEMO_DB)"
	@echo "Serve the HTTP API over it with: make serve   (OpenAPI at http://127.0.0.1:8000/docs)"

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

fmt: $(INSTALLED)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

typecheck: $(INSTALLED)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

bench: $(INSTALLED)
	$(BIN)/python bench/ingest.py --records 1000000 --subjects 100000
	$(BIN)/python bench/scheme.py --subjects 1000000 --records 10000000
	$(BIN)/python bench/check.py --subjects 1000000 --samples 2000
	$(BIN)/python bench/api.py --subjects 1000000 --seconds 20

serve: $(INSTALLED)
	XINYONG_DATABASE_URL=$(DEMO_DB) $(BIN)/xinyong serve

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks
