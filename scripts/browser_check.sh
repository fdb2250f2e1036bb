#!/usr/bin/env bash
# Install Debian's Chromium and chromedriver if missing, then run the real-browser check.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
.venv/bin/python -c "import selenium" 2>/dev/null || .venv/bin/pip install -q "selenium>=4.20"
.venv/bin/python scripts/browser_check.py "$@"
