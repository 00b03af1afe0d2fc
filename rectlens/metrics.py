"""Reported-versus-verified metrics, computed by the named queries in `queries/`.

`analysis()` opens the database, installs the statistical macros and the
staging views, and computes the per unit x project x month counts once;
metrics and warnings then read those counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from rectlens import config, sql
from rectlens.storage import store
from rectlens.storage.database import reading

STAGING = ("macros", "stg_units", "stg_ledger", "stg_summary", "stg_checks", "stg_satisfaction")

GROUPINGS: dict[str, str] = {
    "region,project": "region,project",
    "project,region": "region,project",
    "region": "region",
    "project": "project",
    "zone": "zone",
    "zone,project": "zone,project",
    "project,zone": "zone,project",
    "province": "province",
}

# Column names exactly as the specification writes them.
METRIC_COLUMNS: tuple[str, ...] = (
    "total",
    "completed",
    "reported_rate",
    "ledger_total",
    "ledger_completed",
    "ledger_rate",
    "checked",
    "passed",
    "pass_rate",
    "pass_low",
    "pass_high",
    "verified_rate",
    "verified_low",
    "verified_high",
    "gap",
    "due",
    "schedule_rate",
    "overdue",
    # the random-draw stratum (抽样方式 随机抽查): the estimate free of targeting bias
    "random_checked",
    "random_passed",
    "random_pass_rate",
    "random_pass_low",
    "random_pass_high",
    "random_verified_rate",
)
RATE_COLUMNS: tuple[str, ...] = (
    "reported_rate",
    "ledger_rate",
    "pass_rate",
    "pass_low",
    "pass_high",
    "verified_rate",
    "verified_low",
    "verified_high",
    "gap",
    "schedule_rate",
    "random_pass_rate",
    "random_pass_low",
    "random_pass_high",
    "random_verified_rate",
)


class NoData(LookupError):
    """No ledger or summary exists for the requested month."""


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@contextmanager
def staged(db_path: Path | str, snapshot_tables: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the statistical macros and the staging views (active data only), all of
    whose reads see one snapshot of the store. `snapshot_tables`: on a lake, first copy the small
    tables the views read (worth it for the many statements of an analysis, not for one query)."""
    with reading(db_path) as con:
        if snapshot_tables and store.is_lake(store.as_target(db_path)):
            sql.execute(con, "lake_snapshot_tables")
        for name in STAGING:
            sql.execute(con, name)
        yield con


def staged_frame(db_path: Path | str, name: str, params: dict[str, object] | None = None) -> pd.DataFrame:
    """A named query over the staging views, on a connection of its own."""
    with staged(db_path) as con:
        return sql.frame(con, name, params)


@contextmanager
def analysis(db_path: Path | str, month_from: dt.date, month_to: dt.date) -> Iterator[duckdb.DuckDBPyConnection]:
    """A staged connection with `base_metrics` for months in [from, to]."""
    with staged(db_path, snapshot_tables=True) as con:
        sql.execute(con, "metrics_base", {"month_from": month_from, "month_to": month_to})
        yield con


def rollup(con: duckdb.DuckDBPyConnection, levels: list[str]) -> pd.DataFrame:
    """Metrics at the given levels from the `base_metrics` of an analysis connection."""
    params = {"levels": levels, **config.thresholds()}
    table = sql.frame(con, "metrics_rollup", params)
    for column in METRIC_COLUMNS:
        if column not in RATE_COLUMNS:
            table[column] = table[column].astype("int64")
    table["month"] = pd.to_datetime(table["month"]).dt.date
    return table


def months_with_data(db_path: Path | str) -> list[dt.date]:
    with staged(db_path) as con:
        found = sql.rows(con, "report_months")
    return [row[0] for row in found]


def metrics(db_path: Path | str, month: dt.date, by: str = "region,project") -> pd.DataFrame:
    """One row per group with data in `month`; rates are fractions."""
    level = GROUPINGS[by]
    with analysis(db_path, month, month) as con:
        table = rollup(con, [level])
    if table.empty:
        raise NoData(month)
    return table


def metrics_over(db_path: Path | str, month_from: dt.date, month_to: dt.date, levels: list[str]) -> pd.DataFrame:
    """Metrics of every month in a range (for trends), at several levels."""
    with analysis(db_path, month_from, month_to) as con:
        return rollup(con, [GROUPINGS[level] for level in levels])
