"""What each dashboard page shows, as plain data (no Streamlit here).

Pages pass the user's filters; these functions pick the rows of the month
report (metrics and warnings) and shape them. Nothing is recomputed here:
every figure comes from the one definition in queries/.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rectlens import charts, domain, stats
from rectlens.flags import evaluate
from rectlens.metrics import analysis, metrics_over, months_with_data, previous_month, staged_frame
from rectlens.report import MonthReport

CHECK_STATUS_LABELS = {"no_checks": "暂无抽查", "insufficient": "抽查不足5项", "sufficient": "样本充足"}
FUNNEL_LABELS = {
    "below_998": "显著偏低（99.8%）",
    "below_95": "偏低（95%）",
    "within": "正常范围",
    "above_95": "偏高（95%）",
    "above_998": "显著偏高（99.8%）",
    "no_checks": "暂无抽查",
}


@dataclass(frozen=True)
class Filters:
    month: dt.date
    zone: str | None = None
    region: str | None = None
    project: str | None = None


def units(db_path: Path | str) -> pd.DataFrame:
    """Reporting units in display order: region, zone, in_master."""
    return staged_frame(db_path, "units_ordered")


def report_months(db_path: Path | str) -> list[dt.date]:
    return months_with_data(db_path)


def _in_scope(table: pd.DataFrame, filters: Filters, use_region: bool = True, use_project: bool = True) -> pd.DataFrame:
    chosen = table
    if filters.zone:
        chosen = chosen[chosen["zone"] == filters.zone]
    if use_region and filters.region:
        chosen = chosen[chosen["region"] == filters.region]
    if use_project and filters.project and "project" in chosen:
        chosen = chosen[chosen["project"] == filters.project]
    return chosen


def unit_rows(report: MonthReport, filters: Filters) -> pd.DataFrame:
    """One row per unit: the whole unit, or one project of it when a project is chosen."""
    if filters.project:
        table = report.level("region,project")
        table = table[table["project"] == filters.project]
    else:
        table = report.level("region")
    return _in_scope(table, filters, use_project=False).reset_index(drop=True)


def headline(report: MonthReport, filters: Filters) -> pd.Series | None:
    """The single row that sums up the current scope (province, zone or unit; all or one project)."""
    if filters.region:
        level = "region,project" if filters.project else "region"
    elif filters.zone:
        level = "zone,project" if filters.project else "zone"
    else:
        level = "project" if filters.project else "province"
    table = report.level(level)
    if filters.region:
        table = table[table["region"] == filters.region]
    elif filters.zone:
        table = table[table["zone"] == filters.zone]
    if filters.project:
        table = table[table["project"] == filters.project]
    return None if table.empty else table.iloc[0]


def cells(report: MonthReport, filters: Filters) -> pd.DataFrame:
    """Unit x project rows in scope (for the gap heat map)."""
    return _in_scope(report.level("region,project"), filters).reset_index(drop=True)


def warnings_in_scope(report: MonthReport, filters: Filters, zones: dict[str, str]) -> pd.DataFrame:
    table = report.flags
    if table.empty:
        return table
    table = table.assign(zone=table["region"].map(zones))
    if filters.zone:
        table = table[table["zone"] == filters.zone]
    if filters.region:
        table = table[table["region"] == filters.region]
    if filters.project:
        table = table[table["project"].isna() | (table["project"] == filters.project)]
    return table.reset_index(drop=True)


def high_risk_units(report: MonthReport, filters: Filters, zones: dict[str, str]) -> list[str]:
    table = warnings_in_scope(report, filters, zones)
    if table.empty:
        return []
    return sorted(set(table.loc[table["severity"] == "high", "region"]))


def submission_share(report: MonthReport, unit_table: pd.DataFrame, filters: Filters) -> tuple[int, int]:
    """(units that sent a ledger or summary for the month, units expected) in scope."""
    expected = unit_table[unit_table["in_master"]] if unit_table["in_master"].any() else unit_table
    if filters.zone:
        expected = expected[expected["zone"] == filters.zone]
    if filters.region:
        expected = expected[expected["region"] == filters.region]
    sent = set(report.level("region")["region"])
    return len(set(expected["region"]) & sent), len(expected)


# Which estimate of the verified rate a page shows, and why the two differ (said once, on every page that shows them).
RANDOM, ALL = charts.RANDOM, charts.ALL
ESTIMATE_NOTE = (
    "“随机抽查”是从已报完成的问题中等概率抽取的，能代表整体，是对真实整改情况的估计；"
    "“全部抽查”还包括重点核查（专挑问题可能多的事项，通过率偏低）和复查（多为已返工的事项，通过率偏高），"
    "样本更多但有偏。两者不一致时，以随机抽查为准。"
)


def estimate_for(table: pd.DataFrame) -> str:
    """The random-draw estimate when the rows in scope have random draws, else the one from all checks."""
    return RANDOM if not table.empty and int(table["random_checked"].sum()) > 0 else ALL


def both_estimates(table: pd.DataFrame) -> bool:
    """Whether the rows hold two different estimates: random draws, and checks beyond them (or after them)."""
    if table.empty or int(table["random_checked"].sum()) == 0:
        return False
    sums = table[["checked", "passed", "random_checked", "random_passed"]].sum()
    return (int(sums["checked"]), int(sums["passed"])) != (int(sums["random_checked"]), int(sums["random_passed"]))


def comparison(report: MonthReport, filters: Filters, estimate: str = ALL) -> tuple[pd.DataFrame, stats.Funnel | None]:
    """Per-unit pass rates with Wilson interval, shrunk rate and funnel position, from all checks or the random draws."""
    table = unit_rows(report, filters)
    columns = charts.estimate_columns(estimate)
    compared, model = stats.compare_units(table, columns["passed"], columns["checked"])
    compared["check_status_label"] = compared["check_status"].map(CHECK_STATUS_LABELS)
    compared["funnel_label"] = compared["funnel_position"].map(FUNNEL_LABELS)
    return compared.sort_values(["shrunk_rank", "region"], na_position="last").reset_index(drop=True), model


RANKING_PERCENT = ("报告完成率", "随机抽查通过率", "全部抽查通过率", "校正通过率", "核实完成率（随机抽查）", "核实完成率（全部抽查）")


def ranking_columns(estimate: str, both: bool) -> dict[str, str]:
    """The ranking table's columns: the estimate it ranks by first, the other beside it when there are both."""
    random = {
        "random_checked": "随机抽查数",
        "random_pass_rate": "随机抽查通过率",
        "random_interval": "随机95%区间",
        "random_verified_rate": "核实完成率（随机抽查）",
    }
    everything = {
        "checked": "全部抽查数",
        "pass_rate": "全部抽查通过率",
        "pass_interval": "全部95%区间",
        "verified_rate": "核实完成率（全部抽查）",
    }
    first, second = (random, everything) if estimate == RANDOM else (everything, random)
    head = {"shrunk_rank": "排名", "region": "地区", "zone": "片区", "reported_rate": "报告完成率"}
    middle = {**first, "shrunk_pass_rate": "校正通过率"}
    tail = {"funnel_label": "漏斗图位置", "check_status_label": "样本情况"}
    return {**head, **middle, **(second if both else {}), **tail}


