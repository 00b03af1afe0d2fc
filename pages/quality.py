"""清单质量: problems against 规模, copied measures, vague descriptions, where the problems come from."""

from __future__ import annotations

import streamlit as st

from rectlens import charts
from rectlens.quality import report as quality
from rectlens.ui import chrome, data, filters, warning_list

COPIED_COLUMNS = {
    "measures": "整改措施（原文）",
    "items": "使用次数",
    "units": "雷同涉及的地区",
    "copying_units": "使用该措施的地区",
    "projects": "整治项目",
}

chrome.page_header("清单质量")
chosen = filters.filter_bar()
if chosen is not None:
    found = data.load(quality.quality_report, chosen.month)
    scope = filters.scope_text(chosen)
    cells = quality.scoped(found.cells, chosen.zone, chosen.region, chosen.project)
    warnings = quality.scoped(found.flags, None, chosen.region, None)
    if chosen.zone:
        warnings = warnings[warnings["region"].isin(set(found.cells.loc[found.cells["zone"] == chosen.zone, "region"]))]
    if chosen.project:
        warnings = warnings[warnings["project"].isna() | (warnings["project"] == chosen.project)]
    shares = quality.unit_shares(cells)

    few_tile, copied_tile, vague_tile = st.columns(3)
    counts = warnings["code"].value_counts()
    few_tile.metric("查摆不全", f"{counts.get('FEW_PROBLEMS', 0)} 个地区", border=True, help="问题数不足按规模推算数的一半")
    copied_tile.metric(
        "措施雷同",
        f"{int(shares['copied'].sum())} 项",
        border=True,
        help=f"与其他地区的整改措施高度雷同（{counts.get('BOILERPLATE', 0)} 个地区×项目触发预警）",
    )
    vague_tile.metric(
        "描述笼统",
        f"{int(shares['vague'].sum())} 项",
        border=True,
        help=f"问题描述未填写或只有套话（{counts.get('VAGUE', 0)} 个地区×项目触发预警）",
    )

    plot, side = st.columns([3, 2], gap="large")
    with plot:
        sized = quality.scoped(found.scale, chosen.zone, chosen.region)
        funnel = quality.scale_funnel(found.scale)
        marked = set(warnings.loc[warnings["code"] == "FEW_PROBLEMS", "region"])
        st.plotly_chart(
            charts.scale_funnel_plot(funnel, marked, "问题数与规模（漏斗图）", scope.split(" · ")[0] + " · 全部项目"),
            config=charts.plot_config(f"问题数与规模_{scope}"),
            key="scale_funnel",
        )
        st.caption(
            "每个点是一个填写了规模的地区：横轴为规模，纵轴为每万规模的问题数（全部整治项目）；"
            "虚线、点线为按全省总体水平的泊松 95% 和 99.8% 控制限。规模越小，偶然波动越大。"
            "菱形为“查摆不全”：问题数不足按其他地区推算数的一半。"
            + ("（片区、地区筛选只影响右侧和下方，漏斗图始终显示全省。）" if chosen.zone or chosen.region else "")
        )
        if sized.empty:
            st.info("地区表中尚未填写规模，无法推算应查摆的问题数。可在“数据上传”页由专班载入带“规模”列的地区表。", icon=":material/info:")
    with side:
        st.subheader("清单质量预警", anchor=False)
        warning_list.top(warnings.sort_values(["code", "region"]).reset_index(drop=True), limit=6)

    st.plotly_chart(
        charts.share_bars(shares, "措施雷同与描述笼统的占比", scope),
        config=charts.plot_config(f"措施雷同与描述笼统_{scope}"),
        key="share_bars",
    )
    st.caption(
        "措施雷同占比 = 与其他地区某一问题的整改措施高度相似（去标点后字符三元组杰卡德相似度 ≥ 80%）的措施"
        " ÷ 可比对的措施（去标点后不少于 15 字）；描述笼统占比 = 描述未填写或去掉套话后不足 8 字的问题 ÷ 全部问题。"
    )

    mix = quality.scoped(found.mix, chosen.zone, chosen.region, chosen.project)
    mixes = (
        (
            "source",
            quality.SOURCE_CLASSES,
            "问题来源构成",
            "与“全省”一行对比：问题几乎都来自自查自纠、少有信访举报和巡视巡察的地区，清单可能没有把外部发现的问题列全。",
        ),
        ("root_cause", quality.ROOT_CLASSES, "根源类别构成", "“未分类”为台账未填写根源类别的问题。"),
    )
    for column, (by, classes, title, note) in zip(st.columns(2, gap="large"), mixes, strict=True):
        with column:
            st.plotly_chart(
                charts.mix_bars(quality.mix_shares(mix, by, classes), by, classes, title, scope),
                config=charts.plot_config(f"{title}_{scope}"),
                key=f"{by}_mix",
            )
            st.caption(note)

    st.subheader("被照搬最多的整改措施", anchor=False)
    copied = found.copied_texts
    if chosen.region:
        copied = copied[[chosen.region in units for units in copied["units"]]]
    if copied.empty:
        st.success("所选月份没有与其他地区雷同的整改措施", icon=":material/task_alt:")
    else:
        table = copied.assign(
            units=["、".join(units) for units in copied["units"]],
            copying_units=["、".join(units) for units in copied["copying_units"]],
            projects=["、".join(charts.short_project(p) for p in projects) for projects in copied["projects"]],
        )
        st.dataframe(  # a dataframe shows cell text as typed (no markdown)
            table[list(COPIED_COLUMNS)].rename(columns=COPIED_COLUMNS),
            hide_index=True,
            width="stretch",
            column_config={"整改措施（原文）": st.column_config.TextColumn(width="large")},
        )
        st.caption("同一措施（去标点后相同）合并为一行；“雷同涉及的地区”含与之雷同的另一方。逐条对照见“预警”页“措施雷同”的依据。")
