"""Two dashboard instances on one lake behind deploy/nginx-rectlens.conf, in a real browser.

Sign in and upload through nginx on one instance; the other instance, serving
another browser, sees the upload (the same file is refused there as already
stored). Then the first instance is killed: its browser is moved to the other
one by nginx, signs in again and keeps working.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from workbooks import ledger_row, ledger_sheet, regions_xlsx, xlsx

from rectlens import sql
from rectlens.access import audit
from rectlens.access.accounts import add_demo_accounts
from rectlens.access.roles import cli_operator
from rectlens.ingest import service
from rectlens.storage import database

from .conftest import ROOT, SERVER_START_SECONDS, _free_port, _healthy
from .session import sign_in_as, wait_until_ready
from .widgets import WAIT_MS, card, settle, upload

NGINX = Path("/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx-rectlens.conf"
INSTANCE_HEADER = "x-rectlens-instance"
# Which instance (instances, when nginx moved the request on) answered each request of which route.
ROUTES_LOG = "'$msec \"$request\" $status upstream=$upstream_addr ($upstream_status) route=$cookie_rectlens_route'"


def nginx_conf(folder: Path, port: int, instances: list[int]) -> str:
    """The deployed site as it is, with this test's ports, inside a minimal main configuration."""
    site = SITE.read_text(encoding="utf-8")
    ports = iter(instances)  # the site's server lines, parameters and all, on this test's ports
    site = re.sub(r"(?m)^(\s*server 127\.0\.0\.1:)\d+", lambda line: f"{line.group(1)}{next(ports)}", site)
    assert next(ports, None) is None, "the site names fewer instances than the test starts"
    site = site.replace("    listen 80;", f"    listen 127.0.0.1:{port};")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}daemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\n"
        f"http {{\n    log_format routes {ROUTES_LOG};\n    access_log {folder / 'access.log'} routes;\n{temp}\n{site}\n}}\n"
    )