def trend(db_path: Path | str, filters: Filters, months: int = 12) -> pd.DataFrame:
    """Monthly metrics of the chosen scope for the months up to `filters.month`."""
    start = (pd.Timestamp(filters.month) - pd.DateOffset(months=months - 1)).date()
    if filters.region:
        level = "region,project" if filters.project else "region"
    elif filters.zone:
        level = "zone,project" if filters.project else "zone"
    else:
        level = "project" if filters.project else "province"
    table = metrics_over(db_path, start, filters.month, [level])
    if filters.region:
        table = table[table["region"] == filters.region]
    elif filters.zone:
        table = table[table["zone"] == filters.zone]
    if filters.project:
        table = table[table["project"] == filters.project]
    return table.sort_values("month").reset_index(drop=True)


def trend_markers(db_path: Path | str, filters: Filters, months: list[dt.date]) -> pd.DataFrame:
    """JUMP and RUSH warnings of the scope in the given months (for chart markers).

    One analysis pass over the whole range, running only the two warning queries per month
    (not a full month report per month).
    """
    columns = ["code", "month", "region", "project", "reason"]
    if not months:
        return pd.DataFrame(columns=columns)
    with analysis(db_path, previous_month(min(months)), max(months)) as con:
        found = [evaluate(con, month, codes=("JUMP", "RUSH")) for month in sorted(months)]
    found = [frame for frame in found if not frame.empty]
    if not found:
        return pd.DataFrame(columns=columns)
    table = pd.concat(found, ignore_index=True)
    if filters.region:
        table = table[table["region"] == filters.region]
    elif filters.zone:
        zone_units = set(units(db_path).query("zone == @filters.zone")["region"])
        table = table[table["region"].isin(zone_units)]
    if filters.project:
        table = table[table["project"] == filters.project]
    return table[columns].reset_index(drop=True)


