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
	$(PY) -m pip install --quiet -e '.[course,dev]'
	@touch $@

venv: $(VENV)/.installed

# A second venv holding what the zips install on Gradescope, with a CPU-only torch, to report
# Gradescope-like memory figures next to the CUDA build's (torchvision from PyPI does not import
# beside it). torch comes from CPU_TORCH_INDEX at the course's pin, else CPU_TORCH_FALLBACK.
CPU_VENV ?= .venv-cpu
export CPU_TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
export CPU_TORCH_FALLBACK ?= torch==2.13.0
$(CPU_VENV)/.installed: pyproject.toml .ci/cpu-venv | venv
	.ci/cpu-venv $(CPU_VENV) $(PY) $(BASE_PYTHON)
	@touch $@

cpu-venv: $(CPU_VENV)/.installed

# verify builds each zip and bundle once, then grades them
autograders: venv
	-$(MAKE) --no-print-directory cpu-venv
	AUTOGRADER_CPU_PYTHON=$(CPU_VENV)/bin/python $(PY) -m autograder verify

test: venv
	$(PY) -m autograder starter --check
	$(PY) -m pytest tests -q
	$(PY) -m autograder verify
	$(PY) -m autograder notebooks

# The same checks as .pre-commit-config.yaml; the rules are in pyproject.toml.
LINTED := autograder tests solutions assignments bench
lint: venv
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/mypy

bench: venv
	$(PY) bench/run_all.py

clean:
	rm -rf dist
