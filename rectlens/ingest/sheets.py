"""Finding the header of a sheet and turning its rows into typed records.

The header row is found by its column names (titles, aliases and common
variants), anywhere in the first rows. Title rows, blank rows, 合计 rows
and footnotes are recognised and set aside. Every bad cell becomes a
`Problem` located by Excel row and column; all of them are collected.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import zip_longest

import numpy as np
import pandas as pd

from rectlens import domain
from rectlens.domain import Column, SheetLayout
from rectlens.ingest import values
from rectlens.ingest.excel import Cell, Grid, column_letter
from rectlens.ingest.problems import Problem
from rectlens.ingest.values import BadValue, is_blank
from rectlens.regions import RegionMaster
from rectlens.text import key, squash

HEADER_SCAN_ROWS = 30
IGNORED_HEADERS = {"序号", "序", "no", "no.", "编号序号"}
# Placeholders as typed (half- and full-width), for a set look-up without normalising first.
_RAW_PLACEHOLDERS = frozenset(
    {"/", "／", "-", "－", "—", "--", "——", "无", "暂无", "n/a", "N/A", "na", "NA", "null", "NULL", "none", "None", "ｎ／ａ"}
)
PLACEHOLDERS = {"/", "-", "—", "--", "——", "无", "暂无", "n/a", "na", "null", "none"}
_PARENS = re.compile(r"\([^)]*\)")
_MARKERS = re.compile(r"[*★☆:]")
_TOTAL = re.compile(r"^(全[省市县区州]?|本[市县区])?(合计|总计|小计|累计)")
_LABEL = re.compile(r"[:：]")
_FOOTER_FIRST = frozenset("注说备填审联制负分单")  # first characters of the footer words below
_FOOTER = re.compile(
    r"^(注|说明|备注)\s*\d*\s*[:：]|^(填报人|填表人|审核人|联系人|制表人|负责人|分管领导|联系电话|填报单位|填报日期|单位负责人)"
)

PARSERS: dict[str, Callable[[Cell], object]] = {
    "id": values.parse_id,
    "text": values.parse_text,
    "region": values.parse_text,
    "county": values.parse_text,
    "project": values.parse_project,
    "status": values.parse_status,
    "date": values.parse_date,
    "deadline": values.parse_deadline,
    "month": values.parse_month,
    "count": values.parse_count,
    "scale": values.parse_scale,
    "rate": values.parse_rate,
    "check_result": values.parse_check_result,
    "sampling": values.parse_sampling,
    "root_cause": values.parse_root_cause,
}


@lru_cache(maxsize=65536)
def header_key(cell: Cell) -> str:
    # cached: the first rows of a sheet are matched against every layout, cell by cell
    return _MARKERS.sub("", key(cell)).replace("(必填)", "").replace("(选填)", "")


def _lookup(layout: SheetLayout) -> dict[str, tuple[str, int]]:
    """Header key -> (field, rank): rank 0 for the template's title, 1 for an alias."""
    table: dict[str, tuple[str, int]] = {}
    for column in layout.columns:
        table.setdefault(header_key(column.title), (column.field, 0))
    for column in layout.columns:
        for alias in column.aliases:
            table.setdefault(header_key(alias), (column.field, 1))
    return table


@dataclass
class Header:
    """Where a layout's header sits and which column holds which field."""

    row: int  # index of the last header row
    fields: dict[str, int]
    extras: dict[int, str]
    missing: list[Column]
    first_row: int

    @property
    def complete(self) -> bool:
        return not self.missing


def _map_cells(cells: list[Cell], lookup: dict[str, tuple[str, int]]) -> tuple[dict[str, int], dict[int, str]]:
    """Which column holds which field, and the unknown columns (kept aside).

    When two columns name one field, the template's title beats an alias and
    an exact name beats one with a bracketed remark, then the left one wins:
    a running number headed 编号 must not be read as the 问题编号. The losing
    column is kept aside like an unknown one.
    """
    best: dict[str, tuple[int, int]] = {}  # field -> (rank, column index)
    named: dict[int, str] = {}  # column index -> header key, for columns naming a field
    extras: dict[int, str] = {}
    for index, cell in enumerate(cells):
        name = header_key(cell)
        if not name:
            continue
        found = lookup.get(name)
        if found is None:
            bare = lookup.get(_PARENS.sub("", name))
            found = (bare[0], bare[1] + 2) if bare else None
        if found is None:
            if name not in IGNORED_HEADERS:
                extras[index] = squash(cell)
            continue
        field_name, rank = found
        named[index] = name
        if field_name not in best or rank < best[field_name][0]:
            best[field_name] = (rank, index)
    fields = {field_name: index for field_name, (_rank, index) in best.items()}
    chosen_names = {named[index] for index in fields.values()}
    for index, name in named.items():
        # a header cell merged across two columns repeats its name: not a separate column
        if index not in fields.values() and name not in chosen_names and name not in IGNORED_HEADERS:
            extras[index] = squash(cells[index])
    return fields, dict(sorted(extras.items()))


