"""The filter bar (month, zone, unit, project), kept in the URL so a view can be shared.

Each widget is bound to a query parameter of the same name (`month`,
`zone`, `unit`, `project`) and keeps its value when the user switches
pages. Values in the URL are what users see: `?month=2026年10月&zone=南片&project=微腐败`
(Streamlit writes a bound selectbox's label, as on the 报送情况 page); a link
written by hand or by a script as `?month=2026-10` opens that month too. A choice
stays when the user moves to another page that has the same filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rectlens import domain, views
from rectlens.ui import data
from rectlens.ui.formats import month_label

ALL_ZONES = "全部片区"
ALL_UNITS = "全部地区"
ALL_PROJECTS = "全部项目"
PROJECT_BY_SHORT = {short: full for full, short in domain.PROJECT_SHORT.items()}
FIELDS = ("month", "zone", "unit", "project")
REMEMBERED = "filters_remembered"  # session state: the last value of each filter
LAST_PAGE = "filters_last_page"  # session state: the page that last drew the filters


def month_key(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def _arrived() -> bool:
    """Whether this run is the first of a page with filters after another such page (not a rerun of the same page)."""
    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx is not None else ""
    last = st.session_state.get(LAST_PAGE)
    st.session_state[LAST_PAGE] = page
    return last is not None and last != page


def _select(
    column: st.delta_generator.DeltaGenerator,
    label: str,
    options: list[str],
    key: str,
    arrived: bool,
    format_func: Callable[[str], str] = str,
) -> str:
    """A selectbox bound to the URL parameter `key` that keeps its choice from page to page.

    The menu's links carry no query parameters, and a bound widget takes a URL without its
    parameter as a request for the default, so on `arrived` at another page the last choice
    is put back (unless the URL names one).
    """
    remembered: dict[str, str] = st.session_state.setdefault(REMEMBERED, {})
    wanted = st.query_params.get(key)
    if key == "month" and wanted in options and st.session_state.get(key) != wanted:
        # ?month=2026-09: Streamlit only understands the label (2026年9月) and would drop it
        st.session_state[key] = wanted
    elif wanted is None and arrived and remembered.get(key) in options:
        st.session_state[key] = remembered[key]
    value = column.selectbox(label, options, format_func=format_func, key=key, bind="query-params", persist_state="session")
    remembered[key] = value
    return value


def filter_bar(show: tuple[str, ...] = FIELDS) -> views.Filters | None:
    """Draw the filters; None (with a notice) when there is no data at all."""
    months = data.load(views.report_months)
    if not months:
        st.info("还没有任何单位报送问题台账或汇总。请先在“数据上传”页面或用命令行导入报送文件。", icon=":material/info:")
        return None
    unit_table = data.load(views.units)
    columns = st.columns(len(show))
    arrived = _arrived()
    chosen: dict[str, str | None] = {}
    for column, name in zip(columns, show, strict=True):
        if name == "month":
            chosen["month"] = _select(column, "报送月份", [month_key(m) for m in months], "month", arrived, month_label)
        elif name == "zone":
            zones = [z for z in dict.fromkeys(unit_table["zone"].dropna())]
            chosen["zone"] = _select(column, "片区", [ALL_ZONES, *zones], "zone", arrived) if zones else ALL_ZONES
        elif name == "unit":
            zone = chosen.get("zone")
            in_zone = unit_table if zone in (None, ALL_ZONES) else unit_table[unit_table["zone"] == zone]
            chosen["unit"] = _select(column, "地区", [ALL_UNITS, *in_zone["region"]], "unit", arrived)
        elif name == "project":
            chosen["project"] = _select(column, "整治项目", [ALL_PROJECTS, *PROJECT_BY_SHORT], "project", arrived)
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
