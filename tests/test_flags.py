"""Warnings (预警): for every code of the spec's table a case where it fires — with its severity,
unit, project and a Chinese reason carrying the numbers — and near misses just on the other side
of each threshold, built from real workbooks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from builders import WF, WG, XS, YS, Check, Item, Lens, SummaryRow, month_of, shared_lens, workbook
from statsmodels.stats.proportion import proportion_confint

from rectlens import flags as flagging
from rectlens.flags import FLAG_KINDS

OCT, SEP, AUG = "2026-10", "2026-09", "2026-08"


@pytest.fixture(autouse=True)
def _both_stores(store_kind: str) -> str:
    """Every test here runs against a DuckDB file and against a DuckLake over PostgreSQL (conftest's `store_kind`)."""
    return store_kind
CJK = re.compile(r"[\u4e00-\u9fff]")


def flags_of(lens: Lens, month: str) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    """The month's warnings by (code, unit, project); also checks what holds for every warning."""
    table = lens.flags(month)
    found: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    if table.empty:
        return found
    for record in table.to_dict("records"):
        project = record["project"] if isinstance(record["project"], str) else None
        key = (record["code"], record["region"], project)
        assert key not in found, f"fired twice: {key}"  # at most once per (code, R, P, M)
        assert record["severity"] in {"high", "medium", "low"}
        assert f"{record['month']:%Y-%m}" == month
        assert CJK.search(record["reason"]), record["reason"]
        found[key] = {**record, "project": project}
    return found


def fired(found: dict, code: str) -> set[tuple[str, str | None]]:
    return {(region, project) for (c, region, project) in found if c == code}


def done(prefix: str, count: int, when: str = "2026-10-05", project: str = WG, start: int = 1, **options: Any) -> list[Item]:
    return [Item.completed(f"{prefix}{i}", when, project, **options) for i in range(start, start + count)]


def open_items(prefix: str, count: int, project: str = WG, start: int = 1, **options: Any) -> list[Item]:
    return [Item(f"{prefix}{i}", project, **options) for i in range(start, start + count)]


def verdicts(region: str, items: Iterable[Item], passed: int, when: str = "2026-10-20") -> list[Check]:
    return [Check(item.id, region, when, "整改到位" if i < passed else "虚假整改") for i, item in enumerate(items)]


def test_the_spec_table_is_covered() -> None:
    codes = {kind.code for kind in FLAG_KINDS}
    assert codes == {
        "GAP",
        "JUMP",
        "MISMATCH",
        "NO_EVIDENCE",
        "SHRINK",
        "DATE",
        "RUSH",
        "STALE",
        "MISSING",
        "RELAPSE",
        "LOW_SATISFACTION",
        "OVERDUE",
        "SLOW",
        "BOILERPLATE",
        "VAGUE",
        "FEW_PROBLEMS",
    }


# --- GAP 纸面整改风险: checked ≥ 5 and pass_high < 0.80; high if pass_high < 0.60 ---------------

# (unit, project) -> (checked, passed, expected severity); pass_high from statsmodels in the comment
GAP_CELLS: dict[tuple[str, str], tuple[int, int, str | None]] = {
    ("江城市", WG): (4, 1, None),  # pass_high 0.699 but only 4 checked
    ("江城市", XS): (5, 1, "medium"),  # 0.6245: fires, just above 0.60
    ("江城市", WF): (5, 0, "high"),  # 0.4345
    ("江城市", YS): (15, 9, None),  # 0.8018: just above 0.80
    ("山阳市", WG): (18, 11, "medium"),  # 0.7969: just below 0.80
    ("山阳市", XS): (10, 3, "medium"),  # 0.6032: just above 0.60
    ("山阳市", WF): (21, 8, "high"),  # 0.5912: just below 0.60
    ("山阳市", YS): (5, 2, "medium"),  # 0.7693
}


@pytest.fixture(scope="module")
def gap(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "gap") as lens:
        checks: list[Check] = []
        for region in ("江城市", "山阳市"):
            items: list[Item] = []
            for project in (WG, XS, WF, YS):
                checked, passed, _severity = GAP_CELLS[(region, project)]
                cell = done(f"{project[2:4]}-", checked, project=project)
                items += cell
                checks += verdicts(region, cell, passed)
            lens.ledger(region, OCT, items)
        lens.checks(*checks)
    return lens


@pytest.mark.parametrize(("region", "project"), list(GAP_CELLS), ids=[f"{c}-{p}" for c, p, _s in GAP_CELLS.values()])
def test_gap_fires_with_severity_just_across_each_threshold(gap: Lens, region: str, project: str) -> None:
    checked, passed, severity = GAP_CELLS[(region, project)]
    found = flags_of(gap, OCT).get(("GAP", region, project))
    high = proportion_confint(passed, checked, method="wilson")[1]
    if severity is None:
        assert found is None
        return
    assert found is not None and found["severity"] == severity
    assert f"抽查 {checked} 项" in found["reason"] and f"仅 {passed} 项通过" in found["reason"]
    assert f"{passed / checked * 100:.1f}%" in found["reason"]
    # the upper limit is quoted precisely enough to be seen to be below 80%
    assert f"{high * 100:.1f}%" in found["reason"], found["reason"]


def test_gap_thresholds_come_from_the_settings(gap: Lens, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    override = tmp_path / "settings-gap.toml"
    override.write_text("[warnings]\ngap_min_checked = 4\ngap_pass_high = 0.85\n", encoding="utf-8")
    monkeypatch.setenv("RECTLENS_SETTINGS", str(override))
    found = flags_of(gap, OCT)
    assert ("GAP", "江城市", WG) in found  # 4 checked now suffice
    assert ("GAP", "江城市", YS) in found  # 0.8018 < 0.85


# --- JUMP 突击整改: reported_rate rose ≥ 0.30 since the previous calendar month ------------------


def summary_of(rate_percent: int, project: str = WG, total: int = 100) -> SummaryRow:
    return SummaryRow(project, total, total * rate_percent // 100, f"{rate_percent}%")


@pytest.fixture(scope="module")
def jump(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "jump") as lens:
        # 江城市: stated rates. 违规吃喝 40% -> 70% (exactly 30 points), 形式主义 41% -> 70% (29), 微腐败 10% -> 100%
        lens.summary("江城市", SEP, [summary_of(40, WG), summary_of(41, XS), summary_of(10, WF)])
        lens.summary("江城市", OCT, [summary_of(70, WG), summary_of(70, XS), summary_of(100, WF)])
        # 山阳市: August 10%, nothing in September, October 90%: no judgement
        lens.summary("山阳市", AUG, [summary_of(10, WG)])
        lens.summary("山阳市", OCT, [summary_of(90, WG)])
        # 白河: ledgers only, 4/10 -> 7/10 (0.7 - 0.4 is 0.29999… in floating point) and every check fails: GAP too
        lens.ledger("白河", SEP, [*done("B", 4, "2026-09-05"), *open_items("B", 6, start=5)])
        october = [*done("B", 4, "2026-09-05"), *done("B", 3, start=5), *open_items("B", 3, start=8)]
        lens.ledger("白河", OCT, october)
        lens.checks(*verdicts("白河", october[:5], passed=0))
        # 青石市: September only for 形式主义; 违规吃喝 appears in October at 90%: no previous rate for it
        lens.summary("青石市", SEP, [summary_of(50, XS)])
        lens.summary("青石市", OCT, [summary_of(90, WG), summary_of(50, XS)])
    return lens


def test_jump_fires_at_exactly_thirty_points(jump: Lens) -> None:
    found = flags_of(jump, OCT)
    record = found[("JUMP", "江城市", WG)]
    assert record["severity"] == "medium"
    assert "40.0%" in record["reason"] and "70.0%" in record["reason"] and "30.0 个百分点" in record["reason"]
    assert ("JUMP", "江城市", WF) in found


def test_jump_does_not_fire_at_twenty_nine_points(jump: Lens) -> None:
    assert ("JUMP", "江城市", XS) not in flags_of(jump, OCT)


def test_jump_is_high_when_gap_fires_too(jump: Lens) -> None:
    found = flags_of(jump, OCT)
    assert found[("GAP", "白河", WG)]["severity"] == "high"
    assert found[("JUMP", "白河", WG)]["severity"] == "high"
    assert "40.0%" in found[("JUMP", "白河", WG)]["reason"]


def test_jump_severity_follows_the_gap_settings(jump: Lens, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    override = tmp_path / "settings-jump.toml"
    override.write_text("[warnings]\ngap_min_checked = 6\n", encoding="utf-8")
    monkeypatch.setenv("RECTLENS_SETTINGS", str(override))
    found = flags_of(jump, OCT)
    assert ("GAP", "白河", WG) not in found  # 5 checks no longer suffice ...
    assert found[("JUMP", "白河", WG)]["severity"] == "medium"  # ... so the jump is no longer high


def test_jump_needs_the_previous_calendar_month_of_the_same_unit_and_project(jump: Lens) -> None:
    found = fired(flags_of(jump, OCT), "JUMP")
    assert ("山阳市", WG) not in found  # only August before October: no older month is used
    assert ("青石市", WG) not in found  # September had no 违规吃喝
    assert found == {("江城市", WG), ("江城市", WF), ("白河", WG)}


def test_jump_across_the_turn_of_the_year(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "year.duckdb")
    lens.summary("江城市", "2026-12", [summary_of(20)])
    lens.summary("江城市", "2027-01", [summary_of(60)])
    assert ("JUMP", "江城市", WG) in flags_of(lens, "2027-01")


# --- MISMATCH 数字不一致 -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mismatch(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "mismatch") as lens:
        # 江城市: ledger and summary in one workbook
        ledger = [
            *done("W", 6),
            *open_items("W", 4, start=7),  # 违规吃喝 10 / 6
            *done("X", 4, project=XS),
            *open_items("X", 4, project=XS, start=5),  # 形式主义 8 / 4
            *done("F", 2, project=WF),
            *open_items("F", 4, project=WF, start=3),  # 微腐败 6 / 2
            *done("Y", 5, project=YS),  # 营商环境 5 / 5
        ]
        summary = [
            SummaryRow(WG, 10, 6, "60%"),  # agrees
            SummaryRow(XS, 8, 5, None),  # one more completed than the ledger: high
            SummaryRow(WF, 5, 2, None),  # one problem fewer, completions agree: low
            SummaryRow(YS, 6, 4, "80%"),  # counts below the ledger AND the rate 80% vs 4/6: one warning
        ]
        lens.report("江城市", OCT, ledger, summary)
        # 山阳市: summary only (no ledger to compare with); stated rates against 100 / 200
        lens.summary(
            "山阳市",
            OCT,
            [
                SummaryRow(WG, 200, 100, "50.5%"),  # differs by exactly 0.005: no
                SummaryRow(XS, 200, 100, "50.6%"),  # 0.006 above: high
                SummaryRow(WF, 200, 100, "49.4%"),  # 0.006 below: low
                SummaryRow(YS, 200, 100, "49.5%"),  # exactly 0.005 below: no
            ],
        )
    return lens


def test_mismatch_against_the_ledger(mismatch: Lens) -> None:
    found = flags_of(mismatch, OCT)
    assert ("MISMATCH", "江城市", WG) not in found
    over = found[("MISMATCH", "江城市", XS)]
    assert over["severity"] == "high"
    assert "汇总表填报问题 8 项、已完成 5 项" in over["reason"] and "台账实际为 8 项、已完成 4 项" in over["reason"]
    fewer = found[("MISMATCH", "江城市", WF)]
    assert fewer["severity"] == "low"
    assert "5 项" in fewer["reason"] and "6 项" in fewer["reason"]


def test_mismatch_with_two_causes_is_one_warning_naming_both(mismatch: Lens) -> None:
    record = flags_of(mismatch, OCT)[("MISMATCH", "江城市", YS)]
    # the rate 80% is above its own counts 4/6 = 66.7%: overstated, hence high
    assert record["severity"] == "high"
    assert "台账实际为 5 项、已完成 5 项" in record["reason"]
    assert "80.0%" in record["reason"] and "66.7%" in record["reason"]


@pytest.mark.parametrize(
    ("project", "severity"),
    [(WG, None), (XS, "high"), (WF, "low"), (YS, None)],
    ids=["+0.005", "+0.006", "-0.006", "-0.005"],
)
def test_mismatch_rate_tolerance(mismatch: Lens, project: str, severity: str | None) -> None:
    record = flags_of(mismatch, OCT).get(("MISMATCH", "山阳市", project))
    if severity is None:
        assert record is None
    else:
        assert record is not None and record["severity"] == severity
        assert "50.0%" in record["reason"]


# The 合计 row: rows 违规吃喝 100/50 and 形式主义 100/50 sum to 200/100 = 50%.
TOTAL_ROWS = [SummaryRow(WG, 100, 50), SummaryRow(XS, 100, 50)]
TOTAL_CASES: dict[tuple[str, str], tuple[tuple[Any, Any, Any], str | None, tuple[str, ...]]] = {
    ("江城市", SEP): ((200, 100, "50%"), None, ()),
    ("山阳市", SEP): ((201, 100, None), "low", ("合计行问题总数 201", "各行相加为 200")),
    ("白河", SEP): ((200, 101, None), "high", ("合计行已完成 101", "各行相加为 100")),
    ("青石市", SEP): ((200, 99, None), "low", ("合计行已完成 99",)),
    ("江城市", OCT): ((200, 100, "50.6%"), "high", ("50.6%", "50.0%")),
    ("山阳市", OCT): ((200, 100, "50.5%"), None, ()),
    ("白河", OCT): ((200, 100, "49.4%"), "low", ("49.4%", "50.0%")),
    ("青石市", OCT): ((None, None, "50%"), None, ()),
}


@pytest.fixture(scope="module")
def totals(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "totals") as lens:
        for (region, month), (total, _severity, _words) in TOTAL_CASES.items():
            lens.summary(region, month, TOTAL_ROWS, total)
    return lens


@pytest.mark.parametrize(("region", "month"), list(TOTAL_CASES), ids=[f"{t}" for t, _s, _w in TOTAL_CASES.values()])
def test_mismatch_of_the_total_row_concerns_the_whole_unit(totals: Lens, region: str, month: str) -> None:
    _total, severity, words = TOTAL_CASES[(region, month)]
    found = flags_of(totals, month)
    record = found.get(("MISMATCH", region, None))
    assert not {key for key in found if key[0] == "MISMATCH" and key[2] is not None}  # rows agree with themselves
    if severity is None:
        assert record is None
        return
    assert record is not None and record["severity"] == severity
    assert record["reason"].startswith("汇总表合计行与各行不符")
    for word in words:
        assert word in record["reason"]


def test_a_total_row_under_several_units_is_not_checked_against_one_of_them(tmp_path: Path) -> None:
    from builders import SUMMARY_HEADER

    lens = Lens(tmp_path / "multi.duckdb")
    rows = [("山阳市", "违规吃喝", 4, 2, None, OCT), ("白河", "违规吃喝", 6, 3, None, OCT)]
    outcome = lens.ingest(workbook([("汇总", SUMMARY_HEADER, rows, ["全省汇总表"], [("合计", None, 10, 5, "50%", None)])]), "全省汇总.xlsx")
    assert any("合计行未作核对" in notice for notice in outcome.notices)
    assert not fired(flags_of(lens, OCT), "MISMATCH")


# --- NO_EVIDENCE 佐证缺失: ≥ 3 and ≥ 10% of the completed items lack evidence --------------------


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "evidence") as lens:
        lens.ledger(
            "江城市",
            OCT,
            [
                *done("W", 27),
                *done("W", 3, start=28, evidence=None),  # 3 of 30 = 10%: fires
                *done("X", 28, project=XS),
                *done("X", 3, project=XS, start=29, evidence=None),  # 3 of 31 = 9.7%: no
                *done("F", 2, project=WF, evidence=None),  # 2 of 2: too few
                *done("Y", 3, project=YS, evidence=None),  # 3 of 3 ...
                *open_items("Y", 5, project=YS, start=4, evidence=None),  # ... open items do not count
            ],
        )
        lens.ledger(
            "山阳市",
            OCT,
            [
                *done("W", 17),
                *done("W", 2, start=18, evidence="无"),  # placeholders mean no evidence
                Item.completed("W20", "2026-10-05", evidence="  "),  # 3 of 20 = 15%
                *done("X", 27, project=XS),
                *done("X", 2, project=XS, start=28, evidence=None),  # 2 of 29, plus open ones without
                *open_items("X", 10, project=XS, start=30, evidence=None),
            ],
        )
    return lens


def test_no_evidence(evidence: Lens) -> None:
    found = flags_of(evidence, OCT)
    assert fired(found, "NO_EVIDENCE") == {("江城市", WG), ("江城市", YS), ("山阳市", WG)}
    record = found[("NO_EVIDENCE", "江城市", WG)]
    assert record["severity"] == "medium"
    assert record["reason"] == "已完成 30 项中有 3 项（10.0%）没有佐证材料"
    assert "已完成 3 项中有 3 项（100.0%）" in found[("NO_EVIDENCE", "江城市", YS)]["reason"]
    assert "已完成 20 项中有 3 项（15.0%）" in found[("NO_EVIDENCE", "山阳市", WG)]["reason"]


# --- SHRINK 清单缩水 -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shrink(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "shrink") as lens:
        # 江城市: 违规吃喝 loses S2 and S3; 形式主义 keeps both; 营商环境 loses all seven
        lens.ledger(
            "江城市",
            SEP,
            [Item("S1"), Item("S2"), Item("S3"), Item("S4", XS), Item("S5", XS), *open_items("Y", 7, project=YS)],
        )
        lens.ledger("江城市", OCT, [Item("S1"), Item("S4", XS), Item("S5", XS)])
        # 山阳市: M2 moves from 违规吃喝 to 形式主义: still listed, nothing missing
        lens.ledger("山阳市", SEP, [Item("M1"), Item("M2")])
        lens.ledger("山阳市", OCT, [Item("M1"), Item("M2", XS)])
        # 白河: August had H2, September nothing, October lacks it: no judgement
        lens.ledger("白河", AUG, [Item("H1"), Item("H2")])
        lens.ledger("白河", OCT, [Item("H1")])
        # 青石市: September list, October only a summary: no October snapshot
        lens.ledger("青石市", SEP, [Item("Q1"), Item("Q2")])
        lens.summary("青石市", OCT, [SummaryRow(WG, 1, 0)])
    return lens


def test_shrink(shrink: Lens) -> None:
    found = flags_of(shrink, OCT)
    assert fired(found, "SHRINK") == {("江城市", WG), ("江城市", YS)}
    record = found[("SHRINK", "江城市", WG)]
    assert record["severity"] == "high"
    assert record["reason"] == "上月台账中的 2 个问题在本月台账中消失（S2、S3）"
    many = found[("SHRINK", "江城市", YS)]["reason"]
    assert "7 个问题" in many and many.endswith("Y1、Y2、Y3、Y4、Y5等）")


# --- DATE 日期异常 ---------------------------------------------------------------------------


def test_date(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "date.duckdb")
    lens.ledger(
        "江城市",
        OCT,
        [
            Item.completed("D1", "2026-11-01"),  # after the month end
            Item.completed("D2", "2026-10-31"),  # on it: fine
            Item.completed("D3", "2026-10-09", XS, found="2026-10-10"),  # before discovery
            Item.completed("D4", "2026-10-10", XS, found="2026-10-10"),  # same day: fine
            Item.completed("D5", "2026-11-05", WF),  # both kinds in one project: one warning
            Item.completed("D6", "2026-10-01", WF, found="2026-10-20"),
            Item("D7", YS, "推进中", "2026-11-02"),  # not completed: not judged
        ],
    )
    found = flags_of(lens, OCT)
    assert fired(found, "DATE") == {("江城市", WG), ("江城市", XS), ("江城市", WF)}
    assert found[("DATE", "江城市", WG)]["severity"] == "low"
    assert found[("DATE", "江城市", WG)]["reason"] == "1 项完成日期晚于报送月份月底（D1）"
    assert found[("DATE", "江城市", XS)]["reason"] == "1 项完成日期早于发现日期（D3）"
    assert found[("DATE", "江城市", WF)]["reason"] == "1 项完成日期晚于报送月份月底、1 项完成日期早于发现日期（D5、D6）"


# --- RUSH 集中销号: ≥ 10 completed in M and ≥ 50% of those in its last 3 days ---------------------


def completions(prefix: str, dates: dict[str, int], project: str = WG) -> list[Item]:
    items: list[Item] = []
    for when, count in dates.items():
        items += done(prefix, count, when, project, start=len(items) + 1)
    return items


@pytest.fixture(scope="module")
def rush(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "rush") as lens:
        lens.ledger(
            "江城市",
            OCT,
            [
                *completions("W", {"2026-10-29": 2, "2026-10-30": 1, "2026-10-31": 2, "2026-10-10": 5}),  # 5 of 10
                *completions("X", {"2026-10-30": 9}, XS),  # 9 items only
                *completions("F", {"2026-10-29": 4, "2026-10-28": 1, "2026-10-10": 5}, WF),  # the 28th is not in the last 3 days
                # 6 of the 12 completed in October; the 20 completed in September do not count
                *completions("Y", {"2026-10-31": 6, "2026-10-02": 6, "2026-09-30": 20}, YS),
            ],
        )
        lens.ledger(
            "山阳市",
            OCT,
            [
                *completions("W", {"2026-10-31": 49, "2026-10-15": 51}),  # 49%
                *completions("X", {"2026-10-31": 50, "2026-10-15": 50}, XS),  # 50%
            ],
        )
        # February 2027: the last three days are the 26th to the 28th
        lens.ledger("白河", "2027-02", completions("W", {"2027-02-26": 3, "2027-02-28": 2, "2027-02-25": 5}))
        lens.ledger("青石市", "2027-02", completions("W", {"2027-02-25": 5, "2027-02-10": 5}))
    return lens


def test_rush(rush: Lens) -> None:
    found = flags_of(rush, OCT)
    assert fired(found, "RUSH") == {("江城市", WG), ("江城市", YS), ("山阳市", XS)}
    record = found[("RUSH", "江城市", WG)]
    assert record["severity"] == "medium"
    assert record["reason"] == "本月销号 10 项，其中 5 项（50.0%）集中在月末最后 3 天"
    assert "本月销号 12 项，其中 6 项" in found[("RUSH", "江城市", YS)]["reason"]


def test_rush_in_a_short_month(rush: Lens) -> None:
    assert fired(flags_of(rush, "2027-02"), "RUSH") == {("白河", WG)}


# --- STALE 数据未更新 --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stale(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "stale") as lens:
        same = [Item.completed("T1", "2026-09-01"), Item("T2", XS), Item("T3", status="未启动")]
        lens.ledger("江城市", SEP, same)
        lens.ledger("江城市", OCT, same)  # unchanged, two open: fires
        closed = [Item.completed("T1", "2026-09-01"), Item.completed("T2", "2026-09-02")]
        lens.ledger("山阳市", SEP, closed)
        lens.ledger("山阳市", OCT, closed)  # unchanged but nothing open
        lens.ledger("白河", SEP, [Item("T1"), Item("T2")])
        lens.ledger("白河", OCT, [Item("T1"), Item.completed("T2", "2026-10-03")])  # a status changed
        lens.ledger("青石市", SEP, [Item.completed("T1", "2026-09-01"), Item("T2")])
        lens.ledger("青石市", OCT, [Item.completed("T1", "2026-09-02"), Item("T2")])  # a completion date changed
        # December equals October but November is missing: no judgement
        lens.ledger("江城市", "2026-12", same)
    return lens


def test_stale(stale: Lens) -> None:
    found = flags_of(stale, OCT)
    assert fired(found, "STALE") == {("江城市", None)}
    record = found[("STALE", "江城市", None)]
    assert record["severity"] == "medium"
    assert "3 个问题" in record["reason"] and "仍有 2 项未完成" in record["reason"]


def test_stale_needs_the_previous_calendar_month(stale: Lens) -> None:
    assert not fired(flags_of(stale, "2026-12"), "STALE")


# --- MISSING 未报送 --------------------------------------------------------------------------


def test_missing(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "missing.duckdb")
    lens.ledger("江城市", OCT, [Item("A1")])
    lens.ledger("山阳", OCT, [Item("A1")])  # written without 市
    lens.summary("白河", OCT, [SummaryRow(WG, 1, 0)])  # a summary is not a ledger
    found = flags_of(lens, OCT)
    assert fired(found, "MISSING") == {("白河", None), ("青石市", None)}
    record = found[("MISSING", "青石市", None)]
    assert record["severity"] == "medium"
    assert record["reason"] == "本月未报送问题台账（已有 2 个地区报送）"
    # a month in which no unit sent a ledger has nobody to compare with
    lens.summary("江城市", SEP, [SummaryRow(WG, 1, 0)])
    assert not fired(flags_of(lens, SEP), "MISSING")


# --- RELAPSE 问题反弹 --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def relapse(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "relapse") as lens:
        lens.ledger(
            "江城市",
            OCT,
            [
                Item.completed("R1", "2026-09-01"),
                Item.completed("R2", "2026-09-01", XS),
                Item.completed("R3", "2026-09-01", WF),
                Item("R4", YS),  # open items relapse too
            ],
        )
        lens.ledger("山阳市", OCT, [Item.completed("R5", "2026-09-01"), Item.completed("R6", "2026-09-01", XS)])
        lens.ledger("白河", OCT, [Item.completed("R1", "2026-09-01")])  # same number as 江城市's R1
        lens.ledger("青石市", OCT, [Item.completed("R7", "2026-09-01")])
        lens.checks(
            Check("R1", "江城市", "2026-09-10", "整改到位"),
            Check("R1", "江城市", "2026-10-15", "问题反弹"),  # latest: fires
            Check("R2", "江城市", "2026-10-15", "问题反弹"),
            Check("R2", "江城市", "2026-10-20", "整改到位"),  # fixed again: no
            Check("R3", "江城市", "2026-10-15", "整改到位"),
            Check("R3", "江城市", "2026-11-03", "问题反弹"),  # after the month: no
            Check("R4", "江城市", "2026-10-15", "问题反弹"),
            Check("R5", "山阳市", "2026-10-15", "问题反弹"),
            Check("R6", "山阳市", "2026-10-15", "整改到位"),
            Check("R7", "青石市", "2026-10-15", "虚假整改"),  # a fail, but not a relapse
        )
        # same day, later upload wins: R5 is fine after all, R6 relapsed
        lens.checks(Check("R5", "山阳市", "2026-10-15", "整改到位"), Check("R6", "山阳市", "2026-10-15", "问题反弹"))
    return lens


def test_relapse(relapse: Lens) -> None:
    found = flags_of(relapse, OCT)
    assert fired(found, "RELAPSE") == {("江城市", WG), ("江城市", YS), ("山阳市", XS)}
    record = found[("RELAPSE", "江城市", WG)]
    assert record["severity"] == "medium"
    assert record["reason"] == "1 个问题最近一次核查结论为问题反弹（R1）"


# --- LOW_SATISFACTION 群众评价偏低: 满意度 < 0.70 while reported_rate ≥ 0.90 ----------------------


def test_low_satisfaction(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "satisfaction.duckdb")
    lens.ledger(
        "江城市",
        OCT,
        [*done("W", 9), Item("W10"), *done("X", 9, project=XS), Item("X10", XS)],  # both 90%
    )
    lens.summary("山阳市", OCT, [SummaryRow(WG, 100, 89, "89%"), SummaryRow(XS, 10, 10, None)])
    lens.ledger("白河", OCT, [*done("W", 19), Item("W20")])  # 95%
    lens.satisfaction(
        ("江城市", WG, OCT, "69%", 200),  # fires
        ("江城市", XS, OCT, 0.70, 150),  # exactly 0.70: no
        ("山阳市", WG, OCT, 0.5, None),  # reported 89%: no
        ("山阳市", XS, OCT, 60, None),  # 60 means 60%; reported 100%: fires, no sample size
        ("白河", WG, SEP, 0.5, 80),  # another month
    )
    found = flags_of(lens, OCT)
    assert fired(found, "LOW_SATISFACTION") == {("江城市", WG), ("山阳市", XS)}
    record = found[("LOW_SATISFACTION", "江城市", WG)]
    assert record["severity"] == "medium"
    assert record["reason"] == "报告完成率 90.0%，群众满意度仅 69.0%，样本 200 人"
    assert found[("LOW_SATISFACTION", "山阳市", XS)]["reason"] == "报告完成率 100.0%，群众满意度仅 60.0%"


# --- OVERDUE 逾期未完成: high when overdue ≥ 20% of ledger_total --------------------------------


def test_overdue(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "overdue.duckdb")
    lens.ledger(
        "江城市",
        OCT,
        [
            Item("W1", deadline="2026-10-15"),
            *open_items("W", 4, start=2),  # 1 of 5 = 20%: high
            Item("X1", XS, deadline="2026-10-15"),
            *open_items("X", 5, XS, start=2),  # 1 of 6: medium
            Item.completed("F1", "2026-10-20", WF, deadline="2026-10-15"),  # late but done
            Item("F2", WF, deadline="长期坚持"),
            Item("F3", WF),
            Item("F4", WF, deadline="2026-11-01"),
            *open_items("Y", 3, YS, deadline="2026-09-30"),
            *open_items("Y", 12, YS, start=4),  # 3 of 15 = 20%: high
        ],
    )
    lens.ledger("山阳市", OCT, [Item("W1", deadline="2026-10-31"), *open_items("W", 9, start=2)])  # due on the month end
    found = flags_of(lens, OCT)
    assert fired(found, "OVERDUE") == {("江城市", WG), ("江城市", XS), ("江城市", YS), ("山阳市", WG)}
    assert found[("OVERDUE", "江城市", WG)]["severity"] == "high"
    assert found[("OVERDUE", "江城市", WG)]["reason"] == "1 个问题已过整改时限仍未完成，占台账 5 项的 20.0%"
    assert found[("OVERDUE", "江城市", XS)]["severity"] == "medium"
    assert found[("OVERDUE", "江城市", YS)]["severity"] == "high"
    assert found[("OVERDUE", "山阳市", WG)]["severity"] == "medium"
    assert "占台账 10 项的 10.0%" in found[("OVERDUE", "山阳市", WG)]["reason"]


# --- SLOW 进度滞后: reported_rate < schedule_rate − 0.10 (strictly) ------------------------------


def schedule(prefix: str, project: str, completed_due: int, open_due: int, not_due: int) -> list[Item]:
    """Items due by 10-15 (completed or open) and items without a deadline."""
    return [
        *done(prefix, completed_due, project=project, deadline="2026-10-15"),
        *open_items(prefix, open_due, project, start=completed_due + 1, deadline="2026-10-15"),
        *open_items(prefix, not_due, project, start=completed_due + open_due + 1),
    ]


def test_slow(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "slow.duckdb")
    lens.ledger(
        "江城市",
        OCT,
        [
            *schedule("W", WG, 7, 1, 2),  # 0.7 vs 0.8 - 0.1 (0.7000000000000001 in floating point): exactly, no
            *schedule("X", XS, 6, 2, 2),  # 0.6 vs 0.7: fires
            *schedule("F", WF, 4, 1, 5),  # 0.4 vs 0.5 - 0.1: exactly, no
            *schedule("Y", YS, 2, 1, 7),  # 0.2 vs 0.3 - 0.1: exactly, no
        ],
    )
    # 山阳市 states 59% against a ledger of 7/10 with 8 due: the stated rate is the reported one
    lens.report("山阳市", OCT, schedule("W", WG, 7, 1, 2), [SummaryRow(WG, 10, 7, "59%")])
    found = flags_of(lens, OCT)
    assert fired(found, "SLOW") == {("江城市", XS), ("山阳市", WG)}
    record = found[("SLOW", "江城市", XS)]
    assert record["severity"] == "medium"
    assert record["reason"] == "报告完成率 60.0%，低于序时进度 80.0%（8/10 项已到期）超过 10 个百分点"
    assert "报告完成率 59.0%" in found[("SLOW", "山阳市", WG)]["reason"]


# --- no older month stands in for a missing previous month ------------------------------------


def test_jump_shrink_and_stale_skip_a_unit_without_the_previous_month(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "gap-month.duckdb")
    # each unit sent August and October, nothing in September
    lens.ledger("江城市", AUG, [Item("A1"), Item("A2")])
    lens.ledger("江城市", OCT, [Item("A1"), Item("A2")])  # would be STALE
    lens.ledger("山阳市", AUG, [Item("B1"), Item("B2")])
    lens.ledger("山阳市", OCT, [Item("B1")])  # would be SHRINK
    lens.ledger("白河", AUG, [Item("C1"), Item("C2"), Item("C3")])
    lens.ledger("白河", OCT, [*done("C", 3)])  # 0% -> 100%: would be JUMP
    # 青石市 sent September (so the month itself is known) and shows all three do fire
    lens.ledger("青石市", SEP, [Item("D1"), Item("D2"), Item("D3")])
    lens.ledger("青石市", OCT, [Item("D1"), Item("D2"), Item("D3")])
    found = flags_of(lens, OCT)
    assert fired(found, "STALE") == {("青石市", None)}
    assert not fired(found, "SHRINK") and not fired(found, "JUMP")


def test_at_most_one_warning_per_code_unit_project_and_month(tmp_path: Path) -> None:
    """Every condition at once in one unit × project: each code still fires once."""
    lens = Lens(tmp_path / "once.duckdb")
    september = [*open_items("Z", 12), Item("GONE")]
    lens.ledger("江城市", SEP, september)
    october = [
        *done("Z", 10, "2026-10-31", evidence=None, deadline="2026-10-01"),  # RUSH, NO_EVIDENCE
        Item.completed("Z11", "2026-11-02", found="2026-11-05"),  # DATE twice over
        Item("Z12", deadline="2026-10-01"),  # OVERDUE
    ]
    lens.report("江城市", OCT, october, [SummaryRow(WG, 13, 12, "99%")], total=(12, 12, "90%"))
    lens.checks(*verdicts("江城市", october[:6], passed=0, when="2026-10-31"), Check("Z12", "江城市", "2026-10-20", "问题反弹"))
    lens.satisfaction(("江城市", WG, OCT, 0.3, 50))
    found = flags_of(lens, OCT)  # asserts uniqueness
    codes = {code for code, region, _project in found if region == "江城市"}
    assert {"GAP", "JUMP", "MISMATCH", "NO_EVIDENCE", "SHRINK", "DATE", "RUSH", "RELAPSE", "LOW_SATISFACTION", "OVERDUE"} <= codes
    assert ("MISMATCH", "江城市", None) in found and ("MISMATCH", "江城市", WG) in found


# --- a query that fires twice is a bug, not a warning to drop silently ---------------------------


def _doubled(monkeypatch: pytest.MonkeyPatch, query: str, change: dict[str, Any] | None = None) -> None:
    """Make the named flag query return its rows twice (or, with `change`, once more with those fields changed)."""
    original = flagging.sql.frame

    def frame(con: Any, name: str, params: dict[str, Any]) -> pd.DataFrame:
        rows = original(con, name, params)
        if name != query:
            return rows
        return pd.concat([rows, rows.assign(**change) if change else rows], ignore_index=True)

    monkeypatch.setattr(flagging.sql, "frame", frame)


def test_a_query_firing_twice_for_one_key_raises_naming_code_and_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lens = Lens(tmp_path / "twice.duckdb")
    lens.ledger("江城市", OCT, [Item("Z1", deadline="2026-10-01"), *done("Z", 3, start=2)])
    assert fired(flags_of(lens, OCT), "OVERDUE") == {("江城市", WG)}  # fires once as built
    _doubled(monkeypatch, "flag_overdue")
    with pytest.raises(flagging.DuplicateWarning) as raised:
        flagging.flags(lens.path, month_of(OCT))
    message = str(raised.value)
    assert "OVERDUE (江城市, " + WG + ", 2026-10) from flag_overdue" in message


def test_two_queries_of_a_merged_code_meeting_on_one_key_keep_the_most_severe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MISMATCH's row check and 合计 check are the one documented merge: most severe wins, no error."""
    assert "MISMATCH" in flagging.MERGED_ACROSS_QUERIES
    lens = Lens(tmp_path / "merged.duckdb")
    # the 微腐败 row states one problem fewer than the ledger (low); the 合计 row overstates completions (high)
    ledger = [*done("F", 2, project=WF), *open_items("F", 4, project=WF, start=3)]
    lens.report("江城市", OCT, ledger, [SummaryRow(WF, 5, 2)], total=(5, 3, None))

    def mismatches() -> set[tuple[str | None, str]]:
        table = flagging.flags(lens.path, month_of(OCT))
        rows = table[table["code"] == "MISMATCH"].to_dict("records")
        return {(r["project"] if isinstance(r["project"], str) else None, r["severity"]) for r in rows}

    assert mismatches() == {(WF, "low"), (None, "high")}
    # were the 合计 check ever to report the same unit x project, the warning fires once, at its most severe
    _doubled(monkeypatch, "flag_mismatch_total", {"project": WF})
    assert mismatches() == {(WF, "high"), (None, "high")}
    after = flagging.flags(lens.path, month_of(OCT))
    mismatch = after[after["code"] == "MISMATCH"]
    assert "合计行已完成 3" in mismatch[mismatch["project"] == WF].iloc[0]["reason"]


def test_a_code_outside_the_merge_list_met_by_two_queries_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lens = Lens(tmp_path / "two-queries.duckdb")
    lens.ledger("江城市", OCT, [Item("Z1", deadline="2026-10-01"), *done("Z", 3, start=2)])
    overdue = next(kind for kind in flagging.FLAG_KINDS if kind.code == "OVERDUE")
    # a second query for OVERDUE (the same SQL under another name) meets the first on every key
    copy = flagging.FlagKind("OVERDUE", overdue.name, "flag_overdue_copy", overdue.reason)
    original = flagging.sql.frame
    monkeypatch.setattr(flagging.sql, "frame", lambda con, name, params: original(con, name.removesuffix("_copy"), params))
    monkeypatch.setattr(flagging, "FLAG_KINDS", (*flagging.FLAG_KINDS, copy))
    with pytest.raises(flagging.DuplicateWarning, match="flag_overdue_copy"):
        flagging.flags(lens.path, month_of(OCT))
