"""抽查计划 under AppTest, signed in as a 督导组 account: the three kinds of plan, their downloads and the LQAS results.

Every list the page shows is the library's plan for the same month, scope and settings; the
LQAS results tab shows the round's classification once a filled-in plan sheet has been
uploaded. (The download itself, a real click in a browser, is tested in tests/browser.)
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from actors import INSPECTOR_ACTOR
from builders import XS, Check, Item, Lens, shared_lens
from signin_helpers import INSPECTOR_ZHAO, LEADER_LI, as_shown, assert_no_exception, open_link, sign_in
from streamlit.testing.v1 import AppTest

from rectlens import lqas, planner
from rectlens.ingest.service import STORED, ingest_bytes

PAGE = "pages/planner.py"
OCT = dt.date(2026, 10, 1)
TABS = ["重点核查", "随机抽查", "批质量保证抽样（LQAS）", "LQAS 判定结果"]


def build_scenario(lens: Lens) -> Path:
    """江城市: 24 completed items, 12 without evidence (违规吃喝); 山阳市: 21 (形式主义); 白河: 4."""
    jc = [Item.completed(f"JC-{i:02d}", "2026-10-03", evidence=None if i < 12 else "报告.pdf") for i in range(24)]
    lens.ledger("江城市", "2026-10", jc)
    lens.ledger("山阳市", "2026-10", [Item.completed(f"SY-{i:02d}", "2026-10-04", XS) for i in range(21)])
    lens.ledger("白河", "2026-10", [Item.completed(f"BH-{i:02d}", "2026-10-05") for i in range(4)])
    lens.checks(Check("JC-23", "江城市", "2026-10-20", "整改到位"))  # checked: no longer a candidate
    return lens.path


@pytest.fixture(scope="module")
def planner_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_lens(tmp_path_factory, "planner_page") as lens:
        yield build_scenario(lens)


@pytest.fixture
def open_planner(planner_db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("RECTLENS_DB", str(planner_db))

    def open_(**query: str) -> AppTest:
        at = sign_in(open_link(PAGE, **query), planner_db, INSPECTOR_ZHAO)
        assert [tab.label for tab in at.tabs] == TABS
        return at

    return open_


# The tables of each tab, in order (AppTest gives a data frame no id to find it by).
TABLES = {
    "plan_targeted_table": (0, 0),
    "plan_random_table": (1, 0),
    "plan_lqas_units": (2, 0),
    "plan_lqas_table": (2, 1),
    "lqas_results_1": (3, 0),
}


def table(at: AppTest, key: str) -> list[dict[str, object]]:
    tab, index = TABLES[key]
    return at.tabs[tab].dataframe[index].value.to_dict("records")


def downloads(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def test_the_three_plans_are_the_librarys(open_planner: Callable[..., AppTest], planner_db: Path) -> None:
    at = open_planner()
    assert "已报完成、且完成后尚未被抽查的问题 48 个" in at.caption[0].value
    targeted = planner.make_plan(planner_db, OCT, planner.TARGETED)
    shown = table(at, "plan_targeted_table")
    assert [(r["地区"], r["问题编号"]) for r in shown] == list(zip(targeted.items["region"], targeted.items["item_id"], strict=True))
    assert len(shown) == 30
    # the first pass: at most 5 of each unit x project (江城市 and 山阳市 5 each, all 4 of 白河's), then the next pass
    first_pass = [(r["地区"], r["整治项目"]) for r in shown[:14]]
    assert {cell: first_pass.count(cell) for cell in first_pass} == {
        ("江城市", "违规吃喝"): 5,
        ("山阳市", "形式主义官僚主义"): 5,
        ("白河", "违规吃喝"): 4,
    }
    assert all(r["列入理由"] for r in shown)
    random_plan = planner.make_plan(planner_db, OCT, planner.RANDOM, seed=planner.DEFAULT_SEED)
    assert [r["问题编号"] for r in table(at, "plan_random_table")] == list(random_plan.items["item_id"])
    units = {r["地区"]: r for r in table(at, "plan_lqas_units")}
    assert {region: (r["待抽查"], r["抽查数 n"], r["判定数 d"]) for region, r in units.items()} == {
        "江城市": (23, 19, 13),
        "山阳市": (21, 19, 13),
        "白河": (4, 4, 4),
    }
    rules = [as_shown(caption.value) for caption in at.tabs[2].caption[1:]]  # each rule once, under the table
    assert rules[0] == "江城市、山阳市：" + lqas.rule(19).text()
    assert rules[1].startswith("白河：抽 4 项，通过不少于 4 项为达标") and "超过设计" in rules[1]
    assert len(table(at, "plan_lqas_table")) == 19 + 19 + 4
    assert downloads(at) == ["下载重点核查清单（30 项）", "下载随机抽查清单（30 项）", "下载 LQAS 抽查清单并登记本轮（42 项）"]
    assert "还没有登记的 LQAS 抽查轮次" in at.tabs[3].info[0].value


def test_the_targeted_plan_spreads_with_the_configured_cap(open_planner: Callable[..., AppTest], settings_file) -> None:  # type: ignore[no-untyped-def]
    settings_file("[planner]\ntargeted_cap = 2\n")
    at = open_planner()
    at.number_input(key="plan_size_targeted").set_value(10).run()
    assert_no_exception(at)
    shown = table(at, "plan_targeted_table")
    assert len(shown) == 10
    cells = [(row["地区"], row["整治项目"]) for row in shown]
    # three unit x projects with candidates: 2 of each first, then the next pass of 2 each
    assert sorted(cells[:6].count(cell) for cell in set(cells[:6])) == [2, 2, 2]
    assert sorted(cells.count(cell) for cell in set(cells)) == [2, 4, 4]
    assert "每个地区 × 项目先最多列入 2 项" in at.tabs[0].caption[0].value


def test_seed_and_n_change_the_random_and_lqas_plans(open_planner: Callable[..., AppTest], planner_db: Path) -> None:
    at = open_planner()
    at.number_input(key="plan_seed_random").set_value(7).run()
    at.number_input(key="plan_size_random").set_value(5).run()
    expected = planner.make_plan(planner_db, OCT, planner.RANDOM, size=5, seed=7)
    assert [r["问题编号"] for r in table(at, "plan_random_table")] == list(expected.items["item_id"])
    at.number_input(key="plan_lqas_n").set_value(6).run()
    units = {r["地区"]: (r["抽查数 n"], r["判定数 d"]) for r in table(at, "plan_lqas_units")}
    assert units == {"江城市": (6, 6), "山阳市": (6, 6), "白河": (4, 4)}


def test_the_scope_comes_from_the_url(open_planner: Callable[..., AppTest]) -> None:
    at = open_planner(unit="山阳市")
    assert {r["地区"] for r in table(at, "plan_targeted_table")} == {"山阳市"}
    assert [r["地区"] for r in table(at, "plan_lqas_units")] == ["山阳市"]


def fill(sheet: bytes, results: dict[str, str]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    rows = book["核查结果"]
    for row in range(rows.max_row, 1, -1):
        item_id = rows.cell(row, 1).value
        if item_id in results:
            rows.cell(row, 3).value = dt.date(2026, 11, 6)
            rows.cell(row, 5).value = results[item_id]
        else:
            rows.delete_rows(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_results_tab_classifies_each_unit_of_a_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_scenario(Lens(tmp_path / "round.duckdb"))
    monkeypatch.setenv("RECTLENS_DB", str(db))
    plan = planner.make_plan(db, OCT, planner.LQAS)
    # what the download button's callback does (AppTest has no browser to save the file)
    assert planner.record_download(db, INSPECTOR_ACTOR, plan) == 1
    ids = {region: list(plan.items.loc[plan.items["region"] == region, "item_id"]) for region in ("江城市", "山阳市", "白河")}
    results = {item: "整改到位" for item in ids["江城市"]}  # 19 of 19
    results |= {item: ("虚假整改" if k < 10 else "基本到位") for k, item in enumerate(ids["山阳市"])}  # 9 of 19
    results |= {item: "整改到位" for item in ids["白河"][:2]}  # 2 of 4 checked so far
    outcome = ingest_bytes(db, fill(planner.check_sheet(plan), results), "抽查计划_LQAS_结果.xlsx", actor=INSPECTOR_ACTOR)
    assert outcome.status == STORED, [p.text() for p in outcome.problems]

    at = sign_in(open_link(PAGE), db, INSPECTOR_ZHAO)
    assert_no_exception(at)
    tab = at.tabs[3]
    assert tab.subheader[0].value == "第 1 轮 · 2026年10月 · 全省"
    caption = as_shown(tab.caption[0].value)
    assert "达标 1 个、未达标 1 个、待完成 1 个" in caption and caption.startswith("赵督导（inspector.zhao） 于 ")
    shown = {r["地区"]: (r["应查 n"], r["已核查"], r["通过"], r["判定数 d"], r["判定"]) for r in table(at, "lqas_results_1")}
    assert as_shown(tab.caption[1].value) == "江城市、山阳市：" + lqas.rule(19).text()
    assert shown == {"江城市": (19, 19, 19, 13, "达标"), "山阳市": (19, 19, 9, 13, "未达标"), "白河": (4, 2, 2, 4, "待完成")}
    # the checked items are candidates no more: the LQAS tab now draws from what is left
    units = {r["地区"]: r["待抽查"] for r in table(at, "plan_lqas_units")}
    assert units == {"江城市": 4, "山阳市": 2, "白河": 2}


def test_a_leader_may_not_open_the_planner(planner_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTLENS_DB", str(planner_db))
    at = sign_in(open_link(PAGE), planner_db, LEADER_LI)
    assert at.title[0].value == "无权访问"
    assert not at.get("download_button") and not at.tabs
