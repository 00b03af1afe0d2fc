"""The month's metrics and warnings as an Excel workbook that no spreadsheet program will execute.

Every text cell is written as a string, never a formula, hyperlink or number:
xlsxwriter's automatic conversions are off, and a text that begins with
=, +, -, @, a tab or a carriage return additionally gets Excel's quote
prefix, so editing the cell later does not turn it into a formula either
(the triggers are defined once, in rectlens.cells, for every workbook the
product writes). Rates are numbers formatted as percentages.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from rectlens import charts
from rectlens.cells import needs_quote
from rectlens.export.briefing import Briefing
from rectlens.flags import SEVERITY_LABELS
from rectlens.metrics import METRIC_COLUMNS, RATE_COLUMNS

METRIC_HEADERS: dict[str, str] = {
    "total": "问题总数",
    "completed": "已完成数",
    "reported_rate": "报告完成率",
    "ledger_total": "台账问题数",
    "ledger_completed": "台账已完成数",
    "ledger_rate": "台账完成率",
    "checked": "抽查数",
    "passed": "抽查通过数",
    "pass_rate": "抽查通过率",
    "pass_low": "通过率95%下限",
    "pass_high": "通过率95%上限",
    "verified_rate": "核实完成率",
    "verified_low": "核实完成率95%下限",
    "verified_high": "核实完成率95%上限",
    "gap": "报告与核实差距",
    "due": "已到整改时限数",
    "schedule_rate": "序时进度",
    "overdue": "逾期未完成数",
    "random_checked": "随机抽查数",
    "random_passed": "随机抽查通过数",
    "random_pass_rate": "随机抽查通过率",
    "random_pass_low": "随机通过率95%下限",
    "random_pass_high": "随机通过率95%上限",
    "random_verified_rate": "核实完成率（随机抽查）",
}
KEY_HEADERS = {"zone": "片区", "region": "地区", "project": "整治项目", "month": "报送月份"}
WARNING_HEADERS = {
    "severity": "等级",
    "code": "预警代码",
    "name": "预警",
    "region": "地区",
    "project": "整治项目",
    "month": "报送月份",
    "reason": "原因",
}
WIDTHS = {"zone": 8, "region": 12, "project": 40, "month": 11, "reason": 80, "name": 14, "code": 16, "severity": 6}
NOTES = (
    "报告完成率：单位填报的已完成数 / 问题总数（汇总表填报了完成率时以填报为准）。",
    "抽查通过率：抽查中整改到位或基本到位的比例；95%下限、上限为 Wilson 置信区间。",
    "核实完成率 = 报告完成率 × 抽查通过率；没有抽查时为空。",
    "随机抽查通过率、核实完成率（随机抽查）只用抽样方式为“随机抽查”的核查：重点核查专挑问题可能多的事项，"
    "会让通过率偏低，随机抽查的估计不受这种挑选影响。",
    "报告与核实差距 = 报告完成率 − 核实完成率。",
    "序时进度：已到整改时限的问题占台账问题数的比例。",
)


class _Writer:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1, "text_wrap": True, "valign": "vcenter"})
        self.text = book.add_format({"valign": "top"})
        self.quoted = book.add_format({"valign": "top", "quote_prefix": True})
        self.wrapped = book.add_format({"valign": "top", "text_wrap": True})
        self.wrapped_quoted = book.add_format({"valign": "top", "text_wrap": True, "quote_prefix": True})
        self.percent = book.add_format({"num_format": "0.0%", "valign": "top"})
        self.count = book.add_format({"num_format": "#,##0", "valign": "top"})

    def value(self, sheet: Worksheet, row: int, column: int, value: Any, *, rate: bool = False, wrap: bool = False) -> None:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, column, None)
        elif isinstance(value, str):
            quoted = needs_quote(value)
            style = (self.wrapped_quoted if quoted else self.wrapped) if wrap else (self.quoted if quoted else self.text)
            sheet.write_string(row, column, value, style)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value, self.text)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, float(value), self.percent if rate else self.count)
        elif hasattr(value, "item"):  # numpy scalar
            self.value(sheet, row, column, value.item(), rate=rate, wrap=wrap)
        else:
            self.value(sheet, row, column, str(value), wrap=wrap)

    def table(self, sheet: Worksheet, frame: pd.DataFrame, headers: dict[str, str], wrap: Sequence[str] = ()) -> None:
        columns = list(headers)
        for column, name in enumerate(columns):
            sheet.write_string(0, column, headers[name], self.header)
            sheet.set_column(column, column, WIDTHS.get(name, 11))
        for row, record in enumerate(frame[columns].to_dict("records"), start=1):
            for column, name in enumerate(columns):
                self.value(sheet, row, column, record[name], rate=name in RATE_COLUMNS, wrap=name in wrap)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
        sheet.set_row(0, 34)


def _month_label(value: Any) -> str:
    return charts.month_text(value) if isinstance(value, dt.date) else str(value)


def _metric_rows(table: pd.DataFrame, keys: Sequence[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    shown = table.assign(month=table["month"].map(_month_label)).reset_index(drop=True)
    headers = {key: KEY_HEADERS[key] for key in keys} | {column: METRIC_HEADERS[column] for column in METRIC_COLUMNS}
    return shown, headers


def workbook(briefing: Briefing) -> bytes:
    """Sheets 地区, 地区×整治项目, 预警 and 说明 of the briefing's month."""
    out = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(out, options)
    book.set_properties({"title": f"{briefing.month_text}整改整治指标与预警", "author": charts.SOURCE_NAME})
    writer = _Writer(book)
    report = briefing.report

    units, headers = _metric_rows(report.level("region"), ("zone", "region", "month"))
    writer.table(book.add_worksheet("地区"), units, headers)
    cells, headers = _metric_rows(report.level("region,project"), ("zone", "region", "project", "month"))
    writer.table(book.add_worksheet("地区×整治项目"), cells, headers)

    flags = report.flags
    warnings = pd.DataFrame(columns=list(WARNING_HEADERS))
    if not flags.empty:
        warnings = flags.assign(
            severity=flags["severity"].map(SEVERITY_LABELS),
            project=flags["project"].where(flags["project"].notna(), "（整体）"),
            month=flags["month"].map(_month_label),
        )
    writer.table(book.add_worksheet("预警"), warnings, WARNING_HEADERS, wrap=("reason",))

    about = book.add_worksheet("说明")
    about.set_column(0, 0, 100)
    lines = [f"{briefing.month_text}整改整治指标与预警", briefing.source, f"导出时间：{dt.datetime.now():%Y-%m-%d %H:%M}", "", *NOTES]
    for row, line in enumerate(lines):
        writer.value(about, row, 0, line)
    book.close()
    return out.getvalue()
