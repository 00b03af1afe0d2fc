"""抽查计划: the three kinds of plan (重点核查, 随机抽查, LQAS), each downloadable as a 核查结果 sheet, and the LQAS results."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rectlens import charts, config, planner
from rectlens.ui import chrome, data, filters, planning
from rectlens.ui.formats import literal

ITEM_COLUMNS = {
    "region": "地区",
    "item_id": "问题编号",
    "project_short": "整治项目",
    "county": "县区",
    "description": "问题描述",
    "completed_date": "完成日期",
}
TARGETED_COLUMNS = {"priority": "风险分", **ITEM_COLUMNS, "reasons": "列入理由"}
UNIT_COLUMNS = {"region": "地区", "candidates": "待抽查", "n": "抽查数 n", "d": "判定数 d"}
RESULT_COLUMNS = {
    "region": "地区",
    "zone": "片区",
    "planned": "应查 n",
    "checked": "已核查",
    "passed": "通过",
    "d": "判定数 d",
    "status": "判定",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show_items(plan: planner.Plan, columns: dict[str, str], key: str) -> None:
    shown = plan.items.assign(project_short=plan.items["project"].map(charts.short_project))[list(columns)]
    st.dataframe(
        shown.rename(columns=columns),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "风险分": st.column_config.NumberColumn(format="%.1f"),
            "完成日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "问题描述": st.column_config.TextColumn(width="medium"),
            "列入理由": st.column_config.TextColumn(width="large"),
        },
    )


def rules(table: pd.DataFrame) -> None:
    """Each decision rule once, under the table, with the units it applies to."""
    for units, rule in planner.rule_groups(table):
        who = "、".join(units) if len(units) <= 4 else f"{'、'.join(units[:3])}等 {len(units)} 个地区"
        st.caption(f"{literal(who)}：{rule}")


def download(plan: planner.Plan, label: str) -> None:
    st.download_button(
        label,
        planner.check_sheet(plan),
        file_name=plan.file_name(),
        mime=XLSX,
        icon=":material/download:",
        key=f"download_{plan.mode}",
        on_click=planning.record_download,
        args=(plan,),
    )


chrome.page_header("抽查计划")
chosen = filters.filter_bar()
if chosen is not None:
    scope = planner.Scope(chosen.zone, chosen.region, chosen.project)
    design = config.planner()
    month_text = charts.month_text(chosen.month)
    candidates = scope.select(data.load(planner.candidates, chosen.month))
    st.caption(
        f"{literal(filters.scope_text(chosen))}：已报完成、且完成后尚未被抽查的问题 {len(candidates)} 个。"
        "每种计划都可下载为核查结果表（已填好问题编号、地区和抽样方式），填上核查日期和结论后在“数据上传”页原样上传；尚未核查的行请删去后再上传。"
    )
    planning.notice()
    targeted_tab, random_tab, lqas_tab, results_tab = st.tabs(["重点核查", "随机抽查", "批质量保证抽样（LQAS）", "LQAS 判定结果"])

    with targeted_tab:
        st.caption(
            f"按风险排序：所在地区 × 项目的预警、校正通过率，以及无佐证材料、月末最后几天销号等迹象。"
            f"为分散到各处，每个地区 × 项目先最多列入 {design.targeted_cap} 项，各处都列过一轮后再列下一轮。"
            "重点核查专挑问题可能多的事项，其结果不用于估计整体通过率。"
        )
        size = st.number_input("抽查数量", min_value=1, max_value=500, value=planner.DEFAULT_SIZE, step=5, key="plan_size_targeted")
        plan = data.load(planner.make_plan, chosen.month, planner.TARGETED, size=int(size), scope=scope)
        if plan.items.empty:
            st.info("所选范围内没有待抽查的问题。", icon=":material/info:")
        else:
            show_items(plan, TARGETED_COLUMNS, "plan_targeted_table")
            download(plan, f"下载重点核查清单（{len(plan.items)} 项）")

    with random_tab:
        st.caption(
            "每个待抽查的问题被抽中的机会相等，同一随机种子抽到同一批问题，便于复核。"
            "随机抽查的结果能代表整体，是总览、地区对比中“核实完成率（随机抽查）”的依据；请勿替换或增加清单中的问题。"
        )
        size_column, seed_column = st.columns(2)
        size = size_column.number_input("抽查数量", min_value=1, max_value=500, value=planner.DEFAULT_SIZE, step=5, key="plan_size_random")
        seed = seed_column.number_input("随机种子", min_value=1, value=planner.DEFAULT_SEED, step=1, key="plan_seed_random")
        plan = data.load(planner.make_plan, chosen.month, planner.RANDOM, size=int(size), seed=int(seed), scope=scope)
        if plan.items.empty:
            st.info("所选范围内没有待抽查的问题。", icon=":material/info:")
        else:
            show_items(plan, ITEM_COLUMNS, "plan_random_table")
            download(plan, f"下载随机抽查清单（{len(plan.items)} 项）")

    with lqas_tab:
        st.caption(
            f"每个地区随机抽 n 项（不足 n 项的全部列入），通过不少于 d 项判为达标。d 按二项分布计算："
            f"通过率 {design.lqas_p_high:.0%} 的地区被误判为未达标、通过率 {design.lqas_p_low:.0%} 的地区被误判为达标的概率"
            f"都不超过设计值（{design.lqas_alpha:.0%}、{design.lqas_beta:.0%}）。"
            "下载清单即登记为一个抽查轮次，核查结果上传后在“LQAS 判定结果”中判定。"
        )
        n_column, seed_column = st.columns(2)
        n = n_column.number_input("每个地区抽查数 n", min_value=1, max_value=200, value=design.lqas_n, step=1, key="plan_lqas_n")
        seed = seed_column.number_input("随机种子", min_value=1, value=planner.DEFAULT_SEED, step=1, key="plan_seed_lqas")
        plan = data.load(planner.make_plan, chosen.month, planner.LQAS, n=int(n), seed=int(seed), scope=scope)
        if plan.items.empty:
            st.info("所选范围内没有待抽查的问题。", icon=":material/info:")
        else:
            st.dataframe(
                plan.units()[list(UNIT_COLUMNS)].rename(columns=UNIT_COLUMNS),
                hide_index=True,
                width="stretch",
                height="content",  # every unit at once
                key="plan_lqas_units",
            )
            rules(plan.units())
            show_items(plan, ITEM_COLUMNS, "plan_lqas_table")
            download(plan, f"下载 LQAS 抽查清单并登记本轮（{len(plan.items)} 项）")

    with results_tab:
        results = data.load(planner.round_results, chosen.month)
        if chosen.zone:
            results = results[results["zone"] == chosen.zone]
        if chosen.region:
            results = results[results["region"] == chosen.region]
        if results.empty:
            st.info(f"{month_text}还没有登记的 LQAS 抽查轮次：在“批质量保证抽样（LQAS）”中下载清单即登记。", icon=":material/info:")
        for round_id, found in results.groupby("round_id", sort=True):
            first = found.iloc[0]
            counts = found["status"].value_counts()
            summary = "、".join(
                f"{status} {int(counts[status])} 个" for status in ("达标", "未达标", "待完成", "样本过少") if status in counts
            )
            st.subheader(f"第 {round_id} 轮 · {month_text} · {literal(first['scope'])}", anchor=False)
            st.caption(
                f"{literal(first['created_by'])} 于 {first['created_at']:%Y-%m-%d %H:%M} 登记；{summary}。"
                "只计抽样方式为“随机抽查”的核查结果。"
            )
            st.dataframe(
                found[list(RESULT_COLUMNS)].rename(columns=RESULT_COLUMNS),
                hide_index=True,
                width="stretch",
                height="content",
                key=f"lqas_results_{round_id}",
            )
            rules(found)
