"""报送情况: who has and has not submitted each month, and every upload ever made."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rectlens import submissions
from rectlens.ui import chrome, data, submission_grid
from rectlens.ui.formats import EMPTY, UPLOAD_HISTORY_COLUMNS, month_label, timestamp

GRID_MONTHS = 12  # months shown in the grid, ending with the chosen month

# The upload history without the uploader's unit, which this overview leaves to the 数据上传 page.
HISTORY_COLUMNS = {key: label for key, label in UPLOAD_HISTORY_COLUMNS.items() if key != "uploader_unit"}
HISTORY_COLUMN_CONFIG = {
    "上传编号": st.column_config.NumberColumn(width=72, format="%d"),
    "状态": st.column_config.TextColumn(width=72),
    "地区": st.column_config.TextColumn(width=80),
    "报送月份": st.column_config.TextColumn(width=92),
    "类别": st.column_config.TextColumn(width=80),
    "文件": st.column_config.TextColumn(width=220),
    "行数": st.column_config.NumberColumn(width=56),
    "上传时间": st.column_config.TextColumn(width=128),
    "上传人": st.column_config.TextColumn(width=80),
}


def show_month_counts(counts: submissions.MonthCounts) -> None:
    label = month_label(counts.month)
    expected, complete, partial, missing = st.columns(4)
    expected.metric("应报送单位", counts.expected, border=True)
    complete.metric("台账和汇总齐全", counts.complete, border=True)
    partial.metric("只报送了一部分", counts.partial, border=True, help="只有问题台账或只有汇总")
    missing.metric("未报送", counts.missing, border=True)
    if counts.missing_units:
        st.warning(f"{label}未报送（{counts.missing} 个）：{'、'.join(counts.missing_units)}", icon=":material/report:")
    else:
        st.success(f"{label}所有单位均已报送", icon=":material/task_alt:")


def show_grid(cells: pd.DataFrame, all_months: list[str], chosen: str) -> None:
    shown = submissions.months_up_to(all_months, chosen, GRID_MONTHS)
    st.subheader("各单位逐月报送情况", anchor=False)
    earlier = len(all_months) - len(shown)
    note = f"（显示截至所选月份的最近 {GRID_MONTHS} 个月，更早的 {earlier} 个月未显示）" if earlier else ""
    st.caption("每格显示该单位该月生效的问题台账和汇总" + note)
    st.html(submission_grid.legend_html())
    st.table(submission_grid.styled(submissions.wide(cells, shown)), hide_index=True)


def show_history(history: pd.DataFrame, cells: pd.DataFrame) -> None:
    st.subheader("上传历史", anchor=False)
    st.caption("包括已被更正版本替换和已撤回的上传；撤回或恢复可用命令行 restore / withdraw")
    unit_filter, state_filter = st.columns([2, 1])
    units = unit_filter.multiselect("单位", submissions.unit_choices(cells, history), placeholder="全部单位", key="history_units")
    states = state_filter.multiselect("状态", list(submissions.STATE_ORDER), placeholder="全部状态", key="history_states")
    chosen = submissions.filter_history(history, units, states)
    shown = chosen.assign(
        region=chosen["region"].fillna(EMPTY),
        month=chosen["month"].map(lambda m: month_label(m) if isinstance(m, str) else EMPTY),
        received_at=chosen["received_at"].map(timestamp),
        uploader=chosen["uploader"].fillna(EMPTY),
    )[list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS)
    st.caption(f"共 {len(chosen)} 条上传记录" + ("（已筛选）" if units or states else ""))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=HISTORY_COLUMN_CONFIG)


def main() -> None:
    history = data.load(submissions.history)
    as_of = submissions.as_of(history)
    chrome.page_header("报送情况", f"数据截至 {timestamp(as_of)}（最近一次上传）" if as_of is not None else None)
    cells = data.load(submissions.grid)
    if cells.empty:
        st.info("还没有任何单位报送问题台账或汇总。报送文件导入后，这里会列出各单位每月的报送情况。", icon=":material/info:")
    else:
        all_months = submissions.months(cells)
        chosen = st.selectbox(
            "报送月份",
            list(reversed(all_months)),
            format_func=month_label,
            key="month",  # the same key, URL parameter and format as the other pages' month filter
            bind="query-params",
            persist_state="session",
            width=240,
        )
        show_month_counts(submissions.month_counts(cells, chosen))
        show_grid(cells, all_months, chosen)
    if not history.empty:
        show_history(history, cells)


main()
