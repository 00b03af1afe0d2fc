"""月度报送模板.xlsx: the monthly template, generated from the sheet layouts in `rectlens.domain`.

The headers, the drop-down lists, the number formats, the example rows and
the instructions sheet (填报说明) all come from the same `Column`
definitions the reader validates against, so the template can never ask for
something the upload refuses. Drop-down values too long for Excel's inline
list (255 characters, no quotes) live on a hidden 选项 sheet.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rectlens import config, domain
from rectlens.domain import Column, SheetLayout
from rectlens.ingest import values

FILE_NAME = "月度报送模板.xlsx"
INSTRUCTIONS_SHEET = "填报说明"
OPTIONS_SHEET = "选项"
HELPER_SHEETS: tuple[str, ...] = (INSTRUCTIONS_SHEET, OPTIONS_SHEET)
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATA_ROWS = 2000  # rows below the header that carry drop-downs
INLINE_LIST_LIMIT = 255  # Excel's limit for a list typed into the validation itself
AUTHOR = "整改透视"

# Drop-down lists by column kind (strict: other text is warned about) ...
CHOICES: dict[str, tuple[str, ...]] = {
    "project": domain.PROJECTS,
    "status": domain.STATUSES,
    "check_result": domain.CHECK_RESULTS,
    "sampling": (domain.SAMPLING_RANDOM, domain.SAMPLING_TARGETED),
    "root_cause": domain.ROOT_CAUSES,
}
# ... and suggestions by column field (free text: any other value is fine).
SUGGESTIONS: dict[str, tuple[str, ...]] = {"source": domain.SOURCES}

# How cells of a column kind are shown and typed in Excel.
NUMBER_FORMATS: dict[str, str] = {
    "id": "@",  # keeps leading zeros of 问题编号 such as 0012
    "date": "yyyy-mm-dd",
    "deadline": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "count": "0",
    "rate": "0.0%",
}

HEADER_FONT = Font(bold=True, color="1F2933")
REQUIRED_FILL = PatternFill("solid", fgColor="F8D7A9")
OPTIONAL_FILL = PatternFill("solid", fgColor="DCE6F2")
EXAMPLE_FONT = Font(italic=True, color="7B8794")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class ListSource:
    """Where a drop-down takes its values from: an inline list or a range of the 选项 sheet."""

    formula: str
    strict: bool


def choices_for(column: Column) -> tuple[tuple[str, ...], bool] | None:
    """The drop-down values of a column and whether other values are warned about."""
    if column.kind in CHOICES:
        return CHOICES[column.kind], True
    if column.field in SUGGESTIONS:
        return SUGGESTIONS[column.field], False
    return None


def inline_fits(options: Sequence[str]) -> bool:
    """Whether Excel accepts the values typed into the validation itself."""
    joined = ",".join(options)
    return len(joined) <= INLINE_LIST_LIMIT and not any('"' in option or "," in option for option in options)


def example_value(column: Column, raw: object) -> object:
    """An example cell as the reader would read it: dates as dates, rates as fractions, canonical names."""
    if raw is None:
        return None
    if column.kind in ("date", "month"):
        parsed = values.parse_month(raw) if column.kind == "month" else values.parse_date(raw)
        return dt.datetime.combine(parsed, dt.time())
    if column.kind == "deadline":
        deadline = values.parse_deadline(raw)
        return raw if deadline is None else dt.datetime.combine(deadline, dt.time())
    parsers: dict[str, Callable[[object], object]] = {
        "count": values.parse_count,
        "rate": values.parse_rate,
        "project": values.parse_project,
        "status": values.parse_status,
        "check_result": values.parse_check_result,
        "sampling": values.parse_sampling,
        "root_cause": values.parse_root_cause,
    }
    return parsers[column.kind](raw) if column.kind in parsers else raw


def build() -> bytes:
    """The template workbook as .xlsx bytes."""
    book = Workbook()
    instructions = book.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    options = book.create_sheet(OPTIONS_SHEET)
    lists = _OptionLists(options)
    for layout in domain.REPORT_LAYOUTS:
        _write_layout(book.create_sheet(layout.title), layout, lists)
    _write_instructions(instructions)
    options.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _OptionLists:
    """Lists on the hidden 选项 sheet, one column each, written once and shared."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.placed: dict[tuple[str, ...], str] = {}

    def source(self, options: tuple[str, ...], strict: bool) -> ListSource:
        if inline_fits(options):
            return ListSource('"' + ",".join(options) + '"', strict)
        if options not in self.placed:
            column = len(self.placed) + 1
            letter = get_column_letter(column)
            self.sheet.cell(1, column, "可选值")
            for row, option in enumerate(options, start=2):
                self.sheet.cell(row, column, option)
            self.sheet.column_dimensions[letter].width = max(len(o) for o in options) * 2 + 2
            self.placed[options] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(options) + 1}"
        return ListSource(self.placed[options], strict)


