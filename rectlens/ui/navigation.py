"""The dashboard's pages, in menu order: add a page by adding one line to PAGES.

Streamlit serves the first (default) page at the app's root URL and not at
its own `url_path`, so links to a page go through `pathname`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage


@dataclass(frozen=True)
class PageEntry:
    script: str  # path relative to the project root
    title: str  # what users see (Chinese)
    url_path: str  # ASCII, used in links
    icon: str


PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/overview.py", "总览", "overview", ":material/dashboard:"),
    PageEntry("pages/regions.py", "地区对比", "regions", ":material/leaderboard:"),
    PageEntry("pages/trends.py", "趋势", "trends", ":material/trending_up:"),
    PageEntry("pages/warnings.py", "预警", "warnings", ":material/warning:"),
    PageEntry("pages/items.py", "问题台账", "items", ":material/list_alt:"),
    PageEntry("pages/upload.py", "数据上传", "upload", ":material/upload_file:"),
    PageEntry("pages/submissions.py", "报送情况", "submissions", ":material/fact_check:"),
    PageEntry("pages/brief.py", "简报", "brief", ":material/slideshow:"),
    PageEntry("pages/planner.py", "抽查计划", "planner", ":material/checklist:"),
)


def pathname(url_path: str) -> str:
    """The URL path under which a page is served ('' for the default page)."""
    known = [entry.url_path for entry in PAGES]
    if url_path not in known:
        raise KeyError(f"no page with url_path {url_path!r}; known: {known}")
    return "" if url_path == known[0] else url_path


def pages() -> list[StreamlitPage]:
    """PAGES as `st.Page` objects for `st.navigation`."""
    return [st.Page(entry.script, title=entry.title, url_path=entry.url_path, icon=entry.icon) for entry in PAGES]
