"""Validating a whole workbook: recognise its sheets, read them, collect every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from rectlens import domain
from rectlens.config import Limits
from rectlens.domain import SheetLayout
from rectlens.ingest import mapping as mappings
from rectlens.ingest.excel import Grid, SheetTooLarge, SheetUnreadable, UnreadableFile, column_letter, iter_sheets, open_workbook, read_grid
from rectlens.ingest.mapping import ColumnMapping, MappingRequest
from rectlens.ingest.problems import Problem
from rectlens.ingest.rendered import decode
from rectlens.ingest.sheets import IGNORED_HEADERS, Header, ParsedSheet, SheetContext, SheetMapping, find_header, header_key, parse_sheet
from rectlens.regions import RegionMaster
from rectlens.text import squash


@dataclass
class ValidatedWorkbook:
    file_name: str
    sha256: str
    size: int
    sheets: list[ParsedSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    requests: list[MappingRequest] = field(default_factory=list)  # sheets that need a column mapping
    applied: list[tuple[ColumnMapping, str]] = field(default_factory=list)  # (mapping, sheet) read with a stored mapping

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def needs_mapping(self) -> bool:
        return bool(self.requests)


# Stages of checking and storing a file, as the upload page and the command line show them.
READING, VALIDATING, COMPARING, SAVING = "读取", "校验", "对比上月", "保存"
STAGES: tuple[str, ...] = (READING, VALIDATING, COMPARING, SAVING)
Progress = Callable[[str, str], None]  # (stage, what: e.g. the sheet's name)


def _no_progress(stage: str, what: str) -> None:
    return None


def kind_by_name(sheet_name: str, layouts: tuple[SheetLayout, ...]) -> SheetLayout | None:
    name = squash(sheet_name)
    for layout in layouts:
        if any(word in name for word in domain.SHEET_NAME_WORDS[layout.kind]):
            return layout
    return None


def recognise(
    grid_name: str, headers: dict[str, Header | None], layouts: tuple[SheetLayout, ...]
) -> tuple[SheetLayout | None, Header | None]:
    """The layout of a sheet: by its name, else by the best complete header."""
    named = kind_by_name(grid_name, layouts)
    complete = [(layout, headers[layout.kind]) for layout in layouts if headers[layout.kind] and headers[layout.kind].complete]  # type: ignore[union-attr]
    if named is not None:
        named_header = headers[named.kind]
        if named_header is not None and named_header.complete:
            return named, named_header
        others = [(layout, header) for layout, header in complete if layout.kind != named.kind]
        if others:
            return max(others, key=lambda pair: len(pair[1].fields))  # type: ignore[union-attr]
        return named, named_header
    if complete:
        return max(complete, key=lambda pair: len(pair[1].fields))  # type: ignore[union-attr]
    # A header that names several template columns but lacks a required one is
    # reported as such rather than silently ignored.
    partial = [(layout, headers[layout.kind]) for layout in layouts if headers[layout.kind] and len(headers[layout.kind].fields) >= 3]  # type: ignore[union-attr]
    if partial:
        return max(partial, key=lambda pair: len(pair[1].fields))  # type: ignore[union-attr]
    return None, None


def validate_workbook(
    data: bytes,
    file_name: str,
    regions: RegionMaster,
    limits: Limits,
    option_month: dt.date | None = None,
    layouts: tuple[SheetLayout, ...] = domain.REPORT_LAYOUTS,
    sha256: str | None = None,
    column_mappings: tuple[ColumnMapping, ...] = (),
    units: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> ValidatedWorkbook:
    """Every problem of a workbook (nothing is stored here). `sha256` may be passed when already known.

    `column_mappings` are the units' stored mappings (one is applied to a sheet with the same header);
    `units` those of the uploading account (they pick a mapping when several units share a header)."""
    result = ValidatedWorkbook(file_name, sha256 or hashlib.sha256(data).hexdigest(), len(data))
    progress = progress or _no_progress

    def refuse(message: str, sheet: str = "") -> ValidatedWorkbook:
        result.problems.append(Problem(sheet=sheet, row=None, column="", value="", expected=message, file=file_name))
        return result

    try:
        book = open_workbook(data, limits)
    except UnreadableFile as exc:
        return refuse(str(exc))
    context = SheetContext(file_name=file_name, regions=regions, option_month=option_month)
    blank: list[str] = []  # sheets named like a report sheet but without any cell
    for sheet_name, hidden in iter_sheets(book):
        if hidden:
            # often last month's copy or a lookup list: what staff cannot see is not read
            result.notices.append(f"工作表「{sheet_name}」是隐藏的工作表，已忽略；如需导入，请在 Excel 中取消隐藏后重新上传")
            continue
        progress(READING, sheet_name)
        try:
            grid = read_grid(book, sheet_name, limits)
        except SheetTooLarge as exc:
            refuse(str(exc), sheet_name)
            continue
        except SheetUnreadable as exc:  # a damaged sheet must not hide the others' problems
            refuse(f"工作表无法读取（{exc}）；请在 Excel 中另存后重新上传", sheet_name)
            continue
        if not grid.height:
            if kind_by_name(sheet_name, layouts):
                blank.append(sheet_name)
            continue
        headers = {layout.kind: find_header(grid, layout) for layout in layouts}
        layout, header = recognise(sheet_name, headers, layouts)
        if layout is None or header is None:
            layout, header = _unit_layout(sheet_name, grid, layouts)
        if layout is None or header is None:
            result.notices.append(f"工作表「{sheet_name}」不是可识别的报送表，已忽略")
            continue
        progress(VALIDATING, sheet_name)
        sheet_mapping = None
        if not header.complete and layout.kind in mappings.MAPPABLE_KINDS:
            header, sheet_mapping = _apply_mapping(result, grid, layout, header, context, column_mappings, units)
        parsed = parse_sheet(grid, layout, header, context, sheet_mapping)
        result.sheets.append(parsed)
        result.problems.extend(parsed.problems)
        result.notices.extend(parsed.notices)
    _check_across_sheets(result)
    # Sheets of the template left unfilled are skipped, unless no sheet holds data at all.
    header_only = [sheet.name for sheet in result.sheets if not sheet.rows]
    result.sheets = [sheet for sheet in result.sheets if sheet.rows]
    if result.sheets or result.problems:
        result.notices.extend(f"工作表「{name}」没有数据行，已跳过" for name in (*header_only, *blank))
    elif header_only or blank:
        for name in header_only:
            refuse("没有数据行：表头下方没有可读取的数据；请填写数据后重新上传", name)
        for name in blank:
            refuse("工作表是空的：没有表头和数据；请按模板填写后重新上传", name)
    else:
        titles = "、".join(layout.title for layout in layouts)
        refuse(f"没有找到可识别的工作表：工作表名称或表头应与模板一致（{titles}）；请下载模板对照填写")
    return result


def _unit_layout(sheet_name: str, grid: Grid, layouts: tuple[SheetLayout, ...]) -> tuple[SheetLayout | None, Header | None]:
    """A ledger or summary in a unit's own words that no template header names (see find_unit_header)."""
    named = kind_by_name(sheet_name, layouts)
    for layout in layouts:
        if layout.kind in mappings.MAPPABLE_KINDS:
            header = mappings.find_unit_header(grid, layout, named is layout)
            if header is not None:
                return layout, header
    return None, None


