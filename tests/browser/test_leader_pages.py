"""The leaders' pages in a real browser, on the demo data set the shared server builds on first start,
signed in with the demo's 领导 account.

Each page renders without an error element, with its charts drawn and its Chinese texts shown;
a screenshot of each is kept in tests/artifacts/leaders_*.png for review. Charts are also
checked for what a reviewer would otherwise have to spot: a title running past the chart,
a legend over the axis title or the plot, two labels over each other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rectlens import charts, domain, flags, items, views
from rectlens.metrics import metrics, months_with_data
from rectlens.ui.formats import month_label

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # as conftest marks everything here: one server

SCREEN = (1440, 900)
TALL = (1440, 1300)  # the tables below the charts too
TABLET = (1024, 768)
WF = next(full for full, short in domain.PROJECT_SHORT.items() if short == "微腐败")
# What users must never read: warning codes, severities in English, missing values spelled by Python.
CODES = "GAP|JUMP|MISMATCH|NO_EVIDENCE|SHRINK|RUSH|STALE|MISSING|RELAPSE|LOW_SATISFACTION|OVERDUE|SLOW|BOILERPLATE|VAGUE|FEW_PROBLEMS"
LEAKED = re.compile(rf"\b(?:{CODES}|high|medium|None|nan|NaN)\b")

PAGES = {
    "overview": ("总览", ["报告完成率", "核实完成率", "高风险预警单位", "本月报送", "主要预警", "查看依据"]),
    "regions": ("地区对比", ["抽查通过率漏斗图", "样本不足的地区", "地区排名", "校正通过率"]),
    "trends": ("趋势", ["完成率逐月走势", "序时进度", "报告完成率", "核实完成率"]),
    "warnings": ("预警", ["预警类型", "等级", "风险评分", "点击一行查看依据"]),
    "items": ("问题台账", ["搜索", "整改状态", "个问题"]),
    "quality": ("清单质量", ["查摆不全", "问题数与规模（漏斗图）", "问题来源构成", "根源类别构成", "被照搬最多的整改措施"]),
}
CHART_PROBLEMS_JS = """
root => {
  const box = e => e ? e.getBoundingClientRect() : null;
  const overlap = (a, b) => a && b && a.width > 0 && b.width > 0 &&
      a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const problems = [];
  root.querySelectorAll('.js-plotly-plot').forEach((plot, index) => {
    const frame = box(plot);
    const title = plot.querySelector('.gtitle');
    const name = title ? title.textContent : `chart ${index}`;
    for (const text of plot.querySelectorAll('.gtitle, .gtitle-subtitle')) {
      const b = box(text);
      if (b.left < frame.left - 1 || b.right > frame.right + 1) problems.push(`${name}: title cut off`);
    }
    const legend = box(plot.querySelector('.legend'));
    const area = box(plot.querySelector('.nsewdrag'));
    for (const axis of plot.querySelectorAll('.xtitle, .ytitle, .g-xtitle text, .g-ytitle text')) {
      if (overlap(legend, box(axis))) problems.push(`${name}: legend over the axis title`);
    }
    if (overlap(legend, area)) problems.push(`${name}: legend over the plot`);
    const labels = [...plot.querySelectorAll('.annotation-text-g')].map(box);
    labels.forEach((a, i) => labels.slice(i + 1).forEach(b => { if (overlap(a, b)) problems.push(`${name}: labels over each other`); }));
  });
  return problems;
}
"""


# After a click within the app (no page load for the fixture to wait on): no element still waiting
# for its code (a grey skeleton), every visible table drawn (those in closed expanders are not).
SETTLED_JS = """() => document.querySelectorAll("[data-testid='stSkeleton']").length === 0
  && [...document.querySelectorAll("[data-testid='stDataFrame']")].filter(table => table.checkVisibility())
       .every(table => table.querySelector('canvas') && table.getBoundingClientRect().height > 60)"""


def demo_db(data_dir: Path) -> Path:
    return data_dir / "rectlens.duckdb"


def latest_month(data_dir: Path) -> dt.date:
    return max(months_with_data(demo_db(data_dir)))


def assert_clean(page: Page) -> None:
    """No error element, no code or English value in the text, no chart whose labels collide."""
    main = page.get_by_test_id("stMain")
    assert page.get_by_test_id("stException").count() == 0
    leaked = LEAKED.findall(main.inner_text())
    assert not leaked, leaked
    problems = main.evaluate(CHART_PROBLEMS_JS)
    assert not problems, problems


def selected(page: Page) -> list[str]:
    return page.get_by_test_id("stSelectbox").locator("input").evaluate_all("inputs => inputs.map(input => input.value)")


def grid(page: Page, index: int) -> list[dict[str, str]]:
    """The rows a table shows, read from the accessible copy the data grid keeps of its visible rows."""
    table = page.get_by_test_id("stDataFrame").nth(index)
    table.locator("[role='gridcell']").first.wait_for(state="attached")
    header, *rows = table.evaluate("table => [...table.querySelectorAll('tr')].map(row => [...row.children].map(cell => cell.textContent))")
    return [dict(zip(header, row, strict=True)) for row in rows]


def chart_data(page: Page, index: int = 0) -> list[dict[str, Any]]:
    """Name, x, y and hover text of the traces plotly is drawing in the page's `index`-th chart."""
    return (
        page.locator(".js-plotly-plot")
        .nth(index)
        .evaluate(
            """plot => plot._fullData.map(trace => Object.fromEntries(['name', 'x', 'y', 'hovertext'].map(
             key => [key, trace[key] && typeof trace[key] === 'object' ? Array.from(trace[key]) : trace[key]])))"""
        )
    )