# Columns that hold sentences get room for them.
WIDE_FIELDS: dict[str, float] = {"description": 36, "measures": 36, "responsible_unit": 16, "evidence": 20, "note": 24}


def _width(column: Column) -> float:
    found = choices_for(column)
    longest = max([len(column.title) * 2 + 4, 12, WIDE_FIELDS.get(column.field, 0)] + [len(o) * 2 for o in (found[0] if found else ())])
    return min(longest, 44)


def _header_note(column: Column) -> str:
    lines = ["必填" if column.required else "选填"]
    if column.hint:
        lines.append(column.hint)
    found = choices_for(column)
    if found:
        lines.append(("可选：" if found[1] else "常见：") + "、".join(found[0]))
    return "\n".join(lines)


def _write_layout(sheet: Worksheet, layout: SheetLayout, lists: _OptionLists) -> None:
    last_row = DATA_ROWS + 1
    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(1, index, column.title)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        comment = Comment(_header_note(column), AUTHOR)
        comment.width, comment.height = 260, 110
        cell.comment = comment
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(column)
        if column.kind in NUMBER_FORMATS:
            dimension.number_format = NUMBER_FORMATS[column.kind]  # applies to cells typed in later
        found = choices_for(column)
        if found:
            _add_list(sheet, column, lists.source(*found), f"{letter}2:{letter}{last_row}")
    for row_number, example in enumerate(layout.example_rows, start=2):
        for index, (column, raw) in enumerate(zip(layout.columns, example, strict=True), start=1):
            cell = sheet.cell(row_number, index, example_value(column, raw))
            cell.font = EXAMPLE_FONT
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 24


def _add_list(sheet: Worksheet, column: Column, source: ListSource, cells: str) -> None:
    """A drop-down on `cells`. A strict list warns about other text but lets it stand:
    the reader also accepts short names and common spellings (违规吃喝, 已整改)."""
    validation = DataValidation(type="list", formula1=source.formula, allow_blank=True, showDropDown=False)  # (sic) False shows the arrow
    validation.showInputMessage = True
    validation.promptTitle = column.title[:32]
    validation.prompt = (column.hint or "可从下拉列表中选择，也可填写其他值")[:255]
    if source.strict:
        validation.showErrorMessage = True
        validation.errorStyle = "warning"
        validation.errorTitle = f"{column.title}不在下拉列表中"[:32]
        validation.error = (
            "请从下拉列表中选择。也可填写简称或常见写法（如 违规吃喝、已整改），上传时自动识别；无法识别的值会在校验报告中列出。"
        )
    validation.add(cells)
    sheet.add_data_validation(validation)


