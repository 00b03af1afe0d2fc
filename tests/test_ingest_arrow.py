"""The Arrow reader: cells rendered as text by fastexcel, decoded where a parser needs a type.

The .xlsx path (fastexcel, merged ranges from the sheet's XML) and the .xls
path (python-calamine, rendered in Python) must see the same cells; a table
that does not start at A1 keeps its Excel rows and letters; merged ranges
across columns are filled; and trimming and blank tests in Arrow agree with
Python's own for every character.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import python_calamine as calamine
import xlsxwriter
from openpyxl import Workbook
from workbooks import LEDGER_HEADER, ledger_row, ledger_sheet, xlsx

from rectlens import config
from rectlens.ingest import excel
from rectlens.ingest.rendered import PY_WHITESPACE, blank_mask, decode, render, rust_decimal, trim


def _every_character() -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]


def test_blank_and_trim_agree_with_python_for_every_character() -> None:
    characters = _every_character()
    assert "".join(c for c in characters if c.isspace()) == PY_WHITESPACE
    blank = blank_mask(pa.array(characters))
    assert [c for c, is_blank in zip(characters, blank, strict=True) if is_blank] == [c for c in characters if c.isspace()]
    padded = [f"{c}值{c}" for c in PY_WHITESPACE] + ["\u200b值\u200b", " 值\u3000"]  # a zero-width space is not white space
    assert trim(pa.array(padded)).to_pylist() == [text.strip() for text in padded]
    assert blank_mask(pa.array(["", None, " \u3000\n", "a", " a "])).tolist() == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("number", "rendered"),
    [
        (12.0, "12"),
        (2026.1, "2026.1"),
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (-3.5, "-3.5"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_numbers_render_as_the_reader_writes_them(number: float, rendered: str) -> None:
    assert rust_decimal(number) == rendered
    assert decode(rendered, typed=True) == number
    assert decode(rendered) == rendered  # a text column keeps the digits as written


def test_decoding_dates_times_and_texts() -> None:
    assert decode("2026-10-15 00:00:00") == dt.date(2026, 10, 15)
    assert decode("2026-10-15 13:05:07.250") == dt.datetime(2026, 10, 15, 13, 5, 7, 250000)
    assert decode("1899-12-31 13:05:00") == dt.time(13, 5)
    assert decode(None) == ""
    assert decode("2026-02-30 00:00:00") == "2026-02-30 00:00:00"  # not a date: kept as the text it is
    assert decode("2026.10", typed=True) == "2026.10"  # no number renders with a trailing zero: a text


def _messy_workbook() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("格式")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss.000"})
    clock = book.add_format({"num_format": "hh:mm"})
    cells: list[object] = ["文本", "", "  ", "\u3000全角空格\u3000", 2026.1, 12, 330102199001011264, 1e-7, -3.5, True, False, 1e20, 45000]
    for row, value in enumerate(cells):
        sheet.write(row, 1, value)
    sheet.write_datetime(len(cells), 1, dt.datetime(2026, 10, 15), day)
    sheet.write_datetime(len(cells) + 1, 1, dt.datetime(2026, 10, 15, 13, 5, 7, 250000), stamp)
    sheet.write_datetime(len(cells) + 2, 1, dt.datetime(1899, 12, 31, 13, 5), clock)
    sheet.write_formula(len(cells) + 3, 1, "=1+1", None, 2)
    sheet.write_formula(len(cells) + 4, 1, '="a"&"b"', None, "ab")
    sheet.write(len(cells) + 5, 3, "右下")
    book.close()
    return out.getvalue()


def test_xlsx_and_xls_readers_render_every_cell_alike() -> None:
    data = _messy_workbook()
    fast = fastexcel.read_excel(data).load_sheet("格式", header_row=None, skip_rows=0, dtypes="string")
    by_fastexcel = {info.absolute_index: fast.to_arrow().column(info.index).to_pylist() for info in fast.available_columns()}
    rows = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("格式").to_python(skip_empty_area=False)
    for column, cells in by_fastexcel.items():
        assert [render(row[column]) for row in rows] == cells, column


def test_a_table_that_does_not_start_at_a1_keeps_its_rows_and_letters(rejected) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题台账"
    sheet.cell(3, 2, "江城市整改整治问题台账（2026年10月）")
    for offset, title in enumerate(LEDGER_HEADER):
        sheet.cell(4, 2 + offset, title)
    for line, row in enumerate([ledger_row("JC-001"), ledger_row("JC-002", status="已完", completed="2026-10-12")], start=5):
        for offset, value in enumerate(row):
            sheet.cell(line, 2 + offset, value)
    out = io.BytesIO()
    book.save(out)
    problem = rejected(out.getvalue()).at(6, "整改状态")
    assert (problem.column_letter, problem.value) == ("M", "已完")  # 整改状态 is the 12th column, from B


def test_a_cell_merged_across_columns_in_a_data_row_fills_each_column(store, query) -> None:
    sheet = ledger_sheet([ledger_row("JC-001", source="群众来信"), ledger_row("JC-002", status="推进中")])
    first = sheet.data_row(0)
    sheet.merges = [f"{sheet.column('问题来源')}{first}:{sheet.column('问题描述')}{first}"]  # 问题来源 over 问题描述
    store(xlsx(sheet))
    assert query("SELECT item_id, source, description FROM ledger_items ORDER BY item_id") == [
        ("JC-001", "群众来信", "群众来信"),
        ("JC-002", "信访举报", "公务接待超标准"),
    ]


def test_merged_ranges_are_found_across_chunk_boundaries_and_prefixes() -> None:
    xml = (
        b'<worksheet><sheetData/><mergeCells count="3"><mergeCell ref="A1:N1"/>'
        b'<x:mergeCell ref="B4:B6"/><mergeCell ref="AA10:AB12"/></mergeCells></worksheet>'
    )
    for size in (1, 7, 64, len(xml)):
        scanner = excel.MergeScanner()
        for start in range(0, len(xml), size):
            scanner.feed(xml[start : start + size])
        assert scanner.ranges == [((0, 0), (0, 13)), ((3, 1), (5, 1)), ((9, 26), (11, 27))], size


def test_merged_ranges_equal_calamines() -> None:
    data = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002"), ledger_row("JC-003")], merges=["B4:B6", "E4:E5"]))
    found = excel.check_zip(data, config.limits())
    [member] = [name for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if name.startswith("xl/worksheets/")]
    sheet = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("问题台账")
    assert sorted(found[member]) == sorted(sheet.merged_cell_ranges)


def test_a_grid_from_either_reader_is_the_same() -> None:
    data = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")], merges=["B4:B5"]))
    limits = config.limits()
    book = excel.open_workbook(data, limits)
    grid = excel.read_grid(book, "问题台账", limits)
    rows = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("问题台账").to_python(skip_empty_area=False)
    while rows and all(cell == "" for cell in rows[-1]):
        rows.pop()
    assert grid.height == len(rows)
    assert grid.rows(0, grid.height)[3][:3] == ["JC-001", "江城市", "江城区"]
    assert grid.rows(0, grid.height)[4][1] == "江城市"  # merged down from row 4
    assert pc.count(grid.columns[0]).as_py() == sum(1 for row in rows if row[0] != "")


def _filled_by_hand(columns: list[list[str | None]], merged: list[excel.MergedRange]) -> list[list[str | None]]:
    """The plain definition: every cell of a range takes the range's top-left value, later ranges last."""
    original = [list(column) for column in columns]
    result = [list(column) for column in columns]
    height = len(columns[0])
    for (top, left), (bottom, right) in merged:
        for index in range(left, min(right, len(columns) - 1) + 1):
            for row in range(top, min(bottom, height - 1) + 1):
                result[index][row] = original[left][top]
    return result


@pytest.mark.parametrize(
    "merged",
    [
        [((0, 0), (0, 3))],  # a title across the top row
        [((2, 1), (5, 1)), ((7, 0), (7, 2))],  # 地区 down four rows; a cell across three columns
        [((1, 2), (3, 3)), ((2, 2), (4, 2))],  # overlapping ranges (a damaged file): the later one wins
        [((8, 0), (20, 1))],  # a range past the last row, cut at it
        [((9, 3), (9, 9))],  # a range past the last column
    ],
)
def test_merged_ranges_fill_only_their_rows_and_keep_the_rest(merged: list[excel.MergedRange]) -> None:
    columns = [[None if (row + index) % 4 == 0 else f"{chr(65 + index)}{row + 1}" for row in range(10)] for index in range(4)]
    columns[3][9] = "D10"  # the last row has content, so the grid keeps all ten rows
    grid = excel._grid("表", [pa.array(column, pa.string()) for column in columns], 10, tuple(merged), config.limits())
    expected = _filled_by_hand(columns, merged)
    assert [column.to_pylist() for column in grid.columns] == expected
    assert grid.filled.tolist() == [[value is not None for value in row] for row in zip(*expected, strict=True)]
