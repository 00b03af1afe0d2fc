#!/usr/bin/env bash
# Start one dashboard instance behind nginx: deploy/rectlens-instance.sh PORT
# Reads the shared environment from $RECTLENS_ENV (default /etc/rectlens/rectlens.env).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:?用法：deploy/rectlens-instance.sh 端口}"
env_file="${RECTLENS_ENV:-/etc/rectlens/rectlens.env}"
if [ -f "$env_file" ]; then
    set -a
    # shellcheck disable=SC1090
    source "$env_file"
    set +a
fi
: "${RECTLENS_STORE:?请在 $env_file 中设置 RECTLENS_STORE}"
: "${RECTLENS_DATA_PATH:?请在 $env_file 中设置 RECTLENS_DATA_PATH}"
exec .venv/bin/python -m streamlit run dashboard.py \
    --server.headless true \
    --server.port "$port" \
    --server.address "${ADDRESS:-127.0.0.1}" \
    --server.fileWatcherType none \
    --server.enableCORS false \
    --server.enableXsrfProtection true \
    --browser.gatherUsageStats false
