"""预警: every warning of the month, filterable; opening one shows its reason and the rows behind it."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, flags, risk, views
from rectlens.report import month_report
from rectlens.ui import chrome, data, filters, warning_list
from rectlens.ui.formats import literal

TABLE_COLUMNS = {
    "severity_label": "等级",
    "name": "预警",
    "zone": "片区",
    "region": "地区",
    "project_short": "整治项目",
    "reason": "原因",
}

WARNING_WIDTHS = {"等级": 64, "预警": 100, "片区": 56, "地区": 72, "整治项目": 132, "原因": 720}

chrome.page_header("预警")
chosen = filters.filter_bar()
if chosen is not None:
    report = data.load(month_report, chosen.month)
    unit_table = data.load(views.units)
    zones = dict(zip(unit_table["region"], unit_table["zone"], strict=True))
    table = views.warnings_in_scope(report, chosen, zones)
    codes_column, severity_column = st.columns([3, 2])
    codes = codes_column.multiselect(
        "预警类型", list(flags.FLAG_NAMES), format_func=flags.FLAG_NAMES.get, placeholder="全部类型", key="codes"
    )
    severities = severity_column.multiselect(
        "等级", ["high", "medium", "low"], format_func=charts.severity_badge, placeholder="全部等级", key="severities"
    )
    if codes:
        table = table[table["code"].isin(codes)]
    if severities:
        table = table[table["severity"].isin(severities)]
    table = table.reset_index(drop=True)
    st.caption(f"{literal(filters.scope_text(chosen))}：共 {len(table)} 条预警，点击一行查看依据")
    if table.empty:
        st.success("所选范围暂无预警", icon=":material/task_alt:")
    else:
        shown = table.assign(
            severity_label=table["severity"].map(charts.severity_badge),
            project_short=table["project"].map(lambda p: views.project_label(p, "（整体）")),
        )[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
        keys = [warning_list.flag_key(c, r, p) for c, r, p in zip(table["code"], table["region"], table["project"], strict=True)]
        wanted = st.query_params.get("flag")
        default_rows = [keys.index(wanted)] if wanted in keys else []
        selection = st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="flag_table",
            selection_default={"selection": {"rows": default_rows, "columns": []}} if default_rows else None,
            # widths in pixels: the short columns as narrow as their contents, the rest for the reason
            column_config={name: st.column_config.TextColumn(width=width) for name, width in WARNING_WIDTHS.items()},
        )
        rows = selection.selection.rows if selection else []
        if rows:
            record = table.iloc[rows[0]]
            st.query_params["flag"] = keys[rows[0]]
            project = views.project_label(record["project"])
            region = literal(record["region"])
            st.subheader(f"{charts.severity_badge(record['severity'])}｜{record['name']}：{region} · {project}", anchor=False)
            st.markdown(literal(record["reason"]))  # the reason quotes problem ids and other uploaded text
            evidence = data.load(flags.rows_behind, record["code"], record["region"], record["project"], record["month"])
            if not evidence:
                st.info("该单位本月没有报送问题台账，可在“报送情况”页面查看其上传历史。", icon=":material/info:")
            for label, rows_table in evidence.items():
                st.markdown(f"**{label}**（{len(rows_table)} 行；文件、工作表和 Excel 行号指向原始单元格）")
                st.dataframe(
                    views.evidence_rows(rows_table),
                    hide_index=True,
                    width="stretch",
                    placeholder="—",
                    column_config=dict.fromkeys(views.EVIDENCE_PERCENT, st.column_config.NumberColumn(format="%.1f%%")),
                )
    st.subheader("风险评分", anchor=False)
    st.caption("高等级预警 3 分、中等级 2 分、低等级 1 分，按地区累加。展开可查看构成。")
    scores = risk.unit_scores(table) if not table.empty else risk.unit_scores(report.flags.iloc[0:0])
    for record in scores.to_dict("records"):
        counts = f"高 {record['high']} · 中 {record['medium']} · 低 {record['low']}"
        label = f"第 {record['rank']} 名　{literal(record['region'])}　{record['score']} 分（{counts}）"
        with st.expander(label):
            parts = risk.warnings_of(table, record["region"])
            st.dataframe(
                parts.assign(
                    project=parts["project"].map(lambda p: views.project_label(p, "（整体）")),
                    severity=parts["severity"].map(charts.severity_badge),
                )[["name", "severity", "project", "points", "reason"]].rename(
                    columns={"name": "预警", "severity": "等级", "project": "整治项目", "points": "分值", "reason": "原因"}
                ),
                hide_index=True,
                width="stretch",
                column_config={"原因": st.column_config.TextColumn(width="large")},
            )
