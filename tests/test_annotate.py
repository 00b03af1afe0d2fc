"""The annotated workbook: exactly the bad cells filled and commented, every problem listed in 错误说明."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from workbooks import LEDGER_HEADER, Sheet, ledger_row, ledger_sheet, xlsx

from rectlens import annotate
from rectlens.ingest import service
from rectlens.ingest.problems import Problem

FIXTURES = Path(__file__).parent / "fixtures"
NAME = "江城市2026年10月台账.xlsx"


def bad_ledger() -> tuple[bytes, Sheet]:
    rows = [
        ledger_row("JC-001"),
        ledger_row("JC-002", status="搞定了"),
        ledger_row("JC-003", found="2026-13-45", project="吃饭"),
        ledger_row("JC-004", region="江北市"),
    ]
    sheet = ledger_sheet(rows)
    return xlsx(sheet), sheet


def open_book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def marked_cells(book: Workbook) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> comment text of every cell the annotation marked."""
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == annotate.AUTHOR:
                    assert str(cell.fill.fgColor.rgb).endswith(annotate.MARK_COLOR), cell.coordinate
                    found[(sheet.title, cell.coordinate)] = cell.comment.text
                else:
                    assert not str(cell.fill.fgColor.rgb).endswith(annotate.MARK_COLOR), f"{sheet.title}!{cell.coordinate} filled"
    return found


def error_rows(book: Workbook) -> list[tuple[object, ...]]:
    sheet = book[annotate.ERRORS_SHEET]
    header_row = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if row[0] == "序号")
    return list(sheet.iter_rows(min_row=header_row + 1, values_only=True))


def test_exactly_the_bad_cells_are_filled_and_commented(regions_db: Path) -> None:
    data, sheet = bad_ledger()
    workbook = service.validate(regions_db, data, NAME)
    assert len(workbook.problems) == 4
    book = open_book(annotate.annotate(data, NAME, workbook.problems))
    marks = marked_cells(book)
    status, found, project, region = (sheet.column(title) for title in ("整改状态", "发现日期", "整治项目", "地区"))
    assert set(marks) == {
        ("问题台账", f"{status}{sheet.data_row(1)}"),
        ("问题台账", f"{found}{sheet.data_row(2)}"),
        ("问题台账", f"{project}{sheet.data_row(2)}"),
        ("问题台账", f"{region}{sheet.data_row(3)}"),
    }
    assert marks[("问题台账", f"{status}{sheet.data_row(1)}")] == "整改状态「搞定了」：应为未启动、推进中或已完成之一"
    assert "地区表中的地区名称" in marks[("问题台账", f"{region}{sheet.data_row(3)}")]
    # the file's own content is untouched
    assert book["问题台账"][f"{status}{sheet.data_row(1)}"].value == "搞定了"


def test_errors_sheet_comes_first_and_lists_every_problem_with_a_link(regions_db: Path) -> None:
    data, _sheet = bad_ledger()
    problems = service.validate(regions_db, data, NAME).problems
    book = open_book(annotate.annotate(data, NAME, problems))
    assert book.sheetnames == [annotate.ERRORS_SHEET, "问题台账"]
    assert book.active.title == annotate.ERRORS_SHEET
    assert f"校验发现 {len(problems)} 处错误" in book[annotate.ERRORS_SHEET]["A1"].value
    rows = error_rows(book)
    assert [(row[1], row[2], row[5]) for row in rows] == [(p.sheet, p.row, p.expected) for p in problems]
    links = [book[annotate.ERRORS_SHEET].cell(5 + i, 7).hyperlink for i in range(len(rows))]
    assert [link.location for link in links] == [f"'问题台账'!{p.column_letter}{p.row}" for p in problems]


def test_problems_without_a_cell_are_listed_only(regions_db: Path) -> None:
    header = tuple(title for title in LEDGER_HEADER if title != "整改状态")
    rows = [[value for title, value in zip(LEDGER_HEADER, ledger_row("JC-001"), strict=True) if title != "整改状态"]]
    data = xlsx(ledger_sheet(rows, header=header))
    problems = service.validate(regions_db, data, NAME).problems
    assert [p.column_letter for p in problems] == [""]  # the missing 整改状态 column has no cell
    book = open_book(annotate.annotate(data, NAME, problems))
    assert marked_cells(book) == {}
    (row,) = error_rows(book)
    assert "缺少必填列“整改状态”" in row[5]
    assert row[6] == annotate.NO_CELL


