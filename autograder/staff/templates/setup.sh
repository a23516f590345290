#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Installs the pinned requirements (a CPU-only torch where the assignment needs torch) into a
# virtual environment of the grader's own, and creates the unprivileged user that student code
# runs as. The venv keeps clear of the system Python, which Ubuntu 24.04 and later refuse to
# pip-install into (PEP 668); Python 3.10 (Ubuntu 22.04, Gradescope's default) works as well.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
# run_autograder looks for the same place (AUTOGRADER_VENV moves both).
VENV="${AUTOGRADER_VENV:-/autograder/venv}"
# `python3 -m venv` needs ensurepip, which Debian and Ubuntu ship apart (python3-venv).
if ! command -v python3 >/dev/null || ! python3 -m ensurepip --version >/dev/null 2>&1; then
  apt-get update
  apt-get install -y python3 python3-venv
fi
python3 -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --upgrade pip
# A CPU-only torch keeps the image small and the memory footprint low; set
# AUTOGRADER_TORCH_INDEX to another wheel index (or to "pypi") to change where torch comes from.
TORCH_INDEX="${AUTOGRADER_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
if grep -qE '^torch(vision)?==' requirements.txt; then
  if [ "$TORCH_INDEX" = "pypi" ]; then
    "$PY" -m pip install $(grep -E '^torch(vision)?==' requirements.txt)
  else
    "$PY" -m pip install --index-url "$TORCH_INDEX" $(grep -E '^torch(vision)?==' requirements.txt)
  fi
fi
"$PY" -m pip install -r requirements.txt
# Student code runs as another user and imports from this venv (workers load modules lazily).
chmod -R a+rX "$VENV"
if ! id autograder-student >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin autograder-student
fi
