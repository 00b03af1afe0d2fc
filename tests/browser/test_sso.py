"""统一身份认证 (single sign-on) in a real browser against a real OpenID Connect provider.

The module starts its own two servers on 127.0.0.1, each on a free port: `oidc-provider-mock`
(a real OIDC provider: discovery, authorization page, signed ID tokens, end-session page) with
two people, and the dashboard, configured through a secrets.toml of its own ([auth] and a
named provider [auth.sso]) on a small database that holds one account only: the 督导组 account
`sso.inspector`, known to the provider by its e-mail address (sub and preferred_username differ
from the login). Chromium signs in the way a person does: the 统一身份认证登录 button, the
provider's page (type the subject, press Authorize), and back through /oauth2callback.

- the person with an account lands on the role's first page with the role's menu, and the
  sign-in is in the audit log as 统一身份认证;
- a person without an account reads the refusal on the sign-in page and is not signed in, and
  the refused identity signs nobody in later;
- signing out leaves through the provider's end-session page back to the sign-in page, and the
  old identity cookie, sent again, signs nobody in.

The landing page is kept as tests/artifacts/sso_landing.png; look at it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from rectlens.access.roles import Actor
from rectlens.ui import navigation

from .conftest import ARTIFACTS, ROOT, _free_port, _healthy, wait_until_ready

START_SECONDS = 60
WAIT_MS = 60_000

LOGIN, NAME, EMAIL = "sso.inspector", "督导员", "inspector@example.org"
ACTOR = Actor(LOGIN, NAME, ("inspector",))
# The provider's people: the inspector is matched by e-mail only; the stranger has no account.
INSPECTOR = {"sub": "u-1001", "email": EMAIL, "preferred_username": "zhang.san", "name": "张三"}
STRANGER = {"sub": "u-2002", "email": "stranger@example.org", "preferred_username": "li.si", "name": "李四"}

SIGN_IN_TITLE = "整改透视 · 登录"
SSO_BUTTON = "统一身份认证登录"
REFUSAL = f"统一身份认证的身份「{STRANGER['email']}」在本系统中没有对应的账号"
JOINER = "\u2060"  # invisible: rectlens.ui.formats.literal puts it before "@"


@dataclass(frozen=True)
class Servers:
    dashboard: str  # http://127.0.0.1:PORT
    provider: str
    db: Path
    logs: Path


def _wait(what: str, ready, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not start in {START_SECONDS} s:\n{_tail(log)}")
        time.sleep(0.2)


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else ""


def _provider_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2) as response:
            return "authorization_endpoint" in json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as output:  # the child keeps its own handle
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _cli(*args: str, db: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "rectlens", *args, "--db", str(db)],
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, f"rectlens {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done.stdout


def _secrets(path: Path, dashboard: str, provider: str) -> None:
    """What an administrator writes into .streamlit/secrets.toml (README: 统一身份认证)."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{dashboard}/oauth2callback"\n'
        'cookie_secret = "test-only-cookie-secret-3f1c9a7e5b2d4c6a8e0f"\n'
        "\n"
        "[auth.sso]\n"
        'client_id = "rectlens"\n'
        'client_secret = "test-only-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("sso")
    db = folder / "rectlens.duckdb"
    _cli("users", "add", LOGIN, "--name", NAME, "--role", "inspector", "--email", EMAIL, db=db)
    provider_port, dashboard_port = _free_port(), _free_port()
    provider, dashboard = f"http://127.0.0.1:{provider_port}", f"http://127.0.0.1:{dashboard_port}"
    _secrets(folder / "secrets.toml", dashboard, provider)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    provider_command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(provider_port)]
    for person in (INSPECTOR, STRANGER):
        provider_command += ["--user-claims", json.dumps(person, ensure_ascii=False)]
    dashboard_command = [
        *(sys.executable, "-m", "streamlit", "run", "dashboard.py"),
        *("--server.headless", "true", "--server.port", str(dashboard_port), "--server.address", "127.0.0.1"),
        *("--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"),
        *("--secrets.files", str(folder / "secrets.toml")),
    ]
    dashboard_env = {**env, "RECTLENS_DB": str(db), "RECTLENS_SETTINGS": str(folder / "settings.toml")}
    started: list[subprocess.Popen] = []
    try:
        started.append(_start(provider_command, env, folder / "provider.log"))
        _wait("oidc-provider-mock", lambda: _provider_up(provider), started[-1], folder / "provider.log")
        started.append(_start(dashboard_command, dashboard_env, folder / "streamlit.log"))
        _wait("streamlit", lambda: _healthy(dashboard), started[-1], folder / "streamlit.log")
        yield Servers(dashboard, provider, db, folder)
    finally:
        for process in reversed(started):
            _stop(process)


