"""趋势: monthly reported rate, verified rate and schedule, with JUMP and RUSH marked."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, views
from rectlens.ui import chrome, data, filters

chrome.page_header("趋势")
chosen = filters.filter_bar()
if chosen is not None:
    series = data.load(views.trend, chosen)
    scope = filters.scope_text(chosen).split(" · ", 1)[-1]  # the chart spans months: the scope without the month
    if series.empty:
        st.info("所选范围在近12个月没有数据。", icon=":material/info:")
    else:
        markers = data.load(views.trend_markers, chosen, list(series["month"]))
        st.plotly_chart(
            charts.trend_chart(series, markers, "完成率逐月走势", f"{scope}，截至{charts.month_text(chosen.month)}"),
            config=charts.plot_config(f"完成率走势_{scope}"),
            key="trend",
        )
        st.caption("灰色虚线为序时进度（已到整改时限的问题占比）；星号为突击整改、叉号为集中销号预警。核实完成率只在当月有抽查时显示。")
        table = series.assign(month=series["month"].map(charts.month_text))[
            ["month", "total", "completed", "reported_rate", "checked", "passed", "verified_rate", "schedule_rate", "overdue"]
        ].rename(
            columns={
                "month": "月份",
                "total": "问题总数",
                "completed": "已完成",
                "reported_rate": "报告完成率",
                "checked": "抽查数",
                "passed": "通过数",
                "verified_rate": "核实完成率",
                "schedule_rate": "序时进度",
                "overdue": "逾期未完成",
            }
        )
        percent_columns = ("报告完成率", "核实完成率", "序时进度")
        st.dataframe(
            views.percent_points(table, percent_columns),
            hide_index=True,
            width="stretch",
            height="content",  # at most twelve months: all of them, without a scroll bar
            placeholder="—",
            column_config=dict.fromkeys(percent_columns, st.column_config.NumberColumn(format="%.1f%%")),
        )
