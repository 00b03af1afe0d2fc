"""Named queries: one `.sql` file per query in `queries/`, parameters bound by name."""

from __future__ import annotations

from functools import cache
from typing import Any

import duckdb
import pandas as pd

from rectlens.config import QUERIES_DIR


class UnknownQuery(KeyError):
    pass


@cache
def text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise UnknownQuery(name)
    return path.read_text(encoding="utf-8")


def execute(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    return con.execute(text(name), params or {})


def frame(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run a named query on its own cursor and return the whole result."""
    cursor = con.cursor()
    try:
        return cursor.execute(text(name), params or {}).df()
    finally:
        cursor.close()


def rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    cursor = con.cursor()
    try:
        return cursor.execute(text(name), params or {}).fetchall()
    finally:
        cursor.close()