@pytest.mark.parametrize("url_path", list(PAGES))
def test_leader_page_renders(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], url_path: str) -> None:
    title, texts = PAGES[url_path]
    page = open_page(url_path, viewport=SCREEN if url_path in ("overview", "items") else TALL, role="leader")
    save_screenshot(page, f"leaders_{url_path}")
    if url_path == "quality":  # a long page: its lower charts and table too, in a window tall enough for all
        page.set_viewport_size({"width": SCREEN[0], "height": 3400})
        page.wait_for_timeout(1500)  # plotly redraws at the new size
        save_screenshot(page, "leaders_quality_full")
        page.set_viewport_size({"width": TALL[0], "height": TALL[1]})
    main = page.get_by_test_id("stMain")
    expect(main.locator("h1")).to_contain_text(title)
    for text in texts:
        assert main.get_by_text(text).first.is_visible(), text
    expect(page.get_by_test_id("stTopNav")).to_be_visible()
    assert page.get_by_test_id("stSidebar").count() == 0  # the page list runs across the top
    assert_clean(page)
    if url_path in ("overview", "regions", "trends", "quality"):
        assert page.locator(".js-plotly-plot .main-svg").count() > 0


def test_overview_fits_a_1024_by_768_tablet(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path]) -> None:
    page = open_page("overview", viewport=TABLET, role="leader")
    save_screenshot(page, "leaders_overview_1024x768")
    assert_clean(page)
    main = page.get_by_test_id("stMain")
    assert main.evaluate("element => element.scrollWidth - element.clientWidth") <= 0, "the page scrolls sideways"
    values = page.get_by_test_id("stMetricValue")
    assert values.count() == 5  # 报告完成率, 核实完成率 by random draws and by all checks, 高风险预警单位, 本月报送
    for index in range(5):  # "80.7%", not "80.…"
        value = values.nth(index)
        assert value.evaluate("e => [...e.querySelectorAll('*'), e].every(x => x.scrollWidth <= x.clientWidth)"), value.inner_text()
        box = value.bounding_box()
        assert box is not None and box["y"] + box["height"] <= TABLET[1], "the tiles are below the first screen"
    deltas = page.get_by_test_id("stMetricDelta")
    for index in range(deltas.count()):  # the 95% intervals, whole
        delta = deltas.nth(index)
        assert delta.evaluate("e => [...e.querySelectorAll('*'), e].every(x => x.scrollWidth <= x.clientWidth)"), delta.inner_text()
    labels = page.get_by_test_id("stMetricLabel")
    for index in range(5):  # "随机抽查", "全部抽查": the two estimates of 核实完成率 must be told apart
        label = labels.nth(index)
        assert label.evaluate("e => [...e.querySelectorAll('*'), e].every(x => x.scrollWidth <= x.clientWidth)"), label.inner_text()
    # the first chart starts on the first screen
    chart = page.get_by_test_id("stPlotlyChart").first.bounding_box()
    assert chart is not None and chart["y"] < TABLET[1] - 200


