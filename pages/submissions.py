"""报送情况: who has and has not submitted each month, and every upload ever made."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rectlens import submissions
from rectlens.access import reviews
from rectlens.access.permissions import allowed
from rectlens.access.roles import REVIEW
from rectlens.ui import chrome, data, signin, submission_grid
from rectlens.ui.formats import EMPTY, UPLOAD_HISTORY_COLUMNS, literal, month_label, timestamp

GRID_MONTHS = 12  # months shown in the grid, ending with the chosen month

# The upload history without the uploader's unit, which this overview leaves to the 数据上传 page.
HISTORY_COLUMNS = {key: label for key, label in UPLOAD_HISTORY_COLUMNS.items() if key != "uploader_unit"}
HISTORY_COLUMN_CONFIG = {
    "上传编号": st.column_config.NumberColumn(width=72, format="%d"),
    "状态": st.column_config.TextColumn(width=72),
    "地区": st.column_config.TextColumn(width=80),
    "报送月份": st.column_config.TextColumn(width=92),
    "类别": st.column_config.TextColumn(width=80),
    "文件": st.column_config.TextColumn(width=220),
    "行数": st.column_config.NumberColumn(width=56),
    "上传时间": st.column_config.TextColumn(width=128),
    "上传人": st.column_config.TextColumn(width=120),
    "审核": st.column_config.TextColumn(width=64),
}
REVIEW_FLASH = "review_flash"


def show_month_counts(counts: submissions.MonthCounts) -> None:
    label = month_label(counts.month)
    expected, complete, partial, missing = st.columns(4)
    expected.metric("应报送单位", counts.expected, border=True)
    complete.metric("台账和汇总齐全", counts.complete, border=True)
    partial.metric("只报送了一部分", counts.partial, border=True, help="只有问题台账或只有汇总")
    missing.metric("未报送", counts.missing, border=True)
    if counts.missing_units:
        st.warning(f"{label}未报送（{counts.missing} 个）：{literal('、'.join(counts.missing_units))}", icon=":material/report:")
    else:
        st.success(f"{label}所有单位均已报送", icon=":material/task_alt:")


def show_grid(cells: pd.DataFrame, all_months: list[str], chosen: str) -> None:
    shown = submissions.months_up_to(all_months, chosen, GRID_MONTHS)
    st.subheader("各单位逐月报送情况", anchor=False)
    earlier = len(all_months) - len(shown)
    note = f"（显示截至所选月份的最近 {GRID_MONTHS} 个月，更早的 {earlier} 个月未显示）" if earlier else ""
    st.caption("每格显示该单位该月生效的问题台账和汇总" + note)
    st.html(submission_grid.legend_html())
    st.table(submission_grid.styled(submissions.wide(cells, shown)), hide_index=True)


def show_review_grid(cells: pd.DataFrame, history: pd.DataFrame, all_months: list[str], chosen: str) -> None:
    shown = submissions.months_up_to(all_months, chosen, GRID_MONTHS)
    st.subheader("专班审核情况", anchor=False)
    st.caption("每格为该单位该月生效的问题台账和汇总的审核结果：一份被退回即“已退回”，全部通过为“已通过”，否则“待审核”；“—”为未报送")
    review_cells = submissions.review_cells(cells, history)
    st.table(submission_grid.styled(submissions.wide(review_cells, shown), submission_grid.REVIEW_STYLES), hide_index=True)


def submit_review(upload_id: int, decision: str) -> None:
    reason = st.session_state.get("review_reason", "")
    try:
        reviews.review(data.db_path(), signin.actor(), upload_id, decision, reason)
    except (reviews.ReviewError, PermissionError, LookupError) as exc:
        st.session_state[REVIEW_FLASH] = (False, str(exc))
        return
    st.session_state[REVIEW_FLASH] = (True, f"上传 #{upload_id} 已{reviews.DECISION_LABELS[decision]}")
    st.session_state["review_reason"] = ""


def show_review_panel(history: pd.DataFrame, chosen: str) -> None:
    """专班 marks the active reports 通过 or 退回 (a reason is required to return)."""
    st.subheader("审核上传", anchor=False)
    flash = st.session_state.pop(REVIEW_FLASH, None)
    if flash is not None:
        ok, message = flash
        (st.success if ok else st.error)(literal(message), icon=":material/rate_review:")
    waiting = history[(history["review"] != "") & (history["month"] == chosen)]
    waiting = waiting.assign(pending_first=(waiting["review"] != reviews.PENDING_LABEL)).sort_values(["pending_first", "upload_id"])
    if waiting.empty:
        st.caption("所选月份没有需要审核的问题台账或汇总。")
        return
    records = {int(record["upload_id"]): record for _index, record in waiting.iterrows()}
    picked = st.selectbox(
        "选择上传（待审核的排在前面）",
        list(records),
        format_func=lambda upload_id: (
            f"#{upload_id} {records[upload_id]['region']} {records[upload_id]['kind_label']}"
            f"「{records[upload_id]['file_name']}」（{records[upload_id]['review']}）"
        ),
        key="review_pick",
    )
    record = records[picked]
    if record["review"] != reviews.PENDING_LABEL:
        reason = f"；理由：{literal(record['reason'])}" if isinstance(record["reason"], str) else ""
        st.caption(f"最近一次审核：{record['review']}，{literal(record['reviewer'])}，{timestamp(record['reviewed_at'])}{reason}")
    st.text_area("退回理由（退回时必填，单位登录后和在上传页面会看到）", key="review_reason", max_chars=500, height=80)
    approve, send_back, _rest = st.columns([1, 1, 4])
    approve.button("通过", type="primary", icon=":material/check:", on_click=submit_review, args=(picked, reviews.APPROVED))
    send_back.button("退回", icon=":material/assignment_return:", on_click=submit_review, args=(picked, reviews.RETURNED))


def show_history(history: pd.DataFrame, cells: pd.DataFrame) -> None:
    st.subheader("上传历史", anchor=False)
    st.caption("包括已被更正版本替换和已撤回的上传；专班可在“数据上传”页恢复或撤回（命令行 restore / withdraw 亦可）")
    unit_filter, state_filter = st.columns([2, 1])
    units = unit_filter.multiselect("单位", submissions.unit_choices(cells, history), placeholder="全部单位", key="history_units")
    states = state_filter.multiselect("状态", list(submissions.STATE_ORDER), placeholder="全部状态", key="history_states")
    chosen = submissions.filter_history(history, units, states)
    shown = chosen.assign(
        region=chosen["region"].fillna(EMPTY),
        month=chosen["month"].map(lambda m: month_label(m) if isinstance(m, str) else EMPTY),
        received_at=chosen["received_at"].map(timestamp),
        uploader=chosen["uploader"].fillna(EMPTY),
    )[[*HISTORY_COLUMNS, "review"]].rename(columns={**HISTORY_COLUMNS, "review": "审核"})
    st.caption(f"共 {len(chosen)} 条上传记录" + ("（已筛选）" if units or states else ""))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=HISTORY_COLUMN_CONFIG)


def main() -> None:
    history = data.load(submissions.reviewed_history)
    as_of = submissions.as_of(history)
    chrome.page_header("报送情况", f"数据截至 {timestamp(as_of)}（最近一次上传）" if as_of is not None else None)
    cells = data.load(submissions.grid)
    if cells.empty:
        st.info("还没有任何单位报送问题台账或汇总。报送文件导入后，这里会列出各单位每月的报送情况。", icon=":material/info:")
    else:
        all_months = submissions.months(cells)
        chosen = st.selectbox(
            "报送月份",
            list(reversed(all_months)),
            format_func=month_label,
            key="month",  # the same key, URL parameter and format as the other pages' month filter
            bind="query-params",
            persist_state="session",
            width=240,
        )
        show_month_counts(submissions.month_counts(cells, chosen))
        show_grid(cells, all_months, chosen)
        show_review_grid(cells, history, all_months, chosen)
        if allowed(signin.actor(), REVIEW):
            show_review_panel(history, chosen)
    if not history.empty:
        show_history(history, cells)


main()
