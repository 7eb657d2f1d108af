# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make run   - install into .venv and serve on 127.0.0.1:8000 (offline backend by default)
#   make test  - install and run every test and check
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit dockerlint eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	$(BIN)/summarizer prepare
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/summarizer serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check service schemas tests scripts bench
	$(BIN)/ruff format --check service schemas tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy service schemas

dockerlint: $(STAMP)
	$(BIN)/hadolint Dockerfile

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint typecheck dockerlint unit

eval: $(STAMP)
	$(BIN)/python scripts/eval_case.py

bench: eval
	$(BIN)/python bench/startup.py --runs 5
	$(BIN)/python bench/offline_worst_case.py
	$(BIN)/python bench/batch_memory.py
	$(BIN)/python bench/tokens.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/serve_memory.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
