"""The dashboard's pages, in menu order, and who may open each: add a page by adding one line to PAGES.

Every page is registered with `st.navigation` for every visitor, so a shared
link always resolves; pages a person may not open are hidden from the menu,
and the gate in dashboard.py shows 无权访问 instead of running them.
Streamlit serves the default page at the app's root URL and not at its own
`url_path`, so links to a page go through `pathname`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from rectlens.access.roles import MANAGE_ACCOUNTS, PLAN, READ_AUDIT, UPLOAD_CHECKS, UPLOAD_REPORTS, VIEW, Actor

SIGNED_IN = "signed_in"  # any signed-in account (its own password, sign-out)


@dataclass(frozen=True)
class PageEntry:
    script: str  # path relative to the project root
    title: str  # what users see (Chinese)
    url_path: str  # ASCII, used in links
    icon: str
    needs: tuple[str, ...] = (VIEW,)  # any one of these grants opens the page

    def open_to(self, actor: Actor) -> bool:
        return SIGNED_IN in self.needs or bool(actor.grants() & set(self.needs))


PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/overview.py", "总览", "overview", ":material/dashboard:"),
    PageEntry("pages/regions.py", "地区对比", "regions", ":material/leaderboard:"),
    PageEntry("pages/trends.py", "趋势", "trends", ":material/trending_up:"),
    PageEntry("pages/warnings.py", "预警", "warnings", ":material/warning:"),
    PageEntry("pages/quality.py", "清单质量", "quality", ":material/rule:"),
    PageEntry("pages/items.py", "问题台账", "items", ":material/list_alt:"),
    PageEntry("pages/upload.py", "数据上传", "upload", ":material/upload_file:", (UPLOAD_REPORTS, UPLOAD_CHECKS)),
    PageEntry("pages/submissions.py", "报送情况", "submissions", ":material/fact_check:"),
    PageEntry("pages/brief.py", "简报", "brief", ":material/slideshow:"),
    PageEntry("pages/planner.py", "抽查计划", "planner", ":material/checklist:", (PLAN,)),
    PageEntry("pages/accounts.py", "账号管理", "accounts", ":material/manage_accounts:", (MANAGE_ACCOUNTS,)),
    PageEntry("pages/audit.py", "留痕审计", "audit", ":material/policy:", (READ_AUDIT,)),
    PageEntry("pages/account.py", "我的账号", "account", ":material/account_circle:", (SIGNED_IN,)),
)
DEFAULT = PAGES[0]


def entry(url_path: str) -> PageEntry:
    for found in PAGES:
        if found.url_path == url_path:
            return found
    raise KeyError(f"no page with url_path {url_path!r}; known: {[e.url_path for e in PAGES]}")


def pathname(url_path: str) -> str:
    """The URL path under which a page is served ('' for the default page)."""
    return "" if entry(url_path) is DEFAULT else url_path


def first_page(actor: Actor) -> PageEntry:
    """Where a person lands after signing in: the first page of the menu open to them."""
    return next(page for page in PAGES if page.open_to(actor) and page.needs != (SIGNED_IN,))


def pages(actor: Actor | None) -> list[StreamlitPage]:
    """PAGES as `st.Page` objects for `st.navigation`: all registered, those `actor` may not open hidden."""
    return [
        st.Page(
            page.script,
            title=actor.name if actor is not None and page.needs == (SIGNED_IN,) else page.title,  # 我的账号 shows who is signed in
            url_path=page.url_path,
            icon=page.icon,
            default=page is DEFAULT,
            visibility="visible" if actor is not None and page.open_to(actor) else "hidden",
        )
        for page in PAGES
    ]


def page_for(url_path: str) -> PageEntry:
    """The entry of a running page ('' is the default page)."""
    return DEFAULT if not url_path else entry(url_path)
