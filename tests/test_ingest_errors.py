"""Bad cells, rows and sheets: refused with every error located to the cell, nothing stored.

Each case goes through the command line (exit code 2, the full list on
stderr) and the library, and compares a full dump of the database before
and after. The database already holds a valid upload, so a refused file
that wrongly replaced or added anything would show.
"""

from __future__ import annotations

import datetime as dt

import pytest
from workbooks import (
    LEDGER_HEADER,
    SUMMARY_HEADER,
    Sheet,
    check_row,
    checks_sheet,
    ledger_row,
    ledger_sheet,
    ledger_xlsx,
    summary_sheet,
    xlsx,
)

from rectlens.ingest.problems import Problem


def expect(problem: Problem, *, sheet: str, letter: str, value: str, says: str) -> None:
    assert (problem.sheet, problem.column_letter, problem.value) == (sheet, letter, value), problem
    assert says in problem.expected, problem.expected


# --- one bad cell each ----------------------------------------------------------------------


def test_unknown_status_suggests_the_accepted_values(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="已完", completed="2026-10-12")])))
    problem = refusal.at(5, "整改状态")
    expect(problem, sheet="问题台账", letter="L", value="已完", says="未启动、推进中或已完成之一")
    assert "是否为：已完成" in problem.expected
    assert "工作表「问题台账」 第 5 行 「整改状态」列（L 列）：值「已完」有误" in refusal.stderr


