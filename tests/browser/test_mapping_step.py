"""数据上传's mapping step in a real browser: a unit's own layout (two header rows, its own status
words) is mapped once by the demo's 填报人员 (青岚市), and the same file then checks like the template.

The screenshot is kept in tests/artifacts/upload-mapping.png; look at it. The mapping is deleted
again at the end and nothing is submitted, so the demo data stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import unit_formats  # tests/unit_formats.py: the five unit layouts
from playwright.sync_api import Page, expect

from rectlens import uploading
from rectlens.access.roles import cli_operator
from rectlens.storage import mappings

from .test_upload_page import full_height
from .widgets import WAIT_MS, card, pick, settle, upload


def _qinglan(fmt: unit_formats.Format) -> bytes:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(fmt.write(unit_formats.october(fmt), "2026年10月")))
    book.active["A1"] = "青岚市纪委监委整改整治问题清单（2026年10月）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_mapping_step(open_page: Callable[..., Page], save_screenshot: Callable[[Page, str], Path], data_dir: Path) -> None:
    db = data_dir / "rectlens.duckdb"
    data = _qinglan(unit_formats.JIANGCHENG)
    page = open_page("upload", role="uploader")
    upload(page, "青岚市10月原有台账.xlsx", data)
    box = card(page, data)
    expect(box.get_by_text("列对应 · 工作表「整改台账」（问题台账）")).to_be_visible(timeout=WAIT_MS)
    # the template's errors are what the mapping is for: said so, and kept folded until asked for
    expect(box.get_by_text("保存上面的列对应后，本文件会按模板重新校验", exact=False)).to_be_visible()
    expect(box.get_by_text("表头中缺少必填列", exact=False).first).to_be_hidden()
    box.get_by_text("按模板格式校验的结果", exact=False).click()
    expect(box.get_by_text("表头中缺少必填列", exact=False).first).to_be_visible(timeout=WAIT_MS)
    prefix = f"map_{uploading.fingerprint(data)[:12]}_0"
    # pre-filled from the names and values of the columns; 地区 is the uploader's unit
    expect(page.locator(f".st-key-{prefix}_project input")).to_have_value("C 列 · 问题类别")
    expect(page.locator(f".st-key-{prefix}_status input")).to_have_value("H 列 · 整改情况·整改进展")
    expect(page.locator(f".st-key-{prefix}_region input")).to_have_value("全部为：青岚市")
    # the status words outside the synonyms are asked, not guessed
    for number, meaning in enumerate(("已完成", "推进中")):
        pick(page, f"{prefix}_status_{number}", meaning)
    full_height(page)
    save_screenshot(page, "upload-mapping")
    assert page.get_by_test_id("stException").count() == 0
    page.locator(f".st-key-{prefix}_save button").click()
    settle(page)
    expect(page.get_by_text("已保存列对应", exact=False)).to_be_visible(timeout=WAIT_MS)
    expect(box.get_by_text("校验通过", exact=False)).to_be_visible(timeout=WAIT_MS)
    stored = [m for m in mappings.list_mappings(db) if m.unit == "青岚市"]
    assert len(stored) == 1 and stored[0].statuses == {"基本完成": "已完成", "长期坚持": "推进中"}
    full_height(page)
    save_screenshot(page, "upload-mapping-applied")
    mappings.delete(db, cli_operator(), stored[0].mapping_id)
