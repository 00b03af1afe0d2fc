"""地区对比: pass rate against number checked (funnel plot) and a fair ranking."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, views
from rectlens.report import month_report
from rectlens.ui import chrome, data, filters
from rectlens.ui.formats import literal

RANKING_COLUMNS = {
    "shrunk_rank": "排名",
    "region": "地区",
    "zone": "片区",
    "reported_rate": "报告完成率",
    "checked": "抽查数",
    "pass_rate": "抽查通过率",
    "pass_interval": "95%区间",
    "shrunk_pass_rate": "校正通过率",
    "verified_rate": "核实完成率",
    "funnel_label": "漏斗图位置",
    "check_status_label": "样本情况",
}
PERCENT_COLUMNS = ("报告完成率", "抽查通过率", "校正通过率", "核实完成率")

chrome.page_header("地区对比")
chosen = filters.filter_bar(("month", "zone", "project"))
if chosen is not None:
    report = data.load(month_report, chosen.month)
    scope = filters.scope_text(chosen)
    compared, model = views.comparison(report, chosen)
    plot, side = st.columns([3, 2], gap="large")
    with plot:
        st.plotly_chart(
            charts.funnel_plot(compared, model, "抽查通过率漏斗图", scope),
            config=charts.plot_config(f"抽查通过率漏斗图_{scope}"),
            key="funnel",
        )
        st.caption(
            "虚线为95%控制限、点线为99.8%控制限（已按地区间离散程度校正）。抽查数越少，偶然波动越大，控制限越宽；落在下方控制限以外的地区值得关注。"
        )
    with side:
        few = compared[compared["check_status"] != "sufficient"]
        st.subheader("样本不足的地区", anchor=False)
        if few.empty:
            st.success("所有地区抽查均不少于5项", icon=":material/task_alt:")
        else:
            for record in few.to_dict("records"):
                region = literal(record["region"])
                st.markdown(f"- **{region}**：{record['check_status_label']}（抽查 {record['checked']} 项），不参与纸面整改风险判定")
    st.subheader("地区排名", anchor=False)
    st.caption("按“校正通过率”排名：对抽查数少的地区，通过率向所列地区的总体通过率收缩（经验贝叶斯），避免少量抽查造成排名大起大落。")
    table = compared.assign(pass_interval=views.interval_texts(compared["pass_low"], compared["pass_high"]))
    table = views.percent_points(table[list(RANKING_COLUMNS)].rename(columns=RANKING_COLUMNS), PERCENT_COLUMNS)
    percent = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={"排名": st.column_config.NumberColumn(format="%d"), **dict.fromkeys(PERCENT_COLUMNS, percent)},
    )