def find_header(grid: Grid, layout: SheetLayout) -> Header | None:
    """The best header candidate for `layout`, or None if nothing matches."""
    lookup = _lookup(layout)
    best: Header | None = None
    best_score = 0
    rows = grid.rows
    for index in range(min(HEADER_SCAN_ROWS, len(rows))):
        candidates = [(index, index, rows[index])]
        if index + 1 < len(rows):
            # Two-row headers: a group label above, the column names below. Only
            # when the upper row adds a column: a title row above a one-row header
            # is not part of the header (its month must stay visible as a title).
            below = rows[index + 1]
            merged = [b if not is_blank(b) else a for a, b in zip(rows[index], below, strict=False)]
            if len(_map_cells(merged, lookup)[0]) > len(_map_cells(below, lookup)[0]):
                candidates.append((index, index + 1, merged))
        for first, last, cells in candidates:
            fields, extras = _map_cells(cells, lookup)
            missing = [c for c in layout.required if c.field not in fields]
            score = len(fields) * 10 - len(missing) * 100
            if fields and (best is None or score > best_score):
                best, best_score = Header(last, fields, extras, missing, first), score
        if best is not None and best.complete and index > best.row + 1:
            break
    return best


@dataclass
class SheetContext:
    file_name: str
    regions: RegionMaster
    option_month: dt.date | None = None


@dataclass(frozen=True)
class SheetMapping:
    """What a unit's column mapping adds to reading one sheet: its status words and constant fields."""

    statuses: dict[str, str] = field(default_factory=dict)  # squashed value -> status
    constants: dict[str, str] = field(default_factory=dict)  # field -> value of every row


@dataclass
class ParsedSheet:
    kind: str
    name: str
    frame: pd.DataFrame
    header: Header
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    total_row: dict[str, object] | None = None


