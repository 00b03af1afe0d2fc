"""Ingest workflow: validate a workbook, then store it in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from rectlens import config, domain, sql
from rectlens.access import audit
from rectlens.access.permissions import PermissionDenied, require
from rectlens.access.roles import LOAD_REGIONS, Actor
from rectlens.ingest.problems import Problem
from rectlens.ingest.values import month_label
from rectlens.ingest.workbook import Progress, ValidatedWorkbook, validate_workbook
from rectlens.regions import RegionMaster
from rectlens.storage.database import connect, transaction
from rectlens.storage.mappings import all_mappings
from rectlens.storage.uploads import (
    KIND_LABELS,
    AlreadyStored,
    StoredUpload,
    find_same_file,
    require_upload,
    store_workbook,
    workbook_scope,
)

STORED, DUPLICATE, INVALID, REFUSED = "stored", "duplicate", "invalid", "refused"
MAPPING_HINT = (
    "文件中有按本单位原有格式填写的表（缺少模板的必填列）：可在看板“数据上传”页上传一次，按提示选择各列对应模板的哪一项并保存“列对应”，"
    "以后同样表头的文件（看板和命令行）都会自动套用"
)


@dataclass
class IngestOutcome:
    file_name: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    uploads: list[StoredUpload] = field(default_factory=list)
    refusal: str = ""  # why the acting account may not store this file

    @property
    def message(self) -> str:
        if self.status == REFUSED:
            return f"「{self.file_name}」未保存：{self.refusal}"
        if self.status == INVALID:
            return f"「{self.file_name}」有 {len(self.problems)} 处错误，未保存任何数据；请按错误清单修改后重新上传"
        if self.status == DUPLICATE:
            return f"「{self.file_name}」与已上传的文件完全相同，未作任何更改"
        parts = []
        for upload in self.uploads:
            label = KIND_LABELS[upload.kind]
            scope = " ".join(x for x in (upload.region, month_label(upload.month) if upload.month else None) if x)
            replaced = f"，替换了上传 #{upload.replaced}" if upload.replaced else ""
            parts.append(f"{label}{('（' + scope + '）') if scope else ''} {upload.rows} 行（上传 #{upload.upload_id}{replaced}）")
        return f"「{self.file_name}」已保存：" + "；".join(parts)


def region_master(con: duckdb.DuckDBPyConnection) -> RegionMaster:
    # Plain rows: a unit without counties has a NULL list, which pandas turns into NA.
    table = sql.rows(con, "regions_all")
    zones = {str(region): str(zone) for region, zone, _order, _counties in table}
    counties = {str(region): list(found or []) for region, _zone, _order, found in table}
    return RegionMaster(zones, counties)


def load_region_master(db_path: Path | str) -> RegionMaster:
    with connect(db_path) as con:
        return region_master(con)


def validate(
    db_path: Path | str,
    data: bytes,
    file_name: str,
    month: dt.date | None = None,
    units: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> ValidatedWorkbook:
    """Validate without storing (the upload page previews with this); `units` are the uploading account's."""
    with connect(db_path) as con:
        regions, known = region_master(con), all_mappings(con)
    workbook = validate_workbook(data, file_name, regions, config.limits(), month, column_mappings=known, units=units, progress=progress)
    return _explain_product_sheets(workbook)


def already_stored(db_path: Path | str, data: bytes, file_name: str) -> IngestOutcome | None:
    """The DUPLICATE outcome when the same bytes were stored before, else None (asked before validating)."""
    with connect(db_path) as con:
        same = find_same_file(con, _sha(data))
    return _duplicate(file_name, same) if same else None