def interval_texts(low: pd.Series, high: pd.Series) -> list[str]:
    """'87.8%–98.0%' per row, or '—' without checks."""
    return ["—" if pd.isna(lo) or pd.isna(hi) else f"{lo * 100:.1f}%–{hi * 100:.1f}%" for lo, hi in zip(low, high, strict=True)]


def short_interval(low: float, high: float) -> str:
    """'95%区间 64.6–67.9%': an interval short enough for a tile on a tablet."""
    return f"95%区间 {low * 100:.1f}–{high * 100:.1f}%"


def project_label(project: object, whole: str = "整体") -> str:
    """A warning's project by its short name, or `whole` for a warning about the whole unit (None or NaN)."""
    return domain.PROJECT_SHORT.get(project, project) if isinstance(project, str) and project else whole


def percent_points(table: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Rates as percentages (0.807 -> 80.7) for tables that show them with one decimal, as the tiles do."""
    present = [column for column in columns if column in table.columns]
    return table.assign(**{column: table[column] * 100 for column in present})


def as_dates(table: pd.DataFrame) -> pd.DataFrame:
    """Date columns as plain dates: a table shows '2026-05-31', not '2026-05-31 00:00:00'."""
    stamps = [column for column in table.columns if pd.api.types.is_datetime64_any_dtype(table[column])]
    return table.assign(**{column: [None if pd.isna(v) else v.date() for v in table[column]] for column in stamps})


# The rows behind a warning, in Chinese: what identifies a row and the facts the warning rests on, then
# the way back to the source cell (file, sheet, row), then the rest.
EVIDENCE_COLUMNS = {
    "source": "类别",
    "region": "地区",
    "scale": "规模",
    "ledger_total": "台账问题数",
    "per_10k": "每万规模问题数",
    "item_id": "问题编号",
    "project": "整治项目",
    "month": "报送月份",
    "measures": "整改措施",
    "other_region": "雷同地区",
    "other_item_id": "雷同问题编号",
    "other_measures": "雷同地区的整改措施",
    "jaccard": "相似度",
    "description": "问题描述",
    "description_left": "去掉套话后",
    "status": "整改状态",
    "completed_date": "完成日期",
    "check_date": "核查日期",
    "result": "核查结论",
    "verdict": "判定",
    "total": "问题总数（评议为样本数）",
    "completed": "已完成数",
    "stated_rate": "填报完成率",
    "satisfaction": "满意度",
    "deadline": "整改时限",
    "file_name": "文件",
    "sheet": "工作表",
    "excel_row": "行号",
    "evidence": "佐证材料",
    "method": "核查方式",
    "inspector": "核查人",
    "sampling": "抽样方式",
    "found_date": "发现日期",
    "county": "县区",
    "upload_id": "上传编号",
}
EVIDENCE_PERCENT = ("填报完成率", "满意度", "相似度")
# Said once in the warning's heading: a column would repeat it on every row.
SAME_FOR_ALL_ROWS = ("source", "project", "month")


def evidence_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """A table of `flags.rows_behind` for the screen: Chinese headers, short project names, dates without
    times, rates in percent; 类别, 整治项目 and 报送月份 only when they differ between rows."""
    table = as_dates(rows)
    if "project" in table:
        table = table.assign(project=[domain.PROJECT_SHORT.get(p, p) if isinstance(p, str) else None for p in table["project"]])
    table = table.drop(columns=[c for c in SAME_FOR_ALL_ROWS if c in table and table[c].nunique(dropna=False) <= 1])
    if "month" in table:  # '2026-09' as 2026年9月, as everywhere on screen
        table = table.assign(month=[f"{m[:4]}年{int(m[5:7])}月" if isinstance(m, str) else m for m in table["month"]])
    table = table[[column for column in EVIDENCE_COLUMNS if column in table.columns]].rename(columns=EVIDENCE_COLUMNS)
    return percent_points(table, EVIDENCE_PERCENT)
