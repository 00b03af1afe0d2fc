"""报送情况 in a real browser, signed in as the demo's 领导: renders without errors, Chinese text visible,
screenshot kept. (The office's 审核上传 panel is driven in test_signin.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from rectlens import submissions
from rectlens.ui.formats import month_label


def test_submissions_page_renders(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path]) -> None:
    page = open_page("submissions", role="leader")
    save_screenshot(page, "submissions")
    assert page.locator("[data-testid='stException']").count() == 0
    main = page.locator("[data-testid='stMain']")
    for text in ("报送情况", "应报送单位", "未报送", "各单位逐月报送情况", "专班审核情况", "上传历史"):
        assert main.get_by_text(text).first.is_visible(), text
    assert page.locator("[data-testid='stTable'] td").count() > 0
    expect(main.get_by_role("heading", name="审核上传")).to_have_count(0)  # reviewing is the office's
    expect(main.get_by_role("button", name="退回")).to_have_count(0)


def test_whole_page_fits_a_laptop_screen_width(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path]) -> None:
    page = open_page("submissions", viewport=(1280, 2200), role="leader")  # tall enough to capture the history too
    save_screenshot(page, "submissions-full")
    assert page.locator("[data-testid='stException']").count() == 0
    main = page.get_by_test_id("stMain")
    overflow = main.evaluate("element => element.scrollWidth - element.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_month_in_the_link_is_selected(open_page: Callable[..., Page], data_dir: Path) -> None:
    earliest = submissions.months(submissions.grid(data_dir / "rectlens.duckdb"))[0]
    page = open_page("submissions", query={"month": month_label(earliest)}, role="leader")  # the URL holds the label users see
    expect(page.get_by_test_id("stSelectbox").locator("input")).to_have_value(month_label(earliest))
    assert f"{month_label(earliest)}" in page.get_by_test_id("stAlert").first.inner_text()


def test_demo_badge_is_shown_on_first_start(open_page: Callable[..., Page]) -> None:
    page = open_page("submissions", role="leader")
    expect(page.get_by_test_id("stMain").locator("h1")).to_contain_text("示例数据")
