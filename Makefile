# Two commands do everything: `make autograders` and `make test`. Each installs what it needs first
# (the venv, and from apt-get what the venv and the tests need from the system) and prints how
# long each install and each later step took ("[time] ...").
#
# Where the venv lives: .venv, unless root works in a folder other users cannot enter (a clone
# under /root): the sandbox user must then read the venv's Python, so it goes to /opt (.ci/venv-dir).
VENV ?= $(shell .ci/venv-dir)
PY := $(VENV)/bin/python
# Student code runs as an unprivileged user when the grader runs as root, so the
# interpreter behind the venv must be readable by every user: prefer the system Python.
BASE_PYTHON ?= $(shell for p in /usr/bin/python3.11 /usr/bin/python3 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && { echo $$p; break; }; done)
export BASE_PYTHON
TIMED := .ci/timed

.PHONY: venv cpu-venv autograders test check lint bench clean

# --no-compile: pip would compile every module of every package (12,720 files, 28 s of one core here);
# Python compiles and caches the few hundred that are imported, the first time each is (install: 50 s
# instead of 70 to 77 s).
$(VENV)/.installed: pyproject.toml
	@.ci/system-deps venv
	@test -x $(PY) || $(TIMED) "create the venv $(VENV)" $(BASE_PYTHON) -m venv $(VENV)
	@$(TIMED) "install pip" $(PY) -m pip install --quiet --upgrade pip
	@$(TIMED) "install the course's packages (.[course,dev])" $(PY) -m pip install --quiet --no-compile -e '.[course,dev]'
	@touch $@

venv: $(VENV)/.installed

# A second venv holding what the zips install on Gradescope, with a CPU-only torch, to report
# Gradescope-like memory figures next to the CUDA build's (torchvision from PyPI does not import
# beside it). torch comes from CPU_TORCH_INDEX at the course's pin, else CPU_TORCH_FALLBACK.
CPU_VENV ?= $(VENV)-cpu
export CPU_TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
export CPU_TORCH_FALLBACK ?= torch==2.13.0
$(CPU_VENV)/.installed: pyproject.toml .ci/cpu-venv | venv
	@$(TIMED) "install the CPU-only torch venv $(CPU_VENV)" .ci/cpu-venv $(CPU_VENV) $(PY) $(BASE_PYTHON)
	@touch $@

cpu-venv: $(CPU_VENV)/.installed

# Builds every zip and bundle, grades each solution and starter, prints the table. The mutation
# proof and the reference reports are shown where `make test` left them cached and current
# (.cache/verify/); they are not run here. A second run with nothing changed reuses everything.
autograders: venv
	-@$(MAKE) --no-print-directory cpu-venv
	@AUTOGRADER_CPU_PYTHON=$(CPU_VENV)/bin/python $(TIMED) "autograder verify --cached-proofs" \
		$(PY) -m autograder verify --cached-proofs

# Everything: the starter in sync, then every test on TEST_WORKERS pytest-xdist workers (slow ones
# included): among them verify of each assignment, with the mutation proof and the reference runs
# (tests/test_assignments_whole.py), and the notebooks. verify's table is then printed from the cache
# those runs filled, which make autograders shows as well.
TEST_WORKERS ?= 2
# The tests' temporary files go to memory where there is room (.ci/test-tmpdir says why); an empty
# TEST_TMPDIR keeps the usual TMPDIR. Every process of the run keeps to one BLAS/OpenMP thread:
# the workers already keep both cores busy, and torch's idle threads spin (A2's reference training
# run: 26.6 CPU s with one thread, 30.5 with two on the idle machine, more beside other work).
TEST_TMPDIR ?= $(shell .ci/test-tmpdir)
TEST_THREADS ?= OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TEST_ENV := $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(TEST_THREADS)
test: venv
	@.ci/system-deps chromium
	@$(TIMED) "starter --check" $(PY) -m autograder starter --check
	@$(TIMED) "pytest tests ($(TEST_WORKERS) workers)" env $(TEST_ENV) $(PY) -m pytest tests -q -n $(TEST_WORKERS) --dist loadgroup \
		--durations=12
	@$(TIMED) "autograder verify --cached-proofs (the table)" $(PY) -m autograder verify --cached-proofs

# The fast tier: no real assignment's zip, no training, no browser (tests marked slow are left out).
check: venv
	@$(TIMED) "pytest tests -m 'not slow' ($(TEST_WORKERS) workers)" env $(TEST_ENV) $(PY) -m pytest tests -q -m "not slow" \
		-n $(TEST_WORKERS) --dist loadgroup

# The same checks as .pre-commit-config.yaml; the rules are in pyproject.toml.
LINTED := autograder tests solutions assignments bench
lint: venv
	@$(TIMED) "ruff" $(VENV)/bin/ruff check $(LINTED)
	@$(TIMED) "mypy" $(VENV)/bin/mypy

bench: venv
	$(PY) bench/run_all.py

clean:
	rm -rf dist .cache
