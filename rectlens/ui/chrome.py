"""What every page shows around its content: the 示例数据 badge and the page title."""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from rectlens import demo
from rectlens.storage.database import exists
from rectlens.ui import data

DEMO_LABEL = "示例数据"
DEMO_NOTE = "当前显示的是虚构的示例数据，地区名称和数字均不真实。"


def showing_demo() -> bool:
    """Whether the dashboard's database is the demo data set (cached per data version)."""
    db = data.db_path()
    return exists(db) and data.load(demo.is_demo)


# Streamlit leaves 8rem above the content under the top navigation bar (3.75rem high): on a 768-pixel
# tablet screen that is space the overview's tiles and first chart need.
COMPACT_CSS = "<style>[data-testid='stMainBlockContainer'] { padding-top: 4.5rem; }</style>"


ENTRY_POINT = Path(__file__).resolve().parents[2] / "dashboard.py"


def _through_entry_point() -> None:
    """Run dashboard.py when a page file was started on its own.

    Until dashboard.py has called st.navigation once, Streamlit treats the
    `pages/` folder as an old-style page list: on a freshly started server,
    a shared link such as /regions would run pages/regions.py without the
    menu, the wide layout or the first-start set-up. Running the entry point
    instead sets all that up, and it then runs this page itself.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        runpy.run_path(str(ENTRY_POINT), run_name="__main__")
        st.stop()


def page_header(title: str, caption: str | None = None) -> None:
    """The page title, with the demo badge (and its explanation as the title's tooltip), and an optional caption (e.g. data as-of)."""
    _through_entry_point()
    st.html(COMPACT_CSS)
    demo_shown = showing_demo()
    badge = f" :orange-badge[:material/science: {DEMO_LABEL}]" if demo_shown else ""
    st.title(title + badge, anchor=False, help=DEMO_NOTE if demo_shown else None)
    if caption:
        st.caption(caption)
