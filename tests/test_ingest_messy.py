"""Messy but valid workbooks (SPEC "Real files are messy"): each is read and the exact stored values checked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from actors import OPERATOR
from workbooks import (
    LEDGER_FOOTNOTE,
    LEDGER_HEADER,
    SATISFACTION_HEADER,
    Sheet,
    check_row,
    checks_sheet,
    ledger_row,
    ledger_sheet,
    ledger_xlsx,
    summary_sheet,
    xlsx,
)

from rectlens import domain
from rectlens.ingest import service

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OCT = dt.date(2026, 10, 1)
FULL = dict(zip(("吃喝", "形式", "微腐败", "营商"), domain.PROJECTS, strict=True))


def items(query, columns: str = "item_id, excel_row") -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(f"SELECT {columns} FROM ledger_items ORDER BY excel_row")


# --- title rows and header ------------------------------------------------------


def test_one_title_row_above_the_header(store, query) -> None:
    data = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002")], titles=["江城市整改整治问题台账（2026年10月）"], after=()))
    store(data)
    assert items(query, "item_id, excel_row, month") == [("JC-001", 3, OCT), ("JC-002", 4, OCT)]


def test_several_title_rows_with_filling_date_and_unit_line(store, query) -> None:
    titles = [
        "江城市学习教育整改整治问题台账",
        "（2026年10月）",
        ["填报单位：江城市纪委监委（盖章）", None, None, None, None, None, None, None, None, None, "填报日期：2026年11月3日"],
        [],
        ["单位：个", None, None, None, None, None, None, None, None, None, None, None, None, "制表时间：2026年11月2日"],
    ]
    store(xlsx(ledger_sheet([ledger_row("JC-001")], titles=titles)))
    # the 填报日期 / 制表时间 months (November) are not the report month
    assert items(query, "item_id, excel_row, month") == [("JC-001", 7, OCT)]


def test_header_variants_are_recognised(store, query) -> None:
    header = [
        "序号",
        " 问题\n编号＊",
        "地　区",
        "县区",
        "责任单位",
        "整治项目（必填）",
        "问题来源",
        "问题描述",
        "根源类别",
        "整改措施",
        "发现日期",
        "整改时限",
        "整改\r\n状态",
        "完成日期（年/月/日）",
        "佐证材料  ",
        "整改责任人",
    ]
    rows = [
        [1, *ledger_row("JC-001"), "张三"],
        [2, *ledger_row("JC-002", status="推进中"), None],
    ]
    outcome = store(xlsx(ledger_sheet(rows, header=header)))
    stored = items(query, "item_id, region, project, status, completed_date, evidence, extra")
    assert stored == [
        (
            "JC-001",
            "江城市",
            FULL["吃喝"],
            "已完成",
            dt.date(2026, 10, 12),
            "整改报告.pdf",
            json.dumps({"整改责任人": "张三"}, ensure_ascii=False),
        ),
        ("JC-002", "江城市", FULL["吃喝"], "推进中", None, "整改报告.pdf", None),
    ]
    # the unknown column is kept aside and reported; 序号 is neither stored nor reported
    assert any("整改责任人" in notice and "序号" not in notice for notice in outcome.notices)


def test_header_with_full_width_brackets_and_two_rows(store, query) -> None:
    """A group label row above the column names (merged across two columns) is a two-row header."""
    group = [None] * len(LEDGER_HEADER)
    group[9] = "时间节点"
    header = list(LEDGER_HEADER)
    header[2] = "县（市、区）"
    sheet = Sheet(
        "问题台账",
        header,
        [ledger_row("JC-001", county="临江县")],
        titles=["江城市整改整治问题台账（2026年10月）", group],
        merges=["J2:K2"],
    )
    store(xlsx(sheet))
    assert items(query, "item_id, county, found_date, deadline, excel_row") == [
        ("JC-001", "临江县", dt.date(2026, 9, 3), dt.date(2026, 11, 30), 4)
    ]


# --- merged cells, blank rows, 合计 and footnotes ------------------------------------


@pytest.mark.parametrize("merged", [True, False], ids=["merged", "blank-below"])
def test_unit_written_once_for_a_block(store, query, merged: bool) -> None:
    rows = [
        ledger_row("JC-001", project="违规吃喝"),
        ledger_row("JC-002", region=None, project=None),  # type: ignore[arg-type]
        ledger_row("JC-003", region=None, project=None),  # type: ignore[arg-type]
        ledger_row("SY-001", region="山阳市", county="山阳区", project="营商环境"),
        ledger_row("SY-002", region=None, county="北岭县", project=None),  # type: ignore[arg-type]
    ]
    sheet = ledger_sheet(rows, merges=["B4:B6", "E4:E6", "B7:B8", "E7:E8"] if merged else [])
    if not merged:
        for row in rows[1:3] + rows[4:]:
            row[4] = "违规吃喝" if row[0].startswith("JC") else "营商环境"
    store(xlsx(sheet))
    assert items(query, "item_id, region, project, excel_row") == [
        ("JC-001", "江城市", FULL["吃喝"], 4),
        ("JC-002", "江城市", FULL["吃喝"], 5),
        ("JC-003", "江城市", FULL["吃喝"], 6),
        ("SY-001", "山阳市", FULL["营商"], 7),
        ("SY-002", "山阳市", FULL["营商"], 8),
    ]
    # one upload per unit
    assert query("SELECT region, row_count FROM uploads ORDER BY region") == [("山阳市", 2), ("江城市", 3)]


def test_blank_rows_total_row_and_footnote_are_not_data(store, query) -> None:
    rows = [
        ledger_row("JC-001"),
        [],
        ledger_row("JC-002", status="推进中"),
        ["", "  ", None, "\u3000"],
        ledger_row("JC-003", status="未启动"),
    ]
    after = [
        ["合计", None, None, None, "共3项", None, None, None, None, None, None, "已完成1项"],
        LEDGER_FOOTNOTE,
        "说明：本表由各地纪委监委汇总填报。",
        ["填报人：李四", None, None, None, None, "联系电话：12345678"],
    ]
    store(xlsx(ledger_sheet(rows, after=after)))
    assert items(query, "item_id, status, excel_row") == [("JC-001", "已完成", 4), ("JC-002", "推进中", 6), ("JC-003", "未启动", 8)]


# --- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "rate"),
    [
        (0.95, 0.95),
        (95, 0.95),
        ("95%", 0.95),
        ("95.0%", 0.95),
        (" 95 ％", 0.95),
        (1, 1.0),
        ("1%", 0.01),
        ("100%", 1.0),
        (0, 0.0),
        ("83.3%", 0.833),
        ("1.4%", 0.014),
        (57.7, 0.577),
    ],
)
def test_rates(store, query, written: object, rate: float) -> None:
    store(xlsx(summary_sheet([["江城市", "违规吃喝", 20, 19, written]])))
    # exactly the decimal fraction, not 0.013999999999999999: it is printed in reports and compared
    assert query("SELECT stated_rate FROM summary_rows") == [(rate,)]


def test_counts_as_numbers_or_numeric_text(store, query) -> None:
    rows = [
        ["江城市", "违规吃喝", 12, 10.0, None],
        ["江城市", "形式主义官僚主义", "12", " 9 ", None],
        ["江城市", "微腐败", "1,200", "1200.0", None],
        ["江城市", "营商环境", "8项", "0", None],
    ]
    store(xlsx(summary_sheet(rows)))
    assert query("SELECT project, total, completed, stated_rate FROM summary_rows ORDER BY excel_row") == [
        (FULL["吃喝"], 12, 10, None),
        (FULL["形式"], 12, 9, None),
        (FULL["微腐败"], 1200, 1200, None),
        (FULL["营商"], 8, 0, None),
    ]


def test_summary_total_row_is_stored_apart(store, query) -> None:
    rows = [["江城市", "违规吃喝", 12, 10, "83.3%"], ["江城市", "营商环境", 8, 8, 1]]
    outcome = store(xlsx(summary_sheet(rows, total=["合计", None, 20, 18, "90%"], after=["注：完成率=已完成数/问题总数"])))
    assert query("SELECT project, total, completed, stated_rate, excel_row FROM summary_rows ORDER BY excel_row") == [
        (FULL["吃喝"], 12, 10, pytest.approx(0.833), 3),
        (FULL["营商"], 8, 8, 1.0, 4),
    ]
    upload_id = outcome.uploads[0].upload_id
    assert query("SELECT upload_id, sheet, excel_row, region, month, total, completed, stated_rate FROM summary_totals") == [
        (upload_id, "汇总", 5, "江城市", OCT, 20, 18, pytest.approx(0.9))
    ]


# --- dates ----------------------------------------------------------------------------


def test_dates_in_every_usual_form(store, query) -> None:
    forms: list[object] = [
        dt.datetime(2026, 10, 15),
        dt.date(2026, 10, 15),
        "2026-10-15",
        "2026/10/15",
        "2026.10.15",
        "2026年10月15日",
        " 2026 年 10 月 15 日 ",
        "２０２６－１０－１５",  # full-width digits from a Chinese input method
        "20261015",
        46310,  # the serial number of 2026-10-15 in a General-formatted cell
        "46310",
    ]
    rows = [ledger_row(f"JC-{n:03d}", completed=form, found=form) for n, form in enumerate(forms, start=1)]
    sheet = ledger_sheet(rows)
    serial_row = sheet.data_row(forms.index(46310))
    sheet.formats[f"{sheet.column('完成日期')}{serial_row}"] = "General"
    sheet.formats[f"{sheet.column('发现日期')}{serial_row}"] = "General"
    store(xlsx(sheet))
    stored = items(query, "item_id, found_date, completed_date")
    assert stored == [(f"JC-{n:03d}", dt.date(2026, 10, 15), dt.date(2026, 10, 15)) for n in range(1, len(forms) + 1)]


@pytest.mark.parametrize(
    ("written", "deadline"),
    [(None, None), ("长期坚持", None), ("持续推进", None), (" 长期坚持 ", None), ("2026年12月31日", dt.date(2026, 12, 31))],
)
def test_deadline_blank_or_open_ended_means_none(store, query, written: object, deadline: dt.date | None) -> None:
    store(xlsx(ledger_sheet([ledger_row("JC-001", deadline=written)])))
    assert items(query, "deadline") == [(deadline,)]


# --- legacy .xls ------------------------------------------------------------------------


def test_legacy_xls(regions_db, query) -> None:
    path = FIXTURES / "legacy_ledger.xls"
    outcome = service.ingest_path(regions_db, path, actor=OPERATOR)
    assert outcome.status == service.STORED, [p.text() for p in outcome.problems]
    assert items(query, "item_id, region, county, project, status, found_date, deadline, completed_date, month, excel_row") == [
        ("LG-001", "江城市", "江城区", FULL["吃喝"], "已完成", dt.date(2026, 9, 1), dt.date(2026, 11, 30), dt.date(2026, 10, 15), OCT, 4),
        ("LG-002", "江城市", "临江县", FULL["营商"], "推进中", dt.date(2026, 9, 20), None, None, OCT, 5),
        (
            "LG-003",
            "江城市",
            "临江县",
            FULL["微腐败"],
            "已完成",
            dt.date(2026, 9, 21),
            dt.date(2026, 10, 31),
            dt.date(2026, 10, 30),
            OCT,
            6,
        ),
    ]
    assert query("SELECT file_name FROM files") == [("legacy_ledger.xls",)]


# --- names and vocabularies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("江城市", "江城市"),
        ("江城", "江城市"),
        ("白河市", "白河"),
        ("白河", "白河"),
        ("\u3000山阳市\u3000", "山阳市"),
        (" 山 阳 市 ", "山阳市"),
        ("山阳市\n", "山阳市"),
    ],
)
def test_unit_names_matched_to_region_master(store, query, written: str, unit: str) -> None:
    county = {"江城市": "江城区", "山阳市": "山阳区", "白河": None}[unit]
    store(xlsx(ledger_sheet([ledger_row("X-001", region=written, county=county)])))
    assert items(query, "region") == [(unit,)]
    assert query("SELECT region FROM uploads") == [(unit,)]


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("已完成", "已完成"),
        ("已整改", "已完成"),
        ("完成", "已完成"),
        ("已销号", "已完成"),
        ("推进中", "推进中"),
        ("整改中", "推进中"),
        ("正在整改", "推进中"),
        ("持续整改", "推进中"),
        ("未启动", "未启动"),
        ("未开始", "未启动"),
        (" 已 完 成 ", "已完成"),
    ],
)
def test_status_synonyms(store, query, written: str, status: str) -> None:
    store(xlsx(ledger_sheet([ledger_row("JC-001", status=written, completed=dt.date(2026, 10, 12))])))
    assert items(query, "status") == [(status,)]


@pytest.mark.parametrize(
    ("written", "project"),
    [
        ("违规吃喝", FULL["吃喝"]),
        ("整治违规吃喝隐形变异问题", FULL["吃喝"]),
        ("形式主义官僚主义", FULL["形式"]),
        ("基层减负", FULL["形式"]),
        ("整治加重基层负担的形式主义官僚主义突出问题", FULL["形式"]),
        ("微腐败", FULL["微腐败"]),
        ("群众身边不正之风", FULL["微腐败"]),
        ("整治群众身边不正之风和“微腐败”问题", FULL["微腐败"]),
        ('整治群众身边不正之风和"微腐败"问题', FULL["微腐败"]),
        ("营商环境", FULL["营商"]),
        ("4.整治影响营商环境优化提升的作风顽疾", FULL["营商"]),
    ],
)
def test_project_aliases(store, query, written: str, project: str) -> None:
    store(xlsx(ledger_sheet([ledger_row("JC-001", project=written)])))
    assert items(query, "project") == [(project,)]


def test_county_checked_against_the_region_master(store, query) -> None:
    rows = [ledger_row("JC-001", county="临江县"), ledger_row("JC-002", county="临江"), ledger_row("JC-003", county=None)]
    store(xlsx(ledger_sheet(rows)))
    assert items(query, "item_id, county") == [("JC-001", "临江县"), ("JC-002", "临江县"), ("JC-003", None)]


# --- report month ---------------------------------------------------------------------------

NO_MONTH_TITLES = ["江城市整改整治问题台账", ["填报日期：2026年11月3日"]]


def test_month_from_column(store, query) -> None:
    header = (*LEDGER_HEADER, "报送月份")
    rows = [[*ledger_row("JC-001"), "2026-10"], [*ledger_row("JC-002"), "2026年10月"]]
    store(xlsx(ledger_sheet(rows, header=header, titles=NO_MONTH_TITLES)), name="台账.xlsx")
    assert items(query, "month") == [(OCT,), (OCT,)]


def test_month_from_title_ignores_filling_date(store, query) -> None:
    store(xlsx(ledger_sheet([ledger_row("JC-001")], month="2026年9月")), name="台账.xlsx")
    assert items(query, "month") == [(dt.date(2026, 9, 1),)]
    assert query("SELECT month FROM uploads") == [(dt.date(2026, 9, 1),)]


@pytest.mark.parametrize("name", ["江城市2026年10月整改台账.xlsx", "江城市_2026-10_台账.xlsx", "202610江城市台账.xlsx"])
def test_month_from_file_name(store, query, name: str) -> None:
    store(xlsx(ledger_sheet([ledger_row("JC-001")], titles=NO_MONTH_TITLES)), name=name)
    assert items(query, "month") == [(OCT,)]


def test_month_from_upload_option(store, query) -> None:
    store(xlsx(ledger_sheet([ledger_row("JC-001")], titles=NO_MONTH_TITLES)), name="台账.xlsx", month=OCT)
    assert items(query, "month") == [(OCT,)]


def test_agreeing_month_sources_are_fine(store, query) -> None:
    header = (*LEDGER_HEADER, "报送月份")
    data = xlsx(ledger_sheet([[*ledger_row("JC-001"), "2026-10"]], header=header))
    store(data, name="江城市2026年10月台账.xlsx", month=OCT)
    assert items(query, "month") == [(OCT,)]


# --- spot checks, 群众评议, several sheets ------------------------------------------------------


def test_spot_check_of_unknown_item_is_stored_with_notice(store, query) -> None:
    store(ledger_xlsx())  # JC-001, JC-002 of 江城市
    outcome = store(
        xlsx(checks_sheet([check_row("JC-001"), check_row("JC-404", result="虚假整改"), check_row("JC-002", region="山阳市")])),
        name="核查结果.xlsx",
    )
    assert query("SELECT region, item_id, check_date, result, passed, sampling, excel_row FROM checks ORDER BY excel_row") == [
        ("江城市", "JC-001", dt.date(2026, 10, 25), "整改到位", True, "随机抽查", 3),
        ("江城市", "JC-404", dt.date(2026, 10, 25), "虚假整改", False, "随机抽查", 4),
        ("山阳市", "JC-002", dt.date(2026, 10, 25), "整改到位", True, "随机抽查", 5),
    ]
    notice = next(n for n in outcome.notices if "从未出现" in n)
    # numbers are unique only within a unit: 山阳市 JC-002 is unknown although 江城市 has a JC-002
    assert "有 2 条" in notice and "江城市 JC-404（第 4 行）" in notice and "山阳市 JC-002（第 5 行）" in notice
    assert "JC-001" not in notice


def test_satisfaction_sheet_with_several_months(store, query) -> None:
    rows = [
        ["江城市", "违规吃喝", "2026-08", "86%", 200],
        ["江城市", "违规吃喝", "2026年9月", 0.9, "150"],
        ["江城市", "违规吃喝", dt.date(2026, 10, 1), 92, None],
        ["山阳市", "营商环境", "2026-10", "1", 30],
    ]
    store(xlsx(Sheet("群众评议", SATISFACTION_HEADER, rows, ["2026年群众满意度评议结果"])), name="群众评议.xlsx")
    assert query("SELECT region, project, month, satisfaction, sample_size, excel_row FROM satisfaction ORDER BY excel_row") == [
        ("江城市", FULL["吃喝"], dt.date(2026, 8, 1), pytest.approx(0.86), 200, 3),
        ("江城市", FULL["吃喝"], dt.date(2026, 9, 1), pytest.approx(0.9), 150, 4),
        ("江城市", FULL["吃喝"], OCT, pytest.approx(0.92), None, 5),
        ("山阳市", FULL["营商"], OCT, 1.0, 30, 6),
    ]


def test_workbook_with_every_sheet_and_an_instructions_sheet(store, query) -> None:
    data = xlsx(
        Sheet("填报说明", ["填报说明"], [["1. 请勿修改表头"], ["2. 日期格式为 2026-10-15"]]),
        ledger_sheet([ledger_row("JC-001")]),
        summary_sheet([["江城市", "违规吃喝", 1, 1, "100%"]], total=["合计", None, 1, 1, "100%"]),
        checks_sheet([check_row("JC-001")], name="暗访抽查"),
        Sheet("Sheet4", SATISFACTION_HEADER, [["江城市", "违规吃喝", "2026-10", "80%", 10]]),
    )
    outcome = store(data)
    assert sorted((u.kind, u.rows) for u in outcome.uploads) == [("checks", 1), ("ledger", 1), ("satisfaction", 1), ("summary", 1)]
    assert any("填报说明" in notice and "已忽略" in notice for notice in outcome.notices)
    assert query("SELECT kind, region, month, sheet FROM uploads ORDER BY upload_id") == [
        ("ledger", "江城市", OCT, "问题台账"),
        ("summary", "江城市", OCT, "汇总"),
        ("checks", None, None, "暗访抽查"),
        ("satisfaction", None, None, "Sheet4"),
    ]
    # the spot check names a ledger item stored in the same workbook: no notice
    assert not any("从未出现" in notice for notice in outcome.notices)


def test_month_column_typed_as_a_number(store, query) -> None:
    header = (*LEDGER_HEADER, "报送月份")
    rows = [[*ledger_row("JC-001"), 202610], [*ledger_row("JC-002"), "202610"], [*ledger_row("JC-003"), "2026.10"]]
    store(xlsx(ledger_sheet(rows, header=header, titles=NO_MONTH_TITLES)), name="台账.xlsx")
    assert items(query, "month") == [(OCT,), (OCT,), (OCT,)]


def test_template_title_wins_over_an_alias_column(store, query) -> None:
    """A running number headed 编号 (an alias of 问题编号) next to the real 问题编号 column."""
    header = ("编号", *LEDGER_HEADER, "状态")
    rows = [[1, *ledger_row("JC-007"), "正常"], [2, *ledger_row("JC-009", status="推进中"), "正常"]]
    outcome = store(xlsx(ledger_sheet(rows, header=header)))
    assert items(query, "item_id, status, extra") == [
        ("JC-007", "已完成", json.dumps({"编号": "1", "状态": "正常"}, ensure_ascii=False)),
        ("JC-009", "推进中", json.dumps({"编号": "2", "状态": "正常"}, ensure_ascii=False)),
    ]
    assert any("编号、状态" in notice for notice in outcome.notices)


def test_summary_of_several_units_keeps_no_unit_total(store, query) -> None:
    """One 合计 row under two units' rows is no unit's total: it must not be stored as each unit's."""
    rows = [["江城市", "违规吃喝", 12, 10, None], ["山阳市", "违规吃喝", 8, 8, None]]
    outcome = store(xlsx(summary_sheet(rows, unit="全省", total=["合计", None, 20, 18, "90%"])))
    assert query("SELECT region, total FROM summary_rows ORDER BY region") == [("山阳市", 8), ("江城市", 12)]
    assert query("SELECT count(*) FROM summary_totals") == [(0,)]
    assert any("合计行未作核对" in notice for notice in outcome.notices)


