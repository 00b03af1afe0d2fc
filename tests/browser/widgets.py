"""Driving Streamlit's widgets in a real browser, shared by the page tests of tests/browser."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from rectlens import uploading

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAIT_MS = 90_000


def settle(page: Page) -> None:
    """Wait until the script has finished its run (the running indicator is gone). A widget's
    rerun starts a moment after the event that caused it: give it that moment first."""
    page.wait_for_timeout(250)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached", timeout=WAIT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)


def pick(page: Page, key: str, option: str, close: bool = False) -> None:
    """Choose `option` in the select widget with this key. A rerun still in flight can redraw the
    widget and close its list under the pointer, or drop a choice made meanwhile, so the list is
    opened again until the option is taken (for a multiselect, `close`: until its tag shows)."""
    # during a rerun Streamlit keeps the old copy of a widget (data-stale="true") beside the new one
    widget = page.locator(f".st-key-{key}:not([data-stale='true'])")
    field = widget.locator("input")
    tag = widget.locator(f"[data-tag][aria-label={json.dumps(option, ensure_ascii=False)}]")  # a multiselect's chosen value
    for _attempt in range(5):
        settle(page)
        if close and tag.count():  # taken by an earlier attempt whose rerun came late
            return
        field.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        if close:  # a multiselect: its list stays open, and the choice shows as a tag
            page.keyboard.press("Escape")
            try:
                expect(tag).to_have_count(1, timeout=5_000)
            except AssertionError:
                continue
        settle(page)
        return
    raise AssertionError(f"no option {option!r} in {key}")


def upload(page: Page, name: str, data: bytes) -> None:
    """Put one workbook into 数据上传's uploader of reports (not the 地区表 one of 专班), as choosing a file from disk does."""
    field = page.locator(".st-key-upload_files_zone").get_by_test_id("stFileUploaderDropzoneInput")
    field.set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": data}])


def card(page: Page, data: bytes) -> Locator:
    """The bordered box of 数据上传 that reports on one uploaded file (keyed by the file's fingerprint)."""
    return page.locator(f".st-key-file_{uploading.fingerprint(data)[:16]}")


def grid(page: Page, index: int) -> list[dict[str, str]]:
    """The rows a table shows, read from the accessible copy the data grid keeps of its visible rows."""
    table = page.get_by_test_id("stDataFrame").nth(index)
    table.locator("[role='gridcell']").first.wait_for(state="attached")
    header, *rows = table.evaluate("table => [...table.querySelectorAll('tr')].map(row => [...row.children].map(cell => cell.textContent))")
    return [dict(zip(header, row, strict=True)) for row in rows]


def nav_links(page: Page) -> list[str]:
    """The page titles of the menu across the top, in order (icons left out; those folded into its
    overflow menu on a narrow screen included: the list keeps them in the page, hidden)."""
    links = page.get_by_test_id("stTopNav").get_by_test_id("stTopNavLink").locator("span[label]")
    return list(dict.fromkeys(links.evaluate_all("spans => spans.map(span => span.getAttribute('label'))")))
