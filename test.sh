#!/usr/bin/env bash
# Runs the whole test suite, real models included (sets up .venv first when needed).
# Extra arguments go to pytest, e.g. `./test.sh -m "not slow"` for the fast tests alone.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --install-only
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser test..."
    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || echo "chromium not installed"
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
