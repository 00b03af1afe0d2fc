"""Writing validated workbooks, and the upload history (supersede, restore, withdraw)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rectlens import domain, sql
from rectlens.access import audit
from rectlens.access.permissions import require, require_recorded
from rectlens.access.roles import RESTORE, UPLOAD_CHECKS, UPLOAD_REPORTS, WITHDRAW, Actor
from rectlens.ingest.sheets import ParsedSheet
from rectlens.ingest.workbook import SAVING, Progress, ValidatedWorkbook
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
    _record(con, actor, [_Change(upload_id, action, upload_target(con, upload_id), note)])


def upload_target(con: duckdb.DuckDBPyConnection, upload_id: int) -> str:
    """'上传 #12（问题台账 青岚市 2026-10「file.xlsx」）': what an audit record about an upload names."""
    _id, kind, region, month, _state, _sheet, _rows, file_name = _upload(con, upload_id)
    return _target(upload_id, str(kind), region, month, str(file_name))


def _target(upload_id: int, kind: str, region: str | None, month: dt.date | None, file_name: str) -> str:
    scope = " ".join(str(part) for part in (KIND_LABELS.get(kind, kind), region, month.strftime("%Y-%m") if month else None) if part)
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
    sheets: list[str]  # the sheets its rows come from, in the order of appearance
    size: int
    positions: np.ndarray | None = None  # for ledgers and summaries: rows of the kind's table

    @property
    def sheet(self) -> str:
        return "、".join(self.sheets)


def _batches(sheets: list[ParsedSheet]) -> list[tuple[str, pa.Table, list[_Group]]]:
    """Per sheet kind: all its rows, and the uploads they form. Ledger and summary rows
    are split by (unit, month) across the workbook's sheets (a ledger kept as one sheet
    per project is one snapshot); checks and satisfaction form one upload per sheet."""
    batches: list[tuple[str, pa.Table, list[_Group]]] = []
    for kind in dict.fromkeys(sheet.kind for sheet in sheets):
        tables = [
            sheet.table.append_column("sheet", pa.array([sheet.name] * sheet.rows, pa.string())) for sheet in sheets if sheet.kind == kind
        ]
        if kind in REPLACING_KINDS:
            table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
            batches.append((kind, table, _scopes(kind, table)))
        else:
            for rows in tables:
                group = _Group(kind, None, None, list(dict.fromkeys(rows["sheet"].to_pylist())), rows.num_rows)
                batches.append((kind, rows, [group]))
    return batches


def _scopes(kind: str, table: pa.Table) -> list[_Group]:
    """The (unit, month) groups of a ledger or summary table, sorted by unit and month."""
    regions = pc.dictionary_encode(table["region"]).combine_chunks()
    months = pc.dictionary_encode(table["month"]).combine_chunks()
    sheets = pc.dictionary_encode(table["sheet"]).combine_chunks()
    region_names, month_values, sheet_names = regions.dictionary.to_pylist(), months.dictionary.to_pylist(), sheets.dictionary.to_pylist()
    scope = regions.indices.to_numpy().astype(np.int64) * len(month_values) + months.indices.to_numpy()
    codes, inverse = np.unique(scope, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(codes)))[:-1]
    sheet_codes = sheets.indices.to_numpy()
    groups = []
    for code, positions in zip(codes, np.split(order, bounds), strict=True):
        region, month = region_names[int(code) // len(month_values)], month_values[int(code) % len(month_values)]
        in_order = dict.fromkeys(sheet_codes[positions].tolist())  # positions ascend: order of appearance
        groups.append(_Group(kind, str(region), month, [sheet_names[i] for i in in_order], len(positions), positions))
    return sorted(groups, key=lambda group: (group.region, group.month))


def _first_rows(table: pa.Table, keys: list[str]) -> pa.Table:
    """The table without rows repeating an earlier row's `keys` (the first one is kept)."""
    numbered = table.append_column("__position", pa.array(np.arange(table.num_rows)))
    firsts = numbered.group_by(keys, use_threads=False).aggregate([("__position", "min")])["__position_min"]
    return table.take(pa.array(np.sort(firsts.to_numpy())))


def _incoming(kind: str, rows: pa.Table, upload_ids: int | np.ndarray) -> pa.Table:
    ids = np.full(rows.num_rows, upload_ids, dtype=np.int64) if isinstance(upload_ids, int) else upload_ids
    incoming = rows.add_column(0, "upload_id", pa.array(ids, pa.int64()))
    if kind == domain.CHECKS:
        passed = pc.is_in(incoming["result"], value_set=pa.array(list(domain.CHECK_PASS), pa.string()))
        incoming = incoming.append_column("passed", pc.fill_null(passed, False))
        # identical rows inside one file are stored once, like identical rows across files
        incoming = _first_rows(incoming, [c for c in incoming.column_names if c not in ("excel_row", "extra")])
    if kind == domain.SATISFACTION:
        incoming = _first_rows(incoming, ["region", "project", "month", "satisfaction", "sample_size"])
    return incoming


