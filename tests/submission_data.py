"""A small, fully known reporting history, stored by the real command line.

Region master (display order by zone): 北片 青岚市, 白石市; 南片 临河市, 东川市.

| unit   | 2026-09        | 2026-10                                        |
|--------|----------------|------------------------------------------------|
| 青岚市 | 台账 + 汇总    | 台账 + 汇总                                    |
| 白石市 | 汇总           | —                                              |
| 临河市 | 台账           | 台账 (a corrected second version) + 汇总       |
| 东川市 | —              | 台账, then withdrawn                           |

plus one spot-check upload (no unit, no month).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent

REGION_ROWS: tuple[tuple[str, str], ...] = (
    ("青岚市", "北片"),
    ("临河市", "南片"),
    ("白石市", "北片"),
    ("东川市", "南片"),
)
UNITS_IN_DISPLAY_ORDER: tuple[str, ...] = ("青岚市", "白石市", "临河市", "东川市")

LEDGER_HEADER = ("问题编号", "地区", "整治项目", "问题来源", "整改时限", "整改状态", "完成日期", "佐证材料")
SUMMARY_HEADER = ("地区", "整治项目", "问题总数", "已完成数", "整改完成率")
CHECKS_HEADER = ("问题编号", "地区", "核查日期", "核查方式", "核查结论", "核查人")


def _sheet(book: Workbook, name: str, title: str | None, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet = book.create_sheet(name)
    if title:
        sheet.append([title])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_rows(unit: str, prefix: str, done: int, open_items: int = 1) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for number in range(1, done + 1):
        item = f"{prefix}-{number:03d}"
        rows.append([item, unit, "违规吃喝", "信访举报", dt.date(2026, 12, 31), "已完成", dt.date(2026, 9, 10), "报告.pdf"])
    for number in range(done + 1, done + open_items + 1):
        rows.append([f"{prefix}-{number:03d}", unit, "营商环境", "巡视巡察", "长期坚持", "推进中", None, None])
    return rows


def report_workbook(unit: str, month: dt.date, *, ledger: list[list[Any]] | None = None, summary: bool = False) -> bytes:
    """A unit's monthly workbook with a 问题台账 and/or a 汇总 sheet; the month is in the title rows."""
    book = Workbook()
    book.remove(book.active)
    label = f"{month.year}年{month.month}月"
    if ledger is not None:
        _sheet(book, "问题台账", f"{unit}整改整治问题台账（{label}）", LEDGER_HEADER, ledger)
    if summary:
        rows = [[unit, "违规吃喝", 2, 2, "100%"], [unit, "营商环境", 1, 0, "0%"]]
        _sheet(book, "汇总", f"{unit}整改整治工作进展汇总表（{label}）", SUMMARY_HEADER, rows)
    return _save(book)


def regions_workbook(rows: Sequence[tuple[str, str]] = REGION_ROWS) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "地区表", None, ("地区", "片区"), rows)
    return _save(book)


def checks_workbook() -> bytes:
    book = Workbook()
    book.remove(book.active)
    rows = [["QL-001", "青岚市", dt.date(2026, 10, 20), "暗访", "整改到位", "督导一组"]]
    _sheet(book, "核查结果", "暗访抽查核查结果登记表", CHECKS_HEADER, rows)
    return _save(book)


def run_cli(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python -m rectlens SUB-COMMAND ... --db DB`, failing loudly on a non-zero exit."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONIOENCODING": "utf-8",
        "RECTLENS_SETTINGS": str(db.parent / "no-settings.toml"),
    }
    command = [sys.executable, "-m", "rectlens", *map(str, args), "--db", str(db)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def build_reporting_history(db: Path, *, with_master: bool = True) -> Path:
    """Store the history described in this module's docstring in `db`; returns `db`."""
    folder = db.parent / "workbooks"
    folder.mkdir(parents=True, exist_ok=True)
    september, october = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    corrected = report_workbook("临河市", october, ledger=ledger_rows("临河市", "LH", 2), summary=True)
    if with_master:
        run_cli(db, "regions", write(folder, "地区表.xlsx", regions_workbook()))
    files = [
        write(folder, "青岚市-2026年9月.xlsx", report_workbook("青岚市", september, ledger=ledger_rows("青岚市", "QL", 2), summary=True)),
        write(folder, "白石市-2026年9月.xlsx", report_workbook("白石市", september, summary=True)),
        write(folder, "临河市-2026年9月.xlsx", report_workbook("临河市", september, ledger=ledger_rows("临河市", "LH", 1))),
        write(folder, "青岚市-2026年10月.xlsx", report_workbook("青岚市", october, ledger=ledger_rows("青岚市", "QL", 2), summary=True)),
        write(folder, "临河市-2026年10月.xlsx", report_workbook("临河市", october, ledger=ledger_rows("临河市", "LH", 1))),
        write(folder, "临河市-2026年10月-更正.xlsx", corrected),
        write(folder, "东川市-2026年10月.xlsx", report_workbook("东川市", october, ledger=ledger_rows("东川市", "DC", 1))),
        write(folder, "暗访核查结果.xlsx", checks_workbook()),
    ]
    run_cli(db, "ingest", *files)
    run_cli(db, "withdraw", str(upload_id_of(db, "东川市", "2026-10")))
    return db


def upload_id_of(db: Path, unit: str, month: str) -> int:
    from rectlens.storage.uploads import history

    table = history(db)
    found = table[(table["region"] == unit) & (table["month"] == month)]
    assert len(found) == 1, found
    return int(found["upload_id"].iloc[0])