def _apply_mapping(
    result: ValidatedWorkbook,
    grid: Grid,
    layout: SheetLayout,
    header: Header,
    context: SheetContext,
    column_mappings: tuple[ColumnMapping, ...],
    units: tuple[str, ...],
) -> tuple[Header, SheetMapping | None]:
    """The header as a stored mapping reads it, or the header unchanged and a mapping request for the page."""
    first, last = mappings.header_span(grid, header.first_row, header.row)
    labels = mappings.header_labels(grid, first, last)
    signature = mappings.signature(layout.kind, labels)
    candidates = [m for m in column_mappings if m.kind == layout.kind and m.signature == signature]
    chosen = _choose(candidates, grid, last, labels, context, units)
    if chosen is None:
        result.requests.append(mappings.request_for(grid, layout, first, last, context.regions))
        if candidates:
            owners = "、".join(dict.fromkeys(m.unit for m in candidates))
            result.notices.append(
                f"工作表「{grid.name}」的表头与 {owners} 的列对应相同，但文件中的地区与之不符，未套用；请在数据上传页设置本单位的列对应"
            )
        return header, None
    fields = mappings.fields_by_index(chosen, labels)
    used = set(fields.values())
    extras = {index: label for index, label in labels.items() if index not in used and header_key(label) not in IGNORED_HEADERS}
    missing = [c for c in layout.required if c.field not in fields and c.field not in chosen.constants]
    mapped = Header(last, fields, extras, missing, first)
    result.applied.append((chosen, grid.name))
    result.notices.append(f"工作表「{grid.name}」按列对应「{chosen.name}」（{chosen.unit}，#{chosen.mapping_id}）读取：{chosen.summary()}")
    return mapped, SheetMapping(mappings.status_vocabulary(chosen), dict(chosen.constants))


