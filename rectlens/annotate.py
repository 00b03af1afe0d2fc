"""The uploaded workbook handed back with its errors marked, so staff fix their own file.

Every problem located to a cell fills that cell and adds a comment saying
what is wrong; a first sheet 错误说明 lists every problem, with a link to
its cell, including those that belong to no cell (a missing column, an
unreadable sheet, a file that is not a workbook). A legacy .xls is rebuilt
as .xlsx from the cells calamine reads. Marks from an earlier annotation
are removed first, so a file annotated twice shows only the current errors.

Uploaded text never becomes a formula: text cells of an .xlsx stay text
(and get the quote prefix when they look like a formula), an .xls is
rebuilt with its text written as text, and the 错误说明 sheet writes the
values it quotes the same way (rectlens.cells). A cell that was a formula
in the uploaded .xlsx is kept as openpyxl loaded it.

openpyxl parses the XML through defusedxml (installed), so a hostile file
cannot expand entities.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import python_calamine as calamine
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from rectlens import config
from rectlens.cells import needs_quote, set_text, set_value
from rectlens.ingest.excel import OLE_MAGIC, ZIP_MAGIC, check_zip, is_reader_panic
from rectlens.ingest.problems import Problem

ERRORS_SHEET = "错误说明"
AUTHOR = "整改透视校验"
MARK_COLOR = "FFC7CE"  # Excel's own "bad" red
MARK_FILL = PatternFill("solid", fgColor=MARK_COLOR)
NO_FILL = PatternFill(fill_type=None)
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_HEADER = ("序号", "工作表", "行", "列", "填写的值", "问题与改法", "位置")
NO_CELL = "整表或整个文件的问题，无对应单元格"


def annotated_file_name(file_name: str) -> str:
    """'江城市10月.xls' -> '江城市10月_错误标注.xlsx'."""
    return f"{PurePath(file_name).stem}_错误标注.xlsx"


@dataclass
class _Mark:
    """The comment lines of one marked cell (several problems may share it)."""

    sheet: str
    coordinate: str
    lines: list[str] = field(default_factory=list)


def annotate(data: bytes, file_name: str, problems: Sequence[Problem]) -> bytes:
    """`data` as .xlsx with every problem marked: cells filled and commented, all listed in 错误说明."""
    book = _open(data)
    for sheet in book.worksheets:
        _prepare_cells(sheet)
    if ERRORS_SHEET in book.sheetnames:
        del book[ERRORS_SHEET]
    marks: dict[tuple[str, str], _Mark] = {}
    located: list[str | None] = []
    for problem in problems:
        target = _target(book, problem)
        located.append(None if target is None else f"{quote_sheetname(target[0])}!{target[1]}")
        if target is not None:
            mark = marks.setdefault(target, _Mark(*target))
            mark.lines.append(_comment_line(problem, target[1]))
    for mark in marks.values():
        _apply(book[mark.sheet][mark.coordinate], mark.lines)
    _write_errors_sheet(book, file_name, problems, located)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- opening ---------------------------------------------------------------


def _open(data: bytes) -> Workbook:
    """The workbook to annotate; an empty one when the file cannot be read at all."""
    try:
        if data.startswith(ZIP_MAGIC):
            check_zip(data, config.limits())  # openpyxl would inflate a zip bomb just as calamine would
            return load_workbook(io.BytesIO(data), rich_text=True)
        if data.startswith(OLE_MAGIC):
            return _rebuild_legacy(data)
    except BaseException as exc:  # damaged or encrypted files: the error list alone is still useful
        if not isinstance(exc, Exception) and not is_reader_panic(exc):
            raise
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    return book


def _rebuild_legacy(data: bytes) -> Workbook:
    """An .xlsx copy of a legacy .xls: cell values, merged ranges and hidden sheets (not its formatting)."""
    source = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for meta in source.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = book.create_sheet(meta.name)
        found = source.get_sheet_by_name(meta.name)
        for row_index, row in enumerate(found.to_python(skip_empty_area=False), start=1):
            for col_index, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                cell = set_value(sheet.cell(row_index, col_index), value)  # calamine gives formulas' results: all text is text
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for (top, left), (bottom, right) in found.merged_cell_ranges or []:
            sheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1)
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            sheet.sheet_state = "hidden"
    return book


# --- marking cells ---------------------------------------------------------


def _is_mark(cell: object) -> bool:
    comment = getattr(cell, "comment", None)
    return comment is not None and comment.author == AUTHOR


def _prepare_cells(sheet: Worksheet) -> None:
    """In one pass over the cells (the slow part on a large sheet): clear an earlier annotation, quote formula-like text.

    The fills and comments of an earlier annotation are recognised by the comment's author. A text cell
    that looks like a formula gets the quote prefix, so editing it in Excel keeps it text (openpyxl loads
    a text cell as text and saves it so); formula cells (data type "f") are left as they were loaded.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "s" and cell.value is not None and needs_quote(str(cell.value)):
                cell.quotePrefix = True
            if _is_mark(cell):
                cell.comment = None
                if str(cell.fill.fgColor.rgb).endswith(MARK_COLOR):
                    cell.fill = NO_FILL


