"""Writing validated workbooks, and the upload history (supersede, restore, withdraw)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from rectlens import domain, sql
from rectlens.access import audit
from rectlens.access.permissions import require, require_recorded
from rectlens.access.roles import RESTORE, UPLOAD_CHECKS, UPLOAD_REPORTS, WITHDRAW, Actor
from rectlens.ingest.sheets import ParsedSheet
from rectlens.ingest.workbook import ValidatedWorkbook
from rectlens.storage import mappings
from rectlens.storage.database import connect, retry_conflicts, transaction

REPLACING_KINDS = (domain.LEDGER, domain.SUMMARY)
INSERT_QUERY = {
    domain.LEDGER: "insert_ledger_items",
    domain.SUMMARY: "insert_summary_rows",
    domain.CHECKS: "insert_checks",
    domain.SATISFACTION: "insert_satisfaction",
}
STATE_LABELS = {"active": "生效", "superseded": "已被替换", "withdrawn": "已撤回"}
KIND_LABELS = {kind: layout.title for kind, layout in domain.LAYOUTS.items()}


class UploadNotFound(LookupError):
    pass


class CannotRestore(ValueError):
    pass


class AlreadyStored(Exception):
    """The same bytes were stored by another upload (another session or instance) a moment earlier."""


@dataclass
class StoredUpload:
    upload_id: int
    kind: str
    region: str | None
    month: dt.date | None
    sheet: str
    rows: int
    replaced: int | None = None


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def find_same_file(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple[int, str, int, int] | None:
    """(file_id, file name, active uploads, all uploads) of identical bytes stored earlier."""
    found = sql.rows(con, "file_by_sha", {"sha256": sha256})
    if not found:
        return None
    file_id, file_name, _received, active, total = found[0]
    return int(file_id), str(file_name), int(active), int(total)


# Upload history actions as the audit log names them.
AUDIT_ACTIONS = {"stored": "upload", "superseded": "supersede", "restored": "restore", "withdrawn": "withdraw"}


def _event(con: duckdb.DuckDBPyConnection, upload_id: int, action: str, actor: Actor, note: str | None = None) -> None:
    """One line of an upload's history, and the same change in the audit log."""
    sql.execute(con, "insert_event", {"upload_id": upload_id, "action": action, "happened_at": now(), "actor": actor.label, "note": note})
    audit.append(con, actor, AUDIT_ACTIONS[action], audit.OK, upload_target(con, upload_id), note)


def upload_target(con: duckdb.DuckDBPyConnection, upload_id: int) -> str:
    """'上传 #12（问题台账 青岚市 2026-10「file.xlsx」）': what an audit record about an upload names."""
    _id, kind, region, month, _state, _sheet, _rows, file_name = _upload(con, upload_id)
    scope = " ".join(str(part) for part in (KIND_LABELS.get(str(kind), kind), region, month.strftime("%Y-%m") if month else None) if part)
    return f"上传 #{upload_id}（{scope}「{file_name}」）"


def require_upload(actor: Actor, kinds_and_units: list[tuple[str, str | None]]) -> None:
    """The permission check for storing uploads of these kinds (and units, for ledgers and summaries)."""
    units = [unit for kind, unit in kinds_and_units if kind in REPLACING_KINDS and unit]
    if any(kind in REPLACING_KINDS for kind, _unit in kinds_and_units):
        require(actor, UPLOAD_REPORTS, units)
    if any(kind not in REPLACING_KINDS for kind, _unit in kinds_and_units):
        require(actor, UPLOAD_CHECKS)


def workbook_scope(workbook: ValidatedWorkbook) -> list[tuple[str, str | None]]:
    """(kind, unit) of every upload a valid workbook would make (unit None for checks and 群众评议)."""
    return [(group.kind, group.region) for _kind, _frame, groups in _batches(workbook.sheets) for group in groups]


