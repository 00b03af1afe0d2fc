"""问题台账: search the month's problems; one problem's history, checks and evidence."""

from __future__ import annotations

import streamlit as st

from rectlens import charts, domain, items, views
from rectlens.ui import chrome, data, filters
from rectlens.ui.formats import literal, month_label

# What identifies a problem and its state first; the long description last, so a tablet shows the rest.
ITEM_COLUMNS = {
    "region": "地区",
    "item_id": "问题编号",
    "project_short": "整治项目",
    "status": "整改状态",
    "overdue_label": "逾期",
    "deadline": "整改时限",
    "completed_date": "完成日期",
    "county": "县区",
    "evidence": "佐证材料",
    "description": "问题描述",
}

# One problem's months: the source cell right after the state, the long measures text last.
HISTORY_COLUMNS = {
    "month": "月份",
    "status": "整改状态",
    "completed_date": "完成日期",
    "deadline": "整改时限",
    "evidence": "佐证材料",
    "file_name": "文件",
    "sheet": "工作表",
    "excel_row": "行号",
    "measures": "整改措施",
    "upload_id": "上传编号",
}

# An item's texts shown in markdown under the table.
TEXT_FIELDS = ("region", "item_id", "description", "responsible_unit", "source", "root_cause", "measures", "evidence", "file_name", "sheet")

chrome.page_header("问题台账")
chosen = filters.filter_bar()
if chosen is not None:
    search_column, status_column = st.columns([3, 1])
    text = search_column.text_input("搜索", placeholder="问题编号、问题描述、整改措施或责任单位", key="q", bind="query-params")
    status = status_column.selectbox("整改状态", ["全部状态", *domain.STATUSES], key="status", bind="query-params")
    found = data.load(
        items.search,
        chosen.month,
        zone=chosen.zone,
        region=chosen.region,
        project=chosen.project,
        status=None if status == "全部状态" else status,
        text=text or None,
    )
    st.caption(
        f"{literal(filters.scope_text(chosen))}：{len(found)} 个问题" + ("（最多显示 5000 个，请缩小范围）" if len(found) >= 5000 else "")
    )
    if found.empty:
        st.info("没有符合条件的问题。", icon=":material/info:")
    else:
        shown = views.as_dates(
            found.assign(
                project_short=found["project"].map(charts.short_project),
                overdue_label=found["overdue"].map(lambda v: "逾期" if v else ""),
            )[list(ITEM_COLUMNS)]
        ).rename(columns=ITEM_COLUMNS)
        selection = st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            placeholder="—",
            on_select="rerun",
            selection_mode="single-row",
            key="item_table",
            column_config={"问题描述": st.column_config.TextColumn(width="large")},
        )
        rows = selection.selection.rows if selection else []
        if rows:
            item = found.iloc[rows[0]]
            # every text below is the uploader's: shown literally, never read as markdown
            shown_text = {key: literal(item[key]) if isinstance(item[key], str) and item[key] else None for key in TEXT_FIELDS}
            st.subheader(f"{shown_text['region']} · {shown_text['item_id']}", anchor=False)
            st.markdown(f"**{charts.short_project(item['project'])}**　{shown_text['description'] or ''}")
            details, evidence = st.columns(2)
            details.markdown(
                f"- 责任单位：{shown_text['responsible_unit'] or '—'}\n- 问题来源：{shown_text['source'] or '—'}\n"
                f"- 根源类别：{shown_text['root_cause'] or '—'}\n- 整改措施：{shown_text['measures'] or '—'}"
            )
            evidence.markdown(
                f"- 佐证材料：{shown_text['evidence'] or '无'}\n"
                f"- 来源文件：{shown_text['file_name']}（工作表「{shown_text['sheet']}」第 {item['excel_row']} 行）"
            )
            st.markdown("**逐月状态**")
            history = data.load(items.history, item["region"], item["item_id"])
            st.dataframe(
                views.as_dates(history.assign(month=history["month"].map(month_label)))[list(HISTORY_COLUMNS)].rename(
                    columns=HISTORY_COLUMNS
                ),
                hide_index=True,
                width="stretch",
                placeholder="—",
            )
            st.markdown("**核查记录**")
            checks = data.load(items.checks, item["region"], item["item_id"])
            if checks.empty:
                st.caption("该问题尚未被抽查。")
            else:
                st.dataframe(
                    views.as_dates(checks).rename(
                        columns={
                            "check_date": "核查日期",
                            "method": "核查方式",
                            "result": "核查结论",
                            "verdict": "判定",
                            "inspector": "核查人",
                            "sampling": "抽样方式",
                            "note": "备注",
                            "file_name": "文件",
                            "sheet": "工作表",
                            "excel_row": "行号",
                            "upload_id": "上传编号",
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                    placeholder="—",
                )