@pytest.mark.parametrize("url_path", ["regions", "trends"])
def test_a_link_with_filters_opens_the_filtered_view(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path, url_path: str
) -> None:
    page = open_page(url_path, query={"month": "2026-09", "zone": "北片", "project": "微腐败"}, viewport=TALL, role="leader")
    save_screenshot(page, f"leaders_{url_path}_filtered")
    assert_clean(page)
    expected_boxes = ["2026年9月", "北片", "微腐败"] if url_path == "regions" else ["2026年9月", "北片", "全部地区", "微腐败"]
    assert selected(page) == expected_boxes
    db = demo_db(data_dir)
    north = set(views.units(db).query("zone == '北片'")["region"])
    traces = {trace.get("name"): trace for trace in chart_data(page)}
    if url_path == "regions":
        expect(page.locator(".gtitle-subtitle").first).to_have_text("2026年9月 · 北片 · 微腐败")
        table = metrics(db, dt.date(2026, 9, 1))
        # the demo has random draws: the funnel plots their pass rate
        checked = table[(table["project"] == WF) & table["region"].isin(north) & (table["random_checked"] > 0)]
        shown = dict(zip(traces["各地区"]["hovertext"], traces["各地区"]["y"], strict=True))
        assert shown == pytest.approx(dict(zip(checked["region"], checked["random_pass_rate"], strict=True)))
        ranked = grid(page, 0)
        in_scope = table[(table["project"] == WF) & table["region"].isin(north)]
        assert sorted(row["地区"] for row in ranked) == sorted(in_scope["region"])
        assert {row["片区"] for row in ranked} == {"北片"}
    else:
        expect(page.locator(".gtitle-subtitle").first).to_have_text("北片 · 微腐败，截至2026年9月")
        september = metrics(db, dt.date(2026, 9, 1), "zone,project")
        (row,) = september[(september["zone"] == "北片") & (september["project"] == WF)].to_dict("records")
        reported = traces["报告完成率"]
        assert reported["x"][-1] == "2026年9月"
        assert reported["y"][-1] == pytest.approx(row["reported_rate"])


def test_view_evidence_on_the_overview_opens_the_warning_with_its_rows(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path
) -> None:
    month = latest_month(data_dir)
    first = flags.flags(demo_db(data_dir), month).iloc[0]
    project = views.project_label(first["project"])
    page = open_page("overview", viewport=TALL, role="leader")
    page.get_by_test_id("stPageLink").filter(has_text="查看依据").first.click()
    page.wait_for_url(re.compile(r"/warnings\?"))
    page.get_by_test_id("stMain").get_by_role("heading", name=re.compile(first["name"])).wait_for()
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
    page.wait_for_function(SETTLED_JS)
    save_screenshot(page, "leaders_warning_detail")
    assert_clean(page)
    assert month_label(f"{month:%Y-%m}") in selected(page)
    main = page.get_by_test_id("stMain")
    heading = f"{charts.severity_badge(first['severity'])}｜{first['name']}：{first['region']} · {project}"
    expect(main.locator("h3").first).to_have_text(heading)
    expect(main.locator("p").filter(has_text=first["reason"]).first).to_be_visible()
    ((label, rows),) = flags.rows_behind(demo_db(data_dir), first["code"], first["region"], first["project"], first["month"]).items()
    expect(main.get_by_text(f"{label}（{len(rows)} 行；文件、工作表和 Excel 行号指向原始单元格）")).to_be_visible()
    shown = grid(page, 1)  # the warnings table, then the rows behind the chosen warning
    assert min(len(rows), 10) <= len(shown) <= len(rows)  # the grid keeps only the rows near the view
    for row, expected in zip(shown, rows.to_dict("records"), strict=False):
        assert (row["问题编号"], row["文件"], row["工作表"], row["行号"]) == (
            expected["item_id"],
            expected["file_name"],
            expected["sheet"],
            str(expected["excel_row"]),
        )


def test_choosing_an_item_shows_its_months_and_checks(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path
) -> None:
    db, month = demo_db(data_dir), latest_month(data_dir)
    gap = flags.flags(db, month).query("code == 'GAP'").iloc[0]
    item_id = flags.rows_behind(db, "GAP", gap["region"], gap["project"], month)["核查记录"].iloc[0]["item_id"]
    page = open_page("items", query={"unit": gap["region"], "q": item_id}, viewport=TALL, role="leader")
    table = page.get_by_test_id("stDataFrame").first.bounding_box()
    assert table is not None
    page.mouse.click(table["x"] + 18, table["y"] + 35 + 17)  # the first row's selection box, under the header
    main = page.get_by_test_id("stMain")
    expect(main.locator("h3").first).to_have_text(f"{gap['region']} · {item_id}")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")
    page.wait_for_function(SETTLED_JS)
    save_screenshot(page, "leaders_item_detail")
    assert_clean(page)
    history, checks = items.history(db, gap["region"], item_id), items.checks(db, gap["region"], item_id)
    months = [row["月份"] for row in grid(page, 1)]
    assert len(months) >= min(len(history), 10) and months == [month_label(m) for m in history["month"]][: len(months)]
    assert [(row["核查日期"], row["核查结论"]) for row in grid(page, 2)] == [
        (f"{c['check_date']:%Y-%m-%d}", c["result"]) for c in checks.to_dict("records")
    ]
