"""What a valid workbook will change, shown before anything is stored.

For each ledger snapshot (one unit and month): counts per project, and the
change against the unit's previous month as stored — new problems, newly
completed ones, problems gone from the list (the 清单缩水 warning leaders
see) and completed ones without evidence. For each summary: its rows, and
whether they agree with the ledger counts. Spot checks and 群众评议 rows
are counted. Ledgers and summaries also name the stored version they
would replace. Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from rectlens import config, domain, sql
from rectlens.ingest.workbook import ValidatedWorkbook
from rectlens.storage.database import connect

Level = Literal["error", "warning", "info"]

NEW, COMPLETED, DISAPPEARED, NO_EVIDENCE = "new", "completed", "disappeared", "no_evidence"
CHANGE_LABELS: dict[str, str] = {
    DISAPPEARED: "从清单中消失",
    NEW: "新增问题",
    COMPLETED: "本月新完成",
    NO_EVIDENCE: "已完成但无佐证",
}
STATUS_PARAMS = {"done": domain.STATUS_DONE, "ongoing": domain.STATUS_ONGOING, "not_started": domain.STATUS_NOT_STARTED}
EXAMPLES = 8  # item numbers quoted in a warning


def chinese_month(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def short(project: object) -> str:
    return domain.PROJECT_SHORT.get(str(project), str(project))


@dataclass(frozen=True)
class Note:
    """One sentence for the preview: `error` and `warning` ask for a second look before submitting."""

    level: Level
    text: str


@dataclass(frozen=True)
class EarlierUpload:
    """A stored upload the preview refers to."""

    upload_id: int
    file_name: str
    created_at: dt.datetime
    uploader: str | None
    row_count: int

    def label(self) -> str:
        by = f"，{self.uploader}" if self.uploader else ""
        return f"上传 #{self.upload_id}「{self.file_name}」（{self.created_at:%Y-%m-%d %H:%M}{by}，{self.row_count} 行）"


@dataclass
class LedgerPreview:
    region: str
    month: dt.date
    sheet: str
    rows: int
    projects: pd.DataFrame  # project, total, completed, ongoing, not_started, done_without_evidence, previous_total, previous_completed
    changes: pd.DataFrame  # change, item_id, project, description, status_before, status_now, sheet, excel_row
    previous: EarlierUpload | None
    replaces: EarlierUpload | None

    def count(self, change: str) -> int:
        return int((self.changes["change"] == change).sum())

    def items(self, change: str) -> list[str]:
        return self.changes.loc[self.changes["change"] == change, "item_id"].tolist()

    @property
    def completed(self) -> int:
        return int(self.projects["completed"].sum())

    @property
    def shrinks(self) -> bool:
        return self.count(DISAPPEARED) > 0

    def notes(self) -> list[Note]:
        notes: list[Note] = []
        before = chinese_month(previous_month(self.month))
        gone = self.count(DISAPPEARED)
        if gone:
            notes.append(
                Note(
                    "error",
                    f"清单缩水：{before}台账中的 {gone} 个问题不在本次清单中（{_examples(self.items(DISAPPEARED))}）。"
                    "问题台账每月应报送完整的累计清单（已完成的也要保留）；提交后，领导看到的“清单缩水”预警会列出这些问题。"
                    "如属遗漏，请补回后重新上传。",
                )
            )
        if self.previous is None:
            notes.append(Note("info", f"{before}没有本单位生效的问题台账，无法比较新增、完成和消失的问题"))
        missing_evidence = self.count(NO_EVIDENCE)
        if missing_evidence:
            limits = config.thresholds()
            share = missing_evidence / self.completed if self.completed else 0.0
            flagged = missing_evidence >= limits["no_evidence_min_items"] and share >= limits["no_evidence_min_share"]
            examples = _examples(self.items(NO_EVIDENCE))
            text = f"已完成的 {self.completed} 个问题中有 {missing_evidence} 个（{share:.0%}）没有填写佐证材料（{examples}）"
            if flagged:
                notes.append(Note("warning", text + "，达到“佐证缺失”预警条件；如有佐证，请补填后重新上传"))
            else:
                notes.append(Note("info", text))
        if self.replaces is not None:
            notes.append(Note("info", f"将替换当前生效的{self.replaces.label()}；被替换的版本保留在上传历史中，可以恢复"))
        return notes


@dataclass
class SummaryPreview:
    region: str
    month: dt.date
    sheet: str
    rows: pd.DataFrame  # project, total, completed, rate (stated, else computed)
    replaces: EarlierUpload | None
    mismatches: list[str] = field(default_factory=list)  # projects whose counts differ from the ledger

    def notes(self) -> list[Note]:
        notes: list[Note] = []
        if self.mismatches:
            notes.append(
                Note(
                    "warning",
                    "汇总与同一文件中的问题台账不一致：" + "；".join(self.mismatches) + "。提交后会出现“数字不一致”预警，请核对。",
                )
            )
        if self.replaces is not None:
            notes.append(Note("info", f"将替换当前生效的{self.replaces.label()}；被替换的版本保留在上传历史中，可以恢复"))
        return notes


@dataclass
class AddedPreview:
    """Spot checks or 群众评议: rows that are added to what is stored."""

    kind: str
    sheet: str
    rows: int
    breakdown: pd.DataFrame  # label, count


@dataclass
class WorkbookPreview:
    ledgers: list[LedgerPreview]
    summaries: list[SummaryPreview]
    added: list[AddedPreview]

    @property
    def shrinks(self) -> bool:
        return any(ledger.shrinks for ledger in self.ledgers)

    def notes(self) -> list[Note]:
        return [note for part in (*self.ledgers, *self.summaries) for note in part.notes()]


def _examples(items: list[str]) -> str:
    shown = "、".join(items[:EXAMPLES])
    return shown + (f" 等 {len(items)} 个" if len(items) > EXAMPLES else "")


def build(db_path: Path | str, workbook: ValidatedWorkbook) -> WorkbookPreview:
    """The preview of a valid workbook against the database as it is now."""
    ledger_groups = _groups(workbook, domain.LEDGER)
    summary_groups = _groups(workbook, domain.SUMMARY)
    with connect(db_path) as con:
        ledgers = [_ledger(con, region, month, rows) for (region, month), rows in ledger_groups.items()]
        summaries = [
            _summary(con, region, month, rows, ledger_groups.get((region, month))) for (region, month), rows in summary_groups.items()
        ]
    added = [_added(sheet.kind, sheet.name, sheet.frame) for sheet in workbook.sheets if sheet.kind in (domain.CHECKS, domain.SATISFACTION)]
    return WorkbookPreview(ledgers, summaries, added)


def _groups(workbook: ValidatedWorkbook, kind: str) -> dict[tuple[str, dt.date], pd.DataFrame]:
    """Rows of one kind by (unit, month) across the workbook's sheets, each with its sheet name (as they are stored)."""
    frames = [sheet.frame.assign(sheet=sheet.name) for sheet in workbook.sheets if sheet.kind == kind]
    if not frames:
        return {}
    rows = pd.concat(frames, ignore_index=True)
    return {(str(region), month): group for (region, month), group in rows.groupby(["region", "month"], sort=True)}


