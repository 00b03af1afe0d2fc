"""抽查计划 in a real browser, signed in as the demo's 督导组: the three plans, their downloads and the LQAS results.

Screenshots are kept as tests/artifacts/planner_*.png; look at them. The LQAS download is
made for September, so that the demo's October (its LQAS round, the briefing deck) stays as
the other browser tests expect it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from rectlens import planner
from rectlens.ui.formats import month_label

from .widgets import settle

TALL = (1440, 1300)
TABS = ("重点核查", "随机抽查", "批质量保证抽样（LQAS）", "LQAS 判定结果")


def tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    settle(page)
    # the panel's tables are drawn once their tab shows
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid='stDataFrame']")].filter(t => t.checkVisibility())
                 .every(t => t.querySelector('canvas') && t.getBoundingClientRect().height > 60)"""
    )


def assert_clean(page: Page) -> None:
    main = page.get_by_test_id("stMain")
    assert page.get_by_test_id("stException").count() == 0
    assert main.evaluate("element => element.scrollWidth - element.clientWidth") <= 0, "the page scrolls sideways"


def visible_grid(page: Page) -> list[dict[str, str]]:
    """The rows of the first visible data grid, read from the accessible copy it keeps of its visible rows."""
    table = page.locator("[data-testid='stDataFrame']:visible").first
    table.locator("[role='gridcell']").first.wait_for(state="attached")
    header, *rows = table.evaluate("table => [...table.querySelectorAll('tr')].map(row => [...row.children].map(cell => cell.textContent))")
    return [dict(zip(header, row, strict=True)) for row in rows]


def download(page: Page, label: str, tmp_path: Path) -> openpyxl.Workbook:
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label).locator("button")
    with page.expect_download(timeout=60_000) as started:
        button.click()
    path = tmp_path / started.value.suggested_filename
    started.value.save_as(path)
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()))


@pytest.mark.parametrize("name", TABS)
def test_each_tab_renders(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], name: str) -> None:
    page = open_page("planner", viewport=TALL, role="inspector")
    expect(page.get_by_test_id("stMain").locator("h1")).to_contain_text("抽查计划")
    tab(page, name)
    save_screenshot(page, f"planner_{TABS.index(name) + 1}")
    assert_clean(page)
    main = page.get_by_test_id("stMain")
    assert main.get_by_text("已报完成、且完成后尚未被抽查的问题").first.is_visible()
    if name == "LQAS 判定结果":
        expect(main.get_by_role("heading", name=re.compile(r"第 1 轮 · 2026年10月 · 全省"))).to_be_visible()
        rows = {row["地区"]: row for row in visible_grid(page)}
        assert rows["雁回市"]["判定"] == "未达标" and rows["望川市"]["判定"] == "待完成" and rows["青岚市"]["判定"] == "达标"
        assert (rows["柳汀市"]["应查 n"], rows["柳汀市"]["判定数 d"]) == ("19", "13")
    else:
        assert visible_grid(page), name


@pytest.mark.parametrize(
    ("name", "label", "sampling"), [("重点核查", "下载重点核查清单", "重点核查"), ("随机抽查", "下载随机抽查清单", "随机抽查")]
)
def test_a_plan_downloads_as_a_check_sheet(open_page: Callable[..., Page], tmp_path: Path, name: str, label: str, sampling: str) -> None:
    page = open_page("planner", viewport=TALL, role="inspector")
    tab(page, name)
    shown = visible_grid(page)
    book = download(page, label, tmp_path)
    sheet = book["核查结果"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["问题编号", "地区", "核查日期", "核查方式", "核查结论"]
    assert sheet.max_row == 1 + planner.DEFAULT_SIZE
    assert {sheet.cell(row, header.index("抽样方式") + 1).value for row in range(2, sheet.max_row + 1)} == {sampling}
    first = shown[0]
    assert (sheet.cell(2, 1).value, sheet.cell(2, 2).value) == (first["问题编号"], first["地区"])
    expect(page.get_by_text("已登记为第")).to_have_count(0)  # only an LQAS plan is a round


def test_an_lqas_download_registers_a_round_shown_with_its_units(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], tmp_path: Path
) -> None:
    september = month_label("2026-09")
    page = open_page("planner", query={"month": september, "unit": "青岚市"}, viewport=TALL, role="inspector")
    tab(page, "批质量保证抽样（LQAS）")
    units = visible_grid(page)
    assert [(row["地区"], row["抽查数 n"], row["判定数 d"]) for row in units] == [("青岚市", "19", "13")]
    book = download(page, "下载 LQAS 抽查清单并登记本轮", tmp_path)
    assert book["核查结果"].max_row == 20
    assert "青岚市：抽 19 项，通过不少于 13 项为达标" in " ".join(str(c.value) for c in book["填写说明"]["A"])
    notice = page.get_by_text(re.compile(r"已登记为第 \d+ 轮批质量保证抽样"))
    expect(notice).to_be_visible(timeout=30_000)
    tab(page, "LQAS 判定结果")
    save_screenshot(page, "planner_lqas_registered")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=re.compile(r"第 \d+ 轮 · 2026年9月 · 青岚市"))).to_be_visible()
    (row,) = visible_grid(page)
    assert (row["地区"], row["应查 n"], row["已核查"], row["判定"]) == ("青岚市", "19", "0", "待完成")
    assert_clean(page)


def test_a_leader_does_not_see_the_planner(open_page: Callable[..., Page]) -> None:
    page = open_page("planner", role="leader")
    expect(page.get_by_test_id("stMain").locator("h1").first).to_have_text("无权访问")
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(0)
