"""总览: province-wide reported vs verified (random-draw and all-checks estimates), high-risk units, submissions, top warnings."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, views
from rectlens.flags import pct
from rectlens.report import month_report
from rectlens.ui import chrome, data, filters, warning_list
from rectlens.ui.formats import literal

chrome.page_header("总览")
chosen = filters.filter_bar(("month", "zone", "project"))
if chosen is not None:
    report = data.load(month_report, chosen.month)
    unit_table = data.load(views.units)
    zones = dict(zip(unit_table["region"], unit_table["zone"], strict=True))
    scope = filters.scope_text(chosen)
    head = views.headline(report, chosen)
    sent, expected = views.submission_share(report, unit_table, chosen)
    high_units = views.high_risk_units(report, chosen, zones)

    reported_tile, verified_group, risk_tile, submitted_tile = st.columns([1, 2.3, 1.1, 1])
    if head is not None:
        reported_tile.metric(
            "报告完成率", pct(head["reported_rate"]), border=True, help=f"单位填报：已完成 {head['completed']} / {head['total']} 项"
        )
        # the two estimates of the verified rate side by side, under one heading
        with verified_group.container(border=True, gap="small"):
            st.markdown("核实完成率 :gray[（报告完成率 × 抽查通过率）]")
            random_tile, all_tile = st.columns(2)
            if head["random_checked"] > 0:
                random_tile.metric(
                    "随机抽查",
                    pct(head["random_verified_rate"]),
                    delta=views.short_interval(head["random_verified_low"], head["random_verified_high"]),
                    delta_color="off",
                    delta_arrow="off",
                    help=(
                        f"报告完成率 × 随机抽查通过率（随机抽查 {head['random_checked']} 项，通过 {head['random_passed']} 项）。"
                        "等概率抽取，代表整体：以此为准。"
                    ),
                )
            else:
                random_tile.metric("随机抽查", "暂无", delta="没有随机抽查记录", delta_color="off", delta_arrow="off")
            if head["checked"] > 0:
                all_tile.metric(
                    "全部抽查",
                    pct(head["verified_rate"]),
                    delta=views.short_interval(head["verified_low"], head["verified_high"]),
                    delta_color="off",
                    delta_arrow="off",
                    help=f"报告完成率 × 全部抽查的通过率（抽查 {head['checked']} 项，通过 {head['passed']} 项），含重点核查和复查",
                )
            else:
                all_tile.metric("全部抽查", "暂无", delta="没有抽查记录", delta_color="off", delta_arrow="off")
    risk_tile.metric(
        "高风险预警单位",
        f"{len(high_units)} 个",
        border=True,
        help="本月有高等级预警的单位：" + (literal("、".join(high_units)) if high_units else "无"),
    )
    submitted_tile.metric("本月报送", f"{sent} / {expected}", border=True, help="已报送问题台账或汇总的单位 / 应报送单位")

    units_now = views.unit_rows(report, chosen)
    estimate = views.estimate_for(units_now)
    both = views.both_estimates(units_now)
    which = charts.ESTIMATE_LABELS[estimate]
    if both:
        st.caption(f"两种核实完成率：{views.ESTIMATE_NOTE}")
    elif estimate == views.ALL and head is not None and head["checked"] > 0:
        st.caption("本范围没有随机抽查记录，核实完成率只能按全部抽查（含重点核查、复查）计算，可能偏离真实情况。")

    left, right = st.columns([3, 2], gap="large")
    with left:
        title = f"各地区报告与核实完成率（{which}）"
        st.plotly_chart(
            charts.dumbbell(units_now, title, scope, estimate=estimate, beside=views.ALL if both else None),
            config=charts.plot_config(f"{title}_{scope}"),
            key="dumbbell",
        )
        st.caption(
            f"蓝点为单位报告的完成率，橙色菱形为按{which}通过率折算的核实完成率，横线为95%区间"
            + ("，空心绿菱形为按全部抽查折算的核实完成率" if both else "")
            + "；报告与核实相距越远，纸面整改风险越大。"
        )
    with right:
        st.subheader("主要预警", anchor=False)
        warning_list.top(views.warnings_in_scope(report, chosen, zones), limit=8)

    cells = views.cells(report, chosen)
    if not cells.empty:
        st.plotly_chart(
            charts.gap_heatmap(cells, f"报告与核实差距（{which}）：地区 × 整治项目", scope, estimate=estimate),
            config=charts.plot_config(f"差距热力图_{which}_{scope}"),
            key="heatmap",
        )
