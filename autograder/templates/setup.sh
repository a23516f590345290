#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Installs the pinned requirements (a CPU-only torch where the assignment needs torch)
# and creates the unprivileged user that student code runs as.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update
  apt-get install -y python3 python3-pip
fi
python3 -m pip install --upgrade pip
# A CPU-only torch keeps the image small and the memory footprint low; set
# AUTOGRADER_TORCH_INDEX to another wheel index (or to "pypi") to change where torch comes from.
TORCH_INDEX="${AUTOGRADER_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
if grep -qE '^torch(vision)?==' requirements.txt; then
  if [ "$TORCH_INDEX" = "pypi" ]; then
    python3 -m pip install $(grep -E '^torch(vision)?==' requirements.txt)
  else
    python3 -m pip install --index-url "$TORCH_INDEX" $(grep -E '^torch(vision)?==' requirements.txt)
  fi
fi
python3 -m pip install -r requirements.txt
if ! id autograder-student >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin autograder-student
fi
