"""月度报送模板.xlsx: generated from the domain layouts, and it uploads cleanly as shipped."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from actors import OPERATOR
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from workbooks import regions_xlsx

from rectlens import domain, template
from rectlens.ingest import service, values
from rectlens.ingest.sheets import PARSERS

EXAMPLE_REGIONS = (("示例市", "南片", "示例区"), ("示例市", "南片", "示例县"))


@pytest.fixture(scope="module")
def book() -> Workbook:
    return load_workbook(io.BytesIO(template.build()))


@pytest.fixture
def example_db(db: Path) -> Path:
    """A database whose region master knows the template's example unit."""
    count, problems, _ = service.replace_region_master(db, regions_xlsx(EXAMPLE_REGIONS), "地区表.xlsx", actor=OPERATOR)
    assert not problems and count == 1
    return db


def header(sheet: Worksheet) -> list[str]:
    return [cell.value for cell in sheet[1] if cell.value is not None]


def list_values(book: Workbook, formula: str) -> list[str]:
    """The values a list validation offers: inline, or a range of the 选项 sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, cells = formula.split("!")
    return [cell.value for (cell,) in book[sheet_name.strip("'")][cells.replace("$", "")]]


def validations_by_column(sheet: Worksheet) -> dict[str, object]:
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_col == cell_range.max_col
            assert (cell_range.min_row, cell_range.max_row) == (2, template.DATA_ROWS + 1)
            found[sheet.cell(1, cell_range.min_col).value] = validation
    return found


def test_sheets_in_order_with_the_option_lists_hidden(book: Workbook) -> None:
    titles = [layout.title for layout in domain.REPORT_LAYOUTS]
    assert book.sheetnames == [template.INSTRUCTIONS_SHEET, template.OPTIONS_SHEET, *titles]
    assert book[template.OPTIONS_SHEET].sheet_state == "hidden"
    assert all(book[name].sheet_state == "visible" for name in (template.INSTRUCTIONS_SHEET, *titles))
    assert book.active.title == template.INSTRUCTIONS_SHEET


@pytest.mark.parametrize("layout", domain.REPORT_LAYOUTS, ids=lambda layout: layout.kind)
def test_headers_are_the_layout_columns(book: Workbook, layout: domain.SheetLayout) -> None:
    sheet = book[layout.title]
    assert header(sheet) == [column.title for column in layout.columns]
    assert sheet.freeze_panes == "A2"
    for index, column in enumerate(layout.columns, start=1):
        note = sheet.cell(1, index).comment.text
        assert note.startswith("必填" if column.required else "选填")
        assert column.hint in note


@pytest.mark.parametrize("layout", domain.REPORT_LAYOUTS, ids=lambda layout: layout.kind)
def test_drop_downs_offer_exactly_the_vocabulary(book: Workbook, layout: domain.SheetLayout) -> None:
    validations = validations_by_column(book[layout.title])
    expected = {column.title: template.choices_for(column) for column in layout.columns if template.choices_for(column)}
    assert set(validations) == set(expected)
    for title, (options, strict) in expected.items():
        validation = validations[title]
        assert validation.type == "list"
        assert list_values(book, validation.formula1) == list(options), title
        assert bool(validation.showErrorMessage) == strict
        if strict:
            assert validation.errorStyle == "warning"  # short names such as 违规吃喝 may still be typed


def test_the_required_drop_downs_are_there(book: Workbook) -> None:
    assert "整治项目" in validations_by_column(book["问题台账"])
    assert {"整改状态", "根源类别"} <= set(validations_by_column(book["问题台账"]))
    assert {"核查结论", "抽样方式"} <= set(validations_by_column(book["核查结果"]))
    # the project names are too long (and one has quotes) for an inline list
    assert validations_by_column(book["汇总"])["整治项目"].formula1.startswith("'选项'!")
    assert validations_by_column(book["问题台账"])["整改状态"].formula1 == '"未启动,推进中,已完成"'


def test_every_offered_value_is_accepted_by_the_reader_as_itself() -> None:
    for kind, options in template.CHOICES.items():
        for option in options:
            assert PARSERS[kind](option) == option, (kind, option)


@pytest.mark.parametrize("layout", domain.REPORT_LAYOUTS, ids=lambda layout: layout.kind)
def test_columns_are_formatted_for_their_kind(book: Workbook, layout: domain.SheetLayout) -> None:
    sheet = book[layout.title]
    for index, column in enumerate(layout.columns, start=1):
        letter = sheet.cell(1, index).column_letter
        assert sheet.column_dimensions[letter].number_format == template.NUMBER_FORMATS.get(column.kind, "General"), column.title
    for row in sheet.iter_rows(min_row=2):
        for column, cell in zip(layout.columns, row, strict=False):
            if column.kind in ("date", "month") and cell.value is not None:
                assert isinstance(cell.value, dt.datetime), (column.title, cell.value)
                assert cell.number_format == template.NUMBER_FORMATS[column.kind]


def test_examples_are_the_domain_examples_as_the_reader_reads_them(book: Workbook) -> None:
    ledger = book["问题台账"]
    first = {title: ledger.cell(2, index).value for index, title in enumerate(header(ledger), start=1)}
    assert first["整治项目"] == domain.PROJECTS[0]  # 违规吃喝 in the domain example, the full name in the template
    assert first["发现日期"] == dt.datetime(2026, 9, 3)
    assert first["报送月份"] == dt.datetime(2026, 10, 1)
    assert ledger.cell(3, header(ledger).index("整改时限") + 1).value == "长期坚持"
    assert book["汇总"].cell(2, 5).value == pytest.approx(0.833)
    assert len(list(ledger.iter_rows(min_row=2, values_only=True))) == len(domain.LEDGER_LAYOUT.example_rows)


def test_instructions_are_generated_from_the_layouts(book: Workbook) -> None:
    text = "\n".join(str(value) for row in book[template.INSTRUCTIONS_SHEET].iter_rows(values_only=True) for value in row if value)
    for layout in domain.REPORT_LAYOUTS:
        assert f"工作表“{layout.title}”" in text
        for column in layout.columns:
            assert column.title in text
            assert column.hint in text
    for option in (*domain.PROJECTS, *domain.STATUSES, *domain.CHECK_RESULTS, *domain.ROOT_CAUSES):
        assert option in text
    assert "不超过 50 MB" in text
    assert "示例行" in text and "删除" in text


def test_the_product_sheets_are_known_to_the_reader() -> None:
    assert set(template.HELPER_SHEETS) <= set(service.PRODUCT_SHEETS)


def test_template_round_trips_with_its_examples(example_db: Path, dump_database) -> None:
    outcome = service.ingest_bytes(example_db, template.build(), "示例市2026年10月报送.xlsx", actor=OPERATOR)
    assert outcome.status == service.STORED, [p.text() for p in outcome.problems]
    kinds = {upload.kind: upload.rows for upload in outcome.uploads}
    assert kinds == {
        domain.LEDGER: len(domain.LEDGER_LAYOUT.example_rows),
        domain.SUMMARY: len(domain.SUMMARY_LAYOUT.example_rows),
        domain.CHECKS: len(domain.CHECKS_LAYOUT.example_rows),
        domain.SATISFACTION: len(domain.SATISFACTION_LAYOUT.example_rows),
    }
    # the instructions and the hidden lists are named for what they are, not reported as unreadable
    assert outcome.notices[0] == "工作表「填报说明」（模板的填报说明）、「选项」（模板的下拉选项）不含报送数据，已忽略"
    assert not [notice for notice in outcome.notices if "取消隐藏" in notice or "不是可识别" in notice]
    dump = dump_database(example_db)
    assert sorted(row[5] for row in dump["ledger_items"]) == ["WG-001", "WG-002"]


def test_template_uploads_without_a_region_master_and_under_its_own_name(db: Path) -> None:
    workbook = service.validate(db, template.build(), template.FILE_NAME)
    assert workbook.valid, [p.text() for p in workbook.problems]
    assert {sheet.kind for sheet in workbook.sheets} == {domain.LEDGER, domain.SUMMARY, domain.CHECKS, domain.SATISFACTION}


def test_examples_of_a_unit_outside_the_region_master_are_refused(regions_db: Path) -> None:
    """Examples left in by mistake are not stored as a real unit's data."""
    workbook = service.validate(regions_db, template.build(), template.FILE_NAME)
    assert not workbook.valid
    assert {p.column for p in workbook.problems} == {"地区"}


