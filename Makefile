# Two commands do everything: `make autograders` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# Student code runs as an unprivileged user when the grader runs as root, so the
# interpreter behind the venv must be readable by every user: prefer the system Python.
BASE_PYTHON ?= $(shell for p in /usr/bin/python3.11 /usr/bin/python3 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: venv autograders test lint bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

autograders: venv
	$(PY) -m autograder build all
	$(PY) -m autograder verify

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
