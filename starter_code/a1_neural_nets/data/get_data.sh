#!/usr/bin/env bash
# Fetch MNIST for assignment 1 (course machines; needs internet and torchvision).
set -euo pipefail
cd "$(dirname "$0")"
python get_data.py
