"""First start: build the demo database when there is no database yet."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

# Sessions of one server share this: only one of them builds the demo.
_BUILD_LOCK = threading.Lock()


def ensure_database(db: Path) -> None:
    """Create the demo data set at `db` unless a database is already there."""
    if db.exists():
        return
    with _BUILD_LOCK:
        if db.exists():
            return
        from rectlens import demo

        with st.status("正在生成示例数据…", expanded=False) as status:
            try:
                demo.build(db, echo=status.write)
            except Exception:
                _remove_partial(db)
                status.update(label="示例数据生成失败", state="error")
                raise
            status.update(label="示例数据已生成", state="complete")


def _remove_partial(db: Path) -> None:
    """A half-built file would look like a real database on the next start."""
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)