def ingest_bytes(
    db_path: Path | str,
    data: bytes,
    file_name: str,
    actor: Actor,
    month: dt.date | None = None,
    progress: Progress | None = None,
) -> IngestOutcome:
    """Validate and store one file as `actor`; every outcome (stored, duplicate, invalid, refused) is audited."""
    digest = _sha(data)
    with connect(db_path) as con:  # one short connection for the look-ups
        same = find_same_file(con, digest)
        regions = region_master(con)
        known = all_mappings(con)
    if same:
        return audited(db_path, actor, _duplicate(file_name, same))
    workbook = _explain_product_sheets(
        validate_workbook(
            data, file_name, regions, config.limits(), month, sha256=digest, column_mappings=known, units=actor.units, progress=progress
        )
    )
    if not workbook.valid:
        if workbook.requests:
            workbook.notices.append(MAPPING_HINT)
        return audited(db_path, actor, IngestOutcome(workbook.file_name, INVALID, workbook.problems, workbook.notices))
    return store_validated(db_path, workbook, actor, progress)


def audited(db_path: Path | str, actor: Actor, outcome: IngestOutcome) -> IngestOutcome:
    """Record an upload that stored nothing (duplicate, invalid, refused) in the audit log."""
    result = {DUPLICATE: audit.DUPLICATE, INVALID: audit.INVALID, REFUSED: audit.REFUSED}[outcome.status]
    detail = outcome.refusal or (f"{len(outcome.problems)} 处错误" if outcome.problems else "；".join(outcome.notices) or None)
    audit.record(db_path, actor, "upload", result, f"文件「{outcome.file_name}」", detail)
    return outcome


def refusal(actor: Actor, workbook: ValidatedWorkbook) -> str | None:
    """Why `actor` may not store this valid workbook, or None (the page asks before offering to submit)."""
    try:
        require_upload(actor, workbook_scope(workbook))
    except PermissionDenied as exc:
        return str(exc)
    return None


def store_validated(db_path: Path | str, workbook: ValidatedWorkbook, actor: Actor, progress: Progress | None = None) -> IngestOutcome:
    """Store a validated workbook as `actor` (the library's permission check decides); refusals are audited.
    `progress` is told each step of storing (stage 保存)."""
    if not workbook.valid:
        return IngestOutcome(workbook.file_name, INVALID, workbook.problems, workbook.notices)
    try:
        uploads, notices = store_workbook(db_path, workbook, actor, progress)
    except PermissionDenied as exc:
        return audited(db_path, actor, IngestOutcome(workbook.file_name, REFUSED, [], workbook.notices, refusal=str(exc)))
    except AlreadyStored:
        # the same bytes were stored by a concurrent upload a moment ago
        with connect(db_path) as con:
            same = find_same_file(con, workbook.sha256)
        if same:
            return audited(db_path, actor, _duplicate(workbook.file_name, same))
        raise
    return IngestOutcome(workbook.file_name, STORED, [], workbook.notices + notices, uploads)


def ingest_path(
    db_path: Path | str, path: Path | str, actor: Actor, month: dt.date | None = None, progress: Progress | None = None
) -> IngestOutcome:
    file_path = Path(path)
    try:
        data = file_path.read_bytes()
    except OSError as exc:
        problem = Problem("", None, "", "", f"无法读取文件：{exc.strerror or exc}", file=file_path.name)
        return IngestOutcome(file_path.name, INVALID, [problem])
    return ingest_bytes(db_path, data, file_path.name, actor, month, progress)


# Sheets the product itself puts into workbooks: the template's instructions and hidden
# drop-down lists (rectlens.template) and the error list of an annotated workbook
# (rectlens.annotate). Named here so that reading a workbook needs no openpyxl.
PRODUCT_SHEETS: dict[str, str] = {"填报说明": "模板的填报说明", "选项": "模板的下拉选项", "错误说明": "错误标注版的错误清单"}
_IGNORED_SHEET_NOTICES = ("」不是可识别的报送表，已忽略", "」是隐藏的工作表，已忽略")


