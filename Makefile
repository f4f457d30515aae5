# Two commands on a fresh machine: `make run` and `make test`. Both create .venv and install the core
# and every bundled plugin distribution (editable), so a clean clone needs nothing else.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PLUGIN_DIRS := $(sort $(wildcard plugins/zswaplab-*))
STAMP := $(VENV)/.installed

.PHONY: setup test-deps run test test-all typecheck tox-full bench bench-all model-deep clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt $(wildcard plugins/*/pyproject.toml)
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=python3" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -e . $(foreach p,$(PLUGIN_DIRS),-e $(p))
	@touch $(STAMP)

# The main job: the default workload through every bundled compressor and allocator.
run: setup
	$(BIN)/zswaplab run --compressor all --allocator all --pages 4096

# System programs some tests need (a headless Chromium for the report's render check). .ci/run calls it
# before `make test`; without it those tests skip on a laptop and fail under CI=true.
test-deps:
	bash tools/install-test-deps.sh

# What CI runs: every test of the core and of each plugin, then a representative slice of the tox matrix.
# Cells run one after another: each builds the core and its plugins from this tree, and setuptools builds
# in place (build/, *.egg-info), so two cells building the same directory at once can break each other.
test: setup
	$(BIN)/python -m pytest -q tests $(foreach p,$(PLUGIN_DIRS),$(p)/tests)
	$(BIN)/python -m tox run -q -e $$($(BIN)/python tools/tox_ci_envs.py)

# ruff (lint + format) over the repository and mypy --strict over the core and every plugin
# (tests/test_types.py runs the same checks in `make test`).
typecheck: setup
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m mypy core/zswaplab $(filter-out %.egg-info,$(wildcard plugins/*/src/zswaplab_*))

# The whole tox matrix (all interpreters, all cells): see docs/how-to/tox-matrix.md.
tox-full: setup
	$(BIN)/python -m tox run -q

# The model check in depth: EXAMPLES (default 300) hypothesis examples for each combination (840 with
# every bundled plugin), spread over JOBS processes (pytest-xdist; default: one per core). SLICE=K/N runs
# every N-th combination from the K-th only. See docs/explanation/nothing-lost.md for what a run takes.
model-deep: setup
	ZSWAPLAB_HYPOTHESIS_EXAMPLES=$(or $(EXAMPLES),300) ZSWAPLAB_MODEL_SLICE=$(SLICE) \
		$(BIN)/python -m pytest -q -n $(or $(JOBS),auto) --timeout 3600 tests/test_model.py

bench: setup
	$(BIN)/python benchmarks/store_load.py

# Every issue-10 target; rewrites docs/performance.md (a few minutes, about 3 GB of RAM).
bench-all: setup
	$(BIN)/python benchmarks/run.py --docs docs/performance.md

clean:
	rm -rf $(VENV) .tox build dist
