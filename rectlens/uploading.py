"""The 数据上传 page's workflow as plain functions: check a file, preview it, submit it,
and look after the upload history (restore an earlier version, withdraw an upload).

Checking never stores anything: a file is first compared with what is stored
(the same bytes are reported as a duplicate), then validated, then previewed.
Only `submit` writes, in one transaction, under the process-wide write lock;
a file stored by another session a moment earlier comes back as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from rectlens import annotate, domain, preview
from rectlens.access.permissions import PermissionDenied
from rectlens.access.roles import Actor
from rectlens.ingest import service
from rectlens.ingest.mapping import ColumnMapping, MappingError, MappingRequest
from rectlens.ingest.problems import Problem
from rectlens.ingest.workbook import COMPARING, Progress, ValidatedWorkbook
from rectlens.quality import stage
from rectlens.storage import mappings, uploads

READY, INVALID, DUPLICATE = "ready", "invalid", "duplicate"
# The start of the validator's message for a ledger or summary whose report month is written nowhere.
MONTH_UNKNOWN = "无法确定报送月份"
MONTH_CHOICES = 24  # report months offered when the file does not say its month
XLSX_MIME = annotate.MIME
ERROR_COLUMNS = ("文件", "工作表", "行", "列", "值", "问题与改法")
REPORT_KINDS = uploads.REPLACING_KINDS  # 问题台账 and 汇总: one unit's, superseding its earlier upload
ACTION_LABELS = {"stored": "上传保存", "superseded": "被新版本替换", "restored": "恢复为生效版本", "withdrawn": "撤回"}


@dataclass
class FileCheck:
    """One uploaded file after checking: a duplicate, invalid (with every problem), or ready with its preview."""

    file_name: str
    data: bytes
    status: str
    month: dt.date | None = None  # the report month chosen on the page, if any
    workbook: ValidatedWorkbook | None = None
    preview: preview.WorkbookPreview | None = None
    duplicate: service.IngestOutcome | None = None

    @cached_property
    def sha256(self) -> str:
        return fingerprint(self.data)

    @property
    def problems(self) -> list[Problem]:
        return self.workbook.problems if self.workbook else []

    @property
    def notices(self) -> list[str]:
        if self.duplicate is not None:
            return self.duplicate.notices
        return self.workbook.notices if self.workbook else []

    @property
    def requests(self) -> list[MappingRequest]:
        """Sheets in a unit's own layout that need a column mapping (the page's mapping step)."""
        return self.workbook.requests if self.workbook else []

    @property
    def needs_month(self) -> bool:
        """The file says its report month nowhere: the page asks for it."""
        return any(problem.expected.startswith(MONTH_UNKNOWN) for problem in self.problems)

    @property
    def message(self) -> str:
        if self.status == DUPLICATE:
            return f"「{self.file_name}」与已上传的文件完全相同，无需再次提交"
        if self.status == INVALID:
            return f"「{self.file_name}」有 {len(self.problems)} 处错误，未保存任何数据。请按下表修改后重新上传。"
        return f"「{self.file_name}」校验通过。请核对下面的预览，确认无误后提交；提交前不会保存任何数据。"

    def error_table(self) -> pd.DataFrame:
        return error_table(self.problems)

    @property
    def annotated_name(self) -> str:
        return annotate.annotated_file_name(self.file_name)

    def annotated(self) -> bytes:
        """The uploaded workbook with its bad cells marked (built on demand: it can take a few seconds)."""
        return annotate.annotate(self.data, self.file_name, self.problems)


def fingerprint(data: bytes) -> str:
    """The SHA-256 of a file's bytes: the same bytes are the same upload."""
    return hashlib.sha256(data).hexdigest()


def error_table(problems: list[Problem]) -> pd.DataFrame:
    """Every problem as a row (文件, 工作表, 行, 列, 值, 问题与改法), in sheet and row order."""
    sheet_order = {name: index for index, name in enumerate(dict.fromkeys(p.sheet for p in problems))}
    ordered = sorted(problems, key=lambda p: (p.file, sheet_order[p.sheet], p.row or 0, len(p.column_letter), p.column_letter))
    rows = [
        (
            p.file,
            p.sheet or "—",
            p.row,
            f"{p.column}（{p.column_letter} 列）" if p.column and p.column_letter else (p.column or "—"),
            p.value,
            p.expected,
        )
        for p in ordered
    ]
    table = pd.DataFrame(rows, columns=list(ERROR_COLUMNS))
    table["行"] = table["行"].astype("Int64")
    return table