@pytest.fixture
def context(browser: Browser, servers: Servers) -> Iterator[BrowserContext]:
    """A fresh browser (no cookies) that reaches only the two local servers."""
    opened = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    # the provider's pages link a stylesheet on a CDN: nothing leaves the machine
    opened.route(lambda url: urlsplit(url).hostname != "127.0.0.1", lambda route: route.abort())
    yield opened
    opened.close()


def _audit(servers: Servers, after: int = 0) -> list[dict]:
    """The audit log's records after sequence number `after`, read-only as an auditor's script would.
    The dashboard opens the database file only briefly; a read that meets it is tried again."""
    columns = ("seq", "account", "roles", "action", "outcome", "detail")
    for attempt in range(40):
        try:
            with duckdb.connect(str(servers.db), read_only=True) as con:
                rows = con.execute(f"SELECT {', '.join(columns)} FROM audit_log WHERE seq > ? ORDER BY seq", [after]).fetchall()
            return [dict(zip(columns, row, strict=True)) for row in rows]
        except duckdb.IOException:  # the file is locked by the dashboard's write
            if attempt == 39:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def _last_seq(servers: Servers) -> int:
    return max((record["seq"] for record in _audit(servers)), default=0)


def _on_sign_in_page(page: Page) -> None:
    expect(page.get_by_role("heading", name=SIGN_IN_TITLE)).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="总览")).to_have_count(0)  # no menu before signing in


def _through_provider(page: Page, servers: Servers, person: dict[str, str]) -> None:
    """From the sign-in page through the provider's authorization page, as a person does it."""
    page.goto(servers.dashboard, wait_until="domcontentloaded")
    wait_until_ready(page)
    _on_sign_in_page(page)
    button = page.get_by_role("button", name=SSO_BUTTON)
    expect(button, "no 统一身份认证登录 button: the sign-in page did not find the provider in secrets.toml").to_be_visible()
    button.click()
    page.wait_for_url(f"{servers.provider}/oauth2/authorize?**", timeout=WAIT_MS)
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(person["sub"])
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(lambda url: url.startswith(servers.dashboard), timeout=WAIT_MS)
    wait_until_ready(page)


def _end_provider_session(page: Page, servers: Servers) -> None:
    """Streamlit's logout sends the browser to the provider's end-session page; confirm it and come back."""
    page.wait_for_url(f"{servers.provider}/oauth2/end_session?**", timeout=WAIT_MS)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/" and url.startswith(servers.dashboard), timeout=WAIT_MS)
    wait_until_ready(page)
    _on_sign_in_page(page)


def _identity_cookies(context: BrowserContext) -> list[dict]:
    return [cookie for cookie in context.cookies() if cookie["name"].startswith("_streamlit_user")]


def _expect_menu_of_inspector(page: Page) -> None:
    first = navigation.first_page(ACTOR)
    expect(page.get_by_role("link", name="抽查计划")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("link", name=NAME)).to_be_visible()  # 我的账号 carries the account's name
    expect(page.get_by_role("heading", name=first.title, level=1)).to_be_visible()
    for not_theirs in ("账号管理", "留痕审计"):
        expect(page.get_by_role("link", name=not_theirs)).to_have_count(0)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert urlsplit(page.url).path == "/" + navigation.pathname(first.url_path)