@dataclass
class _Group:
    """The rows of one upload: a ledger or summary of one unit and month (from
    one or more sheets of the workbook), or one sheet of checks or 群众评议."""

    kind: str
    region: str | None
    month: dt.date | None
    rows: pd.DataFrame  # with a `sheet` column: each row keeps the sheet it came from
    positions: np.ndarray | None = None  # for ledgers and summaries: rows of the kind's frame

    @property
    def sheet(self) -> str:
        return "、".join(self.rows["sheet"].unique())  # unique() keeps the order of appearance

    @property
    def size(self) -> int:
        return len(self.rows) if self.positions is None else len(self.positions)


def _batches(sheets: list[ParsedSheet]) -> list[tuple[str, pd.DataFrame, list[_Group]]]:
    """Per sheet kind: all its rows, and the uploads they form. Ledger and summary rows
    are split by (unit, month) across the workbook's sheets (a ledger kept as one sheet
    per project is one snapshot); checks and satisfaction form one upload per sheet."""
    batches = []
    for kind in dict.fromkeys(sheet.kind for sheet in sheets):
        framed = [sheet.frame.assign(sheet=sheet.name) for sheet in sheets if sheet.kind == kind]
        if kind in REPLACING_KINDS:
            frame = pd.concat(framed, ignore_index=True) if len(framed) > 1 else framed[0]
            scopes = frame[["region", "month", "sheet"]]
            groups = [
                _Group(kind, str(region), month, scopes.iloc[positions], positions)
                for (region, month), positions in sorted(scopes.groupby(["region", "month"]).indices.items())
            ]
            batches.append((kind, frame, groups))
        else:
            batches.extend((kind, rows, [_Group(kind, None, None, rows)]) for rows in framed)
    return batches


def _as_datetimes(column: pd.Series) -> pd.Series:
    """Dates as datetime64, converting each distinct value once (a column repeats few dates)."""
    codes, uniques = pd.factorize(column)
    converted = pd.to_datetime(pd.Series(uniques, dtype=object)).to_numpy(dtype="datetime64[ns]")
    table = np.append(converted, np.datetime64("NaT", "ns"))  # code -1 (empty) picks the NaT at the end
    return pd.Series(table[codes], index=column.index)


def _incoming(kind: str, rows: pd.DataFrame, upload_ids: int | np.ndarray) -> pd.DataFrame:
    incoming = rows.copy()
    incoming.insert(0, "upload_id", upload_ids)
    if kind == domain.CHECKS:
        incoming["passed"] = incoming["result"].isin(domain.CHECK_PASS)
        # identical rows inside one file are stored once, like identical rows across files
        incoming = incoming.drop_duplicates(subset=[c for c in incoming.columns if c not in ("excel_row", "extra")])
    if kind == domain.SATISFACTION:
        incoming = incoming.drop_duplicates(subset=["region", "project", "month", "satisfaction", "sample_size"])
    for name in ("month", "found_date", "deadline", "completed_date", "check_date"):
        if name in incoming:
            incoming[name] = _as_datetimes(incoming[name])
    return incoming