def start_instance(port: int, spec: str, folder: Path, secret: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RECTLENS_STORE": spec,
        "RECTLENS_SETTINGS": str(folder / "settings.toml"),
        "STREAMLIT_SERVER_COOKIE_SECRET": secret,
        "PYTHONPATH": str(ROOT),
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("RECTLENS_DB", None)
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    log = (folder / f"streamlit-{port}.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start ({process.returncode})")
        time.sleep(0.2)


@pytest.fixture
def demo_lake(lake: str) -> str:
    """A lake with the test region master and the 演示账号 (so the sign-in page offers them)."""
    service.replace_region_master(lake, regions_xlsx(), "地区表.xlsx", actor=cli_operator())
    with database.transaction(lake) as con:
        sql.execute(con, "meta_set", {"key": "demo", "value": "true"})
        add_demo_accounts(con)
    return lake


@pytest.fixture
def behind_nginx(demo_lake: str) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    if not NGINX.exists() and not shutil.which("nginx"):
        pytest.fail("nginx not found; install the Debian package `nginx` (./test.sh does)")
    folder = Path(tempfile.mkdtemp(prefix="rectlens-nginx-"))
    os.chmod(folder, 0o755)
    ports = [_free_port(), _free_port()]
    instances = {f"127.0.0.1:{port}": start_instance(port, demo_lake, folder, "shared-test-cookie-secret") for port in ports}
    nginx_port = _free_port()
    (folder / "nginx.conf").write_text(nginx_conf(folder, nginx_port, ports), encoding="utf-8")
    proxy = subprocess.Popen(
        [str(NGINX if NGINX.exists() else shutil.which("nginx")), "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx.out").open("wb"),
    )
    try:
        for address, process in instances.items():
            wait_healthy(f"http://{address}", process, f"streamlit {address}")
        wait_healthy(f"http://127.0.0.1:{nginx_port}", proxy, "nginx")
        yield f"http://127.0.0.1:{nginx_port}", instances
    finally:
        stop(proxy)
        for process in instances.values():
            stop(process)
        _print_logs(folder)  # shown by pytest only when the test failed
        shutil.rmtree(folder, ignore_errors=True)


def _print_logs(folder: Path) -> None:
    """nginx's error and access logs and each instance's log, for a failure's report."""
    for name in ("error.log", "access.log", *sorted(path.name for path in folder.glob("streamlit-*.log"))):
        path = folder / name
        if path.exists():
            print(f"--- {name} ---\n" + "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-80:]))


def open_on(browser: Browser, url: str, avoid: str | None = None) -> tuple[BrowserContext, Page, str]:
    """A new browser (context) on the upload page through nginx, and the instance that serves it;
    with `avoid`, new browsers are tried until one lands on another instance (routes are random)."""
    for _attempt in range(20):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = context.new_page()
        response = page.goto(f"{url}/upload", wait_until="domcontentloaded")
        assert response is not None
        instance = response.headers.get(INSTANCE_HEADER, "")
        if avoid is None or instance != avoid:
            wait_until_ready(page)
            return context, page, instance
        context.close()
    raise AssertionError("nginx sent 20 new browsers to the same instance")


def submit(page: Page, name: str, data: bytes) -> None:
    upload(page, name, data)
    button = card(page, data).get_by_role("button", name="确认提交")
    expect(button).to_be_enabled(timeout=WAIT_MS)
    button.click()
    expect(card(page, data).get_by_text(f"「{name}」已保存")).to_be_visible(timeout=WAIT_MS)
    settle(page)


def test_two_instances_behind_nginx_share_one_lake_and_survive_one_going_down(browser: Browser, behind_nginx, demo_lake: str) -> None:
    url, instances = behind_nginx
    first_context, first, first_instance = open_on(browser, url)
    second_context, second, second_instance = open_on(browser, url, avoid=first_instance)
    try:
        assert {first_instance, second_instance} == set(instances)
        sign_in_as(first, "office")
        wait_until_ready(first)
        october = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")]))
        submit(first, "江城市2026年10月台账.xlsx", october)

        # the other instance sees it: the same file is already stored there
        sign_in_as(second, "office")
        wait_until_ready(second)
        upload(second, "江城市2026年10月台账（再次）.xlsx", october)
        expect(card(second, october).get_by_text("与已上传的文件完全相同")).to_be_visible(timeout=WAIT_MS)

        # the first instance goes down: its browser is moved on, signs in again and keeps working
        stop(instances[first_instance])
        response = first.reload(wait_until="domcontentloaded")
        assert response is not None and response.headers.get(INSTANCE_HEADER, "").endswith(second_instance)
        wait_until_ready(first)
        sign_in_as(first, "office")  # its session was in the instance that went down
        wait_until_ready(first)
        kept = [ledger_row("JC-001"), ledger_row("JC-002", status="推进中"), ledger_row("JC-003", status="推进中")]
        november = xlsx(ledger_sheet(kept, month="2026年11月"))  # nothing gone from the list: no change to confirm
        submit(first, "江城市2026年11月台账.xlsx", november)
    finally:
        first_context.close()
        second_context.close()
    with database.connect(demo_lake) as con:
        stored = con.execute("SELECT file_name FROM files ORDER BY file_id").fetchall()
    assert stored == [("江城市2026年10月台账.xlsx",), ("江城市2026年11月台账.xlsx",)]
    assert audit.verify(demo_lake).intact


# Streamlit's server (uvicorn) closes a connection that has been idle for 5 s; nginx must never send a
# request on one it is just closing.
SERVER_KEEP_ALIVE_SECONDS = 5.0


def test_a_browser_idle_for_the_servers_keep_alive_time_stays_on_its_instance(behind_nginx) -> None:
    """Requests of one browser (one route) after pauses of about 5 s, as when a person reads a page
    between clicks, all reach the same instance: a single move signs the person out."""
    url, _instances = behind_nginx
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": "rectlens_route=one-browser"})
    answered_by = []
    for step in range(-4, 8):  # pauses from 4.98 s to 5.035 s around the server's time-out
        with urllib.request.urlopen(request, timeout=30) as response:
            answered_by.append(response.headers.get(INSTANCE_HEADER, ""))
        time.sleep(SERVER_KEEP_ALIVE_SECONDS + step * 0.005)
    assert len(set(answered_by)) == 1 and "," not in answered_by[0], answered_by
