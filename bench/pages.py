"""Benchmark: time until the 总览 page is fully drawn in headless Chromium.

Measures, in one run, three Streamlit servers side by side:

  (a) the dashboard on the demo data set (13 units, 12 months, ~3,300 problems);
  (b) the dashboard on 24 months x 100,000 problems (2.4 million ledger rows,
      50,000 spot checks, 20 units in four zones), built with the product's
      schema by bench/metrics.py's builder plus a region master;
  (c) a one-chart baseline: a minimal Streamlit script with one plotly chart
      (written into bench/out/), i.e. what any Streamlit page with a chart costs;
  (d) the dashboard as it was before sign-in existed (`--before-ref`, by default
      the commit before accounts landed, unpacked with `git archive` into
      bench/out/) on a copy of (a)'s demo database: what sign-in may cost.

(a) and (b) are loaded by a signed-in person: each case's browser context
signs in once through the sign-in page (a demo account for (a), a real
account with a password for (b)) and every timed load opens a new page in
that context, as a person's next visit does. (c) and (d) have no sign-in;
they too open each page in one context per case.

"Fully drawn" means: connected, the script state is notRunning, no element is
still a loading skeleton, and every plotly chart has its SVG
(`.js-plotly-plot .main-svg`). Each server is started once and warmed up by
`--warmup` loads (default 2: the first pays for imports and uncached queries,
and the second is measured here to be still slower than the later ones, for
the baseline too); then each case is loaded `--runs` times
(default 3), each time in a fresh browser context and page, and the median is
reported. The first (cold) load of each server is reported too: it includes
Streamlit's imports and, for (a) and (b), the month's queries before they
are cached.

Targets: (b) within 3 s and within 2x (c); (a) within 1.2x (d).

Run: .venv/bin/python bench/pages.py [--runs 3] [--viewport 1440x900]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from openpyxl import Workbook
from playwright.sync_api import Browser, BrowserContext, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rectlens import demo  # noqa: E402
from rectlens.access.roles import cli_operator  # noqa: E402
from rectlens.ingest.service import replace_region_master  # noqa: E402

OUT = ROOT / "bench" / "out"
CHROMIUM = Path(os.environ.get("RECTLENS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]
TARGET_SECONDS = 3.0
TARGET_RATIO = 2.0
TARGET_SIGN_IN_RATIO = 1.2
BEFORE_SIGN_IN_REF = "f3f9f04^"  # the last commit before accounts and sign-in
BENCH_LOGIN, BENCH_PASSWORD = "bench.leader", "Bench-Leader-2026"
ZONES = ("南片", "中片", "北片", "东片")

BASELINE_APP = '''"""One plotly chart and nothing else: the floor for a Streamlit page with a chart."""
import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[0.6, 0.7, 0.65, 0.8], mode="lines+markers")))
'''

# Fully drawn: see the module docstring. `expected` plotly charts must be on the page.
DRAWN_JS = """expected => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.dataset.testConnectionState !== 'CONNECTED' || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  return charts.length >= expected && charts.every(chart => chart.querySelector('.js-plotly-plot .main-svg'));
}"""


@dataclass(frozen=True)
class Case:
    label: str
    script: Path
    db: Path | None
    charts: int  # plotly charts on the page when it is fully drawn
    sign_in: str | None = None  # "demo" (a demo account's button) or "password" (BENCH_LOGIN); None: no sign-in page


def before_sign_in_tree(ref: str) -> Path:
    """The project as of `ref` (files only, no git state), unpacked once into bench/out/."""
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    tree = OUT / f"before_sign_in_{commit}"
    if not (tree / "dashboard.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def with_bench_account(path: Path) -> Path:
    """The database with a leader account BENCH_LOGIN whose password is BENCH_PASSWORD (made once)."""
    from rectlens.access import accounts

    if accounts.get(path, BENCH_LOGIN) is None:
        issued = accounts.create(path, cli_operator(), BENCH_LOGIN, "基准测试", ["leader"])
        account = accounts.get(path, BENCH_LOGIN)
        assert account is not None
        assert not accounts.change_password(path, account.actor(), issued, BENCH_PASSWORD)
    return path


def _load_metrics_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_metrics", ROOT / "bench" / "metrics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def region_master(units: int) -> bytes:
    """地区表 for the synthetic units 单位00 … (four zones, in turn)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "地区表"
    sheet.append(["地区", "片区"])
    for unit in range(units):
        sheet.append([f"单位{unit:02d}", ZONES[unit % len(ZONES)]])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def large_database(problems: int, months: int, checks: int) -> Path:
    """The bench/metrics.py database (built there if missing), copied and given a region master."""
    path = OUT / f"pages_{problems}x{months}.duckdb"
    if path.exists():
        return path
    metrics_bench = _load_metrics_bench()
    source = OUT / f"metrics_{problems}x{months}.duckdb"
    if not source.exists():
        print(f"building {source.name} (24 monthly snapshots) …", file=sys.stderr)
        metrics_bench.build(source, problems, months, checks)
    building = path.with_name(path.name + ".building")
    shutil.copyfile(source, building)
    count, failures, _notices = replace_region_master(building, region_master(metrics_bench.UNITS), "地区表.xlsx", actor=cli_operator())
    assert not failures and count == metrics_bench.UNITS, [p.text() for p in failures]
    building.replace(path)
    return path