def _explain_product_sheets(workbook: ValidatedWorkbook) -> ValidatedWorkbook:
    """Say what the product's own sheets are instead of asking to unhide or fix them."""
    skipped: list[str] = []
    kept: list[str] = []
    for notice in workbook.notices:
        name = next((n for n in PRODUCT_SHEETS if any(notice.startswith(f"工作表「{n}{end}") for end in _IGNORED_SHEET_NOTICES)), None)
        if name is None:
            kept.append(notice)
        else:
            skipped.append(name)
    if skipped:
        named = "、".join(f"「{name}」（{PRODUCT_SHEETS[name]}）" for name in skipped)
        kept.insert(0, f"工作表{named}不含报送数据，已忽略")
    workbook.notices = kept
    return workbook


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _duplicate(file_name: str, same: tuple[int, str, int, int]) -> IngestOutcome:
    _file_id, stored_name, active, total = same
    notice = f"同样内容的文件「{stored_name}」此前已上传"
    if active < total:
        notice += "，其中部分数据已被替换或撤回；如需恢复，请在上传历史中恢复对应版本"
    return IngestOutcome(file_name, DUPLICATE, [], [notice])


def replace_region_master(db_path: Path | str, data: bytes, file_name: str, actor: Actor) -> tuple[int, list[Problem], list[str]]:
    """Load or replace the region master as `actor` (PermissionDenied unless allowed). Returns (number of units, problems, notices)."""
    try:
        require(actor, LOAD_REGIONS)
    except PermissionDenied as exc:
        audit.record(db_path, actor, "regions_load", audit.REFUSED, f"文件「{file_name}」", str(exc))
        raise
    layout = domain.REGION_LAYOUT
    workbook = validate_workbook(data, file_name, RegionMaster(), config.limits(), layouts=(layout,))
    problems = list(workbook.problems)
    if not workbook.sheets and not problems:
        problems.append(Problem("", None, "", "", "没有找到地区表：需要“地区”“片区”两列（“县区”“规模”可选）", file=file_name))
    if problems:
        audit.record(db_path, actor, "regions_load", audit.INVALID, f"文件「{file_name}」", f"{len(problems)} 处错误")
        return 0, problems, workbook.notices
    frame = pd.concat([sheet.frame for sheet in workbook.sheets], ignore_index=True)
    zones: dict[str, str] = {}
    scales: dict[str, float] = {}
    for record in frame.itertuples(index=False):
        previous = zones.setdefault(record.region, record.zone)
        if previous != record.zone:
            problems.append(
                Problem(
                    workbook.sheets[0].name,
                    int(record.excel_row),
                    "片区",
                    str(record.zone),
                    f"同一地区只能属于一个片区（{record.region} 此前为 {previous}）",
                    file=file_name,
                )
            )
        # 规模: one value per unit, repeated on its rows or written once on its first row
        if record.scale is not None and not pd.isna(record.scale):
            earlier = scales.setdefault(record.region, float(record.scale))
            if earlier != float(record.scale):
                problems.append(
                    Problem(
                        workbook.sheets[0].name,
                        int(record.excel_row),
                        "规模",
                        f"{record.scale:g}",
                        f"同一地区只能有一个规模（{record.region} 此前为 {earlier:g}）：请只保留一个值，或只在该地区第一行填写",
                        file=file_name,
                    )
                )
    if problems:
        audit.record(db_path, actor, "regions_load", audit.INVALID, f"文件「{file_name}」", f"{len(problems)} 处错误")
        return 0, problems, workbook.notices
    units = pd.DataFrame(
        {
            "region": list(zones),
            "zone": list(zones.values()),
            "sort_order": range(len(zones)),
            "scale": pd.Series([scales.get(name) for name in zones], dtype="float64"),
        }
    )
    counties = frame.dropna(subset=["county"])[["region", "county"]].drop_duplicates()
    with transaction(db_path) as con:
        require(actor, LOAD_REGIONS)
        sql.execute(con, "regions_clear")
        con.register("incoming_regions", units)
        con.register("incoming_counties", counties)
        sql.execute(con, "insert_regions")
        sql.execute(con, "insert_region_counties")
        con.unregister("incoming_regions")
        con.unregister("incoming_counties")
        audit.append(con, actor, "regions_load", audit.OK, f"文件「{file_name}」", f"{len(zones)} 个地区")
    return len(zones), [], workbook.notices
