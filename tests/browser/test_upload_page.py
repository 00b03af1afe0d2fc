"""数据上传 in a real browser, on the demo data: a bad workbook, its annotated copy, the corrected
workbook's preview and confirmation, the history, a restore; and two sessions submitting at once.

Each test signs in with the role that may do what it does: the demo's 填报人员 (青岚市) for its own
unit's files, 专班 for another unit's and for restoring; the upload is recorded under that account.
Screenshots are kept in tests/artifacts/upload-*.png; look at them. The workbooks are the demo's
own files re-saved (same data, other bytes), so every upload here leaves the figures unchanged,
and each test makes the demo's own versions active again when it ends.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from playwright.sync_api import Locator, Page, expect

from rectlens import annotate, demo, domain, submissions, uploading
from rectlens.access.roles import cli_operator
from rectlens.ui import uploader

from .session import DEMO_ACTORS
from .widgets import WAIT_MS, card, pick, settle, upload

OFFICE, UPLOADER = DEMO_ACTORS["office"], DEMO_ACTORS["uploader"]
SHRINK_UNIT, SHRINK_MONTH, SHRINK_COUNT = demo.SHRINK  # 望川市 drops problems from its June list
ENGLISH = ("Upload", "per file", "Drag and drop", "Browse files", "Limit 200MB", "Press Enter")


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def active_ledger(db: Path, unit: str, month: dt.date) -> pd.Series:
    table = submissions.history(db)
    found = table[(table["region"] == unit) & (table["month"] == month_key(month)) & (table["kind"] == domain.LEDGER)]
    return found[found["state"] == "active"].iloc[0]


def demo_file(data_dir: Path, unit: str, month: dt.date) -> tuple[str, bytes]:
    """The demo workbook behind the unit's active ledger of `month` (as the demo build wrote it)."""
    name = str(active_ledger(data_dir / "rectlens.duckdb", unit, month)["file_name"])
    return name, (data_dir / "demo" / name).read_bytes()


def header_columns(sheet: Worksheet) -> tuple[int, dict[str, int]]:
    """(header row, field -> column number) of a ledger sheet, found by the domain's titles and aliases."""
    names = {title: column.field for column in domain.LEDGER_LAYOUT.columns for title in (column.title, *column.aliases)}
    for row in sheet.iter_rows(max_row=30):
        found = {names[str(c.value).replace("\n", "")]: c.column for c in row if str(c.value).replace("\n", "") in names}
        if {"item_id", "status", "project", "completed_date"} <= found.keys():
            return row[0].row, found
    raise AssertionError("no ledger header")


def resaved(data: bytes, edit: Callable[[Workbook], object] = lambda book: None) -> bytes:
    book = load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def acting_as(page: Page, who: str, rights: str) -> None:
    """The page names the signed-in account as the uploader, and what it may upload (no name or unit to type)."""
    expect(page.get_by_text(f"以 {who}的身份上传，可上传{rights}。")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_count(0)


def full_height(page: Page) -> None:
    """Streamlit scrolls inside its own container: grow the viewport to the page for a whole-page screenshot."""
    settle(page)
    height = page.get_by_test_id("stMain").evaluate("element => element.scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(max(int(height) + 40, 900), 6000)})
    page.wait_for_timeout(300)


@pytest.fixture
def demo_versions(data_dir: Path) -> Iterator[Path]:
    """Whatever a test uploads, the demo's own ledgers and summaries are active again afterwards."""
    db = data_dir / "rectlens.duckdb"
    before = submissions.history(db)
    active = before.loc[before["state"] == "active", "upload_id"].tolist()
    yield db
    after = submissions.history(db).set_index("upload_id")["state"]
    for upload_id in active:
        if after[upload_id] != "active":
            assert uploading.restore(db, upload_id, cli_operator())[0]


def after_content(element: Locator) -> str:
    return str(element.evaluate("e => getComputedStyle(e, '::after').content"))


def assert_replaced(element: Locator, chinese: str) -> None:
    """The English text node takes no room and a Chinese text is drawn in its place."""
    assert element.evaluate("e => getComputedStyle(e).fontSize") == "0px"
    shown = after_content(element)
    assert chinese in shown and not any(word in shown for word in ENGLISH), shown
    assert element.evaluate("e => parseFloat(getComputedStyle(e, '::after').fontSize)") >= 12


def test_uploader_speaks_chinese(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], tmp_path: Path) -> None:
    page = open_page("upload", role="uploader")
    acting_as(page, f"{UPLOADER.label}（填报人员）", "青岚市的问题台账和汇总")
    zone = page.get_by_test_id("stFileUploaderDropzone")
    save_screenshot(page, "upload-empty")
    assert page.get_by_test_id("stException").count() == 0
    instructions = zone.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span")
    assert_replaced(zone.locator("button [data-testid='stMarkdownContainer'] p"), "选择文件")
    assert_replaced(instructions, "单个文件不超过 50 MB")
    zone_box, text_box = zone.bounding_box(), instructions.bounding_box()  # the Chinese fits inside the zone
    assert zone_box is not None and text_box is not None
    assert text_box["width"] > 200 and text_box["x"] + text_box["width"] <= zone_box["x"] + zone_box["width"]

    # while a file is dragged over the zone
    dragged = page.evaluate_handle("() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.xlsx')); return d; }")
    zone.dispatch_event("dragenter", {"dataTransfer": dragged})
    overlay = zone.locator("[data-testid='stFileUploaderDropzoneInput'] + div > span")
    expect(overlay).to_be_attached()
    assert_replaced(overlay, "松开鼠标即可上传")
    zone.dispatch_event("dragleave", {"dataTransfer": dragged})

    # a file over the limit is refused by the browser, in Chinese
    too_big = tmp_path / "太大的文件.xlsx"
    with too_big.open("wb") as out:
        out.truncate((uploader.limit_mb() + 1) * 1024 * 1024)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(too_big))
    chip = page.locator("[data-testid='stFileChip'][aria-invalid='true']")
    expect(chip).to_be_visible(timeout=WAIT_MS)
    assert_replaced(chip.locator("[data-testid='stFileChipName'] + div"), "超过 50 MB，未上传")
    chip.hover()
    tip = page.get_by_test_id("stTooltipErrorContent")
    expect(tip).to_be_visible()
    assert_replaced(tip, "超过 50 MB，未上传")
    page.wait_for_timeout(500)  # the tooltip fades in
    save_screenshot(page, "upload-too-large")
    # the page has no text input any more (the uploader is the signed-in account): the Chinese
    # hint under a text input being edited is tested on the sign-in form (test_signin.py)


