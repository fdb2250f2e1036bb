#!/usr/bin/env bash
# Install Debian's Chromium and chromedriver if missing (apt-get only, no other download),
# then run the real-browser check of the app.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
.venv/bin/python scripts/browser_check.py "$@"