def test_ledger_split_into_one_sheet_per_project(store, query) -> None:
    """Staff often keep one ledger sheet per 整治项目: together they are the unit's one snapshot."""
    data = xlsx(
        ledger_sheet([ledger_row("WG-001"), ledger_row("WG-002", status="推进中")], name="违规吃喝台账"),
        ledger_sheet([ledger_row("YS-001", project="营商环境")], name="营商环境台账"),
    )
    outcome = store(data)
    assert [(u.kind, u.region, u.rows, u.replaced) for u in outcome.uploads] == [("ledger", "江城市", 3, None)]
    assert query("SELECT upload_id, sheet, row_count, state FROM uploads") == [(1, "违规吃喝台账、营商环境台账", 3, "active")]
    assert items(query, "sheet, item_id, excel_row") == [
        ("违规吃喝台账", "WG-001", 4),
        ("营商环境台账", "YS-001", 4),
        ("违规吃喝台账", "WG-002", 5),
    ]


def test_hidden_sheets_are_ignored(store, query) -> None:
    data = xlsx(
        ledger_sheet([ledger_row("JC-001")]),
        ledger_sheet([ledger_row("OLD-001")], name="问题台账（9月）", month="2026年10月", hidden=True),
    )
    outcome = store(data)
    assert items(query, "item_id") == [("JC-001",)]
    assert any("问题台账（9月）" in notice and "隐藏" in notice for notice in outcome.notices)