def fill(rows: dict[str, list[list[object]]]) -> bytes:
    """The template with its examples replaced by `rows` per sheet, as staff fill it in."""
    book = load_workbook(io.BytesIO(template.build()))
    for layout in domain.REPORT_LAYOUTS:
        sheet = book[layout.title]
        sheet.delete_rows(2, sheet.max_row)
        for values_row in rows.get(layout.title, []):
            sheet.append(values_row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_staff_filling_in_short_names_and_text_dates_upload_cleanly(example_db: Path) -> None:
    first = ["0012", "示例市", "示例区", "市商务局", "违规吃喝", "信访举报", "超标准接待", "责任落实", "清退费用"]
    ledger = [
        [*first, "2026/9/3", "长期坚持", "已整改", "2026年10月12日", "报告.pdf", None],
        ["0013", "示例市", "示例县", None, "基层减负", "自查自纠", "文件过多", None, None, None, None, "整改中", None, None, None],
    ]
    data = fill({"问题台账": ledger})
    workbook = service.validate(example_db, data, "示例市2026年10月.xlsx")
    assert workbook.valid, [p.text() for p in workbook.problems]
    (sheet,) = workbook.sheets
    assert sheet.frame["item_id"].tolist() == ["0012", "0013"]
    assert sheet.frame["status"].tolist() == ["已完成", "推进中"]
    assert "工作表「汇总」没有数据行，已跳过" in workbook.notices


def test_an_unfilled_template_says_there_is_no_data(example_db: Path) -> None:
    workbook = service.validate(example_db, fill({}), template.FILE_NAME)
    assert not workbook.valid
    assert {p.sheet for p in workbook.problems} == {layout.title for layout in domain.REPORT_LAYOUTS}
    assert all("没有数据行" in p.expected for p in workbook.problems)


def test_a_ledger_without_any_month_asks_for_one(example_db: Path) -> None:
    ledger = [["WG-1", "示例市", None, None, "违规吃喝", None, None, None, None, None, None, "推进中", None, None, None]]
    workbook = service.validate(example_db, fill({"问题台账": ledger}), template.FILE_NAME)
    assert [p.expected.split("：")[0] for p in workbook.problems] == ["无法确定报送月份"]
    chosen = service.validate(example_db, fill({"问题台账": ledger}), template.FILE_NAME, dt.date(2026, 10, 1))
    assert chosen.valid
    assert values.month_label(chosen.sheets[0].frame["month"][0]) == "2026-10"
