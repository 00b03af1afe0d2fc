"""Uploaded text that looks like a formula is handed back as text, never as a live formula.

Staff can type =HYPERLINK(…), =cmd|… or -2+3 into a cell as text (Excel's
leading apostrophe). The annotated error workbook (from .xlsx and from a
rebuilt .xls, including its 错误说明 sheet) and the planner's 核查结果
download must write such text as string cells with the quote prefix, while
numbers stay numbers, dates stay dates and a real formula of the uploaded
.xlsx stays what it was.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import xlwt
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from workbooks import LEDGER_HEADER, ledger_row, ledger_sheet, xlsx

from rectlens import annotate, cells, planner
from rectlens.ingest import service
from rectlens.report import month_report

LINK = '=HYPERLINK("http://evil.example","点我")'
DDE = "=cmd|' /C calc'!A0"
HOSTILE = (LINK, "=1+1", "@SUM(A1)", "-2+3", "+SUM(A1:A2)", DDE)
NAME = "江城市2026年10月台账.xlsx"
OCT = dt.date(2026, 10, 1)


def typed_as_text(data: bytes, texts: Iterable[str]) -> bytes:
    """The workbook as Excel saves cells typed with a leading apostrophe: these texts become quote-prefixed text cells."""
    wanted = set(texts)
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in wanted:
                    cell.data_type = "s"
                    cell.quotePrefix = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def formula_elements(data: bytes) -> int:
    """How many <f> (formula) elements the sheets of an .xlsx hold."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(len(re.findall(rb"<f[ >]", archive.read(name))) for name in archive.namelist() if name.startswith("xl/worksheets/"))


def assert_literal(cell: Cell, text: str) -> None:
    assert cell.value == text, (cell.coordinate, cell.value)
    assert cell.data_type == "s", (cell.coordinate, cell.data_type)
    assert cell.quotePrefix, cell.coordinate  # editing it in Excel keeps it text


def text_cells(book: Workbook, sheet: str) -> dict[str, Cell]:
    """Every text cell of a sheet by its text (first occurrence)."""
    found: dict[str, Cell] = {}
    for row in book[sheet].iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                found.setdefault(cell.value, cell)
    return found


def hostile_rows() -> list[list[object]]:
    """A ledger whose texts are formulas typed as text; 整改状态 "=1+1" and 整治项目 LINK are errors."""
    return [
        ledger_row("JC-001", description=LINK),
        ledger_row("JC-002", description="=1+1", status="=1+1"),
        ledger_row("JC-003", description="@SUM(A1)", measures="-2+3"),
        ledger_row("JC-004", description="+SUM(A1:A2)", unit=DDE),
        ledger_row("JC-005", project=LINK),
    ]


def test_cells_writes_formula_like_text_as_quoted_text() -> None:
    book = Workbook()
    sheet = book.active
    for row, text in enumerate((*HOSTILE, "\t=1+1", "\r=1+1"), start=1):
        cells.set_text(sheet.cell(row, 1), text)
    cells.set_value(sheet.cell(1, 2), 3)
    cells.set_value(sheet.cell(2, 2), dt.date(2026, 10, 5))
    cells.set_value(sheet.cell(3, 2), "江城市")
    out = io.BytesIO()
    book.save(out)
    assert formula_elements(out.getvalue()) == 0
    loaded = load_workbook(io.BytesIO(out.getvalue())).active
    for row, text in enumerate((*HOSTILE, "\t=1+1", "\r=1+1"), start=1):
        assert_literal(loaded.cell(row, 1), text)
    assert loaded["B1"].value == 3 and loaded["B1"].data_type == "n"
    assert loaded["B2"].value == dt.datetime(2026, 10, 5)
    assert loaded["B3"].value == "江城市" and not loaded["B3"].quotePrefix


def test_annotated_xlsx_keeps_uploaded_formula_like_text_as_text(regions_db: Path) -> None:
    sheet = ledger_sheet(hostile_rows(), extra_cells={"R1": "=SUM(1,2)"})  # a real formula outside the table
    data = typed_as_text(xlsx(sheet), HOSTILE)
    assert formula_elements(data) == 1
    workbook = service.validate(regions_db, data, NAME)
    assert {(p.column, p.value) for p in workbook.problems} >= {("整改状态", "=1+1"), ("整治项目", LINK)}
    annotated = annotate.annotate(data, NAME, workbook.problems)
    book = load_workbook(io.BytesIO(annotated))
    ledger = book["问题台账"]
    description, status, measures, unit = (sheet.column(title) for title in ("问题描述", "整改状态", "整改措施", "责任单位"))
    for position, text in enumerate((LINK, "=1+1", "@SUM(A1)", "+SUM(A1:A2)")):
        assert_literal(ledger[f"{description}{sheet.data_row(position)}"], text)
    assert_literal(ledger[f"{status}{sheet.data_row(1)}"], "=1+1")
    assert ledger[f"{status}{sheet.data_row(1)}"].comment is not None  # and it is still marked as the error
    assert_literal(ledger[f"{measures}{sheet.data_row(2)}"], "-2+3")
    assert_literal(ledger[f"{unit}{sheet.data_row(3)}"], DDE)
    # everything else as uploaded: dates stay dates, the real formula stays a formula
    found = ledger[f"{sheet.column('发现日期')}{sheet.data_row(0)}"]
    assert found.value == dt.datetime(2026, 9, 3) and found.is_date
    assert ledger["R1"].data_type == "f" and ledger["R1"].value == "=SUM(1,2)"
    assert formula_elements(annotated) == 1
    errors = text_cells(book, annotate.ERRORS_SHEET)
    assert_literal(errors["=1+1"], "=1+1")
    assert_literal(errors[LINK], LINK)


