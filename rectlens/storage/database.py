"""Opening the DuckDB file briefly, waiting out another process's lock,
and upgrading the schema on first use.

DuckDB lets one process write a file at a time. Nothing here keeps a
connection open longer than one operation, so the command line can write
while the dashboard is running; a lock held by another process is waited
out for `lock_wait_seconds` and then reported in plain Chinese.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from rectlens import sql
from rectlens.config import PROJECT_ROOT, limits

SCHEMA_VERSION = 5
MIGRATIONS_DIR = PROJECT_ROOT / "rectlens" / "migrations"

# One writer at a time inside this process (several Streamlit sessions).
WRITE_LOCK = threading.RLock()


class DatabaseBusy(RuntimeError):
    """Another process held the database longer than we were willing to wait."""


class DatabaseUnavailable(RuntimeError):
    """The database path cannot be opened at all (not a DuckDB file, a folder, no permission)."""


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "resource temporarily unavailable" in text


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "not a valid DuckDB database" in text:
        return "这不是 DuckDB 数据库文件"
    if "Is a directory" in text:
        return "这是一个文件夹"
    if "ermission denied" in text:
        return "没有读写权限"
    if "version" in text.lower():
        return "文件由不兼容的 DuckDB 版本创建"
    return text


def _open(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path))
        except (duckdb.IOException, duckdb.Error) as exc:
            if not _is_lock_error(exc):
                raise DatabaseUnavailable(f"无法打开数据库文件 {path}：{_reason(exc)}；请检查 --db 指定的路径") from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"数据库文件 {path} 正被另一个程序写入，等待 {wait_seconds:.0f} 秒后仍未释放；请稍后重试") from exc
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.5)


def _migrations() -> list[tuple[int, str]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        found.append((int(path.name.split("_", 1)[0]), path.read_text(encoding="utf-8")))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not sql.rows(con, "table_exists", {"table_name": "meta"})[0][0]:
        return 0
    row = sql.rows(con, "meta_get", {"key": "schema_version"})
    return int(row[0][0]) if row else 0


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every migration newer than the file's schema version, each in a transaction."""
    current = schema_version(con)
    for version, script in _migrations():
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(script)
            sql.execute(con, "meta_set", {"key": "schema_version", "value": str(version)})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


# Connections held open by `session()`, per thread and database file.
_held = threading.local()


def _held_connection(db_path: Path) -> duckdb.DuckDBPyConnection | None:
    return getattr(_held, "connections", {}).get(str(db_path.resolve()))


@contextmanager
def session(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Keep one connection open for a batch of operations in this thread.

    Inside, `connect()` and `transaction()` on the same file reuse it instead of
    opening the file again (opening and checkpointing costs tens of milliseconds).
    Only for batches that own the file anyway, such as building the demo.
    """
    db_path = Path(path)
    with connect(db_path) as con:
        previous = dict(getattr(_held, "connections", {}))
        _held.connections = {**previous, str(db_path.resolve()): con}
        try:
            yield con
        finally:
            _held.connections = previous


@contextmanager
def connect(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to an up-to-date database file."""
    db_path = Path(path)
    held = _held_connection(db_path)
    if held is not None:
        yield held
        return
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnavailable(f"无法创建数据库所在的文件夹 {db_path.parent}：{exc.strerror or exc}") from exc
    con = _open(db_path, limits().lock_wait_seconds)
    try:
        if schema_version(con) < SCHEMA_VERSION:
            with WRITE_LOCK:
                upgrade(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write transaction: all of it is stored, or none of it."""
    with WRITE_LOCK, connect(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def data_version(path: Path | str) -> tuple[int, int]:
    """Changes whenever the file does: a cache key for the dashboard."""
    db_path = Path(path)
    wal = db_path.with_name(db_path.name + ".wal")
    stamps = [p.stat().st_mtime_ns for p in (db_path, wal) if p.exists()]
    sizes = [p.stat().st_size for p in (db_path, wal) if p.exists()]
    return (max(stamps) if stamps else 0, sum(sizes))
