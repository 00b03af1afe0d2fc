"""Signing in, per-role pages and 专班审核 under AppTest, on the small reporting history of submission_data.

Nothing but the sign-in form shows before signing in, whichever link is opened; a wrong password is
refused and counted, five lock the account; an issued password must be changed to a strong one; each
role's menu lists exactly its pages and any other page says 无权访问; a 填报人员 stores only its own
unit's reports and cannot restore or withdraw; the office returns an upload with a reason that the
unit then reads, literally, however it is written.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from audit_trail import actions, audit_rows, connect_behind, last_seq
from signin_helpers import (
    ADMIN_SUN,
    AUDITOR_QIAN,
    INSPECTOR_ZHAO,
    LEADER_LI,
    OFFICE_WANG,
    OWN_PASSWORD,
    Person,
    add_account,
    app,
    as_shown,
    assert_no_exception,
    change_password,
    click_demo,
    mark_as_demo,
    open_link,
    open_signed_in,
    password_of,
    record_menu,
    showing_sign_in_form,
    sign_in,
    signed_in,
    type_credentials,
    uploader_of,
    visible,
)
from streamlit.testing.v1 import AppTest
from submission_data import build_reporting_history, ledger_rows, report_workbook

from rectlens.access import accounts
from rectlens.access.roles import ADMIN, AUDITOR, INSPECTOR, LEADER, OFFICE, UPLOADER
from rectlens.ui import navigation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QINGLAN = uploader_of("青岚市")  # 张三（tianbao.zhang）, 填报人员 of 青岚市
LINHE = uploader_of("临河市", login="linhe.li", name="李四")

DASHBOARD_PAGES = ["overview", "regions", "trends", "warnings", "quality", "items", "submissions", "brief"]
MENUS: dict[str, list[str]] = {  # what each role's menu lists, in menu order
    LEADER: [*DASHBOARD_PAGES, "account"],
    UPLOADER: ["overview", "regions", "trends", "warnings", "quality", "items", "upload", "submissions", "brief", "account"],
    INSPECTOR: ["overview", "regions", "trends", "warnings", "quality", "items", "upload", "submissions", "brief", "planner", "account"],
    OFFICE: ["overview", "regions", "trends", "warnings", "quality", "items", "upload", "submissions", "brief", "planner", "account"],
    ADMIN: ["accounts", "account"],
    AUDITOR: ["audit", "account"],
}
LANDING = {LEADER: "总览", UPLOADER: "总览", INSPECTOR: "总览", OFFICE: "总览", ADMIN: "账号管理", AUDITOR: "留痕审计"}
PEOPLE = {LEADER: LEADER_LI, UPLOADER: QINGLAN, INSPECTOR: INSPECTOR_ZHAO, OFFICE: OFFICE_WANG, ADMIN: ADMIN_SUN, AUDITOR: AUDITOR_QIAN}
DEMO_LOGINS = {role: f"demo-{role}" for role in (LEADER, UPLOADER, INSPECTOR, OFFICE, ADMIN, AUDITOR)}  # the 演示账号, one per role

RETURN_REASON = "[点我](http://evil.example) :red[假]"


@pytest.fixture(scope="module")
def _history_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_reporting_history(tmp_path_factory.mktemp("signin") / "history.duckdb")


@pytest.fixture(scope="module")
def shared_db(_history_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy for the tests that change nothing but accounts and the audit log (module scope)."""
    path = tmp_path_factory.mktemp("signin-shared") / "rectlens.duckdb"
    shutil.copyfile(_history_template, path)
    return path


