# Entry points. Every target sets itself up on a fresh clone: a local .venv with the
# grader installed (editable) is created on first use and refreshed when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUBMISSIONS ?=
ASSIGNMENT ?=
OUT ?= build/grades
N ?= 200
JOBS ?=
BENCH_ARGS ?=

.PHONY: help setup test test-tools soak grade assignments bench doctor clean

help:
	@echo "make grade [SUBMISSIONS=dir] [OUT=dir] [ASSIGNMENT=name]"
	@echo "                                         grade a folder (default: every assignment's examples)"
	@echo "make test                                 run the project's whole test suite"
	@echo "make test-tools                           the comparisons with nbgrader and otter-grader themselves"
	@echo "make soak                                 200 random fault-injection batches (and the 200-run forms)"
	@echo "make assignments                          regenerate assignments/ (every assignment) from solutions/ + config.yaml"
	@echo "make bench [N=1000] [BENCH_ARGS=--no-nbgrader]"
	@echo "                                         benchmark grading N generated submissions, beside nbgrader"
	@echo "make doctor                               show which sandbox protections are active here"

# Bytecode for the grader's own modules: the grader, its worker processes and zygotes start
# without compiling them, even where PYTHONDONTWRITEBYTECODE is set (up-to-date files are skipped).
setup: $(VENV)/.installed
	@$(BIN)/python -m compileall -q grader >/dev/null

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	@touch $@

test: setup
	$(BIN)/python -m pytest

test-tools: setup
	$(BIN)/python -m pytest -m tools -q -p no:cacheprovider

soak: setup
	$(BIN)/python -m pytest -m soak -q -p no:cacheprovider tests/adversarial/test_fault_injection.py \
		tests/adversarial/test_batch_finishes.py

grade: setup
	$(BIN)/grader grade $(SUBMISSIONS) --out $(OUT) $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) \
		$(if $(JOBS),--jobs $(JOBS))

assignments: setup
	$(BIN)/grader generate

bench: setup
	$(BIN)/python bench/bench.py --n $(N) $(BENCH_ARGS)

doctor: setup
	$(BIN)/grader doctor

clean:
	rm -rf build .pytest_cache
