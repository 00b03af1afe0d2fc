"""Builders for test workbooks, written the way staff really fill them in.

A `Sheet` is laid out top to bottom: title rows (a plain string becomes a
title merged across the header's width), the header, the data rows, then
any trailing rows (合计, footnotes). Excel row numbers of the data rows are
therefore `len(titles) + 2 + position`; `Sheet.data_row(i)` says it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Row = Sequence[Any]

# The ledger's columns as the template names them.
LEDGER_HEADER: tuple[str, ...] = (
    "问题编号",
    "地区",
    "县区",
    "责任单位",
    "整治项目",
    "问题来源",
    "问题描述",
    "根源类别",
    "整改措施",
    "发现日期",
    "整改时限",
    "整改状态",
    "完成日期",
    "佐证材料",
)
SUMMARY_HEADER: tuple[str, ...] = ("地区", "整治项目", "问题总数", "已完成数", "整改完成率")
CHECKS_HEADER: tuple[str, ...] = ("问题编号", "地区", "核查日期", "核查方式", "核查结论", "核查人", "备注", "抽样方式")
SATISFACTION_HEADER: tuple[str, ...] = ("地区", "整治项目", "报送月份", "满意度", "样本数")
REGION_HEADER: tuple[str, ...] = ("地区", "片区", "县区")

# A fictional region master: three units, two with counties.
REGIONS: tuple[tuple[str, str, str | None], ...] = (
    ("江城市", "南片", "江城区"),
    ("江城市", "南片", "临江县"),
    ("山阳市", "北片", "山阳区"),
    ("山阳市", "北片", "北岭县"),
    ("白河", "中片", None),
)


@dataclass
class Sheet:
    name: str
    header: Row
    rows: Sequence[Row] = ()
    titles: Sequence[Row | str] = ()
    after: Sequence[Row | str] = ()
    merges: Sequence[str] = ()
    formats: dict[str, str] = field(default_factory=dict)  # cell -> number format
    extra_cells: dict[str, Any] = field(default_factory=dict)  # cell -> value written last
    hidden: bool = False

    @property
    def header_row(self) -> int:
        return len(self.titles) + 1

    def data_row(self, position: int) -> int:
        """Excel row number of data row `position` (0-based)."""
        return self.header_row + 1 + position

    def after_row(self, position: int) -> int:
        return self.header_row + len(self.rows) + 1 + position

    def column(self, title: str) -> str:
        """Excel column letter of a header title."""
        return get_column_letter(list(self.header).index(title) + 1)


def xlsx(*sheets: Sheet) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        width = max(len(spec.header), 1)
        line = 1
        for title in spec.titles:
            if isinstance(title, str):
                ws.cell(line, 1, title)
                if width > 1:
                    ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
            else:
                for col, value in enumerate(title, start=1):
                    ws.cell(line, col, value)
            line += 1
        for col, value in enumerate(spec.header, start=1):
            ws.cell(line, col, value)
        line += 1
        for row in (*spec.rows, *spec.after):
            if isinstance(row, str):
                ws.cell(line, 1, row)
                if width > 1:
                    ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
            else:
                for col, value in enumerate(row, start=1):
                    if value is not None:
                        ws.cell(line, col, value)
            line += 1
        for cell, fmt in spec.formats.items():
            ws[cell].number_format = fmt
        for cell, value in spec.extra_cells.items():
            ws[cell] = value
        for merged in spec.merges:
            ws.merge_cells(merged)
        if spec.hidden:
            ws.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- rows as staff write them ----------------------------------------------


def ledger_row(
    item_id: str,
    region: str = "江城市",
    *,
    county: str | None = "江城区",
    unit: str | None = "市商务局",
    project: str = "违规吃喝",
    source: str | None = "信访举报",
    description: str | None = "公务接待超标准",
    root_cause: str | None = "责任落实问题",
    measures: str | None = "制定接待清单",
    found: Any = dt.date(2026, 9, 3),
    deadline: Any = dt.date(2026, 11, 30),
    status: str = "已完成",
    completed: Any = "default",
    evidence: str | None = "整改报告.pdf",
) -> list[Any]:
    if completed == "default":  # a completion date only for done items
        done = any(word in status.replace(" ", "") for word in ("完成", "已整改", "销号"))
        completed = dt.date(2026, 10, 12) if done else None
    return [item_id, region, county, unit, project, source, description, root_cause, measures, found, deadline, status, completed, evidence]


def ledger_titles(unit: str = "江城市", month: str = "2026年10月") -> list[Row | str]:
    return [
        f"{unit}整改整治问题台账（{month}）",
        ["填报单位：" + unit + "纪委监委（盖章）", None, None, None, None, None, None, None, None, None, "填报日期：2026年11月3日"],
    ]


LEDGER_FOOTNOTE = "注：1. 整改状态填写未启动、推进中或已完成；2. 已完成的须填写完成日期。"


def ledger_sheet(
    rows: Sequence[Row],
    *,
    unit: str = "江城市",
    month: str = "2026年10月",
    name: str = "问题台账",
    titles: Sequence[Row | str] | None = None,
    header: Row = LEDGER_HEADER,
    after: Sequence[Row | str] = (LEDGER_FOOTNOTE,),
    **extra: Any,
) -> Sheet:
    return Sheet(name, header, rows, ledger_titles(unit, month) if titles is None else titles, after, **extra)


def ledger_xlsx(rows: Sequence[Row] | None = None, **options: Any) -> bytes:
    if rows is None:
        rows = [ledger_row("JC-001"), ledger_row("JC-002", status="推进中", project="营商环境")]
    return xlsx(ledger_sheet(rows, **options))


def summary_sheet(
    rows: Sequence[Row],
    *,
    unit: str = "江城市",
    month: str = "2026年10月",
    total: Row | None = None,
    name: str = "汇总",
    header: Row = SUMMARY_HEADER,
    after: Sequence[Row | str] = (),
) -> Sheet:
    trailing: list[Row | str] = [total] if total is not None else []
    trailing.extend(after)
    return Sheet(name, header, rows, [f"{unit}整改整治工作进展汇总表（{month}）"], trailing)


def checks_sheet(rows: Sequence[Row], *, name: str = "核查结果", header: Row = CHECKS_HEADER) -> Sheet:
    return Sheet(name, header, rows, ["“四不两直”暗访抽查核查结果登记表"])


def check_row(
    item_id: str,
    region: str = "江城市",
    date: Any = dt.date(2026, 10, 25),
    result: str = "整改到位",
    *,
    method: str | None = "暗访",
    inspector: str | None = "督导一组",
    note: str | None = None,
    sampling: str | None = "随机抽查",
) -> list[Any]:
    return [item_id, region, date, method, result, inspector, note, sampling]


def regions_xlsx(rows: Sequence[Row] = REGIONS) -> bytes:
    return xlsx(Sheet("地区表", REGION_HEADER, rows))