def check_file(
    db_path: Path | str,
    data: bytes,
    file_name: str,
    month: dt.date | None = None,
    units: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> FileCheck:
    """Check one uploaded file against the database as it is now; stores nothing.

    `units`: the uploading account's (they pick a unit's column mapping); `progress` is told each stage."""
    same = service.already_stored(db_path, data, file_name)
    if same is not None:
        return FileCheck(file_name, data, DUPLICATE, month, duplicate=same)
    workbook = service.validate(db_path, data, file_name, month, units=units, progress=progress)
    if not workbook.valid:
        return FileCheck(file_name, data, INVALID, month, workbook)
    if progress is not None:
        progress(COMPARING, file_name)
    return FileCheck(file_name, data, READY, month, workbook, preview.build(db_path, workbook))


def save_mapping(
    db_path: Path | str,
    actor: Actor,
    request: MappingRequest,
    unit: str,
    name: str,
    fields: dict[str, int],
    constants: dict[str, str],
    statuses: dict[str, str],
) -> tuple[bool, str]:
    """Store the unit's column mapping from the mapping step. Returns (saved, message)."""
    try:
        saved = mappings.create(db_path, actor, request, unit, name, fields, constants, statuses)
    except (MappingError, PermissionDenied) as exc:
        return False, str(exc)
    later = "本单位以后同样表头的文件会自动按此读取"
    return True, f"已保存列对应「{saved.name}」（{saved.unit}，#{saved.mapping_id}），已按它重新校验；{later}"


def mapping_list(db_path: Path | str) -> tuple[ColumnMapping, ...]:
    return mappings.list_mappings(db_path)


def update_mapping(db_path: Path | str, actor: Actor, mapping: ColumnMapping, name: str, statuses: dict[str, str]) -> tuple[bool, str]:
    """The office renames a mapping or changes what the unit's status words mean."""
    try:
        saved = mappings.update(db_path, actor, mapping.mapping_id, name, mapping.fields, mapping.constants, statuses)
    except (MappingError, mappings.MappingNotFound, PermissionDenied) as exc:
        return False, str(exc)
    return True, f"已修改列对应 #{saved.mapping_id}「{saved.name}」"


def delete_mapping(db_path: Path | str, actor: Actor, mapping_id: int) -> tuple[bool, str]:
    try:
        old = mappings.delete(db_path, actor, mapping_id)
    except (mappings.MappingNotFound, PermissionDenied) as exc:
        return False, str(exc)
    return True, f"已删除列对应 #{old.mapping_id}「{old.name}」；该单位下次上传同样格式的文件时需要重新设置"


def mapping_table(db_path: Path | str) -> pd.DataFrame:
    """Every stored column mapping for the office's list: 编号, 单位, 表, 名称, 对应, 修改人."""
    rows = [
        (m.mapping_id, m.unit, domain.SHEET_TITLES[m.kind], m.name, m.summary(), m.updated_by or m.created_by)
        for m in mappings.list_mappings(db_path)
    ]
    return pd.DataFrame(rows, columns=["编号", "单位", "表", "名称", "对应关系", "最后修改人"])


def submit(db_path: Path | str, check: FileCheck, actor: Actor, progress: Progress | None = None) -> service.IngestOutcome:
    """Store a checked, valid file as `actor` (one transaction); a file stored meanwhile comes back as a duplicate.
    `progress` is told each step of storing (stage 保存)."""
    if check.status != READY or check.workbook is None:
        raise ValueError("only a valid, checked file is submitted")
    outcome = service.store_validated(db_path, check.workbook, actor, progress)
    # the month's list quality is computed now, off the page, so the next look at it is instant
    stage.warm_in_background(db_path, [stored.month for stored in outcome.uploads if stored.kind == domain.LEDGER])
    return outcome


def refusal(check: FileCheck, actor: Actor) -> str | None:
    """Why `actor` may not submit this valid file (asked before offering the button; the library asks again)."""
    return service.refusal(actor, check.workbook) if check.status == READY and check.workbook is not None else None


def database_version(db_path: Path | str) -> int:
    """Changes whenever the stored data does: a check (and its preview) is redone after any upload or restore."""
    return uploads.content_version(db_path)


def month_choices(today: dt.date | None = None, count: int = MONTH_CHOICES) -> list[dt.date]:
    """Report months to choose from, newest first: this month and the `count - 1` before it."""
    month = (today or dt.date.today()).replace(day=1)
    found = []
    for _ in range(count):
        found.append(month)
        month = preview.previous_month(month)
    return found


def default_month(today: dt.date | None = None) -> dt.date:
    """Staff usually report last month early in this one."""
    return month_choices(today)[1]


def unit_choices(db_path: Path | str) -> list[str]:
    """The region master's units in its order (the uploader's unit is chosen from these or typed)."""
    return list(service.load_region_master(db_path).zones)


# --- the upload history -------------------------------------------------------


def filter_history(
    table: pd.DataFrame,
    units: Iterable[str] = (),
    months: Iterable[str] = (),
    kinds: Iterable[str] = (),
    states: Iterable[str] = (),
) -> pd.DataFrame:
    """Uploads of the chosen units, months (YYYY-MM), kind labels and state labels; an empty choice keeps all."""
    keep = pd.Series(True, index=table.index)
    for column, chosen in (("region", units), ("month", months), ("kind_label", kinds), ("state_label", states)):
        wanted = list(chosen)
        if wanted:
            keep &= table[column].isin(wanted)
    return table[keep]


def upload_label(record: pd.Series) -> str:
    """'#12 青岚市 2026年10月 问题台账「file.xlsx」（已被替换）' for pickers and dialogs."""
    scope = " ".join(
        part for part in (record["region"], _month_text(record["month"]), record["kind_label"]) if isinstance(part, str) and part
    )
    return f"#{int(record['upload_id'])} {scope}「{record['file_name']}」（{record['state_label']}）"


def _month_text(month: object) -> str:
    if not isinstance(month, str) or not month:
        return ""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def _record(table: pd.DataFrame, upload_id: int) -> pd.Series:
    found = table[table["upload_id"] == upload_id]
    if found.empty:
        raise uploads.UploadNotFound(f"没有编号为 {upload_id} 的上传记录")
    return found.iloc[0]


def can_restore(record: pd.Series) -> bool:
    return record["state"] != "active"


def can_withdraw(record: pd.Series) -> bool:
    return record["state"] == "active"


def restore_plan(table: pd.DataFrame, upload_id: int) -> str:
    """What restoring `upload_id` will do, in one Chinese paragraph for the confirmation."""
    record = _record(table, upload_id)
    text = f"将把上传 {upload_label(record)} 恢复为生效版本。"
    if record["kind"] in uploads.REPLACING_KINDS:
        same = table[
            (table["kind"] == record["kind"])
            & (table["region"] == record["region"])
            & (table["month"] == record["month"])
            & (table["state"] == "active")
        ]
        if not same.empty:
            text += f"当前生效的上传 {upload_label(same.iloc[0])} 将改为“已被替换”（仍保留在历史中，可再恢复）。"
    return text + "操作人和时间会记入上传历史和留痕。"


def withdraw_plan(table: pd.DataFrame, upload_id: int) -> str:
    record = _record(table, upload_id)
    text = f"将撤回上传 {upload_label(record)}：其数据保留但不再参与统计。"
    if record["kind"] in uploads.REPLACING_KINDS:
        text += "撤回后该单位该月将没有生效的" + str(record["kind_label"]) + "（可能显示为未报送），如需更正，请改为上传更正后的文件。"
    return text + "可随时在此恢复。操作人和时间会记入上传历史和留痕。"


def restore(db_path: Path | str, upload_id: int, actor: Actor) -> tuple[bool, str]:
    """Make an earlier upload active again. Returns (done, message)."""
    try:
        replaced = uploads.restore(db_path, upload_id, actor)
    except (uploads.CannotRestore, uploads.UploadNotFound, PermissionDenied) as exc:
        return False, str(exc)
    return True, f"已恢复上传 #{upload_id}" + (f"，上传 #{replaced} 改为“已被替换”" if replaced else "")


def withdraw(db_path: Path | str, upload_id: int, actor: Actor) -> tuple[bool, str]:
    try:
        uploads.withdraw(db_path, upload_id, actor)
    except (uploads.CannotRestore, uploads.UploadNotFound, PermissionDenied) as exc:
        return False, str(exc)
    return True, f"已撤回上传 #{upload_id}"


def events_of(db_path: Path | str, upload_id: int) -> pd.DataFrame:
    """The recorded actions on one upload, newest first: 时间, 操作, 操作人, 说明."""
    table = uploads.events(db_path)
    table = table[table["upload_id"] == upload_id]
    return pd.DataFrame(
        {
            "时间": pd.to_datetime(table["happened_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "操作": table["action"].map(ACTION_LABELS).fillna(table["action"]),
            "操作人": table["actor"].fillna("—"),
            "说明": table["note"].fillna(""),
        }
    ).reset_index(drop=True)
