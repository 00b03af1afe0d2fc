"""抽查计划: candidates, risk ranking, a reproducible random draw and a re-uploadable sheet."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from actors import OPERATOR

from rectlens import planner
from rectlens.ingest.service import ingest_bytes, validate
from rectlens.report import month_report

OCT = dt.date(2026, 10, 1)


def workbook(name: str, rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def planned_db(tmp_path: Path) -> Path:
    db = tmp_path / "plan.duckdb"
    ledger = [["青川市问题台账（2026年10月）"], ["问题编号", "地区", "整治项目", "整改状态", "发现日期", "完成日期", "佐证材料"]]
    ledger.append(["QC-1", "青川市", "违规吃喝", "已完成", "2026-09-01", "2026-10-05", "报告.pdf"])  # checked below
    ledger.append(["QC-2", "青川市", "违规吃喝", "已完成", "2026-09-01", "2026-10-30", None])  # no evidence, month end
    ledger.append(["QC-3", "青川市", "违规吃喝", "已完成", "2026-09-01", "2026-10-06", "报告.pdf"])
    ledger.append(["QC-4", "青川市", "违规吃喝", "推进中", "2026-09-01", None, None])  # not completed
    assert ingest_bytes(db, workbook("问题台账", ledger), "青川市台账.xlsx", actor=OPERATOR).status == "stored"
    checks = [["问题编号", "地区", "核查日期", "核查结论"], ["QC-1", "青川市", "2026-10-20", "整改到位"]]
    assert ingest_bytes(db, workbook("核查结果", checks), "核查.xlsx", actor=OPERATOR).status == "stored"
    return db


def test_candidates_are_completed_items_not_checked_since_completion(planned_db: Path) -> None:
    items = planner.candidates(planned_db, OCT)
    assert sorted(items["item_id"]) == ["QC-2", "QC-3"]
    signs = items.set_index("item_id")
    assert bool(signs.loc["QC-2", "no_evidence"]) and bool(signs.loc["QC-2", "month_end_rush"])
    assert not bool(signs.loc["QC-3", "no_evidence"]) and not bool(signs.loc["QC-3", "month_end_rush"])


def test_riskier_items_come_first_with_their_reasons(planned_db: Path) -> None:
    ranked = planner.prioritise(planner.candidates(planned_db, OCT), month_report(planned_db, OCT))
    assert list(ranked["item_id"]) == ["QC-2", "QC-3"]
    assert ranked.loc[0, "priority"] > ranked.loc[1, "priority"]
    assert "无佐证" in ranked.loc[0, "reasons"] and "月末集中销号" in ranked.loc[0, "reasons"]


def test_random_draw_is_reproducible_and_bounded(planned_db: Path) -> None:
    items = planner.candidates(planned_db, OCT)
    first = planner.random_sample(items, 1, seed=7)
    assert len(first) == 1
    assert first.equals(planner.random_sample(items, 1, seed=7))
    assert len(planner.random_sample(items, 10, seed=7)) == 2


def test_plan_sheet_becomes_an_uploadable_check_file_once_filled_in(planned_db: Path) -> None:
    ranked = planner.prioritise(planner.candidates(planned_db, OCT), month_report(planned_db, OCT))
    book = openpyxl.load_workbook(io.BytesIO(planner.check_sheet(ranked, "重点核查")))
    sheet = book["核查结果"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["问题编号", "地区", "核查日期", "核查方式", "核查结论"]
    assert [sheet.cell(row, 1).value for row in (2, 3)] == ["QC-2", "QC-3"]
    assert sheet.cell(2, header.index("抽样方式") + 1).value == "重点核查"
    for row in (2, 3):  # the inspector fills in date and result
        sheet.cell(row, 3).value = "2026-11-05"
        sheet.cell(row, 5).value = "整改到位"
    buffer = io.BytesIO()
    book.save(buffer)
    assert validate(planned_db, buffer.getvalue(), "核查结果.xlsx").valid
