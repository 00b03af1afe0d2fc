"""The filter bar (month, zone, unit, project), kept in the URL so a view can be shared.

Each widget is bound to a query parameter of the same name (`month`,
`zone`, `unit`, `project`) and keeps its value when the user switches
pages. Values in the URL are what users see: `?month=2026年10月&zone=南片&project=微腐败`
(Streamlit writes a bound selectbox's label, as on the 报送情况 page); a link
written by hand or by a script as `?month=2026-10` opens that month too.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from rectlens import domain, views
from rectlens.ui import data
from rectlens.ui.formats import month_label

ALL_ZONES = "全部片区"
ALL_UNITS = "全部地区"
ALL_PROJECTS = "全部项目"
PROJECT_BY_SHORT = {short: full for full, short in domain.PROJECT_SHORT.items()}
FIELDS = ("month", "zone", "unit", "project")


def month_key(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def _accept_month_key(options: list[str]) -> None:
    """Open `?month=2026-09` at that month: Streamlit only understands the label (2026年9月) and would drop it."""
    wanted = st.query_params.get("month")
    if wanted in options and st.session_state.get("month") != wanted:
        st.session_state["month"] = wanted


def _choose(label: str, options: list[str], key: str, column: st.delta_generator.DeltaGenerator) -> str:
    return column.selectbox(label, options, key=key, bind="query-params", persist_state="session")


def filter_bar(show: tuple[str, ...] = FIELDS) -> views.Filters | None:
    """Draw the filters; None (with a notice) when there is no data at all."""
    months = data.load(views.report_months)
    if not months:
        st.info("还没有任何单位报送问题台账或汇总。请先在“数据上传”页面或用命令行导入报送文件。", icon=":material/info:")
        return None
    unit_table = data.load(views.units)
    columns = st.columns(len(show))
    chosen: dict[str, str | None] = {}
    for column, name in zip(columns, show, strict=True):
        if name == "month":
            options = [month_key(m) for m in months]
            _accept_month_key(options)
            chosen["month"] = column.selectbox(
                "报送月份", options, format_func=month_label, key="month", bind="query-params", persist_state="session"
            )
        elif name == "zone":
            zones = [z for z in dict.fromkeys(unit_table["zone"].dropna())]
            chosen["zone"] = _choose("片区", [ALL_ZONES, *zones], "zone", column) if zones else ALL_ZONES
        elif name == "unit":
            zone = chosen.get("zone")
            in_zone = unit_table if zone in (None, ALL_ZONES) else unit_table[unit_table["zone"] == zone]
            chosen["unit"] = _choose("地区", [ALL_UNITS, *in_zone["region"]], "unit", column)
        elif name == "project":
            chosen["project"] = _choose("整治项目", [ALL_PROJECTS, *PROJECT_BY_SHORT], "project", column)
    month_text = chosen.get("month") or month_key(months[0])
    year, number = month_text.split("-")
    return views.Filters(
        month=dt.date(int(year), int(number), 1),
        zone=None if chosen.get("zone") in (None, ALL_ZONES) else chosen["zone"],
        region=None if chosen.get("unit") in (None, ALL_UNITS) else chosen["unit"],
        project=PROJECT_BY_SHORT.get(chosen.get("project") or ""),
    )


def scope_text(filters: views.Filters) -> str:
    """'2026年10月 · 南片 · 微腐败' for titles and captions."""
    parts = [month_label(month_key(filters.month))]
    if filters.region:
        parts.append(filters.region)
    elif filters.zone:
        parts.append(filters.zone)
    else:
        parts.append("全省")
    if filters.project:
        parts.append(domain.PROJECT_SHORT[filters.project])
    return " · ".join(parts)
