"""Five ledger and summary layouts units keep of their own, written with openpyxl as staff fill them in.

Each format writes the same canonical records (`Problem`) in its own headers,
title rows, merged cells and status words; `template_twin` writes the same
records into the template's columns, on the same Excel rows, for comparison.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from workbooks import LEDGER_HEADER, SUMMARY_HEADER


@dataclass(frozen=True)
class Problem:
    item_id: str
    project: str  # short name
    description: str
    status: str  # the unit's own word
    completed: dt.date | None = None
    deadline: Any = None
    responsible: str | None = None
    measures: str | None = None
    county: str | None = None


@dataclass(frozen=True)
class Total:
    project: str
    total: int
    completed: int
    rate: str | None = None


@dataclass
class Format:
    """A unit's own layout: how to write it, and what its mapping is (by column label)."""

    name: str
    unit: str
    kind: str  # ledger or summary
    write: Callable[[Sequence[Any], str], bytes]  # records, month label (2026年10月) -> bytes
    fields: dict[str, str]  # template field -> column label the unit picks
    constants: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)  # the unit's word -> status
    header_rows: int = 1  # rows of its header
    titles: int = 1  # rows above its header


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_rows(ws: Any, start: int, rows: Sequence[Sequence[Any]]) -> None:
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(start + offset, col, value)


# --- 1 江城市: a title, two header rows (整改情况 over 整改进展 / 完成时间), no 地区 column --------------