def test_unknown_unit_names_the_nearest_units(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", region="江成市")])))
    expect(refusal.at(4, "地区"), sheet="问题台账", letter="B", value="江成市", says="是否为：江城市")


def test_unknown_project(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", project="违规宴请")])))
    expect(refusal.at(4, "整治项目"), sheet="问题台账", letter="E", value="违规宴请", says="违规吃喝、形式主义官僚主义、微腐败、营商环境")


@pytest.mark.parametrize("rate", ["105%", 101, "100.5%", 100.5])
def test_rate_above_100_percent(rejected, rate: object) -> None:
    refusal = rejected(xlsx(summary_sheet([["江城市", "违规吃喝", 20, 19, "95%"], ["江城市", "营商环境", 20, 20, rate]])))
    expect(refusal.at(4, "整改完成率"), sheet="汇总", letter="E", value=str(rate), says="不超过 100%")


def test_satisfaction_above_100_percent(rejected) -> None:
    sheet = Sheet("群众评议", ("地区", "整治项目", "报送月份", "满意度", "样本数"), [["江城市", "违规吃喝", "2026-10", "120%", 10]])
    expect(rejected(xlsx(sheet)).at(2, "满意度"), sheet="群众评议", letter="D", value="120%", says="不超过 100%")


@pytest.mark.parametrize(
    ("column", "letter", "row"),
    [("问题总数", "C", ["江城市", "违规吃喝", -1, 0, None]), ("已完成数", "D", ["江城市", "违规吃喝", 3, "-2", None])],
)
def test_negative_count(rejected, column: str, letter: str, row: list[object]) -> None:
    refusal = rejected(xlsx(summary_sheet([row])))
    expect(refusal.at(3, column), sheet="汇总", letter=letter, value=str(row[SUMMARY_HEADER.index(column)]), says="不能为负数")


def test_fractional_count(rejected) -> None:
    refusal = rejected(xlsx(summary_sheet([["江城市", "违规吃喝", 12.5, 3, None]])))
    expect(refusal.at(3, "问题总数"), sheet="汇总", letter="C", value="12.5", says="非负整数")


def test_more_completed_than_total(rejected) -> None:
    refusal = rejected(xlsx(summary_sheet([["江城市", "违规吃喝", 12, 13, None]])))
    expect(refusal.at(3, "已完成数"), sheet="汇总", letter="D", value="13", says="不大于问题总数（12）")


def test_done_without_completion_date(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", status="已销号", completed=None)])))
    expect(refusal.at(4, "完成日期"), sheet="问题台账", letter="M", value="", says="必须填写完成日期")


def test_done_without_a_completion_date_column(rejected) -> None:
    header = [h for h in LEDGER_HEADER if h != "完成日期"]
    row = ledger_row("JC-001")
    del row[LEDGER_HEADER.index("完成日期")]
    refusal = rejected(xlsx(ledger_sheet([row], header=header)))
    expect(refusal.at(4, "整改状态"), sheet="问题台账", letter="L", value="已完成", says="需要“完成日期”列")


def test_duplicate_item_id_within_a_unit(rejected) -> None:
    rows = [ledger_row("JC-001"), ledger_row("SY-001", region="山阳市", county="山阳区"), ledger_row(" JC-001 ")]
    refusal = rejected(xlsx(ledger_sheet(rows)))
    expect(refusal.at(6, "问题编号"), sheet="问题台账", letter="A", value="JC-001", says="与第 4 行重复")
    assert len(refusal.problems) == 1


def test_same_item_id_in_two_units_is_fine(store, query) -> None:
    store(xlsx(ledger_sheet([ledger_row("X-001"), ledger_row("X-001", region="山阳市", county="山阳区")])))
    assert query("SELECT region, item_id FROM ledger_items ORDER BY region") == [("山阳市", "X-001"), ("江城市", "X-001")]


@pytest.mark.parametrize("written", ["10月15日", "2026-10", "下旬", "2026-10-15 至 10-20"])
def test_malformed_date(rejected, written: str) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", completed=written)])))
    expect(refusal.at(4, "完成日期"), sheet="问题台账", letter="M", value=written, says="日期，如 2026-10-15")


@pytest.mark.parametrize("written", ["2026-02-30", "2026年2月29日", "2026.04.31", "2026/15/10"])
def test_impossible_date(rejected, written: str) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", found=written)])))
    expect(refusal.at(4, "发现日期"), sheet="问题台账", letter="J", value=written, says="不是有效日期")


@pytest.mark.parametrize("written", ["年底前", "2026年底", "尽快"])
def test_deadline_text_that_is_not_open_ended(rejected, written: str) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", deadline=written)])))
    expect(refusal.at(4, "整改时限"), sheet="问题台账", letter="K", value=written, says="长期坚持")


def test_county_of_another_unit(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", county="北岭县")])))
    expect(refusal.at(4, "县区"), sheet="问题台账", letter="C", value="北岭县", says="江城市的县区之一：临江县、江城区")


def test_county_for_a_unit_without_counties(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("BH-001", region="白河", county="白河区")])))
    expect(refusal.at(4, "县区"), sheet="问题台账", letter="C", value="白河区", says="地区表中白河没有县区")


def test_unknown_check_result(rejected) -> None:
    refusal = rejected(xlsx(checks_sheet([check_row("JC-001", result="合格")])), name="核查结果.xlsx")
    expect(
        refusal.at(3, "核查结论"),
        sheet="核查结果",
        letter="E",
        value="合格",
        says="整改到位、基本到位、未整改到位、虚假整改、问题反弹 之一",
    )


def test_check_without_date(rejected) -> None:
    refusal = rejected(xlsx(checks_sheet([check_row("JC-001", date=None)])), name="核查结果.xlsx")
    expect(refusal.at(3, "核查日期"), sheet="核查结果", letter="C", value="", says="必填项")


# --- months --------------------------------------------------------------------------------

NO_MONTH_TITLES = ["江城市整改整治问题台账", ["填报日期：2026年11月3日"]]


def test_title_and_file_name_disagree(rejected) -> None:
    refusal = rejected(ledger_xlsx(month="2026年10月"), name="江城市2026年9月台账.xlsx")
    problem = refusal.at(1, "报送月份")
    assert "标题行中的月份（2026-10）与文件名中的月份（2026-09）不一致" in problem.expected


def test_title_and_month_option_disagree(rejected) -> None:
    refusal = rejected(ledger_xlsx(month="2026年10月"), name="台账.xlsx", month="2026-11")
    assert "与上传时选择的月份（2026-11）不一致" in refusal.at(1, "报送月份").expected


def test_month_column_and_title_disagree(rejected) -> None:
    header = (*LEDGER_HEADER, "报送月份")
    rows = [[*ledger_row("JC-001"), "2026-10"], [*ledger_row("JC-002"), "2026-09"]]
    refusal = rejected(xlsx(ledger_sheet(rows, header=header)), name="台账.xlsx")
    expect(refusal.at(5, "报送月份"), sheet="问题台账", letter="O", value="2026-09", says="标题行中的月份（2026-10）")
    assert len(refusal.problems) == 1


def test_no_month_anywhere(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002")], titles=NO_MONTH_TITLES)), name="台账.xlsx")
    problem = refusal.at(4, "报送月份")
    assert "无法确定报送月份" in problem.expected and "共 2 行" in problem.expected


# --- whole sheets ------------------------------------------------------------------------------


def test_required_column_missing_from_header(rejected) -> None:
    header = [h for h in LEDGER_HEADER if h != "整改状态"]
    row = ledger_row("JC-001")
    del row[LEDGER_HEADER.index("整改状态")]
    refusal = rejected(xlsx(ledger_sheet([row], header=header)))
    problem = refusal.at(3, "整改状态")
    assert problem.sheet == "问题台账" and "表头中缺少必填列“整改状态”" in problem.expected


def test_no_recognisable_sheet(rejected) -> None:
    data = xlsx(Sheet("Sheet1", ["姓名", "电话", "地址"], [["张三", "123", "某街道"]]), Sheet("Sheet2", []))
    refusal = rejected(data)
    assert len(refusal.problems) == 1
    assert "没有找到可识别的工作表" in refusal.problems[0].expected


def test_header_without_data_rows(rejected) -> None:
    refusal = rejected(xlsx(ledger_sheet([], after=["注：本月无新增问题"])))
    problem = refusal.at(None, "")
    assert problem.sheet == "问题台账" and "没有数据行" in problem.expected


def test_named_sheet_that_is_empty(rejected) -> None:
    refusal = rejected(xlsx(Sheet("问题台账", [])))
    assert refusal.problems[0].sheet == "问题台账" and "工作表是空的" in refusal.problems[0].expected


def test_only_total_row_is_no_data(rejected) -> None:
    refusal = rejected(xlsx(summary_sheet([], total=["合计", None, 0, 0, None])))
    assert any(p.sheet == "汇总" and "没有数据行" in p.expected for p in refusal.problems)


# --- every error, not only the first --------------------------------------------------------------


def test_every_error_in_a_workbook_is_reported(rejected) -> None:
    ledger = ledger_sheet(
        [
            ledger_row("JC-001", status="搞定了"),
            ledger_row("JC-002", region="东海市"),
            ledger_row("JC-003", completed="2026-02-30"),
            ledger_row("JC-004"),  # valid
            ledger_row("JC-005", project="其他", deadline="年底"),
            ledger_row("JC-001"),
        ]
    )
    summary = summary_sheet([["江城市", "违规吃喝", 5, 6, "120%"], ["江城市", "营商环境", "五", 1, None]])
    checks = checks_sheet([check_row("JC-001", result="通过", date="2026-13-01")])
    refusal = rejected(xlsx(ledger, summary, checks))
    located = sorted((p.sheet, p.row or 0, p.column_letter) for p in refusal.problems)
    assert located == [
        ("核查结果", 3, "C"),
        ("核查结果", 3, "E"),
        ("汇总", 3, "D"),
        ("汇总", 3, "E"),
        ("汇总", 4, "C"),
        ("问题台账", 4, "L"),
        ("问题台账", 5, "B"),
        ("问题台账", 6, "M"),
        ("问题台账", 8, "E"),
        ("问题台账", 8, "K"),
        ("问题台账", 9, "A"),
    ]


@pytest.mark.parametrize(
    ("column", "letter", "written", "shown"),
    [
        ("完成日期", "M", 10.15, "10.15"),  # "10.15" typed into a General cell: a number, not October 15
        ("发现日期", "J", dt.date(1900, 1, 10), "1900-01-10"),  # 10 typed into a date cell
        ("整改时限", "K", 2026, "2026"),
    ],
)
def test_number_that_is_not_a_full_date(rejected, column: str, letter: str, written: object, shown: str) -> None:
    field = {"完成日期": "completed", "发现日期": "found", "整改时限": "deadline"}[column]
    refusal = rejected(xlsx(ledger_sheet([ledger_row("JC-001", **{field: written})])))
    expect(refusal.at(4, column), sheet="问题台账", letter=letter, value=shown, says="2026-10-15")


@pytest.mark.parametrize(("written", "shown"), [(10, "10"), (2026.1, "2026.1"), (dt.date(1900, 1, 10), "1900-01-10")])
def test_month_column_that_is_not_a_month(rejected, written: object, shown: str) -> None:
    header = (*LEDGER_HEADER, "报送月份")
    refusal = rejected(xlsx(ledger_sheet([[*ledger_row("JC-001"), written]], header=header, titles=NO_MONTH_TITLES)), name="台账.xlsx")
    expect(refusal.at(4, "报送月份"), sheet="问题台账", letter="O", value=shown, says="2026-10")


def test_duplicate_item_id_across_sheets_of_one_unit(rejected) -> None:
    data = xlsx(
        ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002")], name="违规吃喝台账"),
        ledger_sheet([ledger_row("JC-003", project="营商环境"), ledger_row("JC-001", project="营商环境")], name="营商环境台账"),
    )
    refusal = rejected(data)
    problem = refusal.at(5, "问题编号")
    expect(problem, sheet="营商环境台账", letter="A", value="JC-001", says="与工作表「违规吃喝台账」第 4 行重复")
    assert len(refusal.problems) == 1


def test_same_summary_row_in_two_sheets(rejected) -> None:
    data = xlsx(
        summary_sheet([["江城市", "违规吃喝", 3, 1, None]], name="汇总"),
        summary_sheet([["江城市", "违规吃喝", 4, 2, None]], name="汇总（续）"),
    )
    problem = rejected(data).at(3, "整治项目")
    expect(problem, sheet="汇总（续）", letter="B", value="违规吃喝", says="与工作表「汇总」第 3 行重复")