def demo_database() -> Path:
    path = OUT / "pages_demo.duckdb"
    if not path.exists():
        print(f"building the demo database at {path} …", file=sys.stderr)
        demo.build(path, out_dir=OUT / "pages_demo_workbooks", echo=lambda message: None)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def server(case: Case) -> Iterator[str]:
    """`streamlit run` for the case on a free port, until it answers its health check."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    tree = case.script.parent
    env = {**os.environ, "PYTHONPATH": str(tree), "RECTLENS_SETTINGS": str(OUT / "no-settings.toml")}
    if case.db is not None:
        env["RECTLENS_DB"] = str(case.db)
    command = [
        sys.executable, "-m", "streamlit", "run", str(case.script),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log = (OUT / f"pages_server_{case.label}.log").open("wb")
    process = subprocess.Popen(command, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit for ({case.label}) did not start; see {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def signed_in_context(browser: Browser, url: str, case: Case, viewport: tuple[int, int]) -> BrowserContext:
    """A browser context for the case, signed in through the sign-in page when the case has one."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    if case.sign_in is None:
        return context
    page = context.new_page()
    page.goto(url, wait_until="commit")
    if case.sign_in == "demo":
        page.get_by_role("button", name="演示账号 · 领导").click(timeout=300_000)
    else:
        page.get_by_label("登录名").fill(BENCH_LOGIN, timeout=300_000)
        page.get_by_label("密码").fill(BENCH_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
    deadline = time.monotonic() + 60  # the page hands its session to the cookie route, which comes back
    while not any(cookie["name"] == "rectlens_session" for cookie in context.cookies()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"({case.label}): signing in set no session cookie")
        time.sleep(0.1)
    page.wait_for_function(DRAWN_JS, arg=case.charts, timeout=300_000, polling=50)
    page.close()
    return context


def load_seconds(context: BrowserContext, url: str, charts: int) -> float:
    """Seconds from navigation to fully drawn, in a new page of the case's context."""
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(DRAWN_JS, arg=charts, timeout=300_000, polling=20)
        seconds = time.perf_counter() - start
        if page.locator("[data-testid='stException']").count():
            raise RuntimeError(f"{url} shows an exception")
        return seconds
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2, help="loads before the timed ones (the first is reported)")
    parser.add_argument("--viewport", default="1440x900")
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--checks", type=int, default=50_000)
    parser.add_argument("--before-ref", default=BEFORE_SIGN_IN_REF, help="git ref of the dashboard before sign-in, for (d)")
    args = parser.parse_args()
    viewport = tuple(int(n) for n in args.viewport.split("x"))
    assert len(viewport) == 2

    OUT.mkdir(parents=True, exist_ok=True)
    baseline = OUT / "baseline_app.py"
    baseline.write_text(BASELINE_APP, encoding="utf-8")
    demo_db = demo_database()
    before_db = OUT / "pages_demo_before_sign_in.duckdb"
    shutil.copyfile(demo_db, before_db)
    cases = [
        Case("a", ROOT / "dashboard.py", demo_db, 2, sign_in="demo"),
        Case("b", ROOT / "dashboard.py", with_bench_account(large_database(args.problems, args.months, args.checks)), 2, "password"),
        Case("c", baseline, None, 1),
        Case("d", before_sign_in_tree(args.before_ref) / "dashboard.py", before_db, 2),
    ]
    names = {
        "a": "demo data (总览), signed in",
        "b": f"{args.months} months x {args.problems:,} problems (总览), signed in",
        "c": "one-chart baseline",
        "d": f"demo data (总览), before sign-in ({args.before_ref})",
    }
    results: dict[str, tuple[float, list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for case in cases:
                with server(case) as url:
                    context = signed_in_context(browser, url, case, viewport)
                    try:
                        cold = load_seconds(context, url, case.charts)  # imports and the month's queries (after sign-in: warm)
                        for _ in range(args.warmup - 1):
                            load_seconds(context, url, case.charts)
                        warm = [load_seconds(context, url, case.charts) for _ in range(args.runs)]
                    finally:
                        context.close()
                results[case.label] = (cold, warm)
        finally:
            browser.close()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"overview fully drawn (notRunning + every plotly SVG), viewport {args.viewport}, {os.cpu_count()} CPUs, load {load:.1f}")
    print(f"{'case':<44}{'first load':>12}{'median':>10}   runs")
    for label, (cold, warm) in results.items():
        runs = " ".join(f"{s:.2f}" for s in warm)
        print(f"({label}) {names[label]:<40}{cold:>11.2f}s{statistics.median(warm):>9.2f}s   {runs}")
    b, c = statistics.median(results["b"][1]), statistics.median(results["c"][1])
    a, d = statistics.median(results["a"][1]), statistics.median(results["d"][1])
    print(f"ratio (b)/(c): {b / c:.2f}")
    print(f"ratio (a)/(d), signed in vs before sign-in: {a / d:.2f}")
    print(f"target (a) <= {TARGET_SIGN_IN_RATIO} x (d): {'met' if a <= TARGET_SIGN_IN_RATIO * d else 'MISSED'}")
    print(f"target (b) <= {TARGET_SECONDS:.0f} s: {'met' if b <= TARGET_SECONDS else 'MISSED'}")
    print(f"target (b) <= {TARGET_RATIO:.0f} x (c): {'met' if b <= TARGET_RATIO * c else 'MISSED'}")


if __name__ == "__main__":
    main()
