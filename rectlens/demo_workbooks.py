"""Writing the demo workbooks the way staff lay them out.

A `SheetBlock` is written top to bottom: title rows merged across the
table's width, the header, the data rows (with chosen columns merged
vertically over runs of equal values, as staff merge 地区 for a block),
an optional 合计 row, then footnote and signature rows.

The demo writes about 170 workbooks and half a million cells on the
dashboard's first start, so this is a small direct SpreadsheetML writer
(shared strings, a fixed style sheet, merged ranges, column widths, a
frozen header) rather than a general library: xlsxwriter took about 10 s
for the same files, this about 2 s. Zip entries carry a fixed timestamp,
so the same content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

# A cell: text, number, an Excel date (dt.date), a fraction shown as a percent, or empty.
Cell = str | int | float | dt.date | None
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Percent:
    """A fraction stored as a number and displayed as a percent (0.853 → 85.3%)."""

    value: float


@dataclass
class SheetBlock:
    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell | Percent]]
    titles: Sequence[str] = ()
    total: Sequence[Cell | Percent] | None = None  # 合计 row; its first cell is merged over `total_span` columns
    total_span: int = 1
    notes: Sequence[str] = ()  # footnote rows, each merged across the table
    signature: Sequence[str] = ()  # one row of a few label cells (填报人 …)
    merge_columns: Sequence[int] = ()
    widths: Sequence[float] = ()


# Style indexes into cellXfs of STYLES below.
S_TITLE, S_SUBTITLE, S_HEADER, S_CELL, S_WRAP, S_DATE, S_PERCENT, S_MERGED, S_TOTAL, S_NOTE = range(1, 11)

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/><numFmt numFmtId="165" formatCode="0.0%"/></numFmts>
<fonts count="4">
<font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>
<font><b/><sz val="16"/><name val="方正小标宋简体"/><family val="3"/><charset val="134"/></font>
<font><b/><sz val="10"/><name val="宋体"/><family val="3"/><charset val="134"/></font>
<font><sz val="10"/><name val="宋体"/><family val="3"/><charset val="134"/></font>
</fonts>
<fills count="3">
<fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill>
</fills>
<borders count="2">
<border><left/><right/><top/><bottom/><diagonal/></border>
<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>\
<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>
</borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="11">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">\
<alignment vertical="center"/></xf>
<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">\
<alignment vertical="center" wrapText="1"/></xf>
<xf numFmtId="164" fontId="3" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1" \
applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="165" fontId="3" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1" \
applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="3" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="2" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment vertical="top" wrapText="1"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>
"""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_LETTERS = [chr(65 + i) for i in range(26)] + [f"A{chr(65 + i)}" for i in range(26)]


def _ref(row: int, col: int) -> str:
    """Excel reference of zero-based (row, col)."""
    return f"{_LETTERS[col]}{row + 1}"