def test_a_problem_inside_a_merged_block_marks_its_first_cell_and_names_the_row(regions_db: Path) -> None:
    rows = [ledger_row("JC-001", region="江北市"), ledger_row("JC-002", region=None), ledger_row("JC-003", region=None)]
    sheet = ledger_sheet(rows, merges=["B4:B6"])
    data = xlsx(sheet)
    problems = service.validate(regions_db, data, NAME).problems
    assert [(p.row, p.column) for p in problems] == [(4, "地区"), (5, "地区"), (6, "地区")]
    marks = marked_cells(open_book(annotate.annotate(data, NAME, problems)))
    assert list(marks) == [("问题台账", "B4")]
    lines = marks[("问题台账", "B4")].splitlines()
    assert lines[0].startswith("地区「江北市」：") and lines[1].startswith("第 5 行，地区「江北市」：") and lines[2].startswith("第 6 行")


def test_annotating_again_clears_the_earlier_marks(regions_db: Path) -> None:
    data, sheet = bad_ledger()
    first = annotate.annotate(data, NAME, service.validate(regions_db, data, NAME).problems)
    # staff fix the status, leave the rest
    book = open_book(first)
    status_cell = f"{sheet.column('整改状态')}{sheet.data_row(1)}"
    book["问题台账"][status_cell] = "推进中"
    fixed = io.BytesIO()
    book.save(fixed)
    problems = service.validate(regions_db, fixed.getvalue(), NAME).problems
    assert len(problems) == 3
    again = open_book(annotate.annotate(fixed.getvalue(), NAME, problems))
    assert again.sheetnames.count(annotate.ERRORS_SHEET) == 1
    marks = marked_cells(again)
    assert ("问题台账", status_cell) not in marks
    assert len(marks) == 3
    assert len(error_rows(again)) == 3


def test_a_corrected_annotated_file_uploads_and_its_errors_sheet_is_ignored(regions_db: Path) -> None:
    data, sheet = bad_ledger()
    book = open_book(annotate.annotate(data, NAME, service.validate(regions_db, data, NAME).problems))
    ledger = book["问题台账"]
    ledger[f"{sheet.column('整改状态')}{sheet.data_row(1)}"] = "推进中"
    ledger[f"{sheet.column('发现日期')}{sheet.data_row(2)}"] = "2026-09-13"
    ledger[f"{sheet.column('整治项目')}{sheet.data_row(2)}"] = "违规吃喝"
    ledger[f"{sheet.column('地区')}{sheet.data_row(3)}"] = "江城市"
    out = io.BytesIO()
    book.save(out)
    workbook = service.validate(regions_db, out.getvalue(), NAME)
    assert workbook.valid, [p.text() for p in workbook.problems]
    assert "「错误说明」（错误标注版的错误清单）" in workbook.notices[0]
    assert annotate.ERRORS_SHEET in service.PRODUCT_SHEETS


def test_a_legacy_xls_comes_back_as_xlsx_with_its_cells_and_merges(regions_db: Path) -> None:
    data = (FIXTURES / "legacy_ledger.xls").read_bytes()
    problem = Problem("问题台账", 5, "整改状态", "整改中", "测试用的错误", file="legacy.xls", column_letter="M")
    book = open_book(annotate.annotate(data, "legacy.xls", [problem]))
    ledger = book["问题台账"]
    assert ledger["B4"].value == "LG-001"
    assert ledger["C4"].value == "江城市"
    assert "C4:C6" in {str(r) for r in ledger.merged_cells.ranges}
    assert marked_cells(book) == {("问题台账", "M5"): "整改状态「整改中」：测试用的错误"}
    assert annotate.annotated_file_name("江城市10月.xls") == "江城市10月_错误标注.xlsx"


@pytest.mark.parametrize("data", [b"not a workbook at all", b"PK\x03\x04broken zip"], ids=["text", "broken-zip"])
def test_an_unreadable_file_gets_the_error_list_alone(data: bytes) -> None:
    problem = Problem("", None, "", "", "文件不是 Excel 工作簿", file="x.xlsx")
    book = open_book(annotate.annotate(data, "x.xlsx", [problem]))
    assert book.sheetnames == [annotate.ERRORS_SHEET]
    assert error_rows(book)[0][5] == "文件不是 Excel 工作簿"
