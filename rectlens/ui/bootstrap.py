"""First start: build the demo database when there is no database yet."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from rectlens import demo
from rectlens.storage.store import is_lake

BUILDING_LABEL = "正在生成示例数据…"

# Sessions of one server share this: one builds the demo, the others wait for it.
_BUILD_LOCK = threading.Lock()


def ensure_database(db: Path | str) -> None:
    """Create the demo data set at `db` unless a database is already there (never in a shared lake)."""
    if is_lake(db):
        return
    db = Path(db)
    if db.exists() and not _BUILD_LOCK.locked():
        return
    if not _BUILD_LOCK.acquire(blocking=False):
        # Another session is building: the file may exist but is not ready yet.
        with st.spinner(BUILDING_LABEL + "请稍候"), _BUILD_LOCK:
            return
    try:
        if not db.exists():
            _build(db)
    finally:
        _BUILD_LOCK.release()


def _build(db: Path) -> None:
    with st.status(BUILDING_LABEL, expanded=False) as status:
        try:
            summary = demo.build(db, echo=lambda message: status.update(label=f"{BUILDING_LABEL}{message}"))
        except Exception:
            _remove_partial(db)
            status.update(label="示例数据生成失败", state="error")
            raise
        status.update(label="示例数据已生成", state="complete")
        status.write(summary)


def _remove_partial(db: Path) -> None:
    """A half-built file would look like a real database on the next start."""
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
