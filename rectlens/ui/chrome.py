"""What every page shows around its content: the 示例数据 badge and the page title."""

from __future__ import annotations

import streamlit as st

from rectlens import demo
from rectlens.ui import data

DEMO_LABEL = "示例数据"
DEMO_NOTE = "当前显示的是虚构的示例数据，地区名称和数字均不真实。"


def showing_demo() -> bool:
    """Whether the dashboard's database is the demo data set (cached per data version)."""
    db = data.db_path()
    return db.exists() and data.load(demo.is_demo)


def sidebar() -> None:
    """The sidebar under the page list: the demo badge when demo data is shown."""
    if showing_demo():
        with st.sidebar:
            st.badge(DEMO_LABEL, icon=":material/science:", color="orange")
            st.caption(DEMO_NOTE)


def page_header(title: str, caption: str | None = None) -> None:
    """The page title, with the demo badge beside it, and an optional caption (e.g. data as-of)."""
    badge = f" :orange-badge[:material/science: {DEMO_LABEL}]" if showing_demo() else ""
    st.title(title + badge, anchor=False)
    if caption:
        st.caption(caption)
