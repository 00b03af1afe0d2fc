"""Column mappings (列对应): reading a unit's own ledger or summary layout as the template.

A sheet recognised as a ledger or summary by some of its headers, but
lacking required columns, gets a `MappingRequest`: its columns (with two
header rows joined as 整改情况·整改进展), the first values of each, a
suggested column for every template field (by the similarity of the names
and by the values in the column) and, per column, its distinct values (for
the status vocabulary step). The unit's answer is a `ColumnMapping`, stored
per unit and header signature and applied to the next file whose header
has the same signature. Applying a mapping only says which column holds
which field, what a unit's own status words mean and, at most, a constant
地区: the validation afterwards is the template's, with its messages.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field

from rectlens import domain
from rectlens.domain import SheetLayout
from rectlens.ingest import values
from rectlens.ingest.excel import Cell, Grid, column_letter
from rectlens.ingest.sheets import _FOOTER, _TOTAL, HEADER_SCAN_ROWS, Header
from rectlens.ingest.values import BadValue, is_blank
from rectlens.regions import RegionMaster
from rectlens.text import squash

MAPPABLE_KINDS = (domain.LEDGER, domain.SUMMARY)
SAMPLE_ROWS = 3  # first values shown under each choice
DISTINCT_LIMIT = 40  # columns with more distinct values are not offered for the status vocabulary
SCAN_ROWS = 5000  # rows read for distinct values and value-based suggestions
SUGGEST_FLOOR = 0.55
LABEL_JOIN = "·"

# Headers units use in their own layouts, by template field: a suggestion, never an alias
# (an alias would let such a file pass without the unit saying what its columns mean).
UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "item_id": ("编号", "问题编号", "台账编号"),
    "region": ("单位", "填报单位", "市州", "地区"),
    "county": ("县区", "所在县区"),
    "responsible_unit": ("责任部门", "牵头部门", "责任单位", "主责部门"),
    "project": ("问题类别", "专项类别", "整治类别", "所属专项", "类别", "专项"),
    "source": ("问题来源", "线索来源"),
    "description": ("存在问题", "问题清单", "主要问题", "问题表现"),
    "root_cause": ("根源", "原因分析"),
    "measures": ("整改措施", "整改举措", "具体措施"),
    "found_date": ("发现时间", "交办时间"),
    "deadline": ("完成时限", "整改时限"),
    "status": ("整改进展", "完成情况", "销号情况", "整改情况", "进展情况"),
    "completed_date": ("完成时间", "销号时间", "实际完成时间"),
    "evidence": ("佐证材料", "佐证"),
    "month": ("报送月份", "月份"),
    "total": ("问题个数", "问题数", "发现问题数"),
    "completed": ("完成个数", "已整改数", "销号数", "已完成"),
    "stated_rate": ("完成比例", "完成率", "整改率"),
}
# Words in a unit's own status vocabulary: a column full of them is a status column.
STATUS_WORDS = ("完成", "整改", "推进", "销号", "启动", "坚持", "立行立改", "办结")
# Kinds whose values say what a column holds.
VALUE_KINDS = frozenset({"date", "deadline", "status", "project", "region", "count", "rate", "month"})


@dataclass(frozen=True)
class SourceColumn:
    index: int
    label: str  # header as shown, two header rows joined with ·
    samples: tuple[str, ...]  # first values, as the user wrote them
    distinct: tuple[str, ...] | None  # every distinct value (None: too many)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class MappingRequest:
    """A sheet that needs a column mapping: what the page shows in its mapping step."""

    sheet: str
    kind: str
    signature: str
    columns: list[SourceColumn]
    suggested: dict[str, int]  # template field -> column index
    suggested_statuses: dict[str, str] = field(default_factory=dict)  # value -> status, only known synonyms

    @property
    def layout(self) -> SheetLayout:
        return domain.LAYOUTS[self.kind]

    def column(self, index: int) -> SourceColumn:
        return next(c for c in self.columns if c.index == index)

    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def unknown_statuses(self, index: int | None) -> list[str]:
        """Values of the chosen status column that are not a known synonym: the unit says what each means."""
        if index is None:
            return []
        found = self.column(index).distinct or ()
        return [value for value in found if _known_status(value) is None]


@dataclass(frozen=True)
class ColumnMapping:
    """How one unit's layout reads as the template."""

    mapping_id: int
    unit: str
    kind: str
    signature: str
    name: str
    headers: tuple[str, ...]
    fields: dict[str, str]  # template field -> column label
    constants: dict[str, str]  # template field -> value for every row (地区)
    statuses: dict[str, str]  # value as written (squashed) -> status
    created_by: str = ""
    updated_by: str = ""

    def summary(self) -> str:
        """'问题编号←编号、整治项目←问题类别 …' for lists and the audit log."""
        layout = domain.LAYOUTS[self.kind]
        parts = [f"{layout.column(f).title}←{label}" for f, label in self.fields.items()]
        parts += [f"{layout.column(f).title}＝{value}" for f, value in self.constants.items()]
        words = [f"{raw}→{status}" for raw, status in self.statuses.items()]
        return "、".join(parts) + (f"；状态：{'、'.join(words)}" if words else "")


