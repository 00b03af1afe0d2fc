"""抽查计划's download buttons: a downloaded plan is an export, and an LQAS plan becomes a round."""

from __future__ import annotations

import streamlit as st

from rectlens import planner
from rectlens.ui import data, signin

NOTICE = "planner_notice"  # session state: what the last download did, said on the next run


def record_download(plan: planner.Plan) -> None:
    """A download button's callback (runs before the rerun that follows the click)."""
    round_id = planner.record_download(data.db_path(), signin.actor(), plan)
    if round_id is not None:
        st.session_state[NOTICE] = f"已登记为第 {round_id} 轮批质量保证抽样：核查结果上传后，在“LQAS 判定结果”中查看各地区是否达标。"


def notice() -> None:
    """Say once what the last download registered."""
    text = st.session_state.pop(NOTICE, None)
    if text:
        st.success(text, icon=":material/task_alt:")