class _SheetReader:
    def __init__(self, grid: Grid, layout: SheetLayout, header: Header, context: SheetContext, mapping: SheetMapping | None = None) -> None:
        self.grid = grid
        self.layout = layout
        self.header = header
        self.context = context
        self.mapping = mapping or SheetMapping()
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.total_row: dict[str, object] | None = None
        self.bad_cells: set[tuple[int, str]] = set()  # (row index, field) already reported
        self._columns: list[tuple[Cell, ...]] = []  # data rows as columns, set by read()

    # -- reporting ---------------------------------------------------------

    def error(self, row_index: int | None, column: Column | None, raw: Cell, expected: str) -> None:
        col_index = self.header.fields.get(column.field) if column else None
        if row_index is not None and column is not None:
            self.bad_cells.add((row_index, column.field))
        self.problems.append(
            Problem(
                sheet=self.grid.name,
                row=None if row_index is None else row_index + 1,
                column=column.title if column else "",
                value=values.display(raw) if raw is not None else "",
                expected=expected,
                file=self.context.file_name,
                column_letter=column_letter(col_index) if col_index is not None else "",
            )
        )

    # -- row classification --------------------------------------------------

    def _is_total(self, row: list[Cell], probe: list[int]) -> bool:
        for index in probe:
            if index < len(row):
                cell = row[index]
                # 合计 / 总计 / 小计 / 累计 all contain 计: a cheap test before normalising
                if type(cell) is str and "计" in cell and len(cell) <= 24 and _TOTAL.match(squash(cell)):
                    return True
        return False

    @staticmethod
    def _is_footer(row: list[Cell], first: Cell) -> bool:
        """`first` is the row's first non-blank cell."""
        if type(first) is not str or first.lstrip()[:1] not in _FOOTER_FIRST or not _FOOTER.match(squash(first)):
            return False
        filled = [cell for cell in row if not is_blank(cell)]
        # a merged footnote repeats one text; a signature line is all "label：value" cells
        labelled = all(isinstance(c, str) and (_FOOTER.match(squash(c)) or _LABEL.search(c)) for c in filled)
        return len({values.display(c) for c in filled}) <= 2 or labelled

    def data_rows(self) -> list[int]:
        rows = self.grid.rows
        used = sorted(self.header.fields.values())
        used_set = set(used)
        probe = sorted({0, 1} | {self.header.fields[f] for f in ("region", "item_id", "project") if f in self.header.fields})
        kept: list[int] = []
        for index in range(self.header.row + 1, len(rows)):
            row = rows[index]
            first_column = next((position for position, cell in enumerate(row) if not is_blank(cell)), None)
            if first_column is None:
                continue
            if self._is_total(row, probe):
                self._remember_total(index)
                continue
            if self._is_footer(row, row[first_column]):
                continue
            if first_column not in used_set and all(i >= len(row) or is_blank(row[i]) for i in used):
                continue  # only unknown columns filled: e.g. a signature line
            kept.append(index)
        return kept

    def _remember_total(self, index: int) -> None:
        if self.layout.kind != domain.SUMMARY or self.total_row is not None:
            return
        row = self.grid.rows[index]
        record: dict[str, object] = {"excel_row": index + 1}
        for name in ("total", "completed", "stated_rate"):
            column = self.layout.column(name)
            col_index = self.header.fields.get(name)
            raw = row[col_index] if col_index is not None and col_index < len(row) else None
            if raw is None or is_blank(raw):
                record[name] = None
                continue
            try:
                record[name] = PARSERS[column.kind](raw)
            except BadValue as exc:
                self.error(index, column, raw, f"合计行的{column.title}应为{exc}")
        self.total_row = record

    # -- cell parsing ----------------------------------------------------------

    def parse_column(self, column: Column, row_indexes: list[int]) -> list[object]:
        col_index = self.header.fields.get(column.field)
        constant = self.mapping.constants.get(column.field)
        if col_index is None and constant is None:
            return [None] * len(row_indexes)
        if constant is not None:
            raw_cells: list[Cell] = [constant] * len(row_indexes)
        else:
            assert col_index is not None
            raw_cells = list(self._columns[col_index]) if col_index < len(self._columns) else [""] * len(row_indexes)
        if column.field == "region":
            raw_cells = self._fill_down(raw_cells)
        if column.kind == "text" and not column.required:
            # inline fast path for the usual non-empty text cell; the rest goes through _free_text
            return [
                text if type(raw) is str and (text := raw.strip()) and text not in _RAW_PLACEHOLDERS else self._free_text(raw)
                for raw in raw_cells
            ]
        parser = PARSERS[column.kind]
        if column.kind == "status" and self.mapping.statuses:
            parser = self._unit_status
        # Parse each distinct cell once: columns repeat few values (statuses,
        # projects, dates), and a 100,000-row sheet stays fast.
        codes, uniques = pd.factorize(pd.Series(raw_cells, dtype=object), use_na_sentinel=False)
        outcomes = [self._parse_cell(parser, column, raw) for raw in uniques]
        parsed = np.empty(len(outcomes), dtype=object)
        parsed[:] = [None if isinstance(outcome, BadValue) else outcome for outcome in outcomes]
        bad_codes = [code for code, outcome in enumerate(outcomes) if isinstance(outcome, BadValue)]
        if bad_codes:
            for position in np.flatnonzero(np.isin(codes, bad_codes)):
                raw = raw_cells[position]
                self.error(row_indexes[position], column, raw, "应为" + str(outcomes[codes[position]]))
        return list(parsed[codes])

    def _unit_status(self, raw: Cell) -> object:
        """A status in the unit's own words (as its mapping says), else as the template reads it."""
        return self.mapping.statuses.get(squash(raw)) or values.parse_status(raw)

    @staticmethod
    def _fill_down(cells: list[Cell]) -> list[Cell]:
        """A unit name written once for a block of rows applies to the block."""
        filled: list[Cell] = []
        last: Cell = ""
        for cell in cells:
            if is_blank(cell):
                filled.append(last)
            else:
                filled.append(cell)
                last = cell
        return filled

    @staticmethod
    def _free_text(raw: Cell) -> str | None:
        """Optional free text (descriptions, measures): mostly distinct, so parsed cell by cell."""
        if type(raw) is str:
            text = raw.strip()
            if not text or (len(text) <= 8 and squash(text).lower() in PLACEHOLDERS):
                return None
            return text
        return None if is_blank(raw) else values.parse_text(raw)

    @staticmethod
    def _parse_cell(parser: Callable[[Cell], object], column: Column, raw: Cell) -> object:
        placeholder = type(raw) is str and len(raw) <= 8 and column.kind != "id" and squash(raw).lower() in PLACEHOLDERS
        if placeholder or is_blank(raw):
            return BadValue("必填项，不能为空") if column.required else None
        try:
            return parser(raw)
        except BadValue as exc:
            return exc

    # -- the whole sheet -------------------------------------------------------

    def read(self) -> pd.DataFrame:
        row_indexes = self.data_rows()
        # The data rows turned into columns once (at C speed), for column-wise parsing.
        rows = self.grid.rows
        self._columns = list(zip_longest(*(rows[i] for i in row_indexes), fillvalue="")) if row_indexes else []
        data: dict[str, list[object]] = {"excel_row": [i + 1 for i in row_indexes]}
        for column in self.layout.columns:
            data[column.field] = self.parse_column(column, row_indexes)
        self._match_regions(data, row_indexes)
        self._resolve_months(data, row_indexes)
        data["extra"] = self._extras(row_indexes)
        # object columns: pandas would otherwise copy every text column into Arrow strings
        frame = pd.DataFrame({name: pd.Series(column, dtype=object) for name, column in data.items()})
        frame["excel_row"] = frame["excel_row"].astype("int64")
        frame["row_index"] = row_indexes
        return frame

    def _extras(self, row_indexes: list[int]) -> list[str | None]:
        if not self.header.extras:
            return [None] * len(row_indexes)
        rows = self.grid.rows
        out: list[str | None] = []
        for index in row_indexes:
            row = rows[index]
            kept = {name: values.display(row[col]) for col, name in self.header.extras.items() if col < len(row) and not is_blank(row[col])}
            out.append(json.dumps(kept, ensure_ascii=False) if kept else None)
        return out

    def _match_regions(self, data: dict[str, list[object]], row_indexes: list[int]) -> None:
        master = self.context.regions
        region_col = self.layout.column("region")
        cache: dict[object, object] = {}
        regions = data["region"]
        for position, (row_index, raw) in enumerate(zip(row_indexes, regions, strict=True)):
            if raw is None:
                continue
            if raw not in cache:
                try:
                    cache[raw] = master.unit(str(raw))
                except BadValue as exc:
                    cache[raw] = exc
            outcome = cache[raw]
            if isinstance(outcome, BadValue):
                self.error(row_index, region_col, raw, "应为" + str(outcome))
                regions[position] = None
            else:
                regions[position] = outcome
        if "county" in data and master.has_counties and "county" in self.header.fields:
            county_col = self.layout.column("county")
            counties = data["county"]
            matched: dict[tuple[str, str], str | BadValue] = {}
            for position, (row_index, unit, raw) in enumerate(zip(row_indexes, regions, counties, strict=True)):
                if raw is None or unit is None:
                    continue
                pair = (str(unit), str(raw))
                if pair not in matched:
                    try:
                        matched[pair] = master.county(*pair)
                    except BadValue as exc:
                        matched[pair] = exc
                outcome = matched[pair]
                if isinstance(outcome, BadValue):
                    self.error(row_index, county_col, raw, "应为" + str(outcome))
                else:
                    counties[position] = outcome

    def _title_month(self) -> tuple[dt.date | None, int | None]:
        for index in range(0, self.header.first_row):
            for cell in self.grid.rows[index]:
                if isinstance(cell, str) and cell:
                    month = values.month_in_title(cell)
                    if month:
                        return month, index
        return None, None

    def _resolve_months(self, data: dict[str, list[object]], row_indexes: list[int]) -> None:
        if "month" not in data or not row_indexes:
            return  # no rows, no month to settle (a template sheet left empty)
        month_col = self.layout.column("month")
        title_month, title_row = self._title_month()
        file_month = values.month_in_file_name(self.context.file_name)
        sources = [
            ("标题行中的月份", title_month, title_row),
            ("文件名中的月份", file_month, None),
            ("上传时选择的月份", self.context.option_month, None),
        ]
        known = [(label, month, row) for label, month, row in sources if month is not None]
        sheet_month = known[0][1] if known else None
        for label, month, _row in known[1:]:
            if month != sheet_month:
                first_label = known[0][0]
                self.error(
                    known[0][2],
                    month_col,
                    values.month_label(sheet_month) if sheet_month else "",
                    f"{first_label}（{values.month_label(sheet_month)}）与{label}（{values.month_label(month)}）不一致；"
                    "请核对报送月份，改正标题或文件名后重新上传",
                )
        many_months_allowed = self.layout.kind == domain.SATISFACTION
        months = data["month"]
        missing_rows: list[int] = []
        for position, row_index in enumerate(row_indexes):
            stated = months[position]
            if stated is None:
                if sheet_month is None and (row_index, "month") not in self.bad_cells:  # a bad month is reported once
                    missing_rows.append(row_index)
                months[position] = sheet_month
            elif sheet_month is not None and stated != sheet_month and not many_months_allowed:
                self.error(
                    row_index,
                    month_col,
                    values.month_label(stated),
                    f"与{known[0][0]}（{values.month_label(sheet_month)}）一致；两处月份不同，请核对后改正其中一处",
                )
        if missing_rows:
            self.error(
                missing_rows[0],
                month_col,
                "",
                "无法确定报送月份：请填写“报送月份”列，或在标题中写明“YYYY年M月”，或在上传时选择月份"
                + (f"（共 {len(missing_rows)} 行缺少月份）" if len(missing_rows) > 1 else ""),
            )