# --- a sheet's columns ---------------------------------------------------------------


def _is_group_row(upper: list[Cell], lower: list[Cell]) -> bool:
    """A group label row above the column names (整改情况 over 整改进展 / 完成时间), not a title:
    it repeats some of the names below (cells merged down) and holds more than one text."""
    texts = {squash(c) for c in upper if not is_blank(c)}
    repeats = any(not is_blank(a) and squash(a) == squash(b) for a, b in zip(upper, lower, strict=False))
    return len(texts) >= 2 and repeats


def _is_sub_header(upper: list[Cell], lower: list[Cell]) -> bool:
    """Column names below a group label (整改进展 / 完成时间 under 整改情况, merged across): the other
    cells repeat the names above (merged down), the differing ones sit under a label spanning columns."""
    same = differ = 0
    for index, cell in enumerate(lower):
        if is_blank(cell):
            continue
        above = upper[index] if index < len(upper) else None
        if above is not None and not is_blank(above) and squash(above) == squash(cell):
            same += 1
            continue
        spans = above is not None and not is_blank(above) and any(
            0 <= j < len(upper) and squash(upper[j]) == squash(above) for j in (index - 1, index + 1)
        )
        if not spans:
            return False
        differ += 1
    return same >= 1 and differ >= 1


def header_span(grid: Grid, first_row: int, last_row: int) -> tuple[int, int]:
    """The rows of a header found at `first_row`..`last_row`, taking in a group row above or column names below."""
    rows = grid.rows(0, last_row + 2)
    if first_row == last_row:
        if last_row + 1 < len(rows) and _is_sub_header(rows[last_row], rows[last_row + 1]):
            return last_row, last_row + 1
        if last_row >= 1 and _is_group_row(rows[last_row - 1], rows[last_row]):
            return last_row - 1, last_row
    return first_row, last_row


def find_unit_header(grid: Grid, layout: SheetLayout, named: bool) -> Header | None:
    """A header in a unit's own words (UNIT_HEADERS) for a sheet no template header matches: at least
    two such names when the sheet's name says its kind, four otherwise. All required columns are missing."""
    words = {squash(word): f for f, names in UNIT_HEADERS.items() if any(c.field == f for c in layout.columns) for word in names}
    needed = 2 if named else 4
    for index, row in enumerate(grid.rows(0, HEADER_SCAN_ROWS)):
        hits = {words[squash(cell)] for cell in row if isinstance(cell, str) and squash(cell) in words}
        if len(hits) >= needed:
            return Header(index, {}, {}, list(layout.required), index)
    return None