def test_bad_file_annotated_then_corrected_previewed_stored_and_restored(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path, demo_versions: Path
) -> None:
    db = demo_versions
    original_name, original = demo_file(data_dir, SHRINK_UNIT, SHRINK_MONTH)
    original_upload = int(active_ledger(db, SHRINK_UNIT, SHRINK_MONTH)["upload_id"])
    stem = original_name.removesuffix(".xlsx")
    bad_name, fixed_name = f"{stem}（填错）.xlsx", f"{stem}（更正）.xlsx"

    broken: dict[tuple[str, str], str] = {}

    def spoil(book: Workbook) -> None:
        sheet = book.worksheets[0]
        header, columns = header_columns(sheet)
        for offset, field, value in ((3, "status", "搞定了"), (5, "completed_date", "2026-13-45"), (7, "project", "吃饭")):
            cell = sheet.cell(header + offset, columns[field])
            cell.value = value
            broken[(sheet.title, cell.coordinate)] = value

    bad = resaved(original, spoil)
    page = open_page("upload", role="office")  # another unit's file, and a restore: the office
    acting_as(page, f"{OFFICE.label}（专班）", "各单位的问题台账和汇总，以及核查结果和群众评议")
    upload(page, bad_name, bad)
    box = card(page, bad)
    expect(box.get_by_text(f"「{bad_name}」有 3 处错误，未保存任何数据")).to_be_visible(timeout=WAIT_MS)
    rows = box.get_by_test_id("stTable").locator("tbody tr")
    expect(rows).to_have_count(3)
    shown = [rows.nth(i).locator("td").all_inner_texts() for i in range(3)]
    expected_rows = sorted(int("".join(ch for ch in coordinate if ch.isdigit())) for _sheet, coordinate in broken)
    assert [int(cells[2]) for cells in shown] == expected_rows  # 行: the Excel row numbers
    assert {cells[4] for cells in shown} == set(broken.values())  # 值: what was typed
    full_height(page)
    save_screenshot(page, "upload-errors")

    with page.expect_download() as download:
        box.get_by_role("button", name="下载标注错误的工作簿").click()
    assert download.value.suggested_filename == f"{stem}（填错）_错误标注.xlsx"
    marked_book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert marked_book.sheetnames[0] == annotate.ERRORS_SHEET
    marked = {}
    for sheet in marked_book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                filled = str(cell.fill.fgColor.rgb).endswith(annotate.MARK_COLOR)
                commented = cell.comment is not None and cell.comment.author == annotate.AUTHOR
                assert filled == commented, f"{sheet.title}!{cell.coordinate}"
                if commented:
                    marked[(sheet.title, cell.coordinate)] = cell.comment.text
    assert set(marked) == set(broken)  # exactly the bad cells
    for key, value in broken.items():
        assert f"「{value}」" in marked[key]

    page.set_viewport_size({"width": 1440, "height": 900})
    corrected = resaved(original)
    upload(page, fixed_name, corrected)
    fixed = card(page, corrected)
    expect(fixed.get_by_text(f"「{fixed_name}」校验通过")).to_be_visible(timeout=WAIT_MS)
    expect(fixed.get_by_text("清单缩水").first).to_be_visible()
    expect(fixed.get_by_text(f"中的 {SHRINK_COUNT} 个问题不在本次清单中")).to_be_visible()
    expect(fixed.get_by_text(f"将替换当前生效的上传 #{original_upload}").first).to_be_visible()
    submit = fixed.get_by_role("button", name="确认提交")
    expect(submit).to_be_disabled()  # the shrinking list must be acknowledged first
    full_height(page)
    save_screenshot(page, "upload-preview")
    page.set_viewport_size({"width": 1440, "height": 900})
    fixed.get_by_text("我已核对").click()
    expect(submit).to_be_enabled()
    submit.click()
    expect(fixed.get_by_text(f"「{fixed_name}」已保存")).to_be_visible(timeout=WAIT_MS)
    stored = active_ledger(db, SHRINK_UNIT, SHRINK_MONTH)
    assert (stored["file_name"], stored["uploader"]) == (fixed_name, OFFICE.label)
    assert pd.isna(stored["uploader_unit"])  # the office is no unit's

    # the history: filtered to the unit, the new version is active and the demo's is superseded
    scope = f"{SHRINK_UNIT} {SHRINK_MONTH.year}年{SHRINK_MONTH.month}月 问题台账"
    pick(page, "history_units", SHRINK_UNIT, close=True)
    pick(page, "history_months", f"{SHRINK_MONTH.year}年{SHRINK_MONTH.month}月", close=True)
    expect(page.get_by_text("共 4 条上传记录")).to_be_visible()  # the demo's ledger and summary, and ours
    pick(page, "history_pick", f"#{stored['upload_id']} {scope}「{fixed_name}」（生效）")  # ours, in force
    expect(page.get_by_role("button", name="恢复为生效版本")).to_be_disabled()
    pick(page, "history_pick", f"#{original_upload} {scope}「{original_name}」（已被替换）")  # the demo's
    page.get_by_role("button", name="恢复为生效版本").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(f"将把上传 #{original_upload}")).to_be_visible(timeout=WAIT_MS)
    expect(dialog.get_by_text(f"操作人：{OFFICE.label}")).to_be_visible()
    settle(page)
    save_screenshot(page, "upload-restore-dialog")
    assert int(active_ledger(db, SHRINK_UNIT, SHRINK_MONTH)["upload_id"]) == stored["upload_id"]  # asked, not done
    dialog.get_by_role("button", name="确认恢复").click()
    expect(page.get_by_text(f"已恢复上传 #{original_upload}，上传 #{stored['upload_id']} 改为“已被替换”")).to_be_visible(timeout=WAIT_MS)
    assert int(active_ledger(db, SHRINK_UNIT, SHRINK_MONTH)["upload_id"]) == original_upload
    assert uploading.events_of(db, original_upload).iloc[0][["操作", "操作人"]].tolist() == ["恢复为生效版本", OFFICE.label]
    full_height(page)
    save_screenshot(page, "upload-restored")
    assert page.get_by_test_id("stException").count() == 0


