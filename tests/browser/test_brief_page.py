"""简报 in a real browser, signed in as the demo's 领导: the 16:9 presentation view, the 演示模式 toggle and the exports.

The presentation view's screenshot is kept as tests/artifacts/brief_1920x1080.png; look at it.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pptx import Presentation

from rectlens.export.images import png_size

SCREEN = (1920, 1080)
FIRST_SCREEN_CHARTS = 4  # reported vs verified, trend, ranking, top warnings


def boxes(page: Page, count: int) -> list[dict[str, float]]:
    charts = page.get_by_test_id("stPlotlyChart")
    return [charts.nth(index).bounding_box() for index in range(count)]  # type: ignore[misc]


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_presentation_view_fills_one_screen_with_nothing_overlapping(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path]
) -> None:
    page = open_page("brief", query={"present": "true"}, viewport=SCREEN, role="leader")
    save_screenshot(page, "brief_1920x1080")
    assert page.get_by_test_id("stException").count() == 0
    expect(page.get_by_test_id("stMain").locator("h1")).to_contain_text("整改整治工作进展")
    expect(page.get_by_test_id("stMain").locator("h1")).to_contain_text("示例数据")  # the demo badge stays
    for hidden in ("stSidebar", "stHeader", "stToolbar", "stSelectbox", "stDownloadButton", "stButton"):
        for index in range(page.get_by_test_id(hidden).count()):
            expect(page.get_by_test_id(hidden).nth(index)).to_be_hidden()
    assert page.locator(".modebar-container").first.is_hidden()
    toggle = page.locator("[class*='st-key-presentation_toggle']")
    assert toggle.evaluate("element => getComputedStyle(element).opacity") == "0"  # shows only under the pointer

    placed = boxes(page, FIRST_SCREEN_CHARTS)
    for box in placed:  # whole charts on the first screen, nothing cut off
        assert box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= SCREEN[0] and box["y"] + box["height"] <= SCREEN[1], box
        assert box["width"] >= 800 and box["height"] >= 400, box
    for a, b in itertools.combinations(placed, 2):
        assert not overlap(a, b), (a, b)
    charts = page.get_by_test_id("stPlotlyChart")
    for index in range(FIRST_SCREEN_CHARTS):  # each chart names its month, data as-of time and source
        assert "年" in (charts.nth(index).locator(".gtitle").text_content() or "")
        source = charts.nth(index).locator(".gtitle-subtitle").text_content() or ""
        assert source.startswith("数据来源：整改透视") and "截至" in source


def test_toggle_switches_presentation_mode_on_and_off(open_page: Callable[..., Page]) -> None:
    page = open_page("brief", viewport=(1440, 900), role="leader")
    navigation = page.get_by_test_id("stTopNav")  # the page list, across the top
    expect(navigation).to_be_visible()
    page.get_by_test_id("stCheckbox").get_by_text("演示模式").click()
    expect(navigation).to_be_hidden()
    assert "present=true" in page.url
    toggle = page.locator("[class*='st-key-presentation_toggle']")
    toggle.hover()
    toggle.get_by_text("演示模式").click()
    expect(navigation).to_be_visible()
    expect(page.get_by_test_id("stSelectbox").first).to_be_visible()


def test_one_chart_downloads_as_a_1920_pixel_png(open_page: Callable[..., Page], tmp_path: Path) -> None:
    page = open_page("brief", viewport=(1440, 900), role="leader")
    button = page.get_by_test_id("stDownloadButton").filter(has_text="全省完成率逐月走势").locator("button")
    with page.expect_download(timeout=120_000) as download:
        button.click()
    assert download.value.suggested_filename.startswith("全省完成率逐月走势（截至") and download.value.suggested_filename.endswith(".png")
    path = tmp_path / "trend.png"
    download.value.save_as(path)
    assert png_size(path.read_bytes()) == (1920, 1080)


def test_export_button_makes_deck_pictures_and_workbook(open_page: Callable[..., Page], tmp_path: Path) -> None:
    page = open_page("brief", viewport=(1440, 900), role="leader")
    page.get_by_role("button", name="生成幻灯片、全部图片和 Excel").click()
    expect(page.get_by_text("简报材料已生成")).to_be_visible(timeout=120_000)
    saved: dict[str, bytes] = {}
    for label in ("下载幻灯片（.pptx）", "下载全部图片（.zip）", "下载指标和预警（.xlsx）"):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        saved[path.suffix] = path.read_bytes()
    deck = Presentation(io.BytesIO(saved[".pptx"]))
    assert len(deck.slides) == 10  # the demo's October has an LQAS round: its results, then list quality
    assert deck.slides[0].shapes.title.text.endswith("整改整治工作进展")
    assert deck.slides[8].shapes.title.text.startswith("批质量保证抽样判定结果（")
    assert deck.slides[9].shapes.title.text.startswith("问题清单质量（")
    with zipfile.ZipFile(io.BytesIO(saved[".zip"])) as archive:
        names = archive.namelist()
        assert len(names) == 7
        assert all(png_size(archive.read(name))[0] >= 1920 for name in names)
    assert load_workbook(io.BytesIO(saved[".xlsx"])).sheetnames == ["地区", "地区×整治项目", "预警", "说明"]