def check_ledger(reader: _SheetReader, frame: pd.DataFrame) -> None:
    """已完成 needs a 完成日期; a 问题编号 appears once per unit and month (column-wise: ledgers are long)."""
    layout = reader.layout
    done_col, status_col, id_col = layout.column("completed_date"), layout.column("status"), layout.column("item_id")
    done = frame["status"] == domain.STATUS_DONE
    if "completed_date" in reader.header.fields:
        undated = frame.loc[done & frame["completed_date"].isna(), "row_index"]
        for row_index in undated:
            if (row_index, "completed_date") not in reader.bad_cells:  # a malformed date is reported once
                reader.error(row_index, done_col, "", "整改状态为“已完成”时必须填写完成日期")
    else:
        for row_index in frame.loc[done, "row_index"]:
            reader.error(row_index, status_col, domain.STATUS_DONE, "“已完成”的问题需要“完成日期”列，但表中没有这一列")
    keys = ["region", "month", "item_id"]
    numbered = frame[frame["item_id"].notna() & (frame["item_id"] != "")]
    repeated = numbered.duplicated(subset=keys, keep="first")
    if repeated.any():
        first_rows = numbered[~repeated].set_index(keys)["excel_row"]
        for record in numbered[repeated].itertuples(index=False):
            first = first_rows.get((record.region, record.month, record.item_id))
            reader.error(record.row_index, id_col, record.item_id, f"本单位内唯一的问题编号（与第 {first} 行重复）")


