"""报送情况: which unit has submitted which month, and the upload history behind it.

A unit "submits" a month by uploading its 问题台账 (ledger) and 汇总
(summary) for it. The grid covers the region master's units (or, with no
master, every unit seen in uploads) and every month for which at least one
unit has an active ledger or summary; a unit with neither for such a month
has not submitted it (未报送).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rectlens import domain, sql
from rectlens.storage import uploads
from rectlens.storage.database import connect

# What a grid cell says.
COMPLETE = "已报送"  # ledger and summary
LEDGER_ONLY = "仅台账"
SUMMARY_ONLY = "仅汇总"
MISSING = "未报送"
CELL_STATES: tuple[str, ...] = (COMPLETE, LEDGER_ONLY, SUMMARY_ONLY, MISSING)

# The zone shown for a unit that uploads name but the region master does not list.
ZONE_OUTSIDE_MASTER = "未列入地区表"
ZONE_NONE = "—"

STATE_ORDER: tuple[str, ...] = tuple(uploads.STATE_LABELS.values())  # 生效, 已被替换, 已撤回

_KIND_PARAMS = {"ledger_kind": domain.LEDGER, "summary_kind": domain.SUMMARY}


@dataclass(frozen=True)
class MonthCounts:
    """How many units submitted one month, and which did not."""

    month: str
    expected: int
    complete: int
    partial: int
    missing: int
    missing_units: tuple[str, ...]

    @property
    def submitted(self) -> int:
        return self.complete + self.partial


def cell_state(has_ledger: bool, has_summary: bool) -> str:
    if has_ledger and has_summary:
        return COMPLETE
    if has_ledger:
        return LEDGER_ONLY
    if has_summary:
        return SUMMARY_ONLY
    return MISSING


def grid(db_path: Path | str) -> pd.DataFrame:
    """One row per expected unit × report month, in display order.

    Columns: region, zone, in_master, month (YYYY-MM), has_ledger,
    has_summary, last_received_at, state (one of CELL_STATES).
    """
    with connect(db_path) as con:
        units = sql.frame(con, "submission_units", _KIND_PARAMS)
        reports = sql.frame(con, "submission_reports", _KIND_PARAMS)
    return _combine(units, reports)


def _combine(units: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    columns = ["region", "zone", "in_master", "month", "has_ledger", "has_summary", "last_received_at", "state"]
    months = sorted(reports["month"].unique())
    if units.empty or not months:
        return pd.DataFrame(columns=columns)
    units = units.assign(zone=_zone_labels(units), unit_rank=range(len(units)))
    cells = units.merge(pd.DataFrame({"month": months}), how="cross")
    cells = cells.merge(reports, on=["region", "month"], how="left")
    cells["has_ledger"] = cells["has_ledger"].fillna(False).astype(bool)
    cells["has_summary"] = cells["has_summary"].fillna(False).astype(bool)
    cells["state"] = [cell_state(ledger, summary) for ledger, summary in zip(cells["has_ledger"], cells["has_summary"], strict=True)]
    cells = cells.sort_values(["unit_rank", "month"], kind="stable").reset_index(drop=True)
    return cells[columns]


def _zone_labels(units: pd.DataFrame) -> pd.Series:
    """The unit's zone; units missing from a loaded master say so, with no master there is no zone."""
    master_loaded = bool(units["in_master"].any())
    fallback = ZONE_OUTSIDE_MASTER if master_loaded else ZONE_NONE
    return units["zone"].astype(object).where(units["zone"].notna(), fallback)


def months(cells: pd.DataFrame) -> list[str]:
    """Report months of the grid, oldest first."""
    return sorted(cells["month"].unique())


def month_counts(cells: pd.DataFrame, month: str) -> MonthCounts:
    of_month = cells[cells["month"] == month]
    states = of_month["state"]
    return MonthCounts(
        month=month,
        expected=len(of_month),
        complete=int((states == COMPLETE).sum()),
        partial=int(states.isin((LEDGER_ONLY, SUMMARY_ONLY)).sum()),
        missing=int((states == MISSING).sum()),
        missing_units=tuple(of_month.loc[states == MISSING, "region"]),
    )


def months_up_to(all_months: Iterable[str], last: str, count: int) -> list[str]:
    """The `count` report months ending with `last` (for a grid that fits the screen)."""
    earlier = [month for month in sorted(all_months) if month <= last]
    return earlier[-count:]


def wide(cells: pd.DataFrame, shown_months: Iterable[str]) -> pd.DataFrame:
    """Units as rows (zone, unit), months as columns, the cell state as text."""
    wanted = list(shown_months)
    selected = cells[cells["month"].isin(wanted)]
    table = selected.pivot(index=["zone", "region"], columns="month", values="state")
    order = list(dict.fromkeys(zip(selected["zone"], selected["region"], strict=True)))
    table = table.reindex(pd.MultiIndex.from_tuples(order, names=["zone", "region"]))
    table = table.reindex(columns=[m for m in wanted if m in table.columns])
    table.columns.name = None
    return table.reset_index()


def history(db_path: Path | str) -> pd.DataFrame:
    """Every upload, newest first, including superseded and withdrawn ones.

    Columns: upload_id, region, month, kind, kind_label, sheet, row_count,
    file_name, received_at, uploader, uploader_unit, state, state_label.
    """
    table = uploads.history(db_path)
    return table.assign(
        kind_label=table["kind"].map(uploads.KIND_LABELS),
        state_label=table["state"].map(uploads.STATE_LABELS),
        received_at=pd.to_datetime(table["created_at"]),
    )[
        [
            "upload_id",
            "region",
            "month",
            "kind",
            "kind_label",
            "sheet",
            "row_count",
            "file_name",
            "received_at",
            "uploader",
            "uploader_unit",
            "state",
            "state_label",
        ]
    ]


def filter_history(table: pd.DataFrame, units: Iterable[str] = (), state_labels: Iterable[str] = ()) -> pd.DataFrame:
    """Uploads of the given units and states; an empty choice keeps everything."""
    chosen_units, chosen_states = list(units), list(state_labels)
    keep = pd.Series(True, index=table.index)
    if chosen_units:
        keep &= table["region"].isin(chosen_units)
    if chosen_states:
        keep &= table["state_label"].isin(chosen_states)
    return table[keep]


def unit_choices(cells: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    """Units for a filter: the grid's order first, then any other unit the history names."""
    return list(dict.fromkeys([*cells["region"], *sorted(table["region"].dropna().unique())]))


def as_of(table: pd.DataFrame) -> pd.Timestamp | None:
    """When the latest upload arrived: the data's as-of time."""
    if table.empty:
        return None
    return pd.Timestamp(table["received_at"].max())


def review_cells(cells: pd.DataFrame, reviewed: pd.DataFrame) -> pd.DataFrame:
    """The grid's cells with the month's 专班审核 state as `state` (— where the unit has no active report)."""
    from rectlens.access import reviews

    status = reviews.unit_month_status(reviewed)
    merged = cells.drop(columns=["state"]).merge(status, on=["region", "month"], how="left")
    return merged.assign(state=merged["review"].fillna("—")).drop(columns=["review"])


def reviewed_history(db_path: Path | str) -> pd.DataFrame:
    """`history` with the 专班审核 state of each active report (`review`, `reason`, `reviewer`, `reviewed_at`)."""
    from rectlens.access import reviews

    return reviews.with_reviews(history(db_path), reviews.latest(db_path))