def _arrow(incoming: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The rows as one Arrow table: DuckDB scans Arrow at C speed, while object columns of a
    pandas frame are read Python object by Python object (over a second for 100,000 rows).
    A column of mixed Python types (never made by the validator) keeps the frame as it is."""
    columns: dict[str, pa.Array] = {}
    for name, column in incoming.items():
        try:
            if column.dtype == object:
                columns[str(name)] = pa.array(column.to_numpy(dtype=object), from_pandas=True)
            else:
                columns[str(name)] = pa.Array.from_pandas(column)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return incoming
    return pa.table(columns)


def _insert(con: duckdb.DuckDBPyConnection, kind: str, incoming: pd.DataFrame) -> None:
    con.register("incoming", _arrow(incoming))
    try:
        sql.execute(con, INSERT_QUERY[kind])
    finally:
        con.unregister("incoming")


def _register_upload(con: duckdb.DuckDBPyConnection, file_id: int, group: _Group, uploader: Actor) -> StoredUpload:
    """The upload row of a group (superseding the unit's earlier one), before its rows are inserted."""
    replaced = None
    if group.kind in REPLACING_KINDS:
        active = sql.rows(con, "active_upload", {"kind": group.kind, "region": group.region, "month": group.month})
        for (old_id,) in active:
            sql.execute(con, "set_upload_state", {"state": "superseded", "upload_id": old_id})
            _event(con, old_id, "superseded", uploader)
            replaced = int(old_id)
    upload_id = int(sql.rows(con, "next_upload_id")[0][0])
    sql.execute(
        con,
        "insert_upload",
        {
            "upload_id": upload_id,
            "file_id": file_id,
            "kind": group.kind,
            "region": group.region,
            "month": group.month,
            "sheet": group.sheet,
            "row_count": group.size,
            "created_at": now(),
        },
    )
    _event(con, upload_id, "stored", uploader, f"替换了上传 #{replaced}" if replaced else None)
    return StoredUpload(upload_id, group.kind, group.region, group.month, group.sheet, group.size, replaced)


def _store_batch(
    con: duckdb.DuckDBPyConnection, file_id: int, kind: str, frame: pd.DataFrame, groups: list[_Group], uploader: Actor
) -> list[StoredUpload]:
    uploads = [_register_upload(con, file_id, group, uploader) for group in groups]
    if kind in REPLACING_KINDS:
        # one insert for all units and months of the kind: each row carries its upload id
        upload_ids = np.empty(len(frame), dtype=np.int64)
        for group, upload in zip(groups, uploads, strict=True):
            upload_ids[group.positions] = upload.upload_id
        _insert(con, kind, _incoming(kind, frame, upload_ids))
        return uploads
    for upload in uploads:
        _insert(con, kind, _incoming(kind, frame, upload.upload_id))
        upload.rows = int(sql.rows(con, "count_upload_rows", {"upload_id": upload.upload_id})[0][0])
        sql.execute(con, "set_upload_row_count", {"row_count": upload.rows, "upload_id": upload.upload_id})
    return uploads


def _store_total(con: duckdb.DuckDBPyConnection, sheet: ParsedSheet, stored: list[StoredUpload]) -> bool:
    """Keep a summary sheet's 合计 row with the upload of its rows; False when
    its rows span several units or months (then it is no single upload's total)."""
    if sheet.total_row is None:
        return True
    scopes = set(zip(sheet.frame["region"], sheet.frame["month"], strict=True))
    if len(scopes) != 1:
        return False
    region, month = scopes.pop()
    upload = next(u for u in stored if u.kind == domain.SUMMARY and u.region == region and u.month == month)
    sql.execute(
        con,
        "insert_summary_total",
        {"upload_id": upload.upload_id, "sheet": sheet.name, "region": region, "month": month, **sheet.total_row},
    )
    return True


@retry_conflicts
def store_workbook(
    db_path: Path | str,
    workbook: ValidatedWorkbook,
    actor: Actor,
) -> tuple[list[StoredUpload], list[str]]:
    """Store a valid workbook in one transaction, if `actor` may. Returns the uploads and notices."""
    if not workbook.valid:
        raise ValueError("an invalid workbook is never stored")
    notices: list[str] = []
    stored: list[StoredUpload] = []
    batches = _batches(workbook.sheets)
    with transaction(db_path) as con:
        require_upload(actor, [(group.kind, group.region) for _kind, _frame, groups in batches for group in groups])
        if find_same_file(con, workbook.sha256) is not None:
            # looked up again under the write lock: the schema has no unique key to refuse a second copy
            raise AlreadyStored(workbook.sha256)
        file_id = int(sql.rows(con, "next_file_id")[0][0])
        sql.execute(
            con,
            "insert_file",
            {
                "file_id": file_id,
                "sha256": workbook.sha256,
                "file_name": workbook.file_name,
                "size_bytes": workbook.size,
                "received_at": now(),
                "uploader": actor.label,
                "uploader_unit": "、".join(actor.units) or None,
                "notices": "\n".join(workbook.notices) or None,
            },
        )
        groups: list[_Group] = []
        for kind, frame, kind_groups in batches:
            stored.extend(_store_batch(con, file_id, kind, frame, kind_groups, actor))
            groups.extend(kind_groups)
        for sheet in workbook.sheets:
            if sheet.kind == domain.SUMMARY and not _store_total(con, sheet, stored):
                notices.append(f"工作表「{sheet.name}」含多个地区或月份，其合计行未作核对")
        mappings.record_applied(con, actor, workbook.applied, workbook.file_name)
        for group, upload in zip(groups, stored, strict=True):
            if upload.kind == domain.CHECKS:
                unknown = sql.rows(con, "checks_without_ledger_item", {"upload_id": upload.upload_id})
                if unknown:
                    examples = "、".join(f"{region} {item}（第 {row} 行）" for region, item, row in unknown[:5])
                    notices.append(
                        f"有 {len(unknown)} 条核查记录的问题编号在该地区的台账中从未出现（如 {examples}）；已保存，待台账报送后自动对应"
                    )
            skipped = group.size - upload.rows
            if skipped:
                notices.append(f"工作表「{upload.sheet}」有 {skipped} 行与已保存的记录完全相同，未重复保存")
    return stored, notices


def content_version(db_path: Path | str) -> int:
    """Changes when the data does (an upload, restore, withdrawal, region master), not when only the audit log grows."""
    with connect(db_path) as con:
        return int(sql.rows(con, "content_version")[0][0])


def history(db_path: Path | str) -> pd.DataFrame:
    with connect(db_path) as con:
        return sql.frame(con, "upload_history")


def events(db_path: Path | str) -> pd.DataFrame:
    with connect(db_path) as con:
        return sql.frame(con, "upload_events")


def _upload(con: duckdb.DuckDBPyConnection, upload_id: int) -> tuple[object, ...]:
    found = sql.rows(con, "upload_by_id", {"upload_id": upload_id})
    if not found:
        raise UploadNotFound(f"没有编号为 {upload_id} 的上传记录；请用 history 查看上传编号")
    return found[0]


@retry_conflicts
def restore(db_path: Path | str, upload_id: int, actor: Actor) -> int | None:
    """Make an earlier upload active again; returns the upload it replaces, if any."""
    require_recorded(db_path, actor, RESTORE, "restore", f"上传 #{upload_id}")
    with transaction(db_path) as con:
        _id, kind, region, month, state, _sheet, _rows, _file = _upload(con, upload_id)
        if state == "active":
            raise CannotRestore(f"上传 #{upload_id} 已是生效版本，无需恢复")
        replaced = None
        if kind in REPLACING_KINDS:
            for (other,) in sql.rows(con, "active_upload", {"kind": kind, "region": region, "month": month}):
                sql.execute(con, "set_upload_state", {"state": "superseded", "upload_id": other})
                _event(con, other, "superseded", actor, f"由上传 #{upload_id} 恢复替换")
                replaced = int(other)
        sql.execute(con, "set_upload_state", {"state": "active", "upload_id": upload_id})
        _event(con, upload_id, "restored", actor, f"替换了上传 #{replaced}" if replaced else None)
        return replaced


@retry_conflicts
def withdraw(db_path: Path | str, upload_id: int, actor: Actor) -> None:
    """Withdraw a whole upload: its rows stay stored but no longer count."""
    require_recorded(db_path, actor, WITHDRAW, "withdraw", f"上传 #{upload_id}")
    with transaction(db_path) as con:
        state = _upload(con, upload_id)[4]
        if state == "withdrawn":
            raise CannotRestore(f"上传 #{upload_id} 已经撤回")
        sql.execute(con, "set_upload_state", {"state": "withdrawn", "upload_id": upload_id})
        _event(con, upload_id, "withdrawn", actor)
