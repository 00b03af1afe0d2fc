#!/usr/bin/env bash
# Set up (first run only) and start the dashboard: http://localhost:8501
# Options: PORT=8502 ./start.sh; RECTLENS_DB=/path/to/file.duckdb ./start.sh
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

# Chromium and CJK fonts render charts to PNG and slides on the server (简报).
ensure_debian_packages chromium fonts-noto-cjk || echo "提示：未能安装 chromium / fonts-noto-cjk，图表导出 PNG 与幻灯片将不可用" >&2
ensure_venv requirements.txt

exec .venv/bin/python -m streamlit run dashboard.py \
    --server.headless true \
    --server.port "${PORT:-8501}" \
    --server.address "${ADDRESS:-0.0.0.0}" \
    --server.fileWatcherType none \
    --browser.gatherUsageStats false \
    "$@"
