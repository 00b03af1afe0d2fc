"""Risk scores add warnings by severity; every warning leads back to its rows."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from actors import OPERATOR

from rectlens import flags, risk
from rectlens.ingest.service import ingest_bytes

OCT = dt.date(2026, 10, 1)
PROJECT = "整治违规吃喝隐形变异问题"


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def flagged_db(tmp_path: Path) -> Path:
    """One unit whose October ledger has failing checks and missing evidence."""
    db = tmp_path / "risk.duckdb"
    ledger = [["青川市问题台账（2026年10月）"], ["问题编号", "地区", "整治项目", "问题描述", "整改状态", "完成日期", "佐证材料"]]
    for number in range(1, 9):
        description = f"青川市第{number}中学食堂超标准接待上级检查组"  # specific: not VAGUE
        evidence = "报告.pdf" if number <= 2 else None
        ledger.append([f"QC-{number}", "青川市", "违规吃喝", description, "已完成", f"2026-10-{number + 10}", evidence])
    checks = [["问题编号", "地区", "核查日期", "核查结论"]]
    for number in range(1, 7):
        checks.append([f"QC-{number}", "青川市", "2026-10-30", "整改到位" if number == 1 else "虚假整改"])
    assert ingest_bytes(db, workbook({"问题台账": ledger}), "青川市台账.xlsx", actor=OPERATOR).status == "stored"
    assert ingest_bytes(db, workbook({"核查结果": checks}), "核查.xlsx", actor=OPERATOR).status == "stored"
    return db


def test_risk_score_adds_severity_points(flagged_db: Path) -> None:
    found = flags.flags(flagged_db, OCT)
    codes = dict(zip(found["code"], found["severity"], strict=True))
    assert codes == {"GAP": "high", "NO_EVIDENCE": "medium"}
    units = risk.unit_scores(found)
    assert units.loc[0, "region"] == "青川市"
    assert units.loc[0, "score"] == 3 + 2
    assert (units.loc[0, "high"], units.loc[0, "medium"], units.loc[0, "low"]) == (1, 1, 0)
    per_project = risk.unit_project_scores(found)
    assert per_project.loc[0, "project"] == PROJECT and per_project.loc[0, "score"] == 5
    expanded = risk.warnings_of(found, "青川市", PROJECT)
    assert sorted(expanded["points"]) == [2, 3]


def test_ranking_puts_the_riskiest_unit_first() -> None:
    table = pd.DataFrame(
        {
            "code": ["GAP", "DATE", "OVERDUE", "MISSING"],
            "severity": ["high", "low", "medium", "medium"],
            "region": ["甲市", "甲市", "乙市", "丙市"],
            "project": [PROJECT, PROJECT, PROJECT, None],
        }
    )
    units = risk.unit_scores(table)
    assert list(units["region"]) == ["甲市", "丙市", "乙市"]  # ties in name order
    assert list(units["score"]) == [4, 2, 2]
    assert list(units["rank"]) == [1, 2, 2]
    assert "丙市" not in set(risk.unit_project_scores(table)["region"])


def test_rows_behind_gap_are_the_deciding_checks_with_their_cells(flagged_db: Path) -> None:
    rows = flags.rows_behind(flagged_db, "GAP", "青川市", PROJECT, OCT)["核查记录"]
    assert sorted(rows["item_id"]) == [f"QC-{n}" for n in range(1, 7)]
    assert set(rows["file_name"]) == {"核查.xlsx"}
    failing = rows[rows["item_id"] == "QC-3"].iloc[0]
    assert failing["result"] == "虚假整改" and failing["verdict"] == "未通过"
    assert failing["sheet"] == "核查结果" and failing["excel_row"] == 4


def test_rows_behind_missing_evidence_name_the_ledger_rows(flagged_db: Path) -> None:
    rows = flags.rows_behind(flagged_db, "NO_EVIDENCE", "青川市", PROJECT, OCT)["台账问题"]
    assert sorted(rows["item_id"]) == [f"QC-{n}" for n in range(3, 9)]
    assert set(rows["excel_row"]) == set(range(5, 11))
    assert set(rows["file_name"]) == {"青川市台账.xlsx"}
