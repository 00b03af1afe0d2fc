"""Warnings as a compact list, each linking to its detail on the 预警 page.

A link carries the month as the month filter writes it in the URL (`?month=2026年10月`), so the
address stays shareable after the page opens, and the warning as `flag=CODE|unit|project-short`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rectlens import charts, views
from rectlens.ui.formats import literal, month_label

WARNINGS_PAGE = "pages/warnings.py"


def flag_key(code: str, region: str, project: str | None) -> str:
    """The `flag` query parameter that opens one warning on the 预警 page."""
    return f"{code}|{region}|{views.project_label(project, '')}"


def top(table: pd.DataFrame, limit: int = 8) -> None:
    if table.empty:
        st.success("本月暂无预警", icon=":material/task_alt:")
        return
    for record in table.head(limit).to_dict("records"):
        project = views.project_label(record["project"])
        with st.container(border=True):
            # the unit on a line of its own: in a narrow column it would otherwise break inside a name
            st.markdown(f"**{charts.severity_badge(record['severity'])}｜{record['name']}**  \n{literal(record['region'])} · {project}")
            st.caption(literal(record["reason"]))  # the reason quotes problem ids and other uploaded text
            st.page_link(
                WARNINGS_PAGE,
                label="查看依据",
                icon=":material/arrow_forward:",
                query_params={
                    "month": month_label(f"{record['month']:%Y-%m}"),
                    "flag": flag_key(record["code"], record["region"], record["project"]),
                },
            )
    if len(table) > limit:
        first_month = table.iloc[0]["month"]
        st.caption(f"另有 {len(table) - limit} 条预警，见“预警”页面（{month_label(f'{first_month:%Y-%m}')}）")
