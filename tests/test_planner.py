"""抽查计划: candidates, the three kinds of plan, the LQAS rule, rounds and their classification.

Databases are built from real workbooks; a plan's sheet is filled in as an inspector does
(date and result typed into the downloaded workbook) and uploaded through the same path as
any 核查结果 file.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path

import openpyxl
import pytest
from actors import INSPECTOR_ACTOR, LEADER_ACTOR, OPERATOR
from audit_trail import audit_rows, last_seq
from builders import WF, WG, XS, YS, Check, Item, Lens
from conftest import table
from scipy.stats import binom

from rectlens import config, lqas, planner
from rectlens.access.permissions import PermissionDenied
from rectlens.ingest.service import STORED, ingest_bytes, validate
from rectlens.report import month_report

OCT = dt.date(2026, 10, 1)


def workbook(name: str, rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def planned_db(tmp_path: Path) -> Path:
    db = tmp_path / "plan.duckdb"
    ledger = [["青川市问题台账（2026年10月）"], ["问题编号", "地区", "整治项目", "整改状态", "发现日期", "完成日期", "佐证材料"]]
    ledger.append(["QC-1", "青川市", "违规吃喝", "已完成", "2026-09-01", "2026-10-05", "报告.pdf"])  # checked below
    ledger.append(["QC-2", "青川市", "违规吃喝", "已完成", "2026-09-01", "2026-10-30", None])  # no evidence, month end
    ledger.append(["QC-3", "青川市", "违规吃喝", "已完成", "2026-09-01", "2026-10-06", "报告.pdf"])
    ledger.append(["QC-4", "青川市", "违规吃喝", "推进中", "2026-09-01", None, None])  # not completed
    ledger.append(["QC-5", "青川市", "违规吃喝", "已完成", "2026-08-01", "2026-08-30", "报告.pdf"])  # last days of August
    assert ingest_bytes(db, workbook("问题台账", ledger), "青川市台账.xlsx", actor=OPERATOR).status == "stored"
    checks = [["问题编号", "地区", "核查日期", "核查结论"], ["QC-1", "青川市", "2026-10-20", "整改到位"]]
    assert ingest_bytes(db, workbook("核查结果", checks), "核查.xlsx", actor=OPERATOR).status == "stored"
    return db


def test_candidates_are_completed_items_not_checked_since_completion(planned_db: Path) -> None:
    items = planner.candidates(planned_db, OCT)
    assert sorted(items["item_id"]) == ["QC-2", "QC-3", "QC-5"]
    signs = items.set_index("item_id")
    assert bool(signs.loc["QC-2", "no_evidence"]) and bool(signs.loc["QC-2", "month_end_rush"])
    assert not bool(signs.loc["QC-3", "no_evidence"]) and not bool(signs.loc["QC-3", "month_end_rush"])
    assert bool(signs.loc["QC-5", "month_end_rush"])  # the last days of its own month, not only of M


def test_riskier_items_come_first_with_their_reasons(planned_db: Path) -> None:
    ranked = planner.prioritise(planner.candidates(planned_db, OCT), month_report(planned_db, OCT))
    assert ranked.loc[0, "item_id"] == "QC-2"
    assert ranked.loc[0, "priority"] > ranked.loc[1, "priority"]
    assert "无佐证材料" in ranked.loc[0, "reasons"] and "月末最后几天销号" in ranked.loc[0, "reasons"]


def test_random_draw_is_reproducible_and_bounded(planned_db: Path) -> None:
    items = planner.candidates(planned_db, OCT)
    first = planner.random_sample(items, 1, seed=7)
    assert len(first) == 1
    assert first.equals(planner.random_sample(items, 1, seed=7))
    assert len(planner.random_sample(items, 10, seed=7)) == 3


def fill(sheet_bytes: bytes, results: dict[str, str], date: str = "2026-11-05", keep_only_filled: bool = False) -> bytes:
    """Type 核查日期 and 核查结论 into a plan's sheet as an inspector does; rows not in `results` stay blank
    (or are deleted, `keep_only_filled`, as the sheet tells inspectors to do before uploading)."""
    book = openpyxl.load_workbook(io.BytesIO(sheet_bytes))
    sheet = book["核查结果"]
    header = [cell.value for cell in sheet[1]]
    column = {title: header.index(title) + 1 for title in header}
    for row in range(sheet.max_row, 1, -1):
        item_id = sheet.cell(row, 1).value
        if item_id in results:
            sheet.cell(row, column["核查日期"]).value = dt.date.fromisoformat(date)
            sheet.cell(row, column["核查方式"]).value = "暗访"
            sheet.cell(row, column["核查结论"]).value = results[item_id]
            sheet.cell(row, column["核查人"]).value = "督导一组"
        elif keep_only_filled:
            sheet.delete_rows(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_plan_sheet_becomes_an_uploadable_check_file_once_filled_in(planned_db: Path) -> None:
    plan = planner.make_plan(planned_db, OCT, planner.TARGETED)
    book = openpyxl.load_workbook(io.BytesIO(planner.check_sheet(plan)))
    sheet = book["核查结果"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["问题编号", "地区", "核查日期", "核查方式", "核查结论"]
    assert [sheet.cell(row, 1).value for row in (2, 3, 4)] == list(plan.items["item_id"])
    assert sheet.cell(2, header.index("抽样方式") + 1).value == "重点核查"
    assert "无佐证材料" in sheet.cell(2, header.index("备注") + 1).value  # the reason goes along
    filled = fill(planner.check_sheet(plan), dict.fromkeys(plan.items["item_id"], "整改到位"))
    checked = validate(planned_db, filled, "核查结果.xlsx")
    assert checked.valid and not checked.problems


# --- plans on a larger scenario ------------------------------------------------------------

# 江城市: 违规吃喝 14 items without evidence (risky), 形式主义 6, 微腐败 3; 山阳市: 违规吃喝 8, 营商环境 2;
# 白河: 违规吃喝 4; 青石市: nothing completed.
CELLS = {("江城市", WG): 14, ("江城市", XS): 6, ("江城市", WF): 3, ("山阳市", WG): 8, ("山阳市", YS): 2, ("白河", WG): 4}


def _code(project: str) -> str:
    return {WG: "WG", XS: "XS", WF: "WF", YS: "YS"}[project]


@pytest.fixture(scope="module")
def spread_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from builders import shared_lens

    with shared_lens(tmp_path_factory, "spread") as lens:
        per_unit: dict[str, list[Item]] = {}
        for (region, project), count in CELLS.items():
            evidence = None if (region, project) == ("江城市", WG) else "报告.pdf"
            per_unit.setdefault(region, []).extend(
                Item.completed(f"{_code(project)}-{i:02d}", "2026-10-03", project, evidence=evidence) for i in range(1, count + 1)
            )
        for region, items in per_unit.items():
            lens.ledger(region, "2026-10", items)
        lens.ledger("青石市", "2026-10", [Item("Q-01")])
        return lens.path


def test_targeted_plan_spreads_over_units_and_projects(spread_db: Path) -> None:
    report = month_report(spread_db, OCT)
    items = planner.candidates(spread_db, OCT)
    ranked = planner.prioritise(items, report)
    assert ranked.loc[0, "region"] == "江城市" and ranked.loc[0, "project"] == WG  # the riskiest cell leads the ranking …
    for size, cap in itertools.product((5, 12, 20, 30, 37), (1, 2, 3, 5)):
        design = config.PlannerSettings(targeted_cap=cap)
        plan = planner.build_plan(items, report, planner.TARGETED, size=size, design=design)
        assert len(plan.items) == min(size, len(items))
        taken = plan.items.groupby(["region", "project"]).size().to_dict()
        for cell, count in taken.items():
            if count > cap:  # … but takes more than the cap only when no other cell has candidates left under it
                for other, available in CELLS.items():
                    if other != cell:
                        assert taken.get(other, 0) >= min(available, cap * ((count - 1) // cap)), (size, cap, cell, other, taken)
        # within a cell, the plan keeps the ranking's order
        for (_region, _project), group in plan.items.groupby(["region", "project"]):
            order = ranked[ranked["item_id"].isin(group["item_id"]) & ranked["region"].isin(group["region"])]
            assert list(group["item_id"]) == [i for i in order["item_id"] if i in set(group["item_id"])]
    # the shipped cap of 5: 20 items come from 5 unit x projects or more (a first pass holds 24)
    default = planner.build_plan(items, report, planner.TARGETED, size=20)
    assert default.items.groupby(["region", "project"]).size().max() == 5 < CELLS[("江城市", WG)]
    assert default.items.groupby(["region", "project"]).ngroups >= 5


@pytest.mark.parametrize("mode", [planner.RANDOM, planner.LQAS])
def test_a_seed_gives_the_same_plan(spread_db: Path, mode: str) -> None:
    first = planner.make_plan(spread_db, OCT, mode, size=10, n=5, seed=11)
    again = planner.make_plan(spread_db, OCT, mode, size=10, n=5, seed=11)
    other = planner.make_plan(spread_db, OCT, mode, size=10, n=5, seed=12)
    assert first.items.equals(again.items)
    assert sorted(first.items["item_id"] + first.items["region"]) != sorted(other.items["item_id"] + other.items["region"])
    assert planner.check_sheet(first) != b""


def test_random_plan_gives_every_candidate_the_same_chance(spread_db: Path) -> None:
    items = planner.candidates(spread_db, OCT)
    report = month_report(spread_db, OCT)
    counts = dict.fromkeys(zip(items["region"], items["item_id"], strict=True), 0)
    draws = 400
    for seed in range(draws):
        plan = planner.build_plan(items, report, planner.RANDOM, size=10, seed=seed)
        for key in zip(plan.items["region"], plan.items["item_id"], strict=True):
            counts[key] += 1
    expected = draws * 10 / len(items)  # 108.1 of 400 draws of 10 out of 37
    # risk plays no part: the riskiest cell's items are drawn as often as any other (binomial sd ≈ 8.9)
    assert all(abs(count - expected) < 4.5 * 8.9 for count in counts.values()), counts
    risky = [count for (region, item_id), count in counts.items() if region == "江城市" and item_id.startswith("WG")]
    assert abs(sum(risky) / len(risky) - expected) < 15


def test_lqas_draws_n_per_unit_and_all_of_a_unit_with_fewer(spread_db: Path) -> None:
    plan = planner.make_plan(spread_db, OCT, planner.LQAS, n=9, seed=3)
    drawn = plan.items.groupby("region").size().to_dict()
    assert drawn == {"江城市": 9, "山阳市": 9, "白河": 4}  # 23, 10 and 4 candidates; 青石市 has none
    white_river = plan.items[plan.items["region"] == "白河"]
    assert sorted(white_river["item_id"]) == ["WG-01", "WG-02", "WG-03", "WG-04"]
    units = plan.units().set_index("region")
    assert units.loc["江城市", "d"] == lqas.rule(9).d and units.loc["白河", "d"] == lqas.rule(4).d
    assert not units.loc["白河", "meets_design"]
    # one unit's draw does not depend on which other units are in scope
    alone = planner.make_plan(spread_db, OCT, planner.LQAS, n=9, seed=3, scope=planner.Scope(region="山阳市"))
    assert sorted(alone.items["item_id"]) == sorted(plan.items[plan.items["region"] == "山阳市"]["item_id"])
    # default n from the settings
    assert planner.make_plan(spread_db, OCT, planner.LQAS).size == 19


def test_scope_selects_zone_unit_and_project(spread_db: Path) -> None:
    plan = planner.make_plan(spread_db, OCT, planner.RANDOM, size=100, scope=planner.Scope(zone="北片"))
    assert set(plan.items["region"]) == {"山阳市"} and len(plan.items) == 10
    plan = planner.make_plan(spread_db, OCT, planner.TARGETED, size=100, scope=planner.Scope(project=XS))
    assert set(plan.items["project"]) == {XS} and plan.scope.text() == "全省 · 形式主义官僚主义"


# --- the LQAS rule -------------------------------------------------------------------------

DESIGNS = [(0.80, 0.50, 0.10, 0.10), (0.85, 0.60, 0.05, 0.10), (0.90, 0.70, 0.10, 0.05), (0.75, 0.40, 0.20, 0.15), (0.95, 0.80, 0.05, 0.05)]


def scipy_rule(n: int, p_high: float, p_low: float, alpha: float, beta: float) -> tuple[int, bool]:
    """The smallest d with P(X ≥ d | p_low) ≤ beta, and whether P(X < d | p_high) ≤ alpha too (the SPEC's d when it does)."""
    d = next(d for d in range(n + 2) if binom.sf(d - 1, n, p_low) <= beta + 1e-12)
    both = [d for d in range(n + 2) if binom.cdf(d - 1, n, p_high) <= alpha + 1e-12 and binom.sf(d - 1, n, p_low) <= beta + 1e-12]
    assert (min(both) == d) if both else True
    return d, bool(both)


@pytest.mark.parametrize("design", DESIGNS)
def test_lqas_rule_equals_scipys_binomial(design: tuple[float, float, float, float]) -> None:
    for n in range(1, 81):
        rule = lqas.rule(n, *design)
        d, meets = scipy_rule(n, *design)
        assert (rule.d, rule.meets_design) == (d, meets), (n, design)
        assert rule.alpha_actual == pytest.approx(binom.cdf(rule.d - 1, n, design[0]), abs=1e-12)
        assert rule.beta_actual == pytest.approx(binom.sf(rule.d - 1, n, design[1]), abs=1e-12)


def test_lqas_rule_of_the_spec() -> None:
    rule = lqas.rule(19)
    assert (rule.d, rule.meets_design) == (13, True)
    assert "抽 19 项，通过不少于 13 项为达标" in rule.text()
    assert lqas.binomial_cdf(12, 19, 0.8) == pytest.approx(binom.cdf(12, 19, 0.8), abs=1e-14)
    assert [lqas.rule(n).meets_design for n in range(1, 19)] == [False] * 18  # 19 is the smallest n for the defaults


def test_lqas_rule_follows_the_settings(settings_file) -> None:  # type: ignore[no-untyped-def]
    settings_file("[planner]\nlqas_n = 30\nlqas_p_high = 0.9\nlqas_p_low = 0.6\nlqas_alpha = 0.05\nlqas_beta = 0.05\n")
    assert config.planner().lqas_n == 30
    d, _meets = scipy_rule(30, 0.9, 0.6, 0.05, 0.05)
    assert lqas.rule(30).d == d


def test_classification() -> None:
    rule = lqas.rule(19)
    assert lqas.classify(19, 19, 13, rule) == lqas.PASS
    assert lqas.classify(19, 19, 12, rule) == lqas.FAIL
    assert lqas.classify(19, 18, 18, rule) == lqas.PENDING  # fewer than n checked
    assert lqas.classify(3, 3, 3, lqas.rule(3)) == lqas.TOO_FEW  # d = 4 > n = 3: never judged 达标


# --- a round: registered, checked, classified ------------------------------------------------


@pytest.fixture
def round_lens(tmp_path: Path) -> Lens:
    lens = Lens(tmp_path / "round.duckdb")
    lens.ledger("江城市", "2026-10", [Item.completed(f"J{i:02d}", "2026-10-02") for i in range(1, 26)])  # 25 candidates
    lens.ledger("山阳市", "2026-10", [Item.completed(f"S{i:02d}", "2026-10-02", XS) for i in range(1, 23)])  # 22
    lens.ledger("白河", "2026-10", [Item.completed(f"B{i:02d}", "2026-10-02") for i in range(1, 6)])  # 5
    lens.ledger("青石市", "2026-10", [Item.completed(f"Q{i:02d}", "2026-10-02") for i in range(1, 21)])  # 20, checked below
    return lens


def test_a_plans_sheet_uploaded_with_results_gives_the_lqas_classification(round_lens: Lens) -> None:
    db = round_lens.path
    plan = planner.make_plan(db, OCT, planner.LQAS, seed=5)
    assert plan.items.groupby("region").size().to_dict() == {"江城市": 19, "山阳市": 19, "白河": 5, "青石市": 19}
    start = last_seq(db)
    round_id = planner.record_download(db, INSPECTOR_ACTOR, plan)
    assert round_id == 1
    assert [(r["account"], r["action"]) for r in audit_rows(db, start)] == [("inspector.zhao", "plan"), ("inspector.zhao", "export")]
    assert planner.record_download(db, INSPECTOR_ACTOR, plan) == 1  # the same plan again: the same round
    pending = planner.round_results(db, OCT).set_index("region")
    assert set(pending["status"]) == {"待完成"} and set(pending["checked"]) == {0}

    ids = {region: list(plan.items.loc[plan.items["region"] == region, "item_id"]) for region in ("江城市", "山阳市", "白河", "青石市")}
    results = {}
    results.update({item: ("虚假整改" if k < 6 else "整改到位") for k, item in enumerate(ids["江城市"])})  # 13 of 19 pass: 达标
    results.update({item: ("未整改到位" if k < 7 else "基本到位") for k, item in enumerate(ids["山阳市"])})  # 12 of 19: 未达标
    results.update({item: "整改到位" for item in ids["白河"]})  # 5 of 5, d = 5 for n = 5
    results.update({item: "整改到位" for item in ids["青石市"][:15]})  # 15 of 19 checked so far: 待完成
    sheet = fill(planner.check_sheet(plan), results, keep_only_filled=True)
    outcome = ingest_bytes(db, sheet, "抽查计划_批质量保证抽样_2026-10.xlsx", actor=INSPECTOR_ACTOR)
    assert outcome.status == STORED, [p.text() for p in outcome.problems]
    assert not [notice for notice in outcome.notices if "填写说明" not in notice]

    found = planner.round_results(db, OCT).set_index("region")
    summary = {region: (r.planned, r.checked, r.passed, r.d, r.status) for region, r in found.iterrows()}
    assert summary == {
        "江城市": (19, 19, 13, 13, "达标"),
        "山阳市": (19, 19, 12, 13, "未达标"),
        "白河": (5, 5, 5, 5, "达标"),
        "青石市": (19, 15, 15, 13, "待完成"),
    }
    assert "抽 19 项，通过不少于 13 项为达标" in found.loc["江城市", "rule"]
    assert "超过设计" in found.loc["白河", "rule"]  # 5 items cannot keep both risks within 10%
    # a targeted check of a round's item does not count for the round; a later random one does (latest wins)
    left = ids["青石市"][15:]
    round_lens.checks(*(Check(item, "青石市", "2026-11-10", "整改到位", sampling="重点核查") for item in left))
    assert planner.round_results(db, OCT).set_index("region").loc["青石市", "status"] == "待完成"
    round_lens.checks(*(Check(item, "青石市", "2026-11-12", "虚假整改") for item in left))
    assert tuple(planner.round_results(db, OCT).set_index("region").loc["青石市", ["checked", "passed", "status"]]) == (19, 15, "达标")
    assert planner.round_results(db, dt.date(2026, 9, 1)).empty  # rounds belong to the month they were drawn from


def test_registering_a_round_needs_the_plan_permission(round_lens: Lens) -> None:
    db = round_lens.path
    plan = planner.make_plan(db, OCT, planner.LQAS)
    start = last_seq(db)
    with pytest.raises(PermissionDenied, match="无权制定抽查计划"):
        planner.record_download(db, LEADER_ACTOR, plan)
    (record,) = audit_rows(db, start)
    assert (record["account"], record["action"], record["outcome"]) == ("leader.li", "plan", "refused")
    assert planner.round_results(db, OCT).empty


def test_targeted_and_random_downloads_are_exports_not_rounds(round_lens: Lens) -> None:
    db = round_lens.path
    for mode in (planner.TARGETED, planner.RANDOM):
        start = last_seq(db)
        assert planner.record_download(db, INSPECTOR_ACTOR, planner.make_plan(db, OCT, mode)) is None
        assert [(r["action"], r["target"]) for r in audit_rows(db, start)] == [
            ("export", f"抽查计划（{planner.MODE_LABELS[mode]}，2026年10月，全省，30 项）")
        ]
    assert planner.round_results(db, OCT).empty


@pytest.mark.parametrize("mode", planner.MODES)
def test_every_plan_uploads_as_it_is_once_filled_in(round_lens: Lens, mode: str) -> None:
    db = round_lens.path
    plan = planner.make_plan(db, OCT, mode, size=8, n=3)
    sheet = fill(planner.check_sheet(plan), dict.fromkeys(plan.items["item_id"], "基本到位"))
    outcome = ingest_bytes(db, sheet, f"核查结果_{mode}.xlsx", actor=INSPECTOR_ACTOR)
    assert outcome.status == STORED, [p.text() for p in outcome.problems]
    sampling = {planner.TARGETED: "重点核查", planner.RANDOM: "随机抽查", planner.LQAS: "随机抽查"}[mode]
    assert table(db, "SELECT DISTINCT sampling FROM checks") == [(sampling,)]
    assert table(db, "SELECT count(*) FROM checks")[0][0] == len(plan.items)
