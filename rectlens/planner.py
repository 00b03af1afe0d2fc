"""抽查计划: which completed items to check next.

Two lists, because they answer different questions:
- 重点核查 (targeted): items ranked by risk — the unit x project's warnings
  (risk score), its shrunk pass rate, and the item's own signs (no evidence,
  closed in the month's last days, odd dates).
- 随机抽查 (random): a seeded simple random sample of the same candidates,
  so that pass rates estimated from random draws stay unbiased.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from rectlens import config, domain, risk, stats
from rectlens.cells import set_value
from rectlens.metrics import staged_frame
from rectlens.report import MonthReport

ITEM_WEIGHTS = {"no_evidence": 2.0, "month_end_rush": 1.5, "odd_date": 1.0, "completed_this_month": 0.5}
SIGN_LABELS = {"no_evidence": "无佐证", "month_end_rush": "月末集中销号", "odd_date": "日期异常", "completed_this_month": "本月新销号"}


def candidates(db_path: Path | str, month: dt.date) -> pd.DataFrame:
    """Completed items of the month not checked since their completion."""
    params = {"month": month, **config.thresholds()}
    return staged_frame(db_path, "planner_candidates", params)


def prioritise(items: pd.DataFrame, report: MonthReport) -> pd.DataFrame:
    """Candidates with a risk `priority` and the reasons for it, highest first."""
    if items.empty:
        return items.assign(priority=pd.Series(dtype=float), reasons=pd.Series(dtype=str))
    scores = risk.unit_project_scores(report.flags) if not report.flags.empty else pd.DataFrame(columns=["region", "project", "score"])
    cells = report.level("region,project")[["region", "project", "passed", "checked"]].copy()
    cells["shrunk_pass_rate"] = stats.shrunk_rate(cells["passed"], cells["checked"])
    table = items.merge(scores[["region", "project", "score"]], on=["region", "project"], how="left").merge(
        cells[["region", "project", "shrunk_pass_rate"]], on=["region", "project"], how="left"
    )
    table["score"] = table["score"].fillna(0)
    # Unknown pass rate (nothing checked yet) counts as the middle of the road.
    doubt = 1 - table["shrunk_pass_rate"].fillna(0.5)
    table["priority"] = 1 + table["score"] + 4 * doubt
    for sign, weight in ITEM_WEIGHTS.items():
        table["priority"] += weight * table[sign].fillna(False).astype(float)
    table["reasons"] = [_reasons(record) for record in table.to_dict("records")]
    return table.sort_values(["priority", "region", "item_id"], ascending=[False, True, True], ignore_index=True)


def _reasons(record: dict[str, object]) -> str:
    parts = [label for sign, label in SIGN_LABELS.items() if record.get(sign)]
    if record["score"]:
        parts.append(f"该地区该项目预警 {int(record['score'])} 分")
    rate = record.get("shrunk_pass_rate")
    if isinstance(rate, float) and rate == rate:
        parts.append(f"校正通过率 {rate * 100:.0f}%")
    return "；".join(parts) or "无特别风险"


def random_sample(items: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """A simple random sample (same seed, same draw), for unbiased pass-rate estimates."""
    if items.empty or size <= 0:
        return items.iloc[0:0]
    positions = sorted(random.Random(seed).sample(range(len(items)), min(size, len(items))))
    return items.iloc[positions].reset_index(drop=True)


def check_sheet(plan: pd.DataFrame, sampling: str) -> bytes:
    """The plan as a 核查结果 workbook: staff fill in date, method and result, then upload it."""
    layout = domain.CHECKS_LAYOUT
    book = Workbook()
    sheet = book.active
    sheet.title = layout.title
    sheet.append([column.title for column in layout.columns])
    for row_number, record in enumerate(plan.to_dict("records"), start=2):
        row = {"item_id": record["item_id"], "region": record["region"], "sampling": sampling, "note": record.get("reasons") or None}
        for column_number, column in enumerate(layout.columns, start=1):
            # uploaded text (a 问题编号 such as "=cmd|…") is written as text, never as a formula
            set_value(sheet.cell(row_number, column_number), row.get(column.field))
    for cells in sheet.columns:
        sheet.column_dimensions[cells[0].column_letter].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