def _active(con: duckdb.DuckDBPyConnection, kind: str, region: str, month: dt.date) -> EarlierUpload | None:
    found = sql.rows(con, "preview_active_upload", {"kind": kind, "region": region, "month": month})
    if not found:
        return None
    upload_id, row_count, created_at, file_name, uploader, _unit = found[0]
    return EarlierUpload(int(upload_id), str(file_name), created_at, uploader, int(row_count))


def _sheets(rows: pd.DataFrame) -> str:
    return "、".join(dict.fromkeys(rows["sheet"]))


def _ledger(con: duckdb.DuckDBPyConnection, region: str, month: dt.date, rows: pd.DataFrame) -> LedgerPreview:
    previous = _active(con, domain.LEDGER, region, previous_month(month))
    params = {**STATUS_PARAMS, "previous_upload": previous.upload_id if previous else None}
    con.register("incoming", rows)
    try:
        projects = sql.frame(con, "preview_ledger_projects", params)
        changes = sql.frame(con, "preview_ledger_changes", params)
    finally:
        con.unregister("incoming")
    return LedgerPreview(
        region=region,
        month=month,
        sheet=_sheets(rows),
        rows=len(rows),
        projects=_in_project_order(projects),
        changes=changes,
        previous=previous,
        replaces=_active(con, domain.LEDGER, region, month),
    )


def _in_project_order(table: pd.DataFrame) -> pd.DataFrame:
    order = {name: index for index, name in enumerate(domain.PROJECTS)}
    return table.sort_values("project", key=lambda names: names.map(order)).reset_index(drop=True)


def _summary(
    con: duckdb.DuckDBPyConnection, region: str, month: dt.date, rows: pd.DataFrame, ledger: pd.DataFrame | None
) -> SummaryPreview:
    stated = rows["stated_rate"].astype("Float64")
    computed = rows["completed"].astype("Float64") / rows["total"].astype("Float64").replace(0, pd.NA)
    table = pd.DataFrame(
        {
            "project": rows["project"].to_numpy(),
            "total": rows["total"].astype(int).to_numpy(),
            "completed": rows["completed"].astype(int).to_numpy(),
            "rate": stated.fillna(computed).to_numpy(),
        }
    )
    return SummaryPreview(
        region=region,
        month=month,
        sheet=_sheets(rows),
        rows=_in_project_order(table),
        replaces=_active(con, domain.SUMMARY, region, month),
        mismatches=_mismatches(table, ledger) if ledger is not None else [],
    )


def _mismatches(summary: pd.DataFrame, ledger: pd.DataFrame) -> list[str]:
    """'违规吃喝 问题总数 12（台账 11）' for each project whose counts differ from the ledger's."""
    counted = ledger.groupby("project")["status"].agg(total="size", completed=lambda s: int((s == domain.STATUS_DONE).sum()))
    found: list[str] = []
    for record in _in_project_order(summary).itertuples(index=False):
        total, completed = counted.loc[record.project] if record.project in counted.index else (0, 0)
        parts = []
        if record.total != total:
            parts.append(f"问题总数 {record.total}（台账 {total}）")
        if record.completed != completed:
            parts.append(f"已完成数 {record.completed}（台账 {completed}）")
        if parts:
            found.append(f"{short(record.project)} " + "，".join(parts))
    return found


def _added(kind: str, sheet: str, frame: pd.DataFrame) -> AddedPreview:
    if kind == domain.CHECKS:
        counts = frame["result"].value_counts()
        labels = [result for result in domain.CHECK_RESULTS if result in counts.index]
        breakdown = pd.DataFrame({"label": labels, "count": [int(counts[label]) for label in labels]})
    else:
        counts = frame["month"].value_counts().sort_index()
        breakdown = pd.DataFrame({"label": [chinese_month(m) for m in counts.index], "count": counts.astype(int).to_list()})
    return AddedPreview(kind, sheet, len(frame), breakdown)


def scope_label(region: str, month: dt.date) -> str:
    """'青岚市 · 2026年10月'."""
    return f"{region} · {chinese_month(month)}"
