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


# Streamlit leaves 8rem above the content under the top navigation bar (3.75rem high): on a 768-pixel
# tablet screen that is space the overview's tiles and first chart need.
COMPACT_CSS = "<style>[data-testid='stMainBlockContainer'] { padding-top: 4.5rem; }</style>"


def page_header(title: str, caption: str | None = None) -> None:
    """The page title, with the demo badge (and its explanation as the title's tooltip), and an optional caption (e.g. data as-of)."""
    st.html(COMPACT_CSS)
    demo_shown = showing_demo()
    badge = f" :orange-badge[:material/science: {DEMO_LABEL}]" if demo_shown else ""
    st.title(title + badge, anchor=False, help=DEMO_NOTE if demo_shown else None)
    if caption:
        st.caption(caption)
