"""Moving up: copy a DuckDB file (uploads, history, accounts, audit log) into an empty lake.

The file is brought up to the current schema first, so both sides have the
same tables with the same columns; then every table is copied in one lake
transaction (under the lake's write lock), and afterwards the row counts of
both sides are compared and the lake's audit chain is walked from the first
record. A lake that already holds anything is refused: nothing is overwritten.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from rectlens.access import audit
from rectlens.storage import database, store

# meta holds the schema version both sides already agree on; it is copied, not counted as content.
META = "meta"
_aliases = itertools.count(1)


class CannotMigrate(RuntimeError):
    """The copy was refused (a non-empty lake, a missing file) or did not verify."""


@dataclass
class Migration:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    chain: audit.ChainCheck | None = None

    @property
    def message(self) -> str:
        counted = "、".join(f"{table} {count:,} 行" for table, count in self.rows.items() if count)
        chain = self.chain.message if self.chain else ""
        return f"已把 {self.source} 复制到{store.label(self.target)}：{counted or '没有数据'}；行数逐表核对一致；{chain}"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    found = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' AND table_type = 'BASE TABLE'"
        " ORDER BY table_name",
        [catalog],
    ).fetchall()
    return [str(name) for (name,) in found]


def _counts(con: duckdb.DuckDBPyConnection, catalog: str, tables: list[str]) -> dict[str, int]:
    return {table: int(con.execute(f'SELECT count(*) FROM "{catalog}".main."{table}"').fetchall()[0][0]) for table in tables}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def migrate(source: Path | str, target: str) -> Migration:
    """Copy the DuckDB file `source` into the empty lake `target` and verify the copy."""
    if not store.is_lake(target):
        raise CannotMigrate(f"--to 须是共享存储 ducklake:postgres:<连接串>，而不是 {target}")
    source_path = Path(source)
    if store.is_lake(source) or not source_path.is_file():
        raise CannotMigrate(f"要复制的数据库文件 {source} 不存在")
    with database.connect(source_path):
        pass  # brings the file up to the current schema, like any first use would
    source_audit = audit.verify(source_path)
    if not source_audit.intact:
        raise CannotMigrate(f"数据库文件 {source_path} 的留痕已不完整，未复制：{source_audit.message}")
    alias = f"source_{os.getpid()}_{next(_aliases)}"
    report = Migration(str(source_path), target)
    with database.connect(target) as con:  # attached for the whole process's DuckDB of the lake, read-only
        con.execute(f"ATTACH {_quoted(str(source_path.resolve()))} AS {alias} (READ_ONLY)")
    try:
        with database.transaction(target) as con:
            report.rows = _copy(con, alias, target)
    finally:
        _detach(target, alias)
    report.chain = audit.verify(target)
    counts = row_counts(target)
    if counts != report.rows or not report.chain.intact or report.chain.records != source_audit.records:
        raise CannotMigrate(f"复制后核对未通过：行数 {counts}，{report.chain.message}")
    return report


def _copy(con: duckdb.DuckDBPyConnection, alias: str, target: str) -> dict[str, int]:
    """Copy every table of the attached file into the empty lake, inside the caller's transaction."""
    lake_name = str(con.execute("SELECT current_database()").fetchall()[0][0])
    lake_tables, file_tables = _tables(con, lake_name), _tables(con, alias)
    if lake_tables != file_tables:
        raise CannotMigrate(f"表结构不一致：共享存储有 {lake_tables}，数据库文件有 {file_tables}")
    content = [table for table in lake_tables if table != META]
    present = {table: count for table, count in _counts(con, lake_name, content).items() if count}
    if present:
        listed = "、".join(f"{table} {count} 行" for table, count in present.items())
        raise CannotMigrate(f"{store.label(target)}已有数据（{listed}），拒绝覆盖；请指定一个空的共享存储")
    for table in lake_tables:
        if table == META:
            con.execute(f'DELETE FROM "{lake_name}".main.meta')
        con.execute(f'INSERT INTO "{lake_name}".main."{table}" BY NAME SELECT * FROM {alias}.main."{table}"')
    copied, expected = _counts(con, lake_name, lake_tables), _counts(con, alias, lake_tables)
    if copied != expected:
        raise CannotMigrate(f"复制后行数不一致：数据库文件 {expected}，共享存储 {copied}；未保存任何数据")
    return {table: count for table, count in copied.items() if table != META}


def _detach(target: str, alias: str) -> None:
    with database.connect(target) as con:
        con.execute(f"DETACH DATABASE IF EXISTS {alias}")


def row_counts(target: Path | str) -> dict[str, int]:
    """Rows per table (meta aside) of a store, as read afresh."""
    with database.connect(target) as con:
        name = str(con.execute("SELECT current_database()").fetchall()[0][0])
        tables = [table for table in _tables(con, name) if table != META]
        return _counts(con, name, tables)