def general_notes() -> list[str]:
    """The numbered notes at the top of 填报说明."""
    limit_mb = config.limits().max_file_bytes // (1024 * 1024)
    titles = "、".join(layout.title for layout in domain.REPORT_LAYOUTS)
    projects = "、".join(domain.PROJECT_SHORT[name] for name in domain.PROJECTS)
    return [
        f"本工作簿含 {titles} 共 {len(domain.REPORT_LAYOUTS)} 张表。只填写本单位需要报送的表，其余表保持空白即可，上传时自动跳过。",
        "每张表第 1 行是表头：请勿修改列名，不要删除必填列（橙色表头）；蓝色表头为选填列。"
        "表头上方可以加标题行，右侧可以加本单位自用的列（上传时原样保留，不参与统计）。",
        "灰色斜体的是示例行，仅供参考，填写前请删除。",
        "问题台账每月报送完整的累计清单（含已完成的问题），不要只报新增；上月清单中的问题不应从本月清单中消失。",
        "清单要具体：问题描述写清在哪里、什么人、什么事（只写“作风不实”“责任落实不到位”等套话的会被标为描述笼统）；"
        "整改措施写本问题实际采取的措施，不要照搬其他地区的表述（与其他地区高度雷同的会被标为措施雷同）。"
        "专班维护的地区表可含“规模”列（如党员干部数，每个地区一个值），用于推算各地区应查摆的问题数（查摆不全）。",
        "报送月份：问题台账和汇总须能确定报送月份——填写“报送月份”列，或在标题行写明“YYYY年M月”，或在文件名中写明（如“某市2026年10月报送.xlsx”）。"
        "几处都没有时，上传页面会请您选择月份；几处写得不一致时会报错。",
        f"带下拉箭头的列请从列表中选择；整治项目也可填简称（{projects}），整改状态也可填常见写法（如 已整改、整改中），上传时自动识别。",
        "日期可填 2026-10-15、2026/10/15、2026年10月15日 或 Excel 日期；完成率可填 95%、95 或 0.95。",
        f"支持 .xlsx 和 .xls 文件，单个文件不超过 {limit_mb} MB。"
        "上传后先校验，有错误时不会保存任何数据，并可下载标出错误单元格的工作簿对照修改。",
    ]


def _allowed_values(column: Column) -> str:
    found = choices_for(column)
    if found is None:
        return ""
    listed = "、".join(found[0])
    if column.kind == "project":
        return listed + "（可填简称：" + "、".join(domain.PROJECT_SHORT[name] for name in domain.PROJECTS) + "）"
    return listed if found[1] else "常见：" + listed + "，也可填其他"


def _write_instructions(sheet: Worksheet) -> None:
    sheet.cell(1, 1, "整改整治月度报送模板 · 填报说明").font = TITLE_FONT
    row = 3
    for number, note in enumerate(general_notes(), start=1):
        sheet.cell(row, 1, f"{number}.")
        cell = sheet.cell(row, 2, note)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        cell.alignment = WRAP
        sheet.row_dimensions[row].height = 34 if len(note) > 70 else 18
        row += 1
    for layout in domain.REPORT_LAYOUTS:
        row += 1
        month_note = "（需能确定报送月份）" if layout.needs_month else "（不需要报送月份）"
        if layout.kind == domain.SATISFACTION:
            month_note = "（每行填写报送月份，可含多个月）"
        sheet.cell(row, 1, f"工作表“{layout.title}”{month_note}").font = SECTION_FONT
        row += 1
        for index, title in enumerate(("列名", "必填", "填写说明", "可选值"), start=2):
            sheet.cell(row, index, title).font = HEADER_FONT
            sheet.cell(row, index).fill = OPTIONAL_FILL
        row += 1
        for column in layout.columns:
            sheet.cell(row, 2, column.title)
            sheet.cell(row, 3, "必填" if column.required else "")
            sheet.cell(row, 4, column.hint).alignment = WRAP
            sheet.cell(row, 5, _allowed_values(column)).alignment = WRAP
            row += 1
    for letter, width in zip("ABCDE", (6, 16, 8, 34, 60), strict=True):
        sheet.column_dimensions[letter].width = width
