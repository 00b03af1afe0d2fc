"""地区对比: pass rate against number checked (funnel plot) and a fair ranking, from the random draws where there are any."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, views
from rectlens.report import month_report
from rectlens.ui import chrome, data, filters
from rectlens.ui.formats import literal

chrome.page_header("地区对比")
chosen = filters.filter_bar(("month", "zone", "project"))
if chosen is not None:
    report = data.load(month_report, chosen.month)
    scope = filters.scope_text(chosen)
    in_scope = views.unit_rows(report, chosen)
    estimate = views.estimate_for(in_scope)
    both = views.both_estimates(in_scope)
    which = charts.ESTIMATE_LABELS[estimate]
    compared, model = views.comparison(report, chosen, estimate)
    if both:
        st.caption(f"本页按随机抽查比较各地区，并列出全部抽查的结果。{views.ESTIMATE_NOTE}")
    elif estimate == views.ALL:
        st.caption("本范围没有随机抽查记录，本页按全部抽查（含重点核查、复查）比较，结果可能偏离真实情况。")
    plot, side = st.columns([3, 2], gap="large")
    with plot:
        title = f"{which}通过率漏斗图"
        st.plotly_chart(
            charts.funnel_plot(compared, model, title, scope, estimate=estimate),
            config=charts.plot_config(f"{title}_{scope}"),
            key="funnel",
        )
        st.caption(
            f"横轴为{which}的项数。虚线为95%控制限、点线为99.8%控制限（已按地区间离散程度校正）。"
            "抽查数越少，偶然波动越大，控制限越宽；落在下方控制限以外的地区值得关注。"
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
    st.caption(
        f"按{which}的“校正通过率”排名：对抽查数少的地区，通过率向所列地区的总体通过率收缩（经验贝叶斯），避免少量抽查造成排名大起大落。"
    )
    columns = views.ranking_columns(estimate, both)
    table = compared.assign(
        pass_interval=views.interval_texts(compared["pass_low"], compared["pass_high"]),
        random_interval=views.interval_texts(compared["random_pass_low"], compared["random_pass_high"]),
    )
    table = views.percent_points(table[list(columns)].rename(columns=columns), views.RANKING_PERCENT)
    percent = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={"排名": st.column_config.NumberColumn(format="%d"), **dict.fromkeys(views.RANKING_PERCENT, percent)},
    )
