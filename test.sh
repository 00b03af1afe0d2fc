#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite: ruff, then pytest
# (including the browser tests in headless Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

# PostgreSQL and nginx for the lake tests: they start a cluster (and nginx) of their own and stop it afterwards.
ensure_debian_packages chromium fonts-noto-cjk postgresql nginx
ensure_venv requirements-dev.txt

echo "== ruff check"
.venv/bin/ruff check .

echo "== pytest"
# Two workers; the browser tests share one worker (xdist group) and so one server.
status=0
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: treated as a failure" >&2
    exit 1
fi
exit "$status"
