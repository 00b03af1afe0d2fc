"""Opening the store briefly, waiting out another writer, and upgrading the
schema on first use.

The store is a DuckDB file (the default) or a DuckLake over PostgreSQL (see
`rectlens.storage.store`). DuckDB lets one process write a file at a time.
Nothing here keeps a file open longer than one operation, so the command
line can write while the dashboard is running; a lock held by another
process is waited out for `lock_wait_seconds` and then reported in plain
Chinese.

A lake is shared by processes on many machines: each process keeps one
in-memory DuckDB with the lake attached and hands out a fresh connection
(cursor) per operation; every write transaction first takes one PostgreSQL
advisory lock on the catalog database, so writers everywhere take turns and
read the newest data when their turn comes (the next upload, record number
and audit hash are decided in that turn: ids are generated in code, the lake
has no sequences or keys).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import duckdb

from rectlens import sql
from rectlens.config import PROJECT_ROOT, limits
from rectlens.storage import store

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

SCHEMA_VERSION = 6
MIGRATIONS_DIR = PROJECT_ROOT / "rectlens" / "migrations"

# One writer at a time inside this process (several Streamlit sessions).
WRITE_LOCK = threading.RLock()

# The advisory lock every writer of a lake takes (any number: it only has to be the same everywhere).
LAKE_WRITE_LOCK_KEY = 0x5245_4354  # "RECT"

OUTAGE = "已确认保存的数据不受影响，请稍后重试；若持续出现，请联系管理员检查 PostgreSQL 服务和共享数据文件夹"


class DatabaseBusy(RuntimeError):
    """Another process held the database longer than we were willing to wait."""


class DatabaseUnavailable(RuntimeError):
    """The database path cannot be opened at all (not a DuckDB file, a folder, no permission), or the lake is unreachable."""


class WriteConflict(DatabaseBusy):
    """A write clashed with a concurrent commit that did not take this product's write lock (another
    program writing the lake, maintenance, DuckLake's own commit retries used up): nothing of it was stored."""

    def __init__(self, message: str, target: store.Target) -> None:
        super().__init__(message)
        self.target = target


# Attempts of a write (see `retry_conflicts`) before its conflict is reported.
CONFLICT_ATTEMPTS = 4
CONFLICT_WAIT_SECONDS = 0.2


def is_conflict(exc: BaseException) -> bool:
    """A commit refused because another transaction changed the same data first (DuckLake or PostgreSQL)."""
    text = str(exc).lower()
    return any(part in text for part in ("transaction conflict", "write-write conflict", "could not serialize", "serialization failure"))


def _conflict(target: store.Target, attempts: int | None = None) -> WriteConflict:
    tried = f"已自动重试 {attempts - 1} 次仍未成功；" if attempts and attempts > 1 else ""
    return WriteConflict(
        f"{store.label(target)}上的这次写入与另一个程序同时写入的数据发生冲突，{tried}本次操作没有保存，已确认保存的数据不受影响，请稍后重试",
        target,
    )


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
        return (
            "文件由不兼容的 DuckDB 版本创建（例如 DuckDB 2.0 写的文件，本系统固定使用 1.5.5），"
            "请按 README“从 DuckDB 2.0 的数据库文件转换”一节转换后再用"
        )
    return text


# DuckDB 1.5.5 refuses a connect racing another thread's connect to the same file ("Unique file
# handle conflict ... already attached"): threads of this process connect one at a time (it is quick).
_CONNECT_LOCK = threading.Lock()


def _open_file(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            with _CONNECT_LOCK:
                return duckdb.connect(str(path))
        except (duckdb.IOException, duckdb.Error) as exc:
            if not _is_lock_error(exc):
                raise DatabaseUnavailable(f"无法打开数据库文件 {path}：{_reason(exc)}；请检查 --db 指定的路径") from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"数据库文件 {path} 正被另一个程序写入，等待 {wait_seconds:.0f} 秒后仍未释放；请稍后重试") from exc
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.5)


# --- the lake -------------------------------------------------------------------

# One in-memory DuckDB per lake and process, with the lake attached; connections are its cursors.
_lakes: dict[str, duckdb.DuckDBPyConnection] = {}
_lakes_lock = threading.Lock()


def _lake_unavailable(found: store.Lake, exc: BaseException) -> DatabaseUnavailable:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "does not match existing data path" in detail:
        return DatabaseUnavailable(
            f"{found.label}登记的数据文件夹与 {store.DATA_PATH_ENV}（{found.data_path}）不一致：每个实例须使用同一个数据文件夹（{detail}）"
        )
    return DatabaseUnavailable(f"暂时无法访问{found.label}：{detail}。{OUTAGE}")


