# gijiroku: two commands on a fresh machine (Debian, Python >= 3.11, no GPU, no model hub).
#   make serve   set up, build an index from the bundled sample on first start, serve on 127.0.0.1:8000
#   make test    set up, then lint, type-check and run every test (CI runs this through .ci/run)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup serve test lint typecheck pytest eval bench clean

setup: $(STAMP)

# torch goes first and pinned: a looser requirement pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: setup
	$(BIN)/gijiroku serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest -q

test: lint typecheck pytest

eval: setup
	$(BIN)/python bench/eval_dev.py

bench: setup
	$(BIN)/python bench/search_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