def legacy_xls() -> bytes:
    """An .xls (BIFF8) ledger with a 序号 column, dates and the hostile texts as plain labels."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("问题台账")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    header = ("序号", *LEDGER_HEADER)
    sheet.write(0, 0, "江城市整改整治问题台账（2026年10月）")
    for col, title in enumerate(header):
        sheet.write(1, col, title)
    for offset, row in enumerate(hostile_rows()):
        for col, value in enumerate((offset + 1, *row)):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write(2 + offset, col, value, date_style)
            else:
                sheet.write(2 + offset, col, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_annotated_legacy_xls_writes_its_text_as_text(regions_db: Path) -> None:
    data = legacy_xls()
    name = "江城市2026年10月台账.xls"
    workbook = service.validate(regions_db, data, name)
    assert {(p.column, p.value) for p in workbook.problems} >= {("整改状态", "=1+1"), ("整治项目", LINK)}
    annotated = annotate.annotate(data, name, workbook.problems)
    assert formula_elements(annotated) == 0
    book = load_workbook(io.BytesIO(annotated))
    ledger = book["问题台账"]
    header = [cell.value for cell in ledger[2]]
    column = {title: index + 1 for index, title in enumerate(header)}
    for offset, text in enumerate((LINK, "=1+1", "@SUM(A1)", "+SUM(A1:A2)")):
        assert_literal(ledger.cell(3 + offset, column["问题描述"]), text)
    assert_literal(ledger.cell(4, column["整改状态"]), "=1+1")
    assert_literal(ledger.cell(5, column["整改措施"]), "-2+3")
    assert_literal(ledger.cell(6, column["责任单位"]), DDE)
    assert_literal(ledger.cell(7, column["整治项目"]), LINK)
    # numbers stay numbers, dates stay dates, ordinary text gets no quote prefix
    assert [ledger.cell(row, 1).value for row in range(3, 8)] == [1, 2, 3, 4, 5]
    assert all(ledger.cell(row, 1).data_type == "n" for row in range(3, 8))
    assert ledger.cell(3, column["发现日期"]).value == dt.datetime(2026, 9, 3)
    assert ledger.cell(3, column["问题编号"]).value == "JC-001" and not ledger.cell(3, column["问题编号"]).quotePrefix
    errors = text_cells(book, annotate.ERRORS_SHEET)
    assert_literal(errors["=1+1"], "=1+1")
    assert_literal(errors[LINK], LINK)


@pytest.mark.parametrize("item_id", [DDE, "-2+3", "@SUM(A1)", LINK], ids=["dde", "minus", "at", "hyperlink"])
def test_planner_download_writes_a_hostile_problem_id_as_text_and_uploads_again(
    regions_db: Path, store: Callable[..., service.IngestOutcome], item_id: str
) -> None:
    store(typed_as_text(xlsx(ledger_sheet([ledger_row(item_id, evidence=None), ledger_row("JC-002")])), [item_id]), NAME)
    ranked = planner.prioritise(planner.candidates(regions_db, OCT), month_report(regions_db, OCT))
    item_id = item_id.replace(" ", "")  # the ingest drops spaces inside a 问题编号
    assert item_id in set(ranked["item_id"])
    data = planner.check_sheet(ranked, "重点核查")
    assert formula_elements(data) == 0
    book = load_workbook(io.BytesIO(data))
    sheet = book["核查结果"]
    (row,) = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == item_id]
    assert_literal(sheet.cell(row, 1), item_id)
    # filled in by the inspector, the sheet uploads and its check lands on the same item
    for number in range(2, sheet.max_row + 1):
        sheet.cell(number, 3).value = dt.date(2026, 10, 25)
        sheet.cell(number, 5).value = "整改到位"
    out = io.BytesIO()
    book.save(out)
    store(out.getvalue(), "核查结果.xlsx")
    assert planner.candidates(regions_db, OCT).empty
