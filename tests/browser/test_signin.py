"""Signing in, roles, sign-out and the audit trail, in a real browser on the shared demo server.

Nothing but the sign-in page is shown before signing in; each 演示账号 sees exactly its role's
pages; a real account (made with the command line, as an administrator would) is refused a
wrong password, locked after too many, and must replace its issued password before it gets in;
the session survives a reload and a shared link, not a sign-out; a unit's uploader cannot store
another unit's ledger; the office's 退回 reaches the unit; and the auditor finds all of it in
留痕审计. Screenshots: tests/artifacts/signin-*.png.

The server and its demo database are shared with the other browser tests, so what this module
changes is kept out of their way: its own accounts, a refused upload (stores nothing) and one
review of 青岚市's latest ledger (no other test asserts on reviews). The audit test reads what the
tests before it did (TRAIL), so it runs last in this module.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from rectlens import domain, submissions
from rectlens.access import accounts, audit, reviews
from rectlens.ui.web import SIGN_OUT_PATH

from .session import (
    DEMO_ACTORS,
    DEMO_BUTTONS,
    expect_sign_in_page,
    page_url,
    sign_in,
    through_route,
    wait_until_ready,
)
from .widgets import WAIT_MS, card, grid, nav_links, pick, settle, upload

ROOT = Path(__file__).resolve().parents[2]
COOKIE = "rectlens_session"
LEADER_PAGES = {"总览", "地区对比", "趋势", "预警", "清单质量", "问题台账", "报送情况", "简报"}
MENUS = {  # the SPEC's pages per role, besides 我的账号 (titled with the person's name)
    "leader": LEADER_PAGES,
    "uploader": LEADER_PAGES | {"数据上传"},
    "inspector": LEADER_PAGES | {"数据上传", "抽查计划"},
    "office": LEADER_PAGES | {"数据上传", "抽查计划"},
    "admin": {"账号管理"},
    "auditor": {"留痕审计"},
}
LANDS_ON = {"admin": ("/accounts", "账号管理"), "auditor": ("/audit", "留痕审计")}  # the others: the overview at /
NEW_PASSWORD = "Qinglan#2026ok"
WRONG_PASSWORD = "not-the-password-1"
FOREIGN_UNIT, FOREIGN_MONTH = "白鹭市", "2026-03"  # a month no other test uploads or asserts on
RETURNED_UNIT = DEMO_ACTORS["uploader"].units[0]  # 青岚市
TRAIL: dict[str, Any] = {}  # what the tests did, for the audit test at the end


def db_of(data_dir: Path) -> Path:
    return data_dir / "rectlens.duckdb"


def cli(data_dir: Path, *args: str) -> str:
    """`python -m rectlens ARGS --db <the server's database>`, as an operator runs it beside the dashboard."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "RECTLENS_SETTINGS": str(data_dir / "settings.toml")}
    done = subprocess.run(
        [sys.executable, "-m", "rectlens", *args, "--db", str(db_of(data_dir))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def add_account(data_dir: Path, login: str, name: str, role: str) -> str:
    """A new account made with the command line; returns its one-time password."""
    printed = cli(data_dir, "users", "add", login, "--name", name, "--role", role)
    found = re.search(rf"账号 {re.escape(login)} 的一次性密码：(\S+)", printed)
    assert found, printed
    return found.group(1)


@pytest.fixture
def policy(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> accounts.SignInPolicy:
    """The sign-in policy the server runs with (its settings file)."""
    monkeypatch.setenv("RECTLENS_SETTINGS", str(data_dir / "settings.toml"))
    return accounts.policy()


def submit_password(page: Page, login: str, password: str) -> None:
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def form_error(page: Page, expected: str) -> str:
    """The error the sign-in form shows once this attempt is answered (`expected` in it: the
    previous attempt's message stays on screen until the answer comes)."""
    alert = page.get_by_test_id("stForm").get_by_test_id("stAlert")
    expect(alert).to_have_count(1, timeout=WAIT_MS)
    text = alert.get_by_test_id("stMarkdownContainer")  # the text, not the icon's name
    expect(text).to_contain_text(expected, timeout=WAIT_MS)
    settle(page)
    return text.inner_text()


def session_cookie(page: Page) -> dict[str, Any] | None:
    found = [cookie for cookie in page.context.cookies() if cookie["name"] == COOKIE]
    return dict(found[0]) if found else None


def heading(page: Page) -> str:
    return page.get_by_test_id("stMain").locator("h1").first.inner_text()


def selected(page: Page) -> list[str]:
    return page.get_by_test_id("stSelectbox").locator("input").evaluate_all("inputs => inputs.map(input => input.value)")


def go(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_until_ready(page)


# --- before signing in ------------------------------------------------------------


def test_only_the_sign_in_page_is_shown_before_signing_in(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], dashboard_url: str
) -> None:
    page = open_page("overview", role=None)
    main = page.get_by_test_id("stMain")
    for label in ("登录名", "密码"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    for button in DEMO_BUTTONS.values():
        expect(page.get_by_role("button", name=button, exact=True)).to_be_visible()
    expect(main.get_by_text("连续 5 次输错密码，账号锁定 15 分钟", exact=False)).to_be_visible()
    save_screenshot(page, "signin-page")
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stPlotlyChart").count() == 0 and page.get_by_test_id("stDataFrame").count() == 0

    # "Press Enter to submit form" under a field being typed in is said in Chinese
    page.get_by_label("登录名").fill("someone")
    hint = page.get_by_test_id("InputInstructions")
    expect(hint).to_be_visible()
    assert hint.evaluate("e => getComputedStyle(e).fontSize") == "0px"
    assert "按回车键确认" in hint.evaluate("e => getComputedStyle(e, '::after').content")

    for url_path in ("upload", "audit", "accounts", "account"):  # every page's link: the sign-in page, nothing of the page
        go(page, page_url(dashboard_url, url_path))
        expect_sign_in_page(page)
    assert session_cookie(page) is None


# --- each role's pages --------------------------------------------------------------


@pytest.mark.parametrize("role", list(MENUS))
def test_each_demo_role_sees_exactly_its_pages(open_page: Callable[..., Page], role: str) -> None:
    # the root URL, where the administrator and the auditor land on their own first page; the
    # others' is the overview (drawn by the leader tests), so their menu is read on the light 我的账号
    page = open_page("overview" if role in LANDS_ON else "account", role=role)
    path, title = LANDS_ON.get(role, ("/account", "我的账号"))
    assert urlsplit(page.url).path == path
    assert heading(page).startswith(title)
    assert set(nav_links(page)) == MENUS[role] | {DEMO_ACTORS[role].name}
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.parametrize(("role", "url_path", "title"), [("leader", "upload", "数据上传"), ("auditor", "regions", "地区对比")])
def test_a_link_to_a_page_the_role_may_not_open_says_so(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], role: str, url_path: str, title: str
) -> None:
    page = open_page(url_path, role=role)
    who = DEMO_ACTORS[role]
    expect(page.get_by_test_id("stMain").locator("h1")).to_have_text("无权访问")
    expect(page.get_by_test_id("stAlert")).to_contain_text(f"账号 {who.label}（{who.role_labels}）无权打开“{title}”页面")
    assert title not in nav_links(page)
    # nothing of the page itself is drawn
    for element in ("stFileUploaderDropzone", "stPlotlyChart", "stDataFrame", "stSelectbox"):
        assert page.get_by_test_id(element).count() == 0, element
    if role == "auditor":
        save_screenshot(page, "signin-forbidden")


# --- passwords ------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_an_issued_one_must_be_changed_first(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path, policy: accounts.SignInPolicy
) -> None:
    login = "test.newcomer"
    issued = add_account(data_dir, login, "测试新人", "leader")
    page = open_page("trends", query={"month": "2026-08"}, role=None)  # a shared link, opened before signing in

    submit_password(page, login, WRONG_PASSWORD)
    message = form_error(page, f"再错 {policy.max_failed_attempts - 1} 次将锁定账号")
    assert message.startswith("登录名或密码不正确"), message
    expect_sign_in_page(page)
    assert session_cookie(page) is None

    submit_password(page, login, issued)
    main = page.get_by_test_id("stMain")
    expect(main.locator("h1").first).to_have_text("请设置新密码")
    expect(main.get_by_text(f"账号 {login} 使用的是管理员发放的一次性密码")).to_be_visible()
    expect(page.get_by_test_id("stTopNav")).to_have_count(0)  # not in yet
    settle(page)
    save_screenshot(page, "signin-forced-change")
    page.get_by_label("当前密码（一次性密码）").fill(issued)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    sign_in(page, lambda: page.get_by_role("button", name="修改密码").click())

    assert urlsplit(page.url).path == "/trends"  # the page the link named, with its month
    assert heading(page).startswith("趋势")
    assert selected(page)[0] == "2026年8月"
    assert set(nav_links(page)) == MENUS["leader"] | {"测试新人"}
    account = accounts.get(db_of(data_dir), login)
    assert account is not None and not account.must_change_password
    TRAIL["newcomer"] = login


def test_five_wrong_passwords_lock_the_account(open_page: Callable[..., Page], data_dir: Path, policy: accounts.SignInPolicy) -> None:
    login = "test.forgetful"
    issued = add_account(data_dir, login, "测试健忘", "leader")
    page = open_page("overview", role=None)
    for attempt in range(1, policy.max_failed_attempts + 1):
        submit_password(page, login, f"{WRONG_PASSWORD}-{attempt}")
        left = policy.max_failed_attempts - attempt
        if left:
            assert form_error(page, f"再错 {left} 次将锁定账号").startswith("登录名或密码不正确")
    form_error(page, f"连续 {policy.max_failed_attempts} 次登录失败，账号已锁定 {policy.lock_minutes:g} 分钟")
    submit_password(page, login, issued)  # even the right password, while locked
    assert "账号已锁定" in form_error(page, "分钟后再试")
    expect_sign_in_page(page)
    assert session_cookie(page) is None
    account = accounts.get(db_of(data_dir), login)
    assert account is not None and account.locked_until is not None and account.locked_until > dt.datetime.now()
    TRAIL["locked"] = login


# --- the session --------------------------------------------------------------------


def test_the_session_survives_a_reload_and_opens_a_shared_link_in_the_same_browser(
    open_page: Callable[..., Page], dashboard_url: str
) -> None:
    page = open_page("overview", role="leader")
    cookie = session_cookie(page)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert COOKIE not in page.evaluate("() => document.cookie")  # page scripts cannot read it

    page.reload(wait_until="domcontentloaded")
    wait_until_ready(page)
    assert heading(page).startswith("总览")
    expect(page.get_by_test_id("stTopNav")).to_be_visible()

    shared = page.context.new_page()  # a link someone sent, opened in another tab of the same browser
    entered: list[str] = []
    shared.on("request", lambda request: entered.append(request.url) if "/api/session/" in request.url else None)
    go(shared, page_url(dashboard_url, "regions", {"month": "2026-09", "zone": "北片"}))
    assert heading(shared).startswith("地区对比")
    assert selected(shared)[:2] == ["2026年9月", "北片"]
    assert entered == []  # straight to the page: no sign-in, no cookie route
    assert shared.get_by_test_id("stException").count() == 0


def test_signing_out_returns_to_the_sign_in_page_and_ends_the_session(open_page: Callable[..., Page], dashboard_url: str) -> None:
    page = open_page("account", role="leader")
    assert heading(page).startswith("我的账号")
    old = session_cookie(page)
    assert old is not None
    answered = through_route(page, lambda: page.get_by_role("button", name="退出登录").click(), SIGN_OUT_PATH)
    assert urlsplit(answered.headers["location"]).path == "/"
    expect_sign_in_page(page)
    assert session_cookie(page) is None  # the route removed the cookie

    page.context.add_cookies([{key: old[key] for key in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
    go(page, page_url(dashboard_url, "regions"))  # the old cookie, kept by someone: no longer lets anyone in
    expect_sign_in_page(page)
    expect(page.get_by_test_id("stMain").get_by_text("会话已结束")).to_be_visible()
    TRAIL["signed_out"] = DEMO_ACTORS["leader"].login


# --- a unit's uploads and the office's review ----------------------------------------------


def test_an_uploader_cannot_store_another_units_ledger(open_page: Callable[..., Page], data_dir: Path) -> None:
    db = db_of(data_dir)
    table = submissions.history(db)
    theirs = table[(table["region"] == FOREIGN_UNIT) & (table["month"] == FOREIGN_MONTH) & (table["kind"] == domain.LEDGER)]
    source = str(theirs["file_name"].iloc[0])
    book = load_workbook(io.BytesIO((data_dir / "demo" / source).read_bytes()))
    out = io.BytesIO()
    book.save(out)  # the same data in other bytes: not a copy of a stored file
    data, name = out.getvalue(), source.replace(".xlsx", "（代报）.xlsx")

    page = open_page("upload", role="uploader")
    uploader = DEMO_ACTORS["uploader"]
    expect(page.get_by_text(f"以 {uploader.label}（填报人员）的身份上传")).to_be_visible()
    upload(page, name, data)
    box = card(page, data)
    refusal = box.get_by_test_id("stAlert")
    expect(refusal).to_contain_text(f"「{name}」不能由本账号提交，未保存任何数据", timeout=WAIT_MS)
    expect(refusal).to_contain_text(f"只能上传本单位（{RETURNED_UNIT}）的问题台账和汇总，不能上传{FOREIGN_UNIT}的数据")
    expect(box.get_by_role("button", name="确认提交")).to_have_count(0)
    settle(page)

    listed = cli(data_dir, "history")  # the operator's view of every upload: nothing of it was stored
    assert source in listed and name not in listed
    assert not (submissions.history(db)["file_name"] == name).any()
    TRAIL["refused"] = (name, refusal.inner_text().split("：", 1)[1].strip())


def test_office_returns_a_ledger_and_the_unit_sees_why(open_page: Callable[..., Page], data_dir: Path) -> None:
    db = db_of(data_dir)
    history = submissions.reviewed_history(db)
    month = max(history["month"].dropna())
    (record,) = history[
        (history["region"] == RETURNED_UNIT)
        & (history["month"] == month)
        & (history["kind"] == domain.LEDGER)
        & (history["state"] == "active")
    ].itertuples(index=False)
    reason = f"第 5 行“已完成”却没有佐证材料，请补充后重新上报（{dt.datetime.now():%H:%M:%S}）"

    office = open_page("submissions", role="office")
    main = office.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="审核上传")).to_be_visible()
    pick(office, "review_pick", f"#{record.upload_id} {RETURNED_UNIT} 问题台账「{record.file_name}」（{record.review}）")
    reason_box = office.locator(".st-key-review_reason textarea")
    reason_box.fill(reason)
    reason_box.press("Control+Enter")
    settle(office)
    office.get_by_role("button", name="退回", exact=True).click()
    expect(main.get_by_text(f"上传 #{record.upload_id} 已退回")).to_be_visible(timeout=WAIT_MS)
    settle(office)
    review_grid = office.get_by_test_id("stTable").nth(1)  # 专班审核情况, below the submissions grid
    expect(review_grid.locator("tr").filter(has_text=RETURNED_UNIT).locator("td").last).to_have_text(reviews.RETURNED_LABEL)

    unit = open_page("overview", role="uploader")  # the unit signs in: told once, on whatever page it lands
    welcome = unit.get_by_test_id("stAlert").filter(has_text="专班退回了本单位的报送")
    expect(welcome).to_be_visible()
    expect(welcome).to_contain_text(f"上传 #{record.upload_id}（{RETURNED_UNIT} {month} 问题台账）：{reason}")
    unit.get_by_test_id("stTopNav").get_by_text("数据上传", exact=True).click()
    unit.wait_for_url(re.compile(r"/upload$"))
    expect(unit.get_by_test_id("stMain").locator("h1")).to_contain_text("数据上传")
    settle(unit)
    on_upload = unit.get_by_test_id("stAlert").filter(has_text=f"专班退回了上传 #{record.upload_id}")
    expect(on_upload).to_contain_text(f"「{record.file_name}」）：{reason}。请改正后重新上传")
    unit.reload(wait_until="domcontentloaded")
    wait_until_ready(unit)
    expect(unit.get_by_test_id("stAlert").filter(has_text=f"专班退回了上传 #{record.upload_id}")).to_be_visible()
    expect(unit.get_by_text("专班退回了本单位的报送")).to_have_count(0)  # the welcome came once
    TRAIL["returned"] = (record.upload_id, month, record.file_name, reason)


# --- the audit log ----------------------------------------------------------------------


def audit_rows(page: Page, logins: set[str], actions: set[str] | None = None) -> list[dict[str, str]]:
    """The audit table's rows once it shows the filtered records only (the grid redraws a moment after the run)."""
    settle(page)
    deadline = time.monotonic() + 15
    while True:
        rows = grid(page, 0)
        caption = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"^共 \d+ 条记录")).inner_text()
        counted = re.match(r"共 (\d+) 条记录", caption)
        shown = counted is not None and int(counted.group(1)) == len(rows)  # all of them drawn (a handful here)
        if shown and all(row["账号"] in logins and (actions is None or row["操作"] in actions) for row in rows):
            return rows
        assert time.monotonic() < deadline, (caption, rows)
        page.wait_for_timeout(250)


def test_the_auditor_finds_these_actions_in_the_audit_log(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path
) -> None:
    if {"newcomer", "locked", "refused", "returned", "signed_out"} - TRAIL.keys():
        pytest.skip("reads what the earlier tests of this module did; run the whole module")
    page = open_page("audit", role="auditor")
    chain = audit.verify(db_of(data_dir))  # the auditor's own sign-in is the newest record
    assert chain.intact
    expect(page.get_by_test_id("stAlert").first).to_contain_text(chain.message)

    # the two accounts made for these tests: every record of theirs, newest first
    newcomer, locked = TRAIL["newcomer"], TRAIL["locked"]
    pick(page, "audit_accounts", newcomer, close=True)
    pick(page, "audit_accounts", locked, close=True)
    rows = [(row["账号"], row["操作"], row["结果"], row["说明"]) for row in audit_rows(page, {newcomer, locked})]
    wrong = [(locked, "登录", "失败", f"密码错误（第 {n} 次）") for n in range(5, 0, -1)]
    wrong[0] = (locked, "登录", "失败", "密码错误（第 5 次），账号锁定")
    assert [row for row in rows if row[0] == locked] == [(locked, "登录", "拒绝", "账号已锁定"), *wrong]
    assert [row for row in rows if row[0] == newcomer] == [
        (newcomer, "修改密码", "成功", ""),
        (newcomer, "登录", "成功", "密码"),
        (newcomer, "登录", "失败", "密码错误（第 1 次）"),
    ]
    expect(page.get_by_text(f"共 {len(rows)} 条记录")).to_be_visible()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # the filter's list closed, its tags unscrolled
    page.mouse.move(1, 1)  # no hover toolbar over the table
    settle(page)
    save_screenshot(page, "signin-audit")

    # the demo accounts' refused upload, review and sign-out (another page, other filters)
    page = open_page("audit", role="auditor")
    logins, actions = {DEMO_ACTORS[role].login for role in ("uploader", "office", "leader")}, {"上传", "审核", "退出"}
    for login in sorted(logins):
        pick(page, "audit_accounts", login, close=True)
    for action in sorted(actions):
        pick(page, "audit_actions", action, close=True)
    rows = [(row["账号"], row["操作"], row["对象"], row["结果"], row["说明"]) for row in audit_rows(page, logins, actions)]
    name, refusal = TRAIL["refused"]
    upload_id, month, file_name, reason = TRAIL["returned"]
    assert (DEMO_ACTORS["uploader"].login, "上传", f"文件「{name}」", "拒绝", refusal) in rows, rows
    target = f"上传 #{upload_id}（问题台账 {RETURNED_UNIT} {month}「{file_name}」）"
    review = (DEMO_ACTORS["office"].login, "审核", target, "成功", f"退回：{reason}")
    assert review in rows, rows
    assert (DEMO_ACTORS["leader"].login, "退出", "", "成功", "") in rows, rows