def jiangcheng(records: Sequence[Problem], month: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "整改台账"
    ws.cell(1, 1, f"江城市纪委监委整改整治问题清单（{month}）")
    ws.merge_cells("A1:I1")
    top = ["序号", "编号", "问题类别", "存在问题", "责任部门", "责任领导", "完成时限", "整改情况", None]
    _write_rows(ws, 2, [top, [None] * 7 + ["整改进展", "完成时间"]])
    for col in "ABCDEFG":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("H2:I2")
    rows = [
        [n, r.item_id, r.project, r.description, r.responsible, "张副局长", r.deadline, r.status, r.completed]
        for n, r in enumerate(records, start=1)
    ]
    _write_rows(ws, 4, rows)
    ws.cell(4 + len(rows), 1, "注：整改进展按实际情况填写。")
    ws.merge_cells(start_row=4 + len(rows), start_column=1, end_row=4 + len(rows), end_column=9)
    return _save(book)


JIANGCHENG = Format(
    "江城市原有台账",
    "江城市",
    "ledger",
    jiangcheng,
    {
        "item_id": "编号",
        "project": "问题类别",
        "description": "存在问题",
        "responsible_unit": "责任部门",
        "deadline": "完成时限",
        "status": "整改情况·整改进展",
        "completed_date": "整改情况·完成时间",
    },
    constants={"region": "江城市"},
    statuses={"基本完成": "已完成", "立行立改": "已完成", "长期坚持": "推进中"},
    header_rows=2,
    titles=1,
)


# --- 2 山阳市: one header row, 单位 and 所在县区 columns, 完成情况 / 销号时间 ------------------------------


def shanyang(records: Sequence[Problem], month: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "问题台账"
    ws.cell(1, 1, f"山阳市问题整改落实情况台账（{month}）")
    ws.merge_cells("A1:H1")
    ws.cell(2, 1, "填报单位：山阳市纪委监委")
    ws.cell(2, 6, "填报日期：2026年11月2日")
    _write_rows(ws, 3, [["问题编号", "单位", "所在县区", "存在问题", "问题类别", "牵头部门", "完成情况", "销号时间"]])
    rows = [[r.item_id, "山阳市", r.county, r.description, r.project, r.responsible, r.status, r.completed] for r in records]
    _write_rows(ws, 4, rows)
    return _save(book)


SHANYANG = Format(
    "山阳市台账格式",
    "山阳市",
    "ledger",
    shanyang,
    {
        "item_id": "问题编号",
        "region": "单位",
        "county": "所在县区",
        "description": "存在问题",
        "project": "问题类别",
        "responsible_unit": "牵头部门",
        "status": "完成情况",
        "completed_date": "销号时间",
    },
    statuses={"基本完成": "推进中"},
    titles=2,
)


# --- 3 白河: two header rows (销号情况 over 是否销号 / 销号时间), 整改措施, no 地区 --------------------------


def baihe(records: Sequence[Problem], month: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "白河问题台账"
    ws.cell(1, 1, f"白河区整改整治工作台账（{month}）")
    ws.merge_cells("A1:H1")
    top = ["序号", "台账编号", "整治项目", "问题表现", "整改措施", "完成时限", "销号情况", None]
    _write_rows(ws, 2, [top, [None] * 6 + ["是否销号", "销号时间"]])
    for col in "ABCDEF":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("G2:H2")
    rows = [[n, r.item_id, r.project, r.description, r.measures, r.deadline, r.status, r.completed] for n, r in enumerate(records, start=1)]
    _write_rows(ws, 4, rows)
    return _save(book)


BAIHE = Format(
    "白河销号台账",
    "白河",
    "ledger",
    baihe,
    {
        "item_id": "台账编号",
        "project": "整治项目",
        "description": "问题表现",
        "measures": "整改措施",
        "deadline": "完成时限",
        "status": "销号情况·是否销号",
        "completed_date": "销号情况·销号时间",
    },
    constants={"region": "白河"},
    statuses={"立行立改": "已完成", "长期坚持": "推进中", "未销号": "推进中"},
    header_rows=2,
    titles=1,
)


# --- 4 山阳市 (县区 office format): 市州 column, 问题类别, 进展情况 with its own words --------------------


def shanyang_counties(records: Sequence[Problem], month: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws.cell(1, 1, f"山阳市各县区整改问题清单 {month}")
    _write_rows(ws, 2, [["序号", "编号", "市州", "县（市、区）", "问题类别", "存在问题", "整改措施", "进展情况", "完成时间"]])
    rows = [
        [n, r.item_id, "山阳市" if n == 1 else None, r.county, r.project, r.description, r.measures, r.status, r.completed]
        for n, r in enumerate(records, start=1)
    ]
    _write_rows(ws, 3, rows)
    ws.merge_cells(start_row=3, start_column=3, end_row=2 + len(rows), end_column=3)  # 市州 written once for the block
    return _save(book)


SHANYANG_COUNTIES = Format(
    "山阳市县区清单",
    "山阳市",
    "ledger",
    shanyang_counties,
    {
        "item_id": "编号",
        "region": "市州",
        "county": "县（市、区）",
        "project": "问题类别",
        "description": "存在问题",
        "measures": "整改措施",
        "status": "进展情况",
        "completed_date": "完成时间",
    },
    statuses={"基本完成": "已完成", "立行立改": "已完成"},
    titles=1,
)


# --- 5 江城市 summary: 专项 / 问题个数 / 完成个数 / 完成比例 ------------------------------------------------


def jiangcheng_summary(records: Sequence[Total], month: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "进展统计"
    ws.cell(1, 1, f"江城市专项整治进展统计表（{month}）")
    ws.merge_cells("A1:E1")
    _write_rows(ws, 2, [["单位", "专项", "问题个数", "完成个数", "完成比例"]])
    _write_rows(ws, 3, [["江城市", r.project, r.total, r.completed, r.rate] for r in records])
    return _save(book)


JIANGCHENG_SUMMARY = Format(
    "江城市进展统计",
    "江城市",
    "summary",
    jiangcheng_summary,
    {"region": "单位", "project": "专项", "total": "问题个数", "completed": "完成个数", "stated_rate": "完成比例"},
    titles=1,
)

FORMATS: tuple[Format, ...] = (JIANGCHENG, SHANYANG, BAIHE, SHANYANG_COUNTIES, JIANGCHENG_SUMMARY)


# --- the same data typed into the template ------------------------------------------------------------------


LEDGER_FIELDS = ("item_id", "region", "county", "responsible_unit", "project", "source", "description", "root_cause",
                 "measures", "found_date", "deadline", "status", "completed_date", "evidence")  # fmt: skip


def template_twin(fmt: Format, records: Sequence[Any], month: str) -> bytes:
    """The records in the template's columns, statuses in the template's words, data on the same Excel rows."""
    book = Workbook()
    ws = book.active
    ws.title = "问题台账" if fmt.kind == "ledger" else "汇总"
    ws.cell(1, 1, f"{fmt.unit}整改整治（{month}）")
    start = fmt.titles + fmt.header_rows  # the template's one header row sits on the format's last header row
    if fmt.kind == "summary":
        _write_rows(ws, start, [SUMMARY_HEADER])
        _write_rows(ws, start + 1, [[fmt.unit, r.project, r.total, r.completed, r.rate] for r in records])
        return _save(book)
    _write_rows(ws, start, [LEDGER_HEADER])
    rows = []
    for r in records:
        values = {
            "item_id": r.item_id,
            "region": fmt.unit,
            "county": r.county if "county" in fmt.fields else None,
            "responsible_unit": r.responsible if "responsible_unit" in fmt.fields else None,
            "project": r.project,
            "description": r.description,
            "measures": r.measures if "measures" in fmt.fields else None,
            "deadline": r.deadline if "deadline" in fmt.fields else None,
            "status": fmt.statuses.get(r.status, r.status),
            "completed_date": r.completed,
        }
        rows.append([values.get(name) for name in LEDGER_FIELDS])
    _write_rows(ws, start + 1, rows)
    return _save(book)


def october(fmt: Format) -> list[Any]:
    if fmt.kind == "summary":
        return [Total("违规吃喝", 12, 10, "83.3%"), Total("营商环境", 8, 8, "100%")]
    county = {"山阳市": "北岭县", "江城市": "临江县"}.get(fmt.unit)
    words = list(fmt.statuses) or ["已完成"]
    last_done = fmt.statuses.get(words[-1]) == "已完成"
    return [
        Problem("01", "违规吃喝", "公务接待超标准，接待清单不全", words[0], dt.date(2026, 10, 12), dt.date(2026, 11, 30),
                "市商务局", "制定接待清单并公开", county),
        Problem("02", "营商环境", "审批环节多，群众反映办事难", "推进中", None, "长期坚持", "市住建局", "压减审批环节", county),
        Problem("03", "微腐败", "村务公开不及时", words[-1], dt.date(2026, 10, 20) if last_done else None, dt.date(2026, 12, 31),
                "县民政局", "每月公开村务", county),
        Problem("04", "形式主义官僚主义", "文山会海，基层填表多", "已完成", dt.date(2026, 10, 28), dt.date(2026, 10, 31),
                "市委办", "精简文件会议", county),
    ]  # fmt: skip


def november(fmt: Format) -> list[Any]:
    """The next month: the same header, one more problem, one more done."""
    if fmt.kind == "summary":
        return [Total("违规吃喝", 12, 12, "100%"), Total("营商环境", 9, 8, "88.9%")]
    records = october(fmt)
    second = records[1]
    records[1] = Problem(second.item_id, second.project, second.description, "已完成", dt.date(2026, 11, 5), "长期坚持",
                         second.responsible, second.measures, second.county)  # fmt: skip
    added = Problem("05", "违规吃喝", "违规收受礼品", "推进中", None, dt.date(2027, 1, 31), "市财政局", "开展专项检查", second.county)
    records.append(added)
    return records
