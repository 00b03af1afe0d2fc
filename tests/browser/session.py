"""Readiness and signing in, shared by the fixtures and the tests of tests/browser.

Readiness is by state, never by sleeping (as Streamlit's own e2e suite does). Signing in is done
as a person does it: the page's URL shows the sign-in page; a click (a 演示账号 button, the
password form, the forced password change) sends the browser once through the cookie route
(/api/session/enter), which sets the HttpOnly session cookie and comes back to the same URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Page, Response, expect

from rectlens.access.accounts import DEMO_ACCOUNTS
from rectlens.access.roles import ROLE_LABELS, Actor
from rectlens.ui import navigation
from rectlens.ui.web import ENTER_PATH

PAGE_READY_MS = 60_000
SIGN_IN_TITLE = "整改透视 · 登录"
# the demo's one account per role, and the sign-in button that names it
DEMO_ACTORS = {roles[0]: Actor(login, name, roles, units) for login, name, roles, units in DEMO_ACCOUNTS}
DEMO_BUTTONS = {role: f"演示账号 · {label}" for role, label in ROLE_LABELS.items()}


def wait_until_ready(page: Page, timeout_ms: int = PAGE_READY_MS) -> None:
    """Readiness by state, not by sleeping (as Streamlit's own e2e suite does)."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", state="attached", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached", timeout=timeout_ms)
    # elements are drawn lazily: skeletons stand in until their code has loaded
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0", timeout=timeout_ms)
    charts = page.locator("[data-testid='stPlotlyChart']")
    for index in range(charts.count()):
        # the script can finish about a second before plotly has drawn
        charts.nth(index).locator(".js-plotly-plot .main-svg").first.wait_for(state="attached", timeout=timeout_ms)
    page.evaluate("() => document.fonts.ready.then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))")


def expect_sign_in_page(page: Page) -> None:
    """The page shows the sign-in page (and nothing of the dashboard)."""
    expect(page.get_by_test_id("stMain").locator("h1").first).to_have_text(SIGN_IN_TITLE)
    expect(page.get_by_test_id("stTopNav")).to_have_count(0)


def landing_path(url_path: str, role: str) -> str:
    """Where the browser ends up after signing in on `url_path`: the page itself, except the root URL
    of someone without the overview, who lands on their own first page (admin: /accounts, auditor: /audit)."""
    actor = DEMO_ACTORS[role]
    if navigation.entry(url_path) is navigation.DEFAULT and not navigation.DEFAULT.open_to(actor):
        return "/" + navigation.first_page(actor).url_path
    return "/" + navigation.pathname(url_path)


def through_route(page: Page, act: Callable[[], object], route: str, timeout_ms: int = PAGE_READY_MS) -> Response:
    """Do `act`, after which the page sends the browser to one of the session cookie routes; wait until
    the page the route redirects to has loaded and finished its run. Returns the route's response."""
    page.evaluate("() => { window.__rectlensBefore = true; }")  # gone once the browser has loaded the next document
    with page.expect_response(lambda response: urlsplit(response.url).path == route, timeout=timeout_ms) as answered:
        act()
    assert answered.value.status == 303, answered.value.status
    page.wait_for_function("() => window.__rectlensBefore !== true", timeout=timeout_ms)
    wait_until_ready(page, timeout_ms)
    return answered.value


def sign_in(page: Page, act: Callable[[], object], timeout_ms: int = PAGE_READY_MS) -> None:
    """Sign in by `act` (a click on the sign-in page) and follow the browser through the cookie route:
    the route must send it back to the page it came from, query and all. Returns once the new page
    load (signed in) is connected and has finished its run."""
    before = urlsplit(page.url)
    entered = through_route(page, act, ENTER_PATH, timeout_ms)
    back = urlsplit(entered.headers["location"])
    assert (back.path, parse_qs(back.query)) == (before.path, parse_qs(before.query)), entered.headers["location"]
    # signed in: the menu is there (hidden only in the briefing's presentation mode), the sign-in page is not
    expect(page.get_by_test_id("stTopNav")).to_be_attached()
    expect(page.get_by_test_id("stMain").get_by_role("heading", name=SIGN_IN_TITLE)).to_have_count(0)


def sign_in_as(page: Page, role: str) -> None:
    """Click the role's 演示账号 button on the sign-in page now shown."""
    expect_sign_in_page(page)
    sign_in(page, lambda: page.get_by_role("button", name=DEMO_BUTTONS[role], exact=True).click())


def page_url(base_url: str, url_path: str, query: Mapping[str, str] | None = None) -> str:
    return f"{base_url}/{navigation.pathname(url_path)}" + (f"?{urlencode(query)}" if query else "")