def test_identity_matched_by_email_signs_in_on_the_roles_first_page(servers: Servers, context: BrowserContext) -> None:
    before = _last_seq(servers)
    page = context.new_page()
    _through_provider(page, servers, INSPECTOR)
    _expect_menu_of_inspector(page)
    assert _identity_cookies(context), "Streamlit's identity cookie was not set by /oauth2callback"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sso_landing.png"))

    # a reload keeps the person signed in (the session outlives the run that began it)
    page.reload(wait_until="domcontentloaded")
    wait_until_ready(page)
    _expect_menu_of_inspector(page)

    sign_ins = [r for r in _audit(servers, before) if r["action"] == "sign_in"]
    assert [(r["account"], r["roles"], r["outcome"], r["detail"]) for r in sign_ins] == [(LOGIN, "inspector", "ok", "统一身份认证")]


def test_identity_without_an_account_is_refused_and_not_signed_in(servers: Servers, context: BrowserContext) -> None:
    before = _last_seq(servers)
    page = context.new_page()
    _through_provider(page, servers, STRANGER)
    notice = page.locator("[data-testid='stAlertContentInfo']")
    expect(notice).to_be_visible(timeout=WAIT_MS)
    shown = notice.inner_text().replace(JOINER, "")  # the joiner keeps an address from becoming a link
    assert REFUSAL in shown and shown.endswith("请联系系统管理员开通"), shown
    _on_sign_in_page(page)
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()  # another identity may be tried
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "sso_refused.png"))

    refusal = [(STRANGER["email"], "sign_in", "refused", "统一身份认证：无对应账号或已停用")]
    assert [(r["account"], r["action"], r["outcome"], r["detail"]) for r in _audit(servers, before)] == refusal

    # Opened again, the refused identity signs nobody in: it is dropped through the provider's logout.
    page.goto(servers.dashboard, wait_until="domcontentloaded")
    _end_provider_session(page, servers)
    assert not _identity_cookies(context)
    assert [(r["account"], r["action"], r["outcome"], r["detail"]) for r in _audit(servers, before)] == refusal  # nothing more


def test_signing_out_returns_to_the_sign_in_page_and_the_old_identity_is_spent(servers: Servers, context: BrowserContext) -> None:
    before = _last_seq(servers)
    page = context.new_page()
    _through_provider(page, servers, INSPECTOR)
    _expect_menu_of_inspector(page)
    kept = _identity_cookies(context)
    assert kept

    page.get_by_role("link", name=NAME).click()  # 我的账号
    page.wait_for_url(f"{servers.dashboard}/account", timeout=WAIT_MS)
    wait_until_ready(page)
    page.get_by_role("button", name="退出登录").click()
    _end_provider_session(page, servers)
    assert not _identity_cookies(context)
    signed_out = [(r["account"], r["action"], r["outcome"]) for r in _audit(servers, before)]
    assert signed_out == [(LOGIN, "sign_in", "ok"), (LOGIN, "sign_out", "ok")]

    # The identity cookie from before signing out, sent again (a copied cookie, a browser restoring
    # its session), signs nobody in: Streamlit's cookie lives 30 days, the session here did not.
    context.add_cookies([{key: cookie[key] for key in ("name", "value", "domain", "path")} for cookie in kept])
    page.goto(servers.dashboard, wait_until="domcontentloaded")
    _end_provider_session(page, servers)
    assert not _identity_cookies(context)
    assert [(r["account"], r["action"], r["outcome"]) for r in _audit(servers, before)] == signed_out  # no silent sign-in
    assert _cli("audit", "verify", db=servers.db).startswith("留痕完整")  # exit 0: the chain holds the SSO records too
