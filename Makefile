# Two commands do everything: `make autograders` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# Student code runs as an unprivileged user when the grader runs as root, so the
# interpreter behind the venv must be readable by every user: prefer the system Python.
BASE_PYTHON ?= $(shell for p in /usr/bin/python3.11 /usr/bin/python3 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: venv cpu-venv autograders test lint bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

# A second venv with the CPU-only torch wheel, to report Gradescope-like memory figures
# next to the CUDA build's (torchvision from PyPI does not import beside it).
CPU_VENV ?= .venv-cpu
$(CPU_VENV)/.installed:
	@test -x $(CPU_VENV)/bin/python || $(BASE_PYTHON) -m venv $(CPU_VENV)
	$(CPU_VENV)/bin/python -m pip install --quiet torch==2.13.0 numpy pytest gradescope-utils==0.5.0 \
		safetensors jsonschema fastjsonschema rich scikit-learn pyyaml matplotlib captum
	@touch $@

cpu-venv: $(CPU_VENV)/.installed

autograders: venv
	$(PY) -m autograder build all
	-$(MAKE) --no-print-directory cpu-venv
	AUTOGRADER_CPU_PYTHON=$(CPU_VENV)/bin/python $(PY) -m autograder verify

test: venv
	$(PY) -m autograder starter --check
	$(PY) -m pytest tests -q
	$(PY) -m autograder verify
	$(PY) -m autograder notebooks

lint: venv
	$(VENV)/bin/ruff check autograder tests
	$(VENV)/bin/mypy

bench: venv
	$(PY) bench/run_all.py

clean:
	rm -rf dist