def _as_written(cell: Cell) -> str:
    if is_blank(cell):
        return ""
    return cell.strip() if isinstance(cell, str) else values.display(cell)


def header_labels(grid: Grid, first_row: int, last_row: int) -> dict[int, str]:
    """Column index -> label of the header rows `first_row`..`last_row` (two rows joined by ·)."""
    lower = grid.row(last_row)
    upper = grid.row(first_row) if first_row < last_row else []
    labels: dict[int, str] = {}
    for index in range(max(len(lower), len(upper))):
        cell = lower[index] if index < len(lower) else None
        below = _as_written(cell)
        above = _as_written(upper[index]) if index < len(upper) else ""
        if not below and not above:
            continue
        label = below or above
        if above and below and squash(above) != squash(below):
            label = f"{above}{LABEL_JOIN}{below}"
        labels[index] = " ".join(label.split())
    return labels


def _is_data(row: list[Cell]) -> bool:
    """Not blank, not a 合计 row, not a footnote or signature line (one text merged across, or 注：…)."""
    filled = [c for c in row if not is_blank(c)]
    if not filled:
        return False
    first = squash(filled[0])
    if _TOTAL.match(first) or _FOOTER.match(first):
        return False
    return not (len(filled) >= 3 and len({values.display(c) for c in filled}) == 1)


def signature(kind: str, labels: dict[int, str]) -> str:
    """The same header (names in the same columns) gives the same signature."""
    body = json.dumps([kind, [[index, squash(label).lower()] for index, label in sorted(labels.items())]], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:24]


def _known_status(text: str) -> str | None:
    return domain.STATUS_SYNONYMS.get(squash(text))


def request_for(grid: Grid, layout: SheetLayout, first_row: int, last_row: int, regions: RegionMaster) -> MappingRequest:
    """`first_row`..`last_row`: the header rows as `header_span` gives them."""
    labels = header_labels(grid, first_row, last_row)
    body = [row for row in grid.rows(last_row + 1, last_row + 1 + SCAN_ROWS) if _is_data(row)]
    columns: list[SourceColumn] = []
    for index, label in labels.items():
        cells = [row[index] for row in body if index < len(row) and not is_blank(row[index])]
        shown = [values.display(c) for c in cells]
        distinct = tuple(dict.fromkeys(shown))
        columns.append(SourceColumn(index, label, tuple(shown[:SAMPLE_ROWS]), distinct if len(distinct) <= DISTINCT_LIMIT else None))
    request = MappingRequest(grid.name, layout.kind, signature(layout.kind, labels), columns, {})
    cells = {c.index: [row[c.index] for row in body if c.index < len(row)] for c in columns}
    request.suggested = suggest_fields(layout, columns, cells, regions)
    status_index = request.suggested.get("status")
    if status_index is not None:
        for value in request.column(status_index).distinct or ():
            known = _known_status(value)
            if known:
                request.suggested_statuses[value] = known
    return request


# --- suggestions ------------------------------------------------------------------------


def _name_score(label: str, names: tuple[str, ...]) -> float:
    parts = [squash(label)] + [squash(p) for p in label.split(LABEL_JOIN)]
    best = 0.0
    for part in parts:
        for name in names:
            wanted = squash(name)
            if part == wanted:
                return 1.0
            best = max(best, difflib.SequenceMatcher(None, part, wanted).ratio() * 0.8)
    return best