def is_outage(exc: BaseException) -> bool:
    """An error that says the catalog or the data files cannot be reached (not a mistake in a query)."""
    if isinstance(exc, (duckdb.IOException, duckdb.ConnectionException, duckdb.FatalException, duckdb.InternalException)):
        return True
    text = str(exc).lower()
    return any(
        part in text
        for part in (
            "unable to connect",
            "connection refused",
            "server closed the connection",
            "could not connect",
            "no such file",
            "terminating connection",
        )
    )


def forget_lake(target: store.Target) -> None:
    """Drop this process's DuckDB of a lake (after an outage the next operation attaches it afresh)."""
    with _lakes_lock:
        con = _lakes.pop(store.key(target), None)
        if con is not None:
            _lakes_up_to_date.discard(id(con))
    if con is not None:
        with contextlib.suppress(duckdb.Error):
            con.close()


def forget_all_lakes() -> None:
    with _lakes_lock:
        names = list(_lakes)
    for name in names:
        forget_lake(name)


def _open_lake(target: store.Target) -> duckdb.DuckDBPyConnection:
    found = store.lake(target)
    name = store.key(target)
    with _lakes_lock:
        instance = _lakes.get(name)
        if instance is None:
            try:
                instance = store.open_lake(found)
            except duckdb.Error as exc:
                raise _lake_unavailable(found, exc) from exc
            _lakes[name] = instance
    try:
        cursor = instance.cursor()
        cursor.execute(f"USE {store.LAKE_ALIAS}")
    except duckdb.Error as exc:
        forget_lake(target)
        raise _lake_unavailable(found, exc) from exc
    return cursor


_lock_depth = threading.local()


@contextmanager
def _lake_write_lock(target: store.Target) -> Iterator[None]:
    """Hold the lake's PostgreSQL advisory lock (once per thread: nested transactions reuse it)."""
    import psycopg

    depths: dict[str, int] = getattr(_lock_depth, "depths", None) or {}
    _lock_depth.depths = depths
    name = store.key(target)
    if depths.get(name):
        depths[name] += 1
        try:
            yield
        finally:
            depths[name] -= 1
        return
    found = store.lake(target)
    wait_seconds = limits().lock_wait_seconds
    try:
        pg = psycopg.connect(found.conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise _lake_unavailable(found, exc) from exc
    try:
        deadline = time.monotonic() + wait_seconds
        delay = 0.02
        while not pg.execute("SELECT pg_try_advisory_lock(%s)", (LAKE_WRITE_LOCK_KEY,)).fetchone()[0]:  # type: ignore[index]
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"{found.label}正被其他实例写入，等待 {wait_seconds:.0f} 秒后仍未轮到；请稍后重试")
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.25)
        depths[name] = 1
        try:
            yield
        finally:
            depths[name] = 0
            with contextlib.suppress(psycopg.Error):  # else the session is gone, and its lock with it
                pg.execute("SELECT pg_advisory_unlock(%s)", (LAKE_WRITE_LOCK_KEY,))
    except psycopg.Error as exc:
        raise _lake_unavailable(found, exc) from exc
    finally:
        pg.close()


