"""Signing in to the dashboard under AppTest the way a person does.

A real account is created in the test database (`accounts.create`, as the
administrator or `users add` would), and its one-time password is typed into
the sign-in form; the forced change to a password of one's own follows, and
from then on that password is typed. On a database holding the demo data set
a 演示账号 button is clicked instead. AppTest sends no cookies, so the session
token stays in the session state, as in a browser tab before the cookie is set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from actors import OPERATOR
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest

from rectlens.access import accounts
from rectlens.access.roles import ADMIN, AUDITOR, INSPECTOR, LEADER, OFFICE, UPLOADER
from rectlens.ui import navigation, signin

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"
TIMEOUT = 60
SIGN_IN = "FormSubmitter:signin_form-登录"
CHANGE_PASSWORD = "FormSubmitter:password_form-修改密码"
ONE_TIME_LABEL = "当前密码（一次性密码）"
# Meets the rule (10+ characters, 3+ classes) and contains none of the test logins.
OWN_PASSWORD = "Qing-Lan#2026x"


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    roles: tuple[str, ...]
    units: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the upload history and the audit log name this person: '姓名（login）'."""
        return f"{self.name}（{self.login}）"


LEADER_LI = Person("leader.li", "李领导", (LEADER,))
OFFICE_WANG = Person("office.wang", "王专班", (OFFICE,))
INSPECTOR_ZHAO = Person("inspector.zhao", "赵督导", (INSPECTOR,))
ADMIN_SUN = Person("admin.sun", "孙管理员", (ADMIN,))
AUDITOR_QIAN = Person("auditor.qian", "钱审计", (AUDITOR,))


def uploader_of(unit: str, login: str = "tianbao.zhang", name: str = "张三") -> Person:
    """A 填报人员 bound to `unit`."""
    return Person(login, name, (UPLOADER,), (unit,))


# (database, login) -> the password the person types now: the one-time password until it is changed.
_PASSWORDS: dict[tuple[str, str], str] = {}


def add_account(db: Path, person: Person) -> str:
    """Create the person's account (as the command line's operator); returns the issued one-time password."""
    issued = accounts.create(db, OPERATOR, person.login, person.name, person.roles, person.units)
    _PASSWORDS[(str(db), person.login)] = issued
    return issued


def password_of(db: Path, person: Person) -> str:
    """The password the person would type, creating the account on first use."""
    key = (str(db), person.login)
    if key not in _PASSWORDS or accounts.get(db, person.login) is None:
        add_account(db, person)
    return _PASSWORDS[key]


def app(**query: str) -> AppTest:
    """A fresh browser tab on the dashboard (not yet run), with the URL's query parameters."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at


def open_link(page: str | None = None, **query: str) -> AppTest:
    """Open a link (`pages/x.py` or the root) with its query: what shows before signing in."""
    at = app(**query)
    if page is not None:
        at.switch_page(page)  # before the first run: the page is found by its file name, which is its url_path
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def signed_in(at: AppTest) -> bool:
    return signin.TOKEN in at.session_state


def showing_sign_in_form(at: AppTest) -> bool:
    return [t.key for t in at.text_input] == ["signin_login", "signin_password"]


def type_credentials(at: AppTest, login: str, password: str) -> AppTest:
    """Type login and password into the sign-in form and press 登录."""
    assert showing_sign_in_form(at), [t.key for t in at.text_input]
    at.text_input(key="signin_login").input(login)
    at.text_input(key="signin_password").input(password)
    at.button(key=SIGN_IN).click().run()
    assert_no_exception(at)
    return at


def password_field(at: AppTest, label: str) -> Any:
    (found,) = [field for field in at.text_input if field.label == label]
    return found


def change_password(at: AppTest, current: str, new: str, again: str | None = None) -> AppTest:
    """Fill in the 修改密码 form (the forced one after an issued password) and submit it."""
    labels = [field.label for field in at.text_input]
    password_field(at, ONE_TIME_LABEL if ONE_TIME_LABEL in labels else "当前密码").input(current)
    password_field(at, "新密码").input(new)
    password_field(at, "再次输入新密码").input(new if again is None else again)
    at.button(key=CHANGE_PASSWORD).click().run()
    assert_no_exception(at)
    return at


def sign_in(at: AppTest, db: Path, person: Person) -> AppTest:
    """Sign in on the form shown in `at`; an issued password is changed to one's own first."""
    password = password_of(db, person)
    type_credentials(at, person.login, password)
    if not signed_in(at) and at.title and at.title[0].value == "请设置新密码":
        change_password(at, password, OWN_PASSWORD)
        _PASSWORDS[(str(db), person.login)] = OWN_PASSWORD
    assert signed_in(at), [e.value for e in at.error] + [t.value for t in at.title]
    assert not showing_sign_in_form(at)
    return at


def open_signed_in(db: Path, person: Person, page: str | None = None, **query: str) -> AppTest:
    """Open a link, sign in on the form it shows, and land on the linked page (with its filters)."""
    return sign_in(open_link(page, **query), db, person)


def click_demo(at: AppTest, login: str) -> AppTest:
    """Click a 演示账号 button on the sign-in page (only while the demo data set is in use)."""
    at.button(key=f"signin_demo_{login}").click().run()
    assert_no_exception(at)
    assert signed_in(at)
    return at


def mark_as_demo(db: Path) -> None:
    """What the demo build does last: mark the database as the demo data set and add the 演示账号."""
    from rectlens import sql
    from rectlens.storage.database import transaction

    with transaction(db) as con:
        sql.execute(con, "meta_set", {"key": "demo", "value": "true"})
        accounts.add_demo_accounts(con)


# --- what the menu lists -------------------------------------------------------------


def record_menu(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, str, str]]]:
    """From now on, each run's `st.navigation` pages as (url_path, title, visibility): what the menu across the top lists.

    The url_path is the one in navigation.PAGES (Streamlit gives the default page an empty one)."""
    import streamlit as st

    runs: list[list[tuple[str, str, str]]] = []
    real: Callable[..., Any] = st.navigation

    def recording(pages: list[StreamlitPage], **options: Any) -> Any:
        runs.append([(entry.url_path, page.title, page.visibility) for entry, page in zip(navigation.PAGES, pages, strict=True)])
        return real(pages, **options)

    monkeypatch.setattr(st, "navigation", recording)
    return runs


def visible(pages: list[tuple[str, str, str]]) -> list[str]:
    return [url for url, _title, visibility in pages if visibility == "visible"]


# --- what a person reads ----------------------------------------------------------------

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_WORD_JOINER = "\u2060"


def as_shown(markdown: str) -> str:
    """The text a markdown string shows: its backslash escapes read, invisible word joiners dropped."""
    return _ESCAPE.sub(r"\1", markdown).replace(_WORD_JOINER, "")
