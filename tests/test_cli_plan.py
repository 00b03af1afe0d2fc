"""`python -m rectlens plan --month YYYY-MM --mode targeted|random|lqas [--n N] [--seed S] [--out FILE.xlsx]`.

Without --out the plan is printed (CSV, or JSON with --format json); with --out the 核查结果
workbook is written, recorded in the audit log as an export by the command line's operator, and
an LQAS plan becomes a round. The written workbook, filled in, goes back in with `ingest`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from audit_trail import audit_rows, last_seq
from builders import XS, Item, shared_lens

from rectlens import planner
from rectlens.cli_reports import PLAN_COLUMNS

OCT = dt.date(2026, 10, 1)


@pytest.fixture(scope="module")
def plan_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with shared_lens(tmp_path_factory, "cliplan") as lens:
        lens.ledger("江城市", "2026-10", [Item.completed(f"J{i:02d}", "2026-10-02", evidence=None) for i in range(1, 23)])
        lens.ledger("山阳市", "2026-10", [Item.completed(f"S{i:02d}", "2026-10-02", XS) for i in range(1, 9)])
        return lens.path


@pytest.fixture
def writable_db(plan_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "plan.duckdb"
    copy.write_bytes(plan_db.read_bytes())
    return copy


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("mode", planner.MODES)
def test_plan_prints_the_library_plan_as_csv(cli_main, plan_db: Path, mode: str) -> None:  # type: ignore[no-untyped-def]
    result = cli_main("plan", "--month", "2026-10", "--mode", mode, "--n", "6", "--seed", "9", "--db", plan_db)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == ",".join(PLAN_COLUMNS)
    rows = rows_of(result.out)
    options = {"seed": 9, **({"n": 6} if mode == planner.LQAS else {"size": 6})}
    plan = planner.make_plan(plan_db, OCT, mode, **options)
    assert [(r["region"], r["item_id"]) for r in rows] == list(zip(plan.items["region"], plan.items["item_id"], strict=True))
    assert {r["sampling"] for r in rows} == {"重点核查" if mode == planner.TARGETED else "随机抽查"}
    assert all(r["completed_date"] == "2026-10-02" for r in rows)
    if mode == planner.LQAS:
        assert len(rows) == 12  # 6 per unit
        assert {(r["n"], r["d"]) for r in rows} == {("6", str(planner.rule_for(6, plan.design).d))}
        assert "每个地区抽 6 项时" in result.err and "超过设计的 10%" in result.err  # 6 cannot meet both risks: said on stderr
    else:
        assert len(rows) == 6
    if mode == planner.TARGETED:
        assert all(r["reasons"] and r["priority"] for r in rows)
    again = cli_main("plan", "--month", "2026-10", "--mode", mode, "--n", "6", "--seed", "9", "--db", plan_db)
    assert again.out == result.out  # the seed gives the same plan


def test_plan_defaults_and_json(cli_main, plan_db: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli_main("plan", "--month", "2026-10", "--mode", "lqas", "--format", "json", "--db", plan_db)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    by_unit = {r["region"]: (r["n"], r["d"]) for r in rows}
    assert by_unit == {"江城市": (19, 13), "山阳市": (8, planner.rule_for(8, planner.config.planner()).d)}
    assert sum(r["region"] == "江城市" for r in rows) == 19 and sum(r["region"] == "山阳市" for r in rows) == 8
    assert "山阳市只有 8 项待抽查，已全部列入" in result.err
    assert rows[0]["priority"] is None and rows[0]["reasons"] is None
    targeted = rows_of(cli_main("plan", "--month", "2026-10", "--mode", "targeted", "--db", plan_db).out)
    assert len(targeted) == 30  # 30 by default (here: every candidate)
    assert max(sum(r["region"] == unit for r in targeted[:10]) for unit in ("江城市", "山阳市")) == 5  # the cap, then the next


def test_plan_out_writes_the_sheet_registers_the_round_and_audits_it(cli_main, writable_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "抽查计划.xlsx"
    start = last_seq(writable_db)
    result = cli_main("plan", "--month", "2026-10", "--mode", "lqas", "--seed", "3", "--out", out, "--db", writable_db)
    assert result.code == 0, result.err
    assert "已登记为第 1 轮" in result.out and str(out) in result.out
    assert "江城市：抽 19 项，通过不少于 13 项为达标" in result.out
    trail = audit_rows(writable_db, start)
    assert [(r["action"], r["outcome"]) for r in trail] == [("plan", "ok"), ("export", "ok")]
    assert all(r["account"].startswith("system:") for r in trail)
    # the same plan again (before any of its checks came back) is the same round
    again = cli_main("plan", "--month", "2026-10", "--mode", "lqas", "--seed", "3", "--out", out, "--db", writable_db)
    assert "已登记为第 1 轮" in again.out
    sheet = openpyxl.load_workbook(out)["核查结果"]
    header = [cell.value for cell in sheet[1]]
    items = [(sheet.cell(row, 2).value, sheet.cell(row, 1).value) for row in range(2, sheet.max_row + 1)]
    assert len(items) == 27 and {sheet.cell(row, header.index("抽样方式") + 1).value for row in range(2, 29)} == {"随机抽查"}
    # filled in and ingested unchanged, the round's units are classified
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 3).value = dt.date(2026, 11, 6)
        sheet.cell(row, 5).value = "整改到位" if sheet.cell(row, 2).value == "江城市" else "虚假整改"
    filled = tmp_path / "核查结果_已填.xlsx"
    sheet.parent.save(filled)
    ingested = cli_main("ingest", filled, "--db", writable_db)
    assert ingested.code == 0, ingested.err
    results = planner.round_results(writable_db, OCT).set_index("region")
    assert dict(results["status"]) == {"江城市": "达标", "山阳市": "未达标"}
    # once checked, the items are no longer candidates: a new plan draws what is left, as a new round
    later = cli_main("plan", "--month", "2026-10", "--mode", "lqas", "--seed", "3", "--out", out, "--db", writable_db)
    assert "已登记为第 2 轮" in later.out and "江城市只有 3 项待抽查" in later.err


def test_plan_out_of_a_targeted_plan_is_an_export_only(cli_main, writable_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "重点.xlsx"
    start = last_seq(writable_db)
    result = cli_main("plan", "--month", "2026-10", "--mode", "targeted", "--n", "4", "--out", out, "--db", writable_db)
    assert result.code == 0, result.err
    assert "轮" not in result.out
    assert [r["action"] for r in audit_rows(writable_db, start)] == ["export"]
    assert planner.round_results(writable_db, OCT).empty
    assert openpyxl.load_workbook(out)["核查结果"].max_row == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-09", "--mode", "random"], "2026-09 没有任何地区的问题台账或汇总数据"),
        (["--month", "2026-10", "--mode", "lqas", "--n", "0"], "--n 应为正整数"),
        (["--month", "2026-10", "--mode", "all"], "参数 --mode 的值「all」无效"),
        (["--month", "2026-10", "--mode", "random", "--out", "计划.csv"], "应以 .xlsx 结尾"),
        (["--month", "2026-10", "--mode", "random", "--out", "/no/such/folder/计划.xlsx"], "不存在"),
        (["--mode", "random"], "缺少必需的参数"),
    ],
)
def test_plan_refuses_bad_requests_in_chinese(cli_main, plan_db: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli_main("plan", *args, "--db", plan_db)
    assert result.code == 2 and message in result.err, result.err
    assert "Traceback" not in result.err


def test_plan_needs_an_existing_database(cli_main, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "none.duckdb"
    result = cli_main("plan", "--month", "2026-10", "--mode", "random", "--db", missing)
    assert result.code == 2 and "不存在" in result.err
    assert not missing.exists()


def test_plan_through_the_real_entry_point(cli, plan_db: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", "--month", "2026-10", "--mode", "random", "--n", "3", "--db", plan_db)
    assert result.code == 0, result.err
    assert len(rows_of(result.out)) == 3
