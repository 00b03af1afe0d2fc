"""留痕审计: the audit log for the auditor — filter, check the hash chain, export to Excel."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from rectlens.access import audit
from rectlens.ui import chrome, data, signin

COLUMN_CONFIG = {
    "序号": st.column_config.NumberColumn(width=64, format="%d"),
    "时间": st.column_config.DatetimeColumn(width=150, format="YYYY-MM-DD HH:mm:ss"),
    "账号": st.column_config.TextColumn(width=150),
    "角色": st.column_config.TextColumn(width=90),
    "操作": st.column_config.TextColumn(width=96),
    "对象": st.column_config.TextColumn(width="large"),
    "结果": st.column_config.TextColumn(width=72),
    "说明": st.column_config.TextColumn(width="large"),
}


def main() -> None:
    chrome.page_header("留痕审计", "登录、上传、替换、恢复、撤回、审核、导出、地区表和账号变更逐条记录；每条带前一条的哈希，改动可查出。")
    check = data.load(audit.verify)
    (st.success if check.intact else st.error)(check.message, icon=":material/verified:" if check.intact else ":material/gpp_bad:")
    today = dt.date.today()
    dates, accounts_filter, actions_filter, outcomes_filter = st.columns([2, 2, 2, 1])
    chosen = dates.date_input("日期范围", (today - dt.timedelta(days=30), today), format="YYYY-MM-DD", key="audit_dates")
    date_from, date_to = chosen if isinstance(chosen, tuple) and len(chosen) == 2 else (None, None)
    table = data.load(audit.entries, date_from, date_to)
    accounts = accounts_filter.multiselect("账号", sorted(table["account"].unique()), placeholder="全部账号", key="audit_accounts")
    actions = actions_filter.multiselect("操作", sorted(table["action_label"].unique()), placeholder="全部操作", key="audit_actions")
    outcomes = outcomes_filter.multiselect("结果", sorted(table["outcome_label"].unique()), placeholder="全部", key="audit_outcomes")
    shown = table
    for column, wanted in (("account", accounts), ("action_label", actions), ("outcome_label", outcomes)):
        if wanted:
            shown = shown[shown[column].isin(wanted)]
    st.caption(f"共 {len(shown)} 条记录（{date_from or '最早'} 至 {date_to or '今天'}）")
    view = shown[list(audit.EXPORT_COLUMNS)].rename(columns=audit.EXPORT_COLUMNS).drop(columns=["哈希"])
    view = view.fillna({"对象": "", "说明": ""})
    st.dataframe(view, hide_index=True, width="stretch", column_config=COLUMN_CONFIG, height=min(38 + 35 * len(view), 600))
    st.download_button(
        "导出 Excel",
        data=audit.workbook(shown),
        file_name=f"留痕_{date_from or ''}_{date_to or ''}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click=signin.record_export,
        args=(f"留痕（{date_from} 至 {date_to}，{len(shown)} 条）",),
        type="primary",
        key="audit_download",
    )


main()