def _target(book: Workbook, problem: Problem) -> tuple[str, str] | None:
    """(sheet, coordinate) of the problem's cell; a merged block is marked at its top-left cell."""
    if not (problem.sheet and problem.row and problem.column_letter) or problem.sheet not in book.sheetnames:
        return None
    sheet = book[problem.sheet]
    coordinate = f"{problem.column_letter}{problem.row}"
    if isinstance(sheet[coordinate], MergedCell):
        for merged in sheet.merged_cells.ranges:
            if coordinate in merged:
                return problem.sheet, merged.start_cell.coordinate
    return problem.sheet, coordinate


def _comment_line(problem: Problem, coordinate: str) -> str:
    """'整改状态「搞定了」：应为…'; a cell standing for a merged block also names the problem's row."""
    _letter, anchor_row = coordinate_from_string(coordinate)
    where = f"第 {problem.row} 行" if problem.row != anchor_row else ""
    value = f"「{problem.value}」" if problem.value else ""
    head = "，".join(part for part in (where, problem.column + value) if part)
    return f"{head}：{problem.expected}" if head else problem.expected


def _apply(cell: object, lines: list[str]) -> None:
    text = "\n".join(lines)
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = min(60 + 18 * sum(1 + len(line) // 22 for line in lines), 400)
    cell.comment = comment  # type: ignore[attr-defined]
    cell.fill = MARK_FILL  # type: ignore[attr-defined]


# --- the 错误说明 sheet -------------------------------------------------------


def _write_errors_sheet(book: Workbook, file_name: str, problems: Sequence[Problem], located: Iterable[str | None]) -> None:
    sheet = book.create_sheet(ERRORS_SHEET, 0)
    set_text(sheet.cell(1, 1), f"「{file_name}」校验发现 {len(problems)} 处错误，未保存任何数据").font = Font(bold=True, size=13)
    sheet.cell(2, 1, "出错的单元格已标为红色，鼠标移到单元格上可看到批注。改正后重新上传即可（本表和批注可以保留，上传时自动跳过）。")
    for index, title in enumerate(TABLE_HEADER, start=1):
        cell = sheet.cell(4, index, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F2")
    for number, (problem, link) in enumerate(zip(problems, located, strict=True), start=1):
        row = 4 + number
        column = f"{problem.column}（{problem.column_letter} 列）" if problem.column and problem.column_letter else problem.column
        for index, value in enumerate((number, problem.sheet, problem.row, column, problem.value, problem.expected), start=1):
            # the file's values and header texts are the uploader's: written as text, never as formulas
            set_value(sheet.cell(row, index), value).alignment = Alignment(wrap_text=index == 6, vertical="top")
        place = sheet.cell(row, 7, "转到单元格" if link else NO_CELL)
        if link:
            place.hyperlink = Hyperlink(ref=place.coordinate, location=link)  # a link inside the workbook
            place.font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDEFG", (6, 14, 6, 18, 18, 70, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A5"
    for other in book.worksheets:
        other.sheet_view.tabSelected = other is sheet
    book.active = 0
