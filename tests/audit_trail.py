"""Reading the audit log (留痕) straight from the database file, behind the library's back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from rectlens.quality import stage

COLUMNS = ("seq", "happened_at", "account", "roles", "action", "target", "outcome", "detail", "prev_hash", "hash")


def connect_behind(db: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file, behind the library's back. The product's background warm-ups
    (started by an upload in an in-process app) are waited for first: while one holds its read-write
    connection, DuckDB refuses a read-only one in the same process."""
    stage.wait_for_warm_ups()
    return duckdb.connect(str(db), read_only=True)


def audit_rows(db: Path | str, after: int = 0) -> list[dict[str, Any]]:
    """Audit records with a sequence number above `after`, oldest first (none when the file does not exist)."""
    if not Path(db).exists():
        return []
    con = connect_behind(db)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'audit_log'").fetchone()[0]:  # type: ignore[index]
            return []
        found = con.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE seq > ? ORDER BY seq", [after]).fetchall()
    finally:
        con.close()
    return [dict(zip(COLUMNS, row, strict=True)) for row in found]


def last_seq(db: Path | str) -> int:
    """The newest record's sequence number (0 for an empty log)."""
    rows = audit_rows(db)
    return int(rows[-1]["seq"]) if rows else 0


def actions(db: Path | str, after: int = 0) -> list[tuple[str, str, str]]:
    """(account, action, outcome) of each record after `after`."""
    return [(row["account"], row["action"], row["outcome"]) for row in audit_rows(db, after)]
