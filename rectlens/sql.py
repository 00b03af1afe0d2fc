"""Named queries: one `.sql` file per query in `queries/`, parameters bound by name."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from rectlens.config import QUERIES_DIR


class UnknownQuery(KeyError):
    pass


@cache
def text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise UnknownQuery(name)
    return path.read_text(encoding="utf-8")


_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def parameters(name: str) -> frozenset[str]:
    """The `$name` parameters a query uses (DuckDB refuses extra ones)."""
    return frozenset(_PARAMETER.findall(text(name)))


def bind(name: str, params: dict[str, Any] | None) -> dict[str, Any]:
    wanted = parameters(name)
    return {key: value for key, value in (params or {}).items() if key in wanted}


def execute(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    return con.execute(text(name), bind(name, params))


def frame(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run a named query and fetch the whole result (connections are never shared)."""
    return con.execute(text(name), bind(name, params)).df()


def arrow(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pa.Table:
    """Run a named query and fetch the whole result as an Arrow table (text columns without Python objects)."""
    return con.sql(text(name), params=bind(name, params)).to_arrow_table()


def rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return con.execute(text(name), bind(name, params)).fetchall()
