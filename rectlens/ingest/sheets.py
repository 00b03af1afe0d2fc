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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rectlens import domain
from rectlens.domain import Column, SheetLayout
from rectlens.ingest import values
from rectlens.ingest.excel import Cell, Grid, column_letter
from rectlens.ingest.problems import Problem
from rectlens.ingest.rendered import PY_WHITESPACE, blank_mask, decode, is_datetime, trim
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
    rows = grid.head
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
    """A sheet's typed rows (`table`: excel_row, the layout's fields, extra) and what was found on the way."""

    kind: str
    name: str
    table: pa.Table
    header: Header
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    total_row: dict[str, object] | None = None

    @property
    def rows(self) -> int:
        return self.table.num_rows

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a pandas frame (dates as datetime.date), for previews and small tables."""
        return self.table.to_pandas()


# How a parsed column is stored in Arrow (every other kind is text).
ARROW_TYPES: dict[str, pa.DataType] = {
    "date": pa.date32(),
    "deadline": pa.date32(),
    "month": pa.date32(),
    "count": pa.int64(),
    "scale": pa.float64(),
    "rate": pa.float64(),
}
# The one kind whose parser reads a number unlike the same digits as text: 2026.1 typed into a General
# cell may be January or October (an error), the text "2026.1" is read the same way as its rendering.
NUMBER_SENSITIVE_KINDS = frozenset({"month"})
_PLACEHOLDER_LENGTH = 8  # no placeholder (无, n/a, ——) is longer
_FOOTER_FIRST_SET = pa.array(sorted(_FOOTER_FIRST), pa.string())
_ASCII_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]+"  # what str.split() splits an ASCII text on


class _SheetReader:
    """Reads one sheet's data rows column by column: each distinct cell is parsed once in Python,
    free text never leaves Arrow."""

    def __init__(self, grid: Grid, layout: SheetLayout, header: Header, context: SheetContext, mapping: SheetMapping | None = None) -> None:
        self.grid = grid
        self.layout = layout
        self.header = header
        self.context = context
        self.mapping = mapping or SheetMapping()
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.total_row: dict[str, object] | None = None
        self.bad_cells: dict[str, set[int]] = {}  # field -> row indexes already reported
        self.row_indexes = np.empty(0, dtype=np.int64)  # the data rows, set by read()

    # -- reporting ---------------------------------------------------------

    def error(self, row_index: int | None, column: Column | None, raw: Cell, expected: str) -> None:
        col_index = self.header.fields.get(column.field) if column else None
        if row_index is not None and column is not None:
            self.bad_cells.setdefault(column.field, set()).add(int(row_index))
        self.problems.append(
            Problem(
                sheet=self.grid.name,
                row=None if row_index is None else int(row_index) + 1,
                column=column.title if column else "",
                value=values.display(raw) if raw is not None else "",
                expected=expected,
                file=self.context.file_name,
                column_letter=column_letter(col_index) if col_index is not None else "",
            )
        )

    def is_bad(self, row_index: int, field_name: str) -> bool:
        return row_index in self.bad_cells.get(field_name, ())

    # -- row classification --------------------------------------------------

    @staticmethod
    def _is_total_text(cell: str) -> bool:
        # 合计 / 总计 / 小计 / 累计 all contain 计: the rows are found by that first, column-wise
        return len(cell) <= 24 and bool(_TOTAL.match(squash(cell)))

    @staticmethod
    def _is_footer(row: list[Cell], first: Cell) -> bool:
        """`first` is the row's first non-blank cell."""
        if type(first) is not str or first.lstrip()[:1] not in _FOOTER_FIRST or not _FOOTER.match(squash(first)):
            return False
        filled = [cell for cell in row if not is_blank(cell)]
        # a merged footnote repeats one text; a signature line is all "label：value" cells
        labelled = all(isinstance(c, str) and (_FOOTER.match(squash(c)) or _LABEL.search(c)) for c in filled)
        return len({values.display(c) for c in filled}) <= 2 or labelled

    def data_rows(self) -> np.ndarray:
        """Indexes of the rows below the header that hold data: not blank, 合计, a footnote or a signature line."""
        grid = self.grid
        start = self.header.row + 1
        if start >= grid.height or not grid.width:
            return np.empty(0, dtype=np.int64)
        body = [column.slice(start) for column in grid.columns]
        filled = grid.filled[start:]
        has_content = filled.any(axis=1)
        first_column = filled.argmax(axis=1)
        keep = has_content.copy()
        probe = sorted({0, 1} | {self.header.fields[f] for f in ("region", "item_id", "project") if f in self.header.fields})
        totals: set[int] = set()
        for index in probe:
            if index < grid.width:
                candidates = np.flatnonzero(pc.fill_null(pc.match_substring(body[index], "计"), False).to_numpy(zero_copy_only=False))
                totals.update(int(i) for i in candidates if self._is_total_text(body[index][int(i)].as_py()))
        for position in sorted(totals):
            if has_content[position]:
                keep[position] = False
                self._remember_total(start + position)
        # footnotes and signature lines: the first filled cell starts with one of the footer words' first characters
        for index, column in enumerate(body):
            rows_here = np.flatnonzero(keep & (first_column == index))
            if not len(rows_here):
                continue
            firsts = pc.utf8_slice_codeunits(pc.utf8_ltrim(column.take(pa.array(rows_here)), characters=PY_WHITESPACE), 0, 1)
            hits = rows_here[pc.fill_null(pc.is_in(firsts, value_set=_FOOTER_FIRST_SET), False).to_numpy(zero_copy_only=False)]
            for position in hits:
                row = grid.row(start + int(position))
                if self._is_footer(row, row[index]):
                    keep[position] = False
        # only unknown columns filled: e.g. a signature line
        used = sorted(self.header.fields.values())
        present = [index for index in used if index < grid.width]
        used_filled = filled[:, present].any(axis=1) if present else np.zeros(len(keep), dtype=bool)
        keep &= used_filled | np.isin(first_column, used)
        return np.flatnonzero(keep).astype(np.int64) + start

    def _remember_total(self, index: int) -> None:
        if self.layout.kind != domain.SUMMARY or self.total_row is not None:
            return
        row = self.grid.row(index)
        record: dict[str, object] = {"excel_row": index + 1}
        for name in ("total", "completed", "stated_rate"):
            column = self.layout.column(name)
            col_index = self.header.fields.get(name)
            cell = row[col_index] if col_index is not None and col_index < len(row) else None
            if cell is None or is_blank(cell):
                record[name] = None
                continue
            raw = cell
            try:
                record[name] = PARSERS[column.kind](raw)
            except BadValue as exc:
                self.error(index, column, raw, f"合计行的{column.title}应为{exc}")
        self.total_row = record

    # -- cell parsing ----------------------------------------------------------

    def _raw(self, column: Column) -> pa.Array | None:
        """The column's cells in the data rows (text as rendered), or None when the sheet has no such column."""
        col_index = self.header.fields.get(column.field)
        constant = self.mapping.constants.get(column.field)
        count = len(self.row_indexes)
        if constant is not None:
            return pa.array([constant] * count, pa.string())
        if col_index is None:
            return None
        if col_index >= self.grid.width:
            return pa.nulls(count, pa.string())
        return self._data_cells(self.grid.columns[col_index])

    def _data_cells(self, column: pa.Array) -> pa.Array:
        """The cells of `column` in the data rows: a zero-copy slice when they follow each other (the usual case)."""
        rows = self.row_indexes
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
            return column.slice(int(rows[0]), len(rows))
        return column.take(pa.array(rows))

    def parse_column(self, column: Column) -> pa.Array:
        arrow_type = ARROW_TYPES.get(column.kind, pa.string())
        raw = self._raw(column)
        if raw is None:
            return pa.nulls(len(self.row_indexes), arrow_type)
        if column.field == "region":
            raw = self._fill_down(raw)
        if column.kind == "text" and not column.required:
            return self._free_text(raw)
        if column.kind == "id":
            return self._ids(column, raw)
        parser = PARSERS[column.kind]
        if column.kind == "status" and self.mapping.statuses:
            parser = self._unit_status
        return self._by_distinct(column, raw, parser, arrow_type)

    def _by_distinct(
        self, column: Column, raw: pa.Array, parser: Callable[[Cell], object], arrow_type: pa.DataType, rows: np.ndarray | None = None
    ) -> pa.Array:
        """Parse each distinct cell once: columns repeat few values (statuses, projects, dates).
        `rows`: the sheet rows of `raw`'s cells (the data rows unless given)."""
        rows = self.row_indexes if rows is None else rows
        encoded = pc.dictionary_encode(raw)
        distinct = encoded.dictionary.to_pylist()
        typed = column.kind in NUMBER_SENSITIVE_KINDS
        cells = [decode(text, typed) for text in distinct] + [""]  # the last one stands for the empty cells
        codes = pc.fill_null(encoded.indices, len(distinct)).to_numpy(zero_copy_only=False)
        outcomes = [self._parse_cell(parser, column, cell) for cell in cells]
        bad_codes = [code for code, outcome in enumerate(outcomes) if isinstance(outcome, BadValue)]
        if bad_codes:
            for position in np.flatnonzero(np.isin(codes, bad_codes)):
                self.error(rows[position], column, cells[codes[position]], "应为" + str(outcomes[codes[position]]))
        parsed = pa.array([None if isinstance(outcome, BadValue) else outcome for outcome in outcomes], arrow_type)
        return parsed.take(pa.array(codes))

    def _ids(self, column: Column, raw: pa.Array) -> pa.Array:
        """问题编号: an ASCII code loses its inner spaces column-wise; anything else is parsed cell by cell."""
        simple = pc.fill_null(pc.and_(pc.string_is_ascii(raw), pc.not_equal(pc.utf8_length(trim(raw)), 0)), False).to_numpy(
            zero_copy_only=False
        )
        simple &= ~is_datetime(raw)
        squeezed = pc.replace_substring_regex(raw, _ASCII_SPACE, "")
        if simple.all():
            return squeezed
        rest = pc.filter(raw, pa.array(~simple))
        parsed_rest = self._by_distinct(column, rest, PARSERS["id"], pa.string(), self.row_indexes[~simple])
        return pc.replace_with_mask(squeezed, pa.array(~simple), parsed_rest)

    def _unit_status(self, raw: Cell) -> object:
        """A status in the unit's own words (as its mapping says), else as the template reads it."""
        return self.mapping.statuses.get(squash(raw)) or values.parse_status(raw)

    @staticmethod
    def _fill_down(raw: pa.Array) -> pa.Array:
        """A unit name written once for a block of rows applies to the block."""
        blank = blank_mask(raw)
        if not blank.any():
            return raw
        return pc.fill_null_forward(pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), raw))

    def _free_text(self, raw: pa.Array) -> pa.Array:
        """Optional free text (descriptions, measures): stripped; blank and placeholders (无, /, n/a) become empty."""
        text = trim(raw)
        text = pc.if_else(pc.equal(pc.utf8_length(text), 0), pa.scalar(None, pa.string()), text)
        short = pc.fill_null(pc.less_equal(pc.utf8_length(text), _PLACEHOLDER_LENGTH), False)
        dated = pa.array(is_datetime(text))
        special = pc.or_(short, dated)
        if not pc.any(special).as_py():
            return text
        candidates = pc.unique(pc.filter(text, special)).to_pylist()
        replaced = {cell: self._written_text(cell) for cell in candidates}
        changed = {cell: new for cell, new in replaced.items() if new != cell}
        if not changed:
            return text
        keys = pa.array(list(changed), pa.string())
        mask = pc.fill_null(pc.is_in(text, value_set=keys), False)
        positions = pc.index_in(pc.filter(text, mask), value_set=keys)
        new_values = pa.array(list(changed.values()), pa.string()).take(positions)
        return pc.replace_with_mask(text, mask, new_values)

    @staticmethod
    def _written_text(text: str) -> str | None:
        """A short or date-like free text as stored: None for a placeholder, a date as the user sees it."""
        if len(text) <= _PLACEHOLDER_LENGTH and squash(text).lower() in PLACEHOLDERS:
            return None
        cell = decode(text)
        return text if isinstance(cell, str) else values.parse_text(cell)

    @staticmethod
    def _parse_cell(parser: Callable[[Cell], object], column: Column, raw: Cell) -> object:
        placeholder = type(raw) is str and len(raw) <= _PLACEHOLDER_LENGTH and column.kind != "id" and squash(raw).lower() in PLACEHOLDERS
        if placeholder or is_blank(raw):
            return BadValue("必填项，不能为空") if column.required else None
        try:
            return parser(raw)
        except BadValue as exc:
            return exc

    # -- the whole sheet -------------------------------------------------------

    def read(self) -> pa.Table:
        self.row_indexes = self.data_rows()
        data: dict[str, pa.Array] = {"excel_row": pa.array(self.row_indexes + 1, pa.int64())}
        for column in self.layout.columns:
            data[column.field] = self.parse_column(column)
        self._match_regions(data)
        self._resolve_months(data)
        data["extra"] = self._extras()
        data["row_index"] = pa.array(self.row_indexes, pa.int64())
        return pa.table(data)

    def _extras(self) -> pa.Array:
        """The columns outside the template, per row as JSON {header: value as written}."""
        count = len(self.row_indexes)
        if not self.header.extras or not count:
            return pa.nulls(count, pa.string())
        shown: list[tuple[str, list[str | None]]] = []
        for col, name in self.header.extras.items():
            if col >= self.grid.width:
                continue
            cells = self._data_cells(self.grid.columns[col])
            blank = blank_mask(cells)
            encoded = pc.dictionary_encode(cells)
            labels = [values.display(decode(text)) for text in encoded.dictionary.to_pylist()]
            codes = encoded.indices.to_pylist()
            shown.append((name, [None if blank[i] or code is None else labels[code] for i, code in enumerate(codes)]))
        out: list[str | None] = []
        for position in range(count):
            kept = {name: cells[position] for name, cells in shown if cells[position] is not None}
            out.append(json.dumps(kept, ensure_ascii=False) if kept else None)
        return pa.array(out, pa.string())

    def _match_regions(self, data: dict[str, pa.Array]) -> None:
        master = self.context.regions
        region_col = self.layout.column("region")
        encoded = pc.dictionary_encode(data["region"])
        outcomes: list[object] = []
        for raw in encoded.dictionary.to_pylist():
            try:
                outcomes.append(master.unit(str(raw)))
            except BadValue as exc:
                outcomes.append(exc)
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        bad_codes = [code for code, outcome in enumerate(outcomes) if isinstance(outcome, BadValue)]
        if bad_codes:
            distinct = encoded.dictionary.to_pylist()
            for position in np.flatnonzero(np.isin(codes, bad_codes)):
                code = codes[position]
                self.error(self.row_indexes[position], region_col, distinct[code], "应为" + str(outcomes[code]))
        units = pa.array([None if isinstance(o, BadValue) else o for o in outcomes] + [None], pa.string())
        data["region"] = units.take(pa.array(np.where(codes < 0, len(outcomes), codes)))
        if "county" in data and master.has_counties and "county" in self.header.fields:
            self._match_counties(data, master)

    def _match_counties(self, data: dict[str, pa.Array], master: RegionMaster) -> None:
        """县区 within its unit: each distinct (unit, county) pair is matched once."""
        county_col = self.layout.column("county")
        units, counties = pc.dictionary_encode(data["region"]), pc.dictionary_encode(data["county"])
        unit_names, county_names = units.dictionary.to_pylist(), counties.dictionary.to_pylist()
        unit_codes = pc.fill_null(units.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        county_codes = pc.fill_null(counties.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        span = len(county_names) + 1  # codes shifted by one: 0 stands for an empty cell
        pairs, inverse = np.unique((unit_codes + 1) * span + county_codes + 1, return_inverse=True)
        matched: list[str | None] = []
        bad: list[str | None] = []  # per pair: why it does not match, or None
        for pair in pairs.tolist():
            unit_code, county_code = (code - 1 for code in divmod(pair, span))
            raw = county_names[county_code] if county_code >= 0 else None
            if raw is None or unit_code < 0:
                matched.append(raw)
                bad.append(None)
                continue
            try:
                matched.append(master.county(str(unit_names[unit_code]), str(raw)))
                bad.append(None)
            except BadValue as exc:
                matched.append(raw)
                bad.append(str(exc))
        for position in np.flatnonzero(np.isin(inverse, [i for i, why in enumerate(bad) if why is not None])):
            pair_index = int(inverse[position])
            self.error(self.row_indexes[position], county_col, matched[pair_index], "应为" + str(bad[pair_index]))
        data["county"] = pa.array(matched, pa.string()).take(pa.array(inverse))

    def _title_month(self) -> tuple[dt.date | None, int | None]:
        for index, row in enumerate(self.grid.rows(0, self.header.first_row)):
            for cell in row:
                if isinstance(cell, str) and cell:
                    month = values.month_in_title(cell)
                    if month:
                        return month, index
        return None, None

    def _resolve_months(self, data: dict[str, pa.Array]) -> None:
        if "month" not in data or not len(self.row_indexes):
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
        stated_missing = pc.is_null(months).to_numpy(zero_copy_only=False)
        if sheet_month is not None and not many_months_allowed and not stated_missing.all():
            differs = pc.fill_null(pc.not_equal(months, pa.scalar(sheet_month, pa.date32())), False).to_numpy(zero_copy_only=False)
            for position in np.flatnonzero(differs):
                self.error(
                    self.row_indexes[position],
                    month_col,
                    values.month_label(months[int(position)].as_py()),
                    f"与{known[0][0]}（{values.month_label(sheet_month)}）一致；两处月份不同，请核对后改正其中一处",
                )
        if sheet_month is not None:
            data["month"] = pc.fill_null(months, pa.scalar(sheet_month, pa.date32()))
            return
        reported = self.bad_cells.get("month", set())
        missing_rows = [int(row) for row in self.row_indexes[stated_missing] if int(row) not in reported]  # a bad month is reported once
        if missing_rows:
            self.error(
                missing_rows[0],
                month_col,
                "",
                "无法确定报送月份：请填写“报送月份”列，或在标题中写明“YYYY年M月”，或在上传时选择月份"
                + (f"（共 {len(missing_rows)} 行缺少月份）" if len(missing_rows) > 1 else ""),
            )


def check_ledger(reader: _SheetReader, table: pa.Table) -> None:
    """已完成 needs a 完成日期; a 问题编号 appears once per unit and month (column-wise: ledgers are long)."""
    layout = reader.layout
    done_col, status_col, id_col = layout.column("completed_date"), layout.column("status"), layout.column("item_id")
    row_indexes = table["row_index"].to_numpy()
    done = pc.fill_null(pc.equal(table["status"], domain.STATUS_DONE), False).to_numpy(zero_copy_only=False)
    if "completed_date" in reader.header.fields:
        undated = done & pc.is_null(table["completed_date"]).to_numpy(zero_copy_only=False)
        for row_index in row_indexes[undated]:
            if not reader.is_bad(int(row_index), "completed_date"):  # a malformed date is reported once
                reader.error(int(row_index), done_col, "", "整改状态为“已完成”时必须填写完成日期")
    else:
        for row_index in row_indexes[done]:
            reader.error(int(row_index), status_col, domain.STATUS_DONE, "“已完成”的问题需要“完成日期”列，但表中没有这一列")
    keys = ["region", "month", "item_id"]
    numbered = table.filter(pc.fill_null(pc.not_equal(table["item_id"], ""), False)).select([*keys, "excel_row", "row_index"])
    if numbered.group_by(keys).aggregate([]).num_rows == numbered.num_rows:
        return  # every number once: the usual case, settled without a row loop
    first_rows: dict[tuple[object, ...], int] = {}
    for region, month, item_id, excel_row, row_index in zip(*(numbered[name].to_pylist() for name in numbered.column_names), strict=True):
        first = first_rows.setdefault((region, month, item_id), excel_row)
        if first != excel_row:
            reader.error(row_index, id_col, item_id, f"本单位内唯一的问题编号（与第 {first} 行重复）")


def check_summary(reader: _SheetReader, table: pa.Table) -> None:
    layout = reader.layout
    completed_col, project_col = layout.column("completed"), layout.column("project")
    seen: dict[tuple[object, object, object], int] = {}
    for record in table.to_pylist():
        total, completed = record["total"], record["completed"]
        if total is not None and completed is not None and completed > total:
            reader.error(record["row_index"], completed_col, completed, f"不大于问题总数（{total}）的已完成数")
        group = (record["region"], record["project"], record["month"])
        if record["project"] is not None and group in seen:
            reader.error(
                record["row_index"],
                project_col,
                domain.PROJECT_SHORT.get(str(record["project"]), record["project"]),
                f"每个地区每个整治项目只填一行（与第 {seen[group]} 行重复）",
            )
        else:
            seen[group] = record["excel_row"]


def check_satisfaction(reader: _SheetReader, table: pa.Table) -> None:
    project_col = reader.layout.column("project")
    seen: dict[tuple[object, object, object], int] = {}
    for record in table.to_pylist():
        group = (record["region"], record["project"], record["month"])
        if record["project"] is not None and group in seen:
            reader.error(
                record["row_index"],
                project_col,
                domain.PROJECT_SHORT.get(str(record["project"]), record["project"]),
                f"每个地区、整治项目、月份只填一行（与第 {seen[group]} 行重复）",
            )
        else:
            seen[group] = record["excel_row"]


CROSS_CHECKS: dict[str, Callable[[_SheetReader, pa.Table], None]] = {
    domain.LEDGER: check_ledger,
    domain.SUMMARY: check_summary,
    domain.SATISFACTION: check_satisfaction,
}


def parse_sheet(grid: Grid, layout: SheetLayout, header: Header, context: SheetContext, mapping: SheetMapping | None = None) -> ParsedSheet:
    reader = _SheetReader(grid, layout, header, context, mapping)
    for column in header.missing:
        reader.error(header.row, column, "", f"表头中缺少必填列“{column.title}”；请按模板补上这一列")
    table = reader.read()
    # A sheet without data rows is judged with the whole workbook (validate_workbook):
    # a template sheet left empty is skipped when another sheet has data.
    if table.num_rows and layout.kind in CROSS_CHECKS:
        CROSS_CHECKS[layout.kind](reader, table)
    if header.extras:
        reader.notices.append(f"工作表「{grid.name}」中的列 {'、'.join(header.extras.values())} 不在模板内，已原样保留，不参与统计")
    return ParsedSheet(layout.kind, grid.name, table.drop_columns("row_index"), header, reader.problems, reader.notices, reader.total_row)