def test_two_sessions_submitting_at_once_are_each_stored_once(
    open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path, demo_versions: Path
) -> None:
    db = demo_versions
    month = max(dt.date.fromisoformat(f"{m}-01") for m in submissions.history(db)["month"].dropna())
    sessions = []
    for unit, role in (("青岚市", "uploader"), ("白鹭市", "office")):  # 青岚市's own uploader; the office for 白鹭市
        name, data = demo_file(data_dir, unit, month)
        page = open_page("upload", role=role)
        corrected = f"{name.removesuffix('.xlsx')}（复核）.xlsx"
        content = resaved(data)
        upload(page, corrected, content)
        expect(card(page, content).get_by_role("button", name="确认提交")).to_be_enabled(timeout=WAIT_MS)
        sessions.append((page, unit, corrected, content))
    for page, _unit, _corrected, content in sessions:  # both clicks go out before either is answered
        card(page, content).get_by_role("button", name="确认提交").dispatch_event("click")
    for page, _unit, corrected, content in sessions:
        expect(card(page, content).get_by_text(f"「{corrected}」已保存")).to_be_visible(timeout=WAIT_MS)
    settle(sessions[1][0])
    save_screenshot(sessions[1][0], "upload-concurrent")
    table = submissions.history(db)
    for (_page, unit, corrected, _content), who in zip(sessions, (UPLOADER, OFFICE), strict=True):
        mine = table[table["file_name"] == corrected]
        assert sorted(mine["kind"]) == [domain.LEDGER, domain.SUMMARY]  # one upload per sheet kind, stored once
        assert set(mine["uploader"]) == {who.label}
        assert active_ledger(db, unit, month)["file_name"] == corrected
        of_month = table[(table["region"] == unit) & (table["month"] == month_key(month)) & (table["kind"] == domain.LEDGER)]
        assert (of_month["state"] == "active").sum() == 1