class _Strings:
    """The workbook's shared-string table."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        try:
            return self.index[text]
        except KeyError:
            found = self.index[text] = len(self.index)
            return found

    def xml(self) -> str:
        items = []
        for text in self.index:
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            items.append(f"<si><t{space}>{escape(text)}</t></si>")
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" count="{self.count}" '
            f'uniqueCount="{len(self.index)}">' + "".join(items) + "</sst>"
        )


class _SheetWriter:
    def __init__(self, strings: _Strings) -> None:
        self.strings = strings
        self.rows: dict[int, list[tuple[int, str]]] = {}
        self.heights: dict[int, float] = {}
        self.merges: list[str] = []
        self.width = 1

    def cell(self, row: int, col: int, value: Cell | Percent, style: int = S_CELL) -> None:
        ref = f"{_LETTERS[col]}{row + 1}"
        if col >= self.width:
            self.width = col + 1
        if type(value) is str and value:  # the common case first
            if style == S_CELL and len(value) > 16:
                style = S_WRAP
            xml = f'<c r="{ref}" s="{style}" t="s"><v>{self.strings(value)}</v></c>'
        elif value is None or value == "":
            xml = f'<c r="{ref}" s="{style}"/>'
        elif isinstance(value, Percent):
            xml = f'<c r="{ref}" s="{S_PERCENT}"><v>{value.value!r}</v></c>'
        elif isinstance(value, dt.date):
            xml = f'<c r="{ref}" s="{S_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        elif isinstance(value, (int, float)):
            xml = f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
        else:
            if style == S_CELL and len(value) > 16:
                style = S_WRAP
            xml = f'<c r="{ref}" s="{style}" t="s"><v>{self.strings(value)}</v></c>'
        self.rows.setdefault(row, []).append((col, xml))

    def merge(self, top: int, left: int, bottom: int, right: int, value: Cell | Percent, style: int) -> None:
        self.cell(top, left, value, style)
        for row in range(top, bottom + 1):
            for col in range(left, right + 1):
                if (row, col) != (top, left):
                    self.cell(row, col, None, style)
        self.merges.append(f"{_ref(top, left)}:{_ref(bottom, right)}")

    def xml(self, widths: Sequence[float], freeze_rows: int, selected: bool) -> str:
        last_row = max(self.rows) if self.rows else 0
        parts = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
            f'<dimension ref="A1:{_ref(last_row, self.width - 1)}"/>',
            f'<sheetViews><sheetView {"tabSelected=" + chr(34) + "1" + chr(34) + " " if selected else ""}workbookViewId="0">',
        ]
        if freeze_rows:
            parts.append(f'<pane ySplit="{freeze_rows}" topLeftCell="A{freeze_rows + 1}" activePane="bottomLeft" state="frozen"/>')
        parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if widths:
            cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
            parts.append(f"<cols>{cols}</cols>")
        parts.append("<sheetData>")
        for row in sorted(self.rows):
            height = self.heights.get(row)
            extra = f' ht="{height}" customHeight="1"' if height else ""
            cells = "".join(xml for _col, xml in sorted(self.rows[row]))
            parts.append(f'<row r="{row + 1}"{extra}>{cells}</row>')
        parts.append("</sheetData>")
        if self.merges:
            merged = "".join(f'<mergeCell ref="{ref}"/>' for ref in self.merges)
            parts.append(f'<mergeCells count="{len(self.merges)}">{merged}</mergeCells>')
        parts.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
        return "".join(parts)


def _runs(values: Sequence[Cell | Percent]) -> list[tuple[int, int]]:
    """(first, last) positions of runs of equal consecutive values."""
    runs: list[tuple[int, int]] = []
    start = 0
    for position in range(1, len(values) + 1):
        if position == len(values) or values[position] != values[start]:
            runs.append((start, position - 1))
            start = position
    return runs


def _sheet_xml(block: SheetBlock, strings: _Strings, selected: bool) -> str:
    sheet = _SheetWriter(strings)
    last_col = len(block.header) - 1
    row = 0
    for position, title in enumerate(block.titles):
        sheet.heights[row] = 32 if position == 0 else 20
        sheet.merge(row, 0, row, last_col, title, S_TITLE if position == 0 else S_SUBTITLE)
        row += 1
    sheet.heights[row] = 30
    for col, name in enumerate(block.header):
        sheet.cell(row, col, name, S_HEADER)
    row += 1
    first_data = row
    merged = set(block.merge_columns)
    for values in block.rows:
        for col, value in enumerate(values):
            if col not in merged:
                sheet.cell(row, col, value)
        row += 1
    for col in block.merge_columns:
        column = [values[col] for values in block.rows]
        for first, last in _runs(column):
            if last > first:
                sheet.merge(first_data + first, col, first_data + last, col, column[first], S_MERGED)
            else:
                sheet.cell(first_data + first, col, column[first], S_MERGED)
    if block.total is not None:
        sheet.merge(row, 0, row, block.total_span - 1, block.total[0], S_TOTAL)
        for col in range(block.total_span, len(block.total)):
            sheet.cell(row, col, block.total[col], S_TOTAL)
        row += 1
    for note in block.notes:
        sheet.heights[row] = 30
        sheet.merge(row, 0, row, last_col, note, S_NOTE)
        row += 1
    if block.signature:
        step = max(1, len(block.header) // len(block.signature))
        for position, label in enumerate(block.signature):
            sheet.cell(row, position * step, label, S_SUBTITLE)
    return sheet.xml(block.widths, first_data, selected)


def _package(names: Sequence[str], created: dt.datetime) -> dict[str, str]:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    sheets = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1)
    )
    n = len(names)
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}"
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>",
        "_rels/.rels": head + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>",
        "docProps/core.xml": head + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>整改整治工作专班</dc:creator><cp:lastModifiedBy>整改整治工作专班</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>',
        "docProps/app.xml": head + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>",
        "xl/workbook.xml": head + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": head + f'<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/styles.xml": STYLES,
    }


def write_workbook(path: Path, blocks: Sequence[SheetBlock], created: dt.date) -> None:
    """Write `blocks` as the sheets of one .xlsx workbook; `created` is its stated creation date."""
    strings = _Strings()
    sheets = [_sheet_xml(block, strings, position == 0) for position, block in enumerate(blocks)]
    parts = _package([block.name for block in blocks], dt.datetime(created.year, created.month, created.day, 9, 0))
    for position, xml in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{position}.xml"] = xml
    parts["xl/sharedStrings.xml"] = strings.xml()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            # fastest deflate: the files come out ~20% larger and are written ~0.5 s sooner
            archive.writestr(info, text.encode("utf-8"), compresslevel=1)