def check_summary(reader: _SheetReader, frame: pd.DataFrame) -> None:
    layout = reader.layout
    completed_col, project_col = layout.column("completed"), layout.column("project")
    seen: dict[tuple[object, object, object], int] = {}
    for record in frame.itertuples(index=False):
        if record.total is not None and record.completed is not None and record.completed > record.total:
            reader.error(record.row_index, completed_col, record.completed, f"不大于问题总数（{record.total}）的已完成数")
        group = (record.region, record.project, record.month)
        if record.project is not None and group in seen:
            reader.error(
                record.row_index,
                project_col,
                domain.PROJECT_SHORT.get(str(record.project), record.project),
                f"每个地区每个整治项目只填一行（与第 {seen[group]} 行重复）",
            )
        else:
            seen[group] = record.excel_row


def check_satisfaction(reader: _SheetReader, frame: pd.DataFrame) -> None:
    project_col = reader.layout.column("project")
    seen: dict[tuple[object, object, object], int] = {}
    for record in frame.itertuples(index=False):
        group = (record.region, record.project, record.month)
        if record.project is not None and group in seen:
            reader.error(
                record.row_index,
                project_col,
                domain.PROJECT_SHORT.get(str(record.project), record.project),
                f"每个地区、整治项目、月份只填一行（与第 {seen[group]} 行重复）",
            )
        else:
            seen[group] = record.excel_row


CROSS_CHECKS: dict[str, Callable[[_SheetReader, pd.DataFrame], None]] = {
    domain.LEDGER: check_ledger,
    domain.SUMMARY: check_summary,
    domain.SATISFACTION: check_satisfaction,
}


def parse_sheet(grid: Grid, layout: SheetLayout, header: Header, context: SheetContext, mapping: SheetMapping | None = None) -> ParsedSheet:
    reader = _SheetReader(grid, layout, header, context, mapping)
    for column in header.missing:
        reader.error(header.row, column, "", f"表头中缺少必填列“{column.title}”；请按模板补上这一列")
    frame = reader.read()
    # A sheet without data rows is judged with the whole workbook (validate_workbook):
    # a template sheet left empty is skipped when another sheet has data.
    if not frame.empty and layout.kind in CROSS_CHECKS:
        CROSS_CHECKS[layout.kind](reader, frame)
    if header.extras:
        reader.notices.append(f"工作表「{grid.name}」中的列 {'、'.join(header.extras.values())} 不在模板内，已原样保留，不参与统计")
    return ParsedSheet(layout.kind, grid.name, frame.drop(columns="row_index"), header, reader.problems, reader.notices, reader.total_row)
