"""抽查计划: a risk-ranked list of completed items to check next, and a random draw."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, planner
from rectlens.report import month_report
from rectlens.ui import chrome, data, filters, signin
from rectlens.ui.formats import literal

PLAN_COLUMNS = {
    "priority": "风险分",
    "region": "地区",
    "item_id": "问题编号",
    "project_short": "整治项目",
    "county": "县区",
    "description": "问题描述",
    "completed_date": "完成日期",
    "reasons": "列入理由",
}

chrome.page_header("抽查计划")
chosen = filters.filter_bar()
if chosen is not None:
    report = data.load(month_report, chosen.month)
    items = data.load(planner.candidates, chosen.month)
    if chosen.zone:
        items = items[items["zone"] == chosen.zone]
    if chosen.region:
        items = items[items["region"] == chosen.region]
    if chosen.project:
        items = items[items["project"] == chosen.project]
    ranked = planner.prioritise(items, report)
    st.caption(
        f"{literal(filters.scope_text(chosen))}：已报完成、且完成后尚未被抽查的问题 {len(ranked)} 个。"
        "“重点核查”按风险排序；“随机抽查”是等概率随机抽样，用于无偏地估计通过率，两者应分开记录抽样方式。"
    )
    size_column, seed_column = st.columns(2)
    size = size_column.number_input("抽查数量", min_value=1, max_value=500, value=30, step=5, key="plan_size")
    seed = seed_column.number_input("随机种子（同一种子抽到同一批问题，便于复核）", min_value=1, value=2026, step=1, key="plan_seed")
    targeted_tab, random_tab = st.tabs(["重点核查（按风险）", "随机抽查"])
    for tab, plan, sampling in (
        (targeted_tab, ranked.head(int(size)), "重点核查"),
        (random_tab, planner.random_sample(ranked, int(size), int(seed)), "随机抽查"),
    ):
        with tab:
            if plan.empty:
                st.info("所选范围内没有待抽查的问题。", icon=":material/info:")
                continue
            shown = plan.assign(project_short=plan["project"].map(charts.short_project))[list(PLAN_COLUMNS)]
            st.dataframe(
                shown.rename(columns=PLAN_COLUMNS),
                hide_index=True,
                width="stretch",
                column_config={
                    "风险分": st.column_config.NumberColumn(format="%.1f"),
                    "完成日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "问题描述": st.column_config.TextColumn(width="medium"),
                    "列入理由": st.column_config.TextColumn(width="large"),
                },
            )
            st.download_button(
                f"下载{sampling}清单（核查结果表，填好后可直接上传）",
                planner.check_sheet(plan, sampling),
                file_name=f"抽查计划_{sampling}_{filters.month_key(chosen.month)}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                icon=":material/download:",
                key=f"download_{sampling}",
                on_click=signin.record_export,
                args=(f"抽查计划（{sampling}，{len(plan)} 项）",),
            )
