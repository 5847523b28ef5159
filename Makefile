# Two commands: `make demo` runs the main job, `make test` runs the whole suite.
# Both create or update .venv themselves (torch + torchvision from PyPI, the package editable, dev tools).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install --python $(BIN)/python -q "torch==2.13.0" "torchvision==0.28.0" -e ".[dev]"
	touch $@

demo: $(STAMP)
	$(BIN)/deepinversion demo

# Notebooks run two at a time, one torch thread each (faster than sharing two threads on 2 cores).
test: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --do_print
	$(BIN)/pytest -q tests