def _insert(con: duckdb.DuckDBPyConnection, kind: str, incoming: pa.Table) -> None:
    con.register("incoming", incoming)
    try:
        sql.execute(con, INSERT_QUERY[kind])
    finally:
        con.unregister("incoming")


@dataclass(frozen=True)
class _Change:
    """One line of an upload's history, and the same change in the audit log."""

    upload_id: int
    action: str
    target: str
    note: str | None = None


def _record(con: duckdb.DuckDBPyConnection, actor: Actor, changes: list[_Change]) -> None:
    """The changes' history lines and audit records, in order, with one insert each."""
    if not changes:
        return
    happened_at = now()
    events = pa.table(
        {
            "position": pa.array(range(1, len(changes) + 1), pa.int64()),
            "upload_id": pa.array([change.upload_id for change in changes], pa.int64()),
            "action": pa.array([change.action for change in changes], pa.string()),
            "happened_at": pa.array([happened_at] * len(changes), pa.timestamp("us")),
            "actor": pa.array([actor.label] * len(changes), pa.string()),
            "note": pa.array([change.note for change in changes], pa.string()),
        }
    )
    con.register("incoming_events", events)
    try:
        sql.execute(con, "insert_events")
    finally:
        con.unregister("incoming_events")
    audit.append_many(con, actor, [(AUDIT_ACTIONS[change.action], audit.OK, change.target, change.note) for change in changes])


def _register_uploads(
    con: duckdb.DuckDBPyConnection, file_id: int, file_name: str, groups: list[_Group]
) -> tuple[list[StoredUpload], list[_Change]]:
    """The upload rows of the groups (superseding each unit's earlier one), before their rows are inserted."""
    active: dict[tuple[str, str, dt.date], list[int]] = {}
    for kind in dict.fromkeys(group.kind for group in groups if group.kind in REPLACING_KINDS):
        for upload_id, region, month in sql.rows(con, "active_uploads_of_kind", {"kind": kind}):
            active.setdefault((kind, region, month), []).append(int(upload_id))
    next_id = int(sql.rows(con, "next_upload_id")[0][0])
    created_at = now()
    stored: list[StoredUpload] = []
    changes: list[_Change] = []
    for group in groups:
        replaced = None
        if group.kind in REPLACING_KINDS:
            for old_id in active.get((group.kind, str(group.region), group.month), []):  # type: ignore[arg-type]
                sql.execute(con, "set_upload_state", {"state": "superseded", "upload_id": old_id})
                changes.append(_Change(old_id, "superseded", upload_target(con, old_id)))
                replaced = old_id
        upload = StoredUpload(next_id, group.kind, group.region, group.month, group.sheet, group.size, replaced)
        next_id += 1
        note = f"替换了上传 #{replaced}" if replaced else None
        target = _target(upload.upload_id, group.kind, group.region, group.month, file_name)
        changes.append(_Change(upload.upload_id, "stored", target, note))
        stored.append(upload)
    rows = pa.table(
        {
            "upload_id": pa.array([u.upload_id for u in stored], pa.int64()),
            "file_id": pa.array([file_id] * len(stored), pa.int64()),
            "kind": pa.array([u.kind for u in stored], pa.string()),
            "region": pa.array([u.region for u in stored], pa.string()),
            "month": pa.array([u.month for u in stored], pa.date32()),
            "sheet": pa.array([u.sheet for u in stored], pa.string()),
            "row_count": pa.array([u.rows for u in stored], pa.int64()),
            "created_at": pa.array([created_at] * len(stored), pa.timestamp("us")),
        }
    )
    con.register("incoming_uploads", rows)
    try:
        sql.execute(con, "insert_uploads")
    finally:
        con.unregister("incoming_uploads")
    return stored, changes


def _store_batch(
    con: duckdb.DuckDBPyConnection, file_id: int, file_name: str, kind: str, frame: pa.Table, groups: list[_Group], uploader: Actor
) -> list[StoredUpload]:
    uploads, changes = _register_uploads(con, file_id, file_name, groups)
    _record(con, uploader, changes)
    if kind in REPLACING_KINDS:
        # one insert for all units and months of the kind: each row carries its upload id
        upload_ids = np.empty(frame.num_rows, dtype=np.int64)
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
    scopes = set(zip(sheet.table["region"].to_pylist(), sheet.table["month"].to_pylist(), strict=True))
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
    progress: Progress | None = None,
) -> tuple[list[StoredUpload], list[str]]:
    """Store a valid workbook in one transaction, if `actor` may. Returns the uploads and notices.
    `progress` is told what is being written (stage 保存), batch by batch."""
    if not workbook.valid:
        raise ValueError("an invalid workbook is never stored")
    notices: list[str] = []
    stored: list[StoredUpload] = []
    batches = _batches(workbook.sheets)
    progress = progress or (lambda _stage, _what: None)
    progress(SAVING, "等待写入")
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
            progress(SAVING, f"写入{KIND_LABELS[kind]} {frame.num_rows} 行")
            stored.extend(_store_batch(con, file_id, workbook.file_name, kind, frame, kind_groups, actor))
            groups.extend(kind_groups)
        progress(SAVING, "提交")
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
