"""A real dashboard server and headless Chromium for page tests.

One Streamlit server per test session (per xdist worker) runs on a fresh
data folder, so the dashboard builds the demo database on its first page
load exactly as on a new machine. Tests ask for `open_page` and get a
Playwright page, signed in as a person would (the page's URL, the sign-in
page, the role's 演示账号 button, the cookie route and back), connected and
finished running its script:

    def test_something(open_page):
        page = open_page("submissions", query={"month": "2026-10"}, role="office")

`role=None` leaves the page on the sign-in page; `session.sign_in` follows any
other way of signing in (the password form, a forced password change).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .session import DEMO_BUTTONS, PAGE_READY_MS, expect_sign_in_page, landing_path, page_url, sign_in_as, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("RECTLENS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60
FIRST_LOAD_SECONDS = 300  # the first page load builds the demo database

OpenPage = Callable[..., Page]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser is a browser test, run on one xdist worker (one server, one demo build)."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _server_log(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-4000:] if log_path.exists() else ""


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh, empty data folder: the dashboard starts as on a new machine."""
    return tmp_path_factory.mktemp("dashboard-data")


@pytest.fixture(scope="session")
def base_url(data_dir: Path) -> Iterator[str]:
    """Start `streamlit run dashboard.py` on a free port and wait until it is healthy."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "RECTLENS_DB": str(data_dir / "rectlens.duckdb"),
        "RECTLENS_SETTINGS": str(data_dir / "settings.toml"),
        "RECTLENS_CACHE_DIR": str(data_dir / "cache"),
        "PYTHONPATH": str(ROOT),
        "PYTHONIOENCODING": "utf-8",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    log_path = data_dir / "streamlit.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _healthy(url):
                if server.poll() is not None:
                    pytest.fail(f"streamlit exited with {server.returncode}:\n{_server_log(log_path)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy in {SERVER_START_SECONDS} s:\n{_server_log(log_path)}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}; install the Debian package `chromium` (./test.sh does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def dashboard_url(base_url: str, browser: Browser) -> str:
    """The server after its first page load, which builds the demo database (and so its 演示账号)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(base_url, wait_until="domcontentloaded")
        wait_until_ready(page, timeout_ms=FIRST_LOAD_SECONDS * 1000)
        # the first run may end while the demo is still being written by an earlier rerun
        page.get_by_role("button", name=DEMO_BUTTONS["leader"], exact=True).wait_for(timeout=FIRST_LOAD_SECONDS * 1000)
    finally:
        context.close()
    return base_url


@pytest.fixture
def open_page(dashboard_url: str, browser: Browser) -> Iterator[OpenPage]:
    """`open_page(url_path, query=None, viewport=(1440, 900), role="leader")`: a ready page of the dashboard,
    in a browser context of its own, signed in with the role's 演示账号 (role=None: left on the sign-in page)."""
    contexts = []

    def open_(
        url_path: str, query: Mapping[str, str] | None = None, viewport: tuple[int, int] = (1440, 900), role: str | None = "leader"
    ) -> Page:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto(page_url(dashboard_url, url_path, query), wait_until="domcontentloaded")
        wait_until_ready(page)
        if role is None:
            expect_sign_in_page(page)
            return page
        sign_in_as(page, role)
        expected = landing_path(url_path, role)
        page.wait_for_url(lambda url: urlsplit(url).path == expected, timeout=PAGE_READY_MS)
        wait_until_ready(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def save_screenshot() -> Callable[[Page, str], Path]:
    """`save_screenshot(page, name)`: the viewport as tests/artifacts/<name>.png (kept for review)."""

    def save(page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save