def test_without_region_master_names_are_kept_as_written(db) -> None:
    rows = [ledger_row("JC-001", region=" 江 城 市 ", county="任意区")]
    outcome = service.ingest_bytes(db, xlsx(ledger_sheet(rows)), "台账.xlsx", actor=OPERATOR)
    assert outcome.status == service.STORED, [p.text() for p in outcome.problems]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT region, county FROM ledger_items").fetchall() == [("江城市", "任意区")]
    finally:
        con.close()


def test_template_sheets_left_unfilled_are_skipped(store, query) -> None:
    """A unit fills the ledger and leaves the template's other sheets as they came."""
    data = xlsx(
        ledger_sheet([ledger_row("JC-001")]),
        summary_sheet([], month="2026年9月"),  # last month's title, no rows: not a month conflict
        checks_sheet([]),
        Sheet("群众评议", []),
    )
    outcome = store(data)
    assert [(u.kind, u.rows) for u in outcome.uploads] == [("ledger", 1)]
    assert query("SELECT kind FROM uploads") == [("ledger",)]
    for name in ("汇总", "核查结果", "群众评议"):
        assert f"工作表「{name}」没有数据行，已跳过" in outcome.notices


def test_real_two_row_header(store, query) -> None:
    """A group label (时间节点) above two columns; the other titles sit in the upper row only."""
    upper = list(LEDGER_HEADER)
    lower: list[str | None] = [None] * len(LEDGER_HEADER)
    upper[9], upper[10] = "时间节点", None
    lower[9], lower[10] = "发现日期", "整改时限"
    sheet = Sheet("问题台账", lower, [ledger_row("JC-001")], titles=["江城市整改整治问题台账（2026年10月）", upper], merges=["J2:K2"])
    store(xlsx(sheet))
    assert items(query, "item_id, found_date, deadline, month, excel_row") == [
        ("JC-001", dt.date(2026, 9, 3), dt.date(2026, 11, 30), OCT, 4)
    ]
