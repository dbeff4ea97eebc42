# gijiroku: two commands on a fresh machine (Debian, Python >= 3.11, no GPU, no model hub).
#   make serve   set up, build an index from the bundled sample on first start, serve on 127.0.0.1:8000
#   make test    set up, then lint, type-check and run every test (CI runs this through .ci/run)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps serve test lint typecheck pytest pytest-ray eval bench bench-scale clean

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

# chromium + chromedriver and a Japanese font from Debian, when missing (see .ci/system-deps)
system-deps:
	.ci/system-deps

pytest: setup system-deps
	$(BIN)/python -m pytest -q --ignore=tests/ray
	.ci/loopback $(BIN)/python -m pytest -q tests/ray

# The Ray group alone, in a loopback-only network namespace (a two-node local cluster).
pytest-ray: setup
	.ci/loopback $(BIN)/python -m pytest -q tests/ray

test: lint typecheck pytest

eval: setup
	$(BIN)/gijiroku eval ../shared/eval/dev.jsonl

# Needs ../shared; each writes bench/results/*.json (commands and numbers are in the README).
bench: setup
	$(BIN)/python bench/core.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/load.py

bench-scale: setup
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