def _value_score(kind: str, cells: list[Cell], regions: RegionMaster) -> float:
    filled = [c for c in cells if not is_blank(c)][:200]
    if not filled or kind not in VALUE_KINDS:
        return 0.0
    good = 0
    for cell in filled:
        try:
            if kind == "status":
                text = squash(cell)
                if not (_known_status(text) or any(word in text for word in STATUS_WORDS)) or len(text) > 8:
                    raise BadValue("")
            elif kind == "region":
                if not regions.loaded:
                    return 0.0
                regions.unit(str(cell))
            elif kind in ("date", "deadline"):
                if isinstance(cell, (int, float)) and not 20000 <= float(cell) <= 80000:
                    raise BadValue("")
                values.parse_deadline(cell) if kind == "deadline" else values.parse_date(cell)
            elif kind == "project":
                values.parse_project(cell)
            elif kind == "count":
                values.parse_count(cell)
            elif kind == "rate":
                values.parse_rate(cell)
            elif kind == "month":
                values.parse_month(cell)
            good += 1
        except (BadValue, ValueError, TypeError):
            continue
    return good / len(filled)


def suggest_fields(layout: SheetLayout, columns: list[SourceColumn], cells: dict[int, list[Cell]], regions: RegionMaster) -> dict[str, int]:
    """A column for each template field where one fits well enough; each column used once."""
    scored: list[tuple[float, str, int]] = []
    for column in layout.columns:
        names = (column.title, *column.aliases, *UNIT_HEADERS.get(column.field, ()))
        for source in columns:
            score = _name_score(source.label, names)
            if column.kind in VALUE_KINDS:
                score = 0.7 * score + 0.5 * _value_score(column.kind, cells[source.index], regions)
            scored.append((score, column.field, source.index))
    chosen: dict[str, int] = {}
    used: set[int] = set()
    for score, field_name, index in sorted(scored, key=lambda t: -t[0]):
        if score < SUGGEST_FLOOR or field_name in chosen or index in used:
            continue
        chosen[field_name] = index
        used.add(index)
    return {c.field: chosen[c.field] for c in layout.columns if c.field in chosen}


# --- applying a stored mapping -----------------------------------------------------------------


class MappingError(ValueError):
    """A mapping that cannot be saved as chosen; the message says why, in Chinese."""


def check_choice(request: MappingRequest, fields: dict[str, int], constants: dict[str, str], statuses: dict[str, str]) -> None:
    """Refuse a mapping that leaves a required field or a status value unanswered, or uses a column twice."""
    layout = request.layout
    missing = [c.title for c in layout.required if c.field not in fields and not constants.get(c.field)]
    if missing:
        raise MappingError(f"请为必填列 {'、'.join(missing)} 选择对应的列")
    seen: dict[int, str] = {}
    for field_name, index in fields.items():
        if index in seen:
            both = f"{layout.column(seen[index]).title}和{layout.column(field_name).title}"
            raise MappingError(f"列「{request.column(index).label}」同时对应了{both}；每列只能对应一项")
        seen[index] = field_name
    unanswered = [value for value in request.unknown_statuses(fields.get("status")) if statuses.get(value) not in domain.STATUSES]
    if unanswered:
        raise MappingError(f"请说明这些整改状态的含义（未启动、推进中或已完成）：{'、'.join(unanswered)}")


def fields_by_index(mapping: ColumnMapping, labels: dict[int, str]) -> dict[str, int]:
    """The mapping's fields as column indexes of a sheet with the same header."""
    by_label = {squash(label).lower(): index for index, label in labels.items()}
    return {f: by_label[squash(label).lower()] for f, label in mapping.fields.items() if squash(label).lower() in by_label}


def status_vocabulary(mapping: ColumnMapping) -> dict[str, str]:
    return {squash(raw): status for raw, status in mapping.statuses.items()}


def from_row(row: tuple[object, ...]) -> ColumnMapping:
    mapping_id, unit, kind, sig, name, headers, fields, constants, statuses, *_times = row
    created_by, updated_by = str(row[10]), str(row[12])
    return ColumnMapping(
        int(mapping_id),  # type: ignore[call-overload]
        str(unit),
        str(kind),
        str(sig),
        str(name),
        tuple(json.loads(str(headers))),
        dict(json.loads(str(fields))),
        dict(json.loads(str(constants))),
        dict(json.loads(str(statuses))),
        created_by,
        updated_by,
    )