def _choose(
    candidates: list[ColumnMapping], grid: Grid, header_row: int, labels: dict[int, str], context: SheetContext, units: tuple[str, ...]
) -> ColumnMapping | None:
    """The unit's mapping for this header: the one whose unit the file's 地区 names (or, for a mapping
    with a constant 地区, the uploading account's unit); None when no unit's mapping fits."""
    fitting: list[ColumnMapping] = []
    for candidate in candidates:
        if "region" in candidate.constants:
            if not units or candidate.unit in units:
                fitting.append(candidate)
            continue
        index = mappings.fields_by_index(candidate, labels).get("region")
        if index is None:
            continue
        named: set[str] = set()
        written = grid.columns[index].slice(header_row + 1) if index < grid.width else pa.array([], pa.string())
        for cell in pc.unique(written).to_pylist():
            if isinstance(cell, str) and cell.strip() and isinstance(decode(cell), str):
                try:
                    named.add(context.regions.unit(cell))
                except ValueError:
                    continue
        if named == {candidate.unit}:
            fitting.append(candidate)
    if len({m.unit for m in fitting}) > 1:
        return None  # several units share this header and the file does not say which one it is
    return fitting[0] if fitting else None


# Keys that must be unique across all sheets of one kind, the column that names
# a repeat, and the rule as the user reads it.
_UNIQUE_ACROSS_SHEETS: dict[str, tuple[tuple[str, ...], str, str]] = {
    domain.LEDGER: (("region", "month", "item_id"), "item_id", "本单位内唯一的问题编号"),
    domain.SUMMARY: (("region", "month", "project"), "project", "每个地区每个整治项目只填一行"),
}


def _check_across_sheets(result: ValidatedWorkbook) -> None:
    """A ledger or summary kept in several sheets is one table: no key twice.

    Repeats inside one sheet are reported by the sheet's own checks.
    """
    for kind, (keys, named, rule) in _UNIQUE_ACROSS_SHEETS.items():
        sheets = [sheet for sheet in result.sheets if sheet.kind == kind]
        if len(sheets) < 2:
            continue
        column = domain.LAYOUTS[kind].column(named)
        seen: dict[tuple[object, ...], tuple[str, int]] = {}
        for sheet in sheets:
            col_index = sheet.header.fields.get(named)
            for record in zip(*(sheet.table[name].to_pylist() for name in (*keys, "excel_row")), strict=True):
                key = tuple(record[:-1])
                if any(part is None for part in key):
                    continue
                first = seen.setdefault(key, (sheet.name, int(record[-1])))
                if first[0] == sheet.name:
                    continue
                value = key[keys.index(named)]
                result.problems.append(
                    Problem(
                        sheet=sheet.name,
                        row=int(record[-1]),
                        column=column.title,
                        value=domain.PROJECT_SHORT.get(str(value), str(value)),
                        expected=f"{rule}（与工作表「{first[0]}」第 {first[1]} 行重复）",
                        file=result.file_name,
                        column_letter=column_letter(col_index) if col_index is not None else "",
                    )
                )