@pytest.fixture
def history_db(_history_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the reporting history for this test; the dashboard reads it."""
    path = tmp_path / "history.duckdb"
    shutil.copyfile(_history_template, path)
    monkeypatch.setenv("RECTLENS_DB", str(path))
    return path


@pytest.fixture
def on_shared(shared_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECTLENS_DB", str(shared_db))
    return shared_db


def texts(elements: Any) -> list[str]:
    return [as_shown(element.value) for element in elements]


def nothing_of_any_page(at: AppTest) -> bool:
    """No data and no page content: no tiles, tables, charts, downloads, uploads or filters."""
    found = [
        *at.metric,
        *at.dataframe,
        *at.table,
        *at.selectbox,
        *at.multiselect,
        *at.get("plotly_chart"),
        *at.get("download_button"),
        *at.get("file_uploader"),
        *at.get("page_link"),
    ]
    return not found


def count(db: Path, query: str) -> int:
    con = connect_behind(db)
    try:
        return int(con.execute(query).fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


# --- before signing in ---------------------------------------------------------------------


@pytest.mark.parametrize("page", [None, *(entry.script for entry in navigation.PAGES)])
def test_every_link_shows_only_the_sign_in_form(on_shared: Path, page: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    menu = record_menu(monkeypatch)
    seq = last_seq(on_shared)
    at = open_link(page, month="2026年9月", unit="青岚市")  # a shared link with filters
    assert [title.value for title in at.title] == ["整改透视 · 登录"]
    assert showing_sign_in_form(at)
    assert [button.label for button in at.button] == ["登录"]  # no 演示账号 on real data
    assert nothing_of_any_page(at)
    assert not at.warning and not at.success and not at.error
    assert menu and visible(menu[-1]) == []  # every page registered (the link resolves), none listed
    assert not signed_in(at)
    assert actions(on_shared, seq) == []  # looking at the sign-in page records nothing


def test_a_wrong_password_is_refused_and_the_form_stays(on_shared: Path) -> None:
    password_of(on_shared, LEADER_LI)
    seq = last_seq(on_shared)
    at = type_credentials(open_link("pages/overview.py"), LEADER_LI.login, "Wrong-Password-1")
    assert not signed_in(at) and showing_sign_in_form(at)
    assert texts(at.error) == ["登录名或密码不正确（再错 4 次将锁定账号 15 分钟）"]
    assert at.text_input(key="signin_password").value == ""  # the typed password is not kept
    assert nothing_of_any_page(at)
    # an unknown login gets the same answer, without the count: no telling which logins exist
    type_credentials(at, "nobody.here", "Wrong-Password-1")
    assert texts(at.error) == ["登录名或密码不正确"]
    assert not signed_in(at)
    records = audit_rows(on_shared, seq)
    assert [(r["account"], r["action"], r["outcome"], r["detail"]) for r in records] == [
        ("leader.li", "sign_in", "failed", "密码错误（第 1 次）"),
        ("nobody.here", "sign_in", "failed", "未知的登录名"),
    ]
    assert accounts.get(on_shared, LEADER_LI.login).failed_attempts == 1  # type: ignore[union-attr]
    # the right password then signs in, and clears the count
    sign_in(at, on_shared, LEADER_LI)
    assert at.title[0].value == "总览"
    assert accounts.get(on_shared, LEADER_LI.login).failed_attempts == 0  # type: ignore[union-attr]


def test_five_wrong_passwords_lock_the_account(history_db: Path) -> None:
    person = Person("locked.out", "周锁定", (LEADER,))
    password = add_account(history_db, person)
    seq = last_seq(history_db)
    at = open_link()
    for attempt in range(1, 5):
        type_credentials(at, person.login, f"Not-It-{attempt}x")
        assert texts(at.error) == [f"登录名或密码不正确（再错 {5 - attempt} 次将锁定账号 15 分钟）"]
    type_credentials(at, person.login, "Not-It-5x")
    assert texts(at.error) == ["连续 5 次登录失败，账号已锁定 15 分钟"]
    # now even the right password is refused, and nothing is shown
    type_credentials(at, person.login, password)
    assert texts(at.error) == ["连续 5 次登录失败，账号已锁定，请 15 分钟后再试，或请系统管理员重置密码"]  # not 16: locked for 15
    assert not signed_in(at) and showing_sign_in_form(at) and nothing_of_any_page(at)
    assert [title.value for title in at.title] == ["整改透视 · 登录"]  # not even the forced password change
    records = audit_rows(history_db, seq)
    assert [(r["account"], r["outcome"], r["detail"]) for r in records] == [
        *[("locked.out", "failed", f"密码错误（第 {n} 次）") for n in range(1, 5)],
        ("locked.out", "failed", "密码错误（第 5 次），账号锁定"),
        ("locked.out", "refused", "账号已锁定"),
    ]
    assert accounts.listing(history_db).set_index("login").loc["locked.out", "state"] == "已锁定"


def test_an_issued_password_must_be_changed_to_a_strong_one(history_db: Path) -> None:
    person = Person("new.leader", "吴新人", (LEADER,))
    issued = add_account(history_db, person)
    seq = last_seq(history_db)
    at = type_credentials(open_link("pages/regions.py"), person.login, issued)
    assert [title.value for title in at.title] == ["请设置新密码"]
    assert not signed_in(at) and nothing_of_any_page(at)
    assert "new.leader" in as_shown(at.info[0].value) and "一次性密码" in at.info[0].value
    # another page is no way round it
    at.switch_page("pages/items.py").run()
    assert [title.value for title in at.title] == ["请设置新密码"] and nothing_of_any_page(at)
    # 9 characters of 2 classes: refused, with what is wrong in Chinese
    change_password(at, issued, "abcdefg12")
    assert texts(at.error) == ["密码未修改：长度不足 10 个字符（现为 9 个）；只含 2 种字符，还需包含大写字母、其他字符中的 1 种"]
    assert not signed_in(at) and [title.value for title in at.title] == ["请设置新密码"]
    change_password(at, issued, OWN_PASSWORD, again=OWN_PASSWORD + "?")
    assert texts(at.error) == ["两次输入的新密码不一致"]
    assert not signed_in(at)
    assert accounts.get(history_db, person.login).must_change_password  # type: ignore[union-attr]
    # a good one: signed in, on the page last asked for
    change_password(at, issued, OWN_PASSWORD)
    assert signed_in(at) and at.title[0].value == "问题台账"
    assert not accounts.get(history_db, person.login).must_change_password  # type: ignore[union-attr]
    records = audit_rows(history_db, seq)
    assert [(r["account"], r["action"], r["outcome"]) for r in records] == [
        ("new.leader", "sign_in", "ok"),
        ("new.leader", "password_change", "refused"),
        ("new.leader", "password_change", "ok"),
    ]
    assert "长度不足 10 个字符" in records[1]["detail"]
    assert all(issued not in str(r["detail"]) and OWN_PASSWORD not in str(r["detail"]) for r in records)  # never in clear
    # the issued password is spent; the new one signs straight in
    again = type_credentials(open_link(), person.login, issued)
    assert not signed_in(again) and texts(again.error)[0].startswith("登录名或密码不正确")
    again = type_credentials(open_link(), person.login, OWN_PASSWORD)
    assert signed_in(again) and again.title[0].value == "总览"


# --- each role's pages -------------------------------------------------------------------------


def titles_of(urls: list[str]) -> dict[str, str]:
    return {url: navigation.entry(url).title for url in urls}


def check_pages(at: AppTest, person_name: str, role: str, menu: list[list[tuple[str, str, str]]]) -> None:
    """The menu lists exactly the role's pages (我的账号 under the person's name); every other page says 无权访问."""
    assert_no_exception(at)
    assert at.title[0].value.startswith(LANDING[role])
    pages = menu[-1]
    assert visible(pages) == MENUS[role]
    assert {url: title for url, title, _v in pages}["account"] == person_name
    assert len(pages) == len(navigation.PAGES)  # the others are registered, hidden: a link to them resolves
    for entry in navigation.PAGES:
        if entry.url_path in MENUS[role]:
            continue
        at.switch_page(entry.script).run()
        assert_no_exception(at)
        if entry is navigation.DEFAULT:  # the root URL: one's own first page instead
            assert [title.value.startswith(LANDING[role]) for title in at.title] == [True]
            continue
        assert [title.value for title in at.title] == ["无权访问"], entry.url_path
        (refusal,) = texts(at.error)
        assert f"无权打开“{entry.title}”页面" in refusal
        assert nothing_of_any_page(at)


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_its_own_pages(on_shared: Path, role: str, monkeypatch: pytest.MonkeyPatch) -> None:
    menu = record_menu(monkeypatch)
    person = PEOPLE[role]
    at = open_signed_in(on_shared, person)
    check_pages(at, person.name, role, menu)
    (refusal,) = texts(at.error)
    assert refusal.startswith(f"账号 {person.label}（")


@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_each_demo_button_signs_in_as_its_role(history_db: Path, role: str, monkeypatch: pytest.MonkeyPatch) -> None:
    mark_as_demo(history_db)
    menu = record_menu(monkeypatch)
    at = open_link()
    assert sorted(button.key for button in at.button if button.key and button.key.startswith("signin_demo_")) == sorted(
        f"signin_demo_{login}" for login in DEMO_LOGINS.values()
    )
    seq = last_seq(history_db)
    click_demo(at, DEMO_LOGINS[role])
    demo = accounts.get(history_db, DEMO_LOGINS[role])
    assert demo is not None
    check_pages(at, demo.display_name, role, menu)
    first = audit_rows(history_db, seq)[0]
    assert (first["account"], first["roles"], first["action"], first["outcome"], first["detail"]) == (
        DEMO_LOGINS[role],
        role,
        "sign_in",
        "ok",
        "演示账号",
    )


def test_demo_accounts_have_no_password(history_db: Path) -> None:
    mark_as_demo(history_db)
    at = type_credentials(open_link(), "demo-office", "")
    assert not signed_in(at) and texts(at.error) == ["登录名或密码不正确"]


def test_the_demo_uploader_uploads_for_its_unit(history_db: Path) -> None:
    mark_as_demo(history_db)
    at = click_demo(open_link(), "demo-uploader")
    at.switch_page("pages/upload.py").run()
    identity = "以 **演示·青岚市填报人员（demo-uploader）**（填报人员）的身份上传，可上传青岚市的问题台账和汇总。"
    assert any(text.startswith(identity) for text in texts(at.markdown))
    assert sorted(at.dataframe[0].value["上传编号"]) == [1, 2, 5, 6]  # its unit's history only


# --- what a 填报人员 may do -----------------------------------------------------------------------


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_files").set_value([(name, data, XLSX)]).run()
    assert_no_exception(at)
    return at


def test_an_uploader_sees_its_own_history_without_restore_or_withdraw(on_shared: Path) -> None:
    at = open_signed_in(on_shared, QINGLAN, "pages/upload.py")
    history: pd.DataFrame = at.dataframe[0].value
    assert set(history["地区"]) == {"青岚市"} and sorted(history["上传编号"]) == [1, 2, 5, 6]
    assert "**恢复或撤回**" not in texts(at.markdown)
    assert not [box for box in at.selectbox if box.key == "history_pick"]
    assert not [button for button in at.button if button.key in {"history_restore", "history_withdraw", "confirm_yes"}]


def test_an_inspector_sees_only_checks_in_the_upload_history(on_shared: Path) -> None:
    at = open_signed_in(on_shared, INSPECTOR_ZHAO, "pages/upload.py")
    history: pd.DataFrame = at.dataframe[0].value
    assert history["类别"].tolist() == ["核查结果"] and history["上传编号"].tolist() == [11]
    assert "**恢复或撤回**" not in texts(at.markdown)


def test_an_uploader_cannot_store_another_units_ledger(history_db: Path, dump_database: Callable[[Path], dict[str, Any]]) -> None:
    at = open_signed_in(history_db, QINGLAN, "pages/upload.py")
    before, seq = dump_database(history_db), last_seq(history_db)
    foreign = report_workbook("临河市", dt.date(2026, 11, 1), ledger=ledger_rows("临河市", "LH", 3))
    upload(at, "临河市-2026年11月.xlsx", foreign)
    (refusal,) = texts(at.error)
    assert refusal.startswith("「临河市-2026年11月.xlsx」不能由本账号提交，未保存任何数据：")
    assert "账号 张三（tianbao.zhang） 只能上传本单位（青岚市）的问题台账和汇总，不能上传临河市的数据" in refusal
    assert not [button for button in at.button if button.label == "确认提交"]
    assert not at.success
    at.run()  # the page redrawn (any click): still refused, recorded once
    assert len(at.error) == 1
    assert dump_database(history_db) == before
    (record,) = audit_rows(history_db, seq)
    assert (record["account"], record["roles"], record["action"], record["outcome"]) == ("tianbao.zhang", "uploader", "upload", "refused")
    assert record["target"] == "文件「临河市-2026年11月.xlsx」"
    assert "不能上传临河市的数据" in record["detail"]


def test_an_uploader_stores_its_own_units_ledger(history_db: Path) -> None:
    at = open_signed_in(history_db, QINGLAN, "pages/upload.py")
    seq = last_seq(history_db)
    upload(at, "青岚市-2026年11月.xlsx", report_workbook("青岚市", dt.date(2026, 11, 1), ledger=ledger_rows("青岚市", "QL", 3)))
    (submit,) = [button for button in at.button if button.label == "确认提交"]
    submit.click().run()
    assert texts(at.success)[0].startswith("「青岚市-2026年11月.xlsx」已保存")
    assert at.dataframe[0].value.iloc[0][["上传编号", "上传人"]].tolist() == [12, "张三（tianbao.zhang）"]
    assert actions(history_db, seq) == [("tianbao.zhang", "upload", "ok")]


# --- 专班审核 -------------------------------------------------------------------------------------


def open_review_panel(db: Path) -> AppTest:
    at = open_signed_in(db, OFFICE_WANG, "pages/submissions.py")
    assert texts(at.subheader)[:4] == ["各单位逐月报送情况", "专班审核情况", "审核上传", "上传历史"]
    at.selectbox(key="review_pick").select(5).run()  # 青岚市's October ledger
    return at


def review_count(db: Path) -> int:
    return count(db, "SELECT count(*) FROM reviews")


def test_returning_without_a_reason_is_refused_and_stores_nothing(history_db: Path, dump_database: Callable[..., Any]) -> None:
    at = open_review_panel(history_db)
    before, seq = dump_database(history_db), last_seq(history_db)
    (send_back,) = [button for button in at.button if button.label == "退回"]
    send_back.click().run()
    assert_no_exception(at)
    assert texts(at.error) == ["退回时必须写明理由，单位将看到这段说明"]
    assert dump_database(history_db) == before and review_count(history_db) == 0
    assert ("office.wang", "review", "ok") not in actions(history_db, seq)
    assert at.table  # the page is still there
    assert (at.table[1].value.iloc[:, 3] == "已退回").sum() == 0


def test_a_returned_upload_reaches_its_unit_with_the_reason_shown_literally(history_db: Path) -> None:
    at = open_review_panel(history_db)
    seq = last_seq(history_db)
    at.text_area(key="review_reason").input(RETURN_REASON)
    (send_back,) = [button for button in at.button if button.label == "退回"]
    send_back.click().run()
    assert_no_exception(at)
    assert texts(at.success) == ["上传 #5 已退回"]
    assert at.text_area(key="review_reason").value == ""  # ready for the next one
    con = connect_behind(history_db)
    try:
        stored = con.execute("SELECT upload_id, decision, reason, reviewer FROM reviews").fetchall()
    finally:
        con.close()
    assert stored == [(5, "returned", RETURN_REASON, "王专班（office.wang）")]
    (record,) = audit_rows(history_db, seq)
    assert (record["account"], record["action"], record["outcome"]) == ("office.wang", "review", "ok")
    assert record["target"] == "上传 #5（问题台账 青岚市 2026-10「青岚市-2026年10月.xlsx」）"
    assert record["detail"] == f"退回：{RETURN_REASON}"
    # 专班审核情况 and the history say so
    grid = at.table[1].value
    grid.columns = ["片区", "地区", "2026年9月", "2026年10月"]
    assert grid.set_index("地区").loc["青岚市", "2026年10月"] == "已退回"
    assert grid.set_index("地区").loc["临河市", "2026年10月"] == "待审核"
    history = at.dataframe[0].value.set_index("上传编号")
    assert history.loc[5, "审核"] == "已退回" and history.loc[6, "审核"] == "待审核"
    at.selectbox(key="review_pick").select(5).run()
    (last,) = [text for text in texts(at.caption) if text.startswith("最近一次审核")]
    assert last.startswith("最近一次审核：已退回，王专班（office.wang），") and last.endswith(f"；理由：{RETURN_REASON}")

    # 青岚市's 填报人员 reads it once on signing in, and on the upload page
    unit = open_signed_in(history_db, QINGLAN)
    (welcome,) = [w for w in unit.warning if "专班退回了本单位的报送" in w.value]
    assert f"上传 #5（青岚市 2026-10 问题台账）：{RETURN_REASON}" in as_shown(welcome.value)
    unit.switch_page("pages/upload.py").run()
    (returned,) = [w for w in unit.warning if "专班退回了上传" in w.value]
    assert as_shown(returned.value) == (
        f"专班退回了上传 #5（青岚市 2026年10月 问题台账「青岚市-2026年10月.xlsx」）：{RETURN_REASON}。"
        "请改正后重新上传，新文件会替换被退回的版本。"
    )
    assert unit.dataframe[0].value.set_index("上传编号").loc[5, "审核"] == "已退回"
    unit.switch_page("pages/overview.py").run()
    assert not [w for w in unit.warning if "专班退回了本单位的报送" in w.value]  # once after signing in, not on every page

    # shown literally wherever it appears: no link, no colour, no autolinked address
    shown = [at.caption, unit.warning]
    for elements in shown:
        for element in elements:
            if RETURN_REASON in as_shown(element.value):
                assert "](" not in element.value and ":red[" not in element.value and "http://" not in element.value, element.value
    # another unit's 填报人员 sees nothing of it
    other = open_signed_in(history_db, LINHE, "pages/upload.py")
    assert not [w for w in other.warning if "专班退回" in w.value]


def test_approving_needs_no_reason(history_db: Path) -> None:
    at = open_signed_in(history_db, OFFICE_WANG, "pages/submissions.py")
    seq = last_seq(history_db)
    at.selectbox(key="review_pick").select(8).run()  # 临河市's corrected October ledger
    (approve,) = [button for button in at.button if button.label == "通过"]
    approve.click().run()
    assert texts(at.success) == ["上传 #8 已通过"]
    assert actions(history_db, seq) == [("office.wang", "review", "ok")]
    assert at.dataframe[0].value.set_index("上传编号").loc[8, "审核"] == "已通过"


def test_only_the_office_gets_the_review_panel(on_shared: Path) -> None:
    for person in (LEADER_LI, QINGLAN, INSPECTOR_ZHAO):
        at = open_signed_in(on_shared, person, "pages/submissions.py")
        assert "专班审核情况" in texts(at.subheader) and "审核上传" not in texts(at.subheader)
        assert not [box for box in at.selectbox if box.key == "review_pick"] and not at.text_area


def test_a_fresh_tab_without_the_session_signs_in_again(on_shared: Path) -> None:
    at = open_signed_in(on_shared, LEADER_LI)
    assert signed_in(at)
    assert showing_sign_in_form(app().run())  # another browser (no cookie, no session state): the form again