def _open(target: store.Target, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    return _open_lake(target) if store.is_lake(target) else _open_file(Path(target), wait_seconds)


def exists(target: store.Target) -> bool:
    """Whether there is a store to read: the file is there (a lake is always there: it is set up on first use)."""
    return store.is_lake(target) or Path(target).exists()


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


# Connections held open by `session()`, per thread and store.
_held = threading.local()


def _held_connection(target: store.Target) -> duckdb.DuckDBPyConnection | None:
    return getattr(_held, "connections", {}).get(store.key(target))


@contextmanager
def session(path: store.Target) -> Iterator[duckdb.DuckDBPyConnection]:
    """Keep one connection open for a batch of operations in this thread.

    Inside, `connect()` and `transaction()` on the same store reuse it instead of
    opening the file again (opening and checkpointing costs tens of milliseconds).
    Only for batches that own the store anyway, such as building the demo.
    """
    target = store.as_target(path)
    with connect(target) as con:
        previous = dict(getattr(_held, "connections", {}))
        _held.connections = {**previous, store.key(target): con}
        try:
            yield con
        finally:
            _held.connections = previous


# Lakes this process has seen at the current schema version (by their DuckDB of the lake, so
# that attaching afresh after an outage checks again). Schemas only ever move up, so a lake once
# seen up to date stays so: its check (two catalog round trips per connection) is skipped.
_lakes_up_to_date: set[int] = set()


def _lake_instance_id(target: store.Target) -> int | None:
    with _lakes_lock:
        instance = _lakes.get(store.key(target))
    return None if instance is None else id(instance)


def _upgrade_if_needed(target: store.Target, con: duckdb.DuckDBPyConnection) -> None:
    lake_instance = _lake_instance_id(target) if store.is_lake(target) else None
    if lake_instance is not None and lake_instance in _lakes_up_to_date:
        return
    if schema_version(con) >= SCHEMA_VERSION:
        if lake_instance is not None:
            _lakes_up_to_date.add(lake_instance)
        return
    with WRITE_LOCK:
        if store.is_lake(target):
            with _lake_write_lock(target):
                con.execute("BEGIN TRANSACTION")  # a fresh snapshot: another instance may have upgraded meanwhile
                current = schema_version(con)
                con.execute("COMMIT")
                if current < SCHEMA_VERSION:
                    upgrade(con)
        else:
            upgrade(con)


@contextmanager
def connect(path: store.Target, upgrade_schema: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to an up-to-date store."""
    target = store.as_target(path)
    held = _held_connection(target)
    if held is not None:
        yield held
        return
    if not store.is_lake(target):
        db_path = Path(target)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(f"无法创建数据库所在的文件夹 {db_path.parent}：{exc.strerror or exc}") from exc
    con = _open(target, limits().lock_wait_seconds)
    try:
        if upgrade_schema:
            _guarded(target, lambda: _upgrade_if_needed(target, con))
        if store.is_lake(target):
            try:
                yield con
            except duckdb.Error as exc:
                if is_outage(exc):
                    forget_lake(target)
                    raise _lake_unavailable(store.lake(target), exc) from exc
                raise
        else:
            yield con
    finally:
        con.close()


@contextmanager
def reading(path: store.Target) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for reads that must agree with each other, such as one month's report.

    All of it runs in one read transaction, so every statement reads the same snapshot while
    other sessions, processes or instances commit. On a lake this also spares a catalog round
    trip per statement: outside a transaction DuckLake looks up the newest snapshot in
    PostgreSQL for each one. Nothing is written: the transaction is rolled back at the end.
    Inside `session()` the held connection is used as it is.
    """
    target = store.as_target(path)
    held = _held_connection(target) is not None
    with connect(target) as con:
        if held:
            yield con
            return
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        finally:
            with contextlib.suppress(duckdb.Error):  # else the connection is gone, and the transaction with it
                con.execute("ROLLBACK")


def _guarded(target: store.Target, work: Callable[[], None]) -> None:
    """Run `work()`; on a lake, an outage becomes DatabaseUnavailable with a Chinese message."""
    if not store.is_lake(target):
        work()
        return
    try:
        work()
    except duckdb.Error as exc:
        if is_outage(exc):
            forget_lake(target)
            raise _lake_unavailable(store.lake(target), exc) from exc
        raise


@contextmanager
def transaction(path: store.Target) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write transaction: all of it is stored, or none of it.

    On a lake the transaction begins only once this writer holds the lake's
    advisory lock, so it reads what every writer before it committed.
    A commit refused because of a conflicting commit from outside this product's write lock
    raises WriteConflict (a Chinese message; see `retry_conflicts` for running the write again).
    """
    target = store.as_target(path)
    try:
        if store.is_lake(target):
            with WRITE_LOCK, _lake_write_lock(target), connect(target) as con:
                yield from _in_transaction(con)
            return
        with WRITE_LOCK, connect(target) as con:
            yield from _in_transaction(con)
    except duckdb.Error as exc:
        if is_conflict(exc):
            raise _conflict(target) from exc
        raise


_retrying = threading.local()


def retry_conflicts(work: Callable[P, T]) -> Callable[P, T]:
    """Run a write (a function whose stored effects are one `transaction()`) again from the start
    when its commit met a conflict: every attempt reads afresh under the write lock, and a refused
    attempt stored nothing. After CONFLICT_ATTEMPTS attempts the WriteConflict is raised, saying so.
    Within a write already being retried on this thread, the outermost one retries the whole."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        if getattr(_retrying, "active", False):
            return work(*args, **kwargs)
        _retrying.active = True
        try:
            for attempt in range(1, CONFLICT_ATTEMPTS + 1):
                try:
                    return work(*args, **kwargs)
                except WriteConflict as exc:
                    if attempt == CONFLICT_ATTEMPTS:
                        raise _conflict(exc.target, attempt) from exc.__cause__
                    log.info("write conflict in %s, attempt %d of %d: %s", work.__name__, attempt, CONFLICT_ATTEMPTS, exc.__cause__)
                    time.sleep(CONFLICT_WAIT_SECONDS * attempt * random.uniform(0.5, 1.5))
            raise AssertionError("unreachable")
        finally:
            _retrying.active = False

    return run


def _in_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # else the connection is gone: nothing of the transaction was stored
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def data_version(path: store.Target) -> tuple[int, int]:
    """Changes whenever the store does: a cache key for the dashboard."""
    target = store.as_target(path)
    if store.is_lake(target):
        with connect(target) as con:
            return (int(sql.rows(con, "lake_snapshot")[0][0]), 0)
    db_path = Path(target)
    wal = db_path.with_name(db_path.name + ".wal")
    stamps = [p.stat().st_mtime_ns for p in (db_path, wal) if p.exists()]
    sizes = [p.stat().st_size for p in (db_path, wal) if p.exists()]
    return (max(stamps) if stamps else 0, sum(sizes))
