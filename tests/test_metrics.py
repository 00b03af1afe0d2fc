"""Metrics exactness: every number of the spec's "Metrics" section against hand-computed values.

Each scenario is written as real workbooks and ingested; expected numbers are
worked out by hand in the comments next to the data.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from actors import OPERATOR
from builders import WF, WG, XS, YS, Check, Item, Lens, SummaryRow, shared_lens
from statsmodels.stats.proportion import proportion_confint

from rectlens import sql
from rectlens.ingest.service import ingest_bytes

OCT = "2026-10"


@pytest.fixture(autouse=True)
def _both_stores(store_kind: str) -> str:
    """Every test here runs against a DuckDB file and against a DuckLake over PostgreSQL (conftest's `store_kind`)."""
    return store_kind


def wilson(passed: int, checked: int) -> tuple[float, float]:
    low, high = proportion_confint(passed, checked, alpha=0.05, method="wilson")
    return float(low), float(high)


def close(actual: object, expected: float | None) -> bool:
    if expected is None:
        return actual is None
    return actual is not None and math.isclose(float(actual), expected, rel_tol=0, abs_tol=1e-12)


def assert_row(row: dict, expected: dict) -> None:
    wrong = {key: (row.get(key), want) for key, want in expected.items() if not close(row.get(key), want)}
    assert not wrong, wrong


# --- one unit, one project: the counting rules ------------------------------------------------

# 江城市 × 违规吃喝, October 2026 (month end 2026-10-31). No summary row for this project,
# so total/completed come from the ledger.
JC_WG_ITEMS = [
    # checked and passed: done 10-05, one passing check 10-20
    Item.completed("A1", "2026-10-05", deadline="2026-10-31"),  # due (deadline = month end), not overdue
    # a check BEFORE the completion date does not count
    Item.completed("A2", "2026-10-10"),
    # a check AFTER the month end does not count
    Item.completed("A3", "2026-10-10"),
    # latest check wins: pass 10-05, fail 10-25 -> checked, not passed
    Item.completed("A4", "2026-10-01"),
    # same day, two uploads: the later upload (pass) wins over the earlier (fail)
    Item.completed("A5", "2026-10-01"),
    # same day, same upload: the lower row (fail) wins over the upper (pass)
    Item.completed("A6", "2026-10-01"),
    # a check ON the completion date counts (基本到位 passes)
    Item.completed("A7", "2026-10-12"),
    # a check ON the month end counts (pass)
    Item.completed("A8", "2026-10-03"),
    # a check in an earlier month, after completion, still counts (pass)
    Item.completed("A9", "2026-09-20"),
    # completed before its deadline, which has passed: due, not overdue; never checked
    Item.completed("A10", "2026-09-25", deadline="2026-09-30"),
    Item("B1", status="推进中", deadline="2026-10-15"),  # due and overdue; its passing check is ignored
    Item("B2", status="未启动", deadline="长期坚持"),  # never due
    Item("B3", status="推进中", deadline="持续推进"),  # never due
    Item("B4", status="推进中"),  # blank deadline: never due
    Item("B5", status="推进中", deadline="2026-11-01"),  # deadline after M: not due
    Item("B6", status="未启动", deadline="2026-10-31"),  # due on the month end, overdue
]
# ledger_total 16, ledger_completed 10 (A1..A10)
# checked: A1 pass, A4 fail, A5 pass, A6 fail, A7 pass, A8 pass, A9 pass -> 7 checked, 5 passed
# due: A1, A10, B1, B6 = 4; overdue: B1, B6 = 2


def build_counting(lens: Lens) -> Lens:
    lens.ledger("江城市", OCT, JC_WG_ITEMS)
    # 山阳市 reuses the numbers A1 and B2: checks of one unit must never count for the other.
    lens.ledger("山阳市", OCT, [Item.completed("A1", "2026-10-01"), Item.completed("B2", "2026-10-01")])
    lens.checks(
        Check("A1", "江城市", "2026-10-20", "整改到位"),
        Check("A2", "江城市", "2026-10-09", "整改到位"),
        Check("A3", "江城市", "2026-11-02", "整改到位"),
        Check("A4", "江城市", "2026-10-05", "整改到位"),
        Check("A4", "江城市", "2026-10-25", "虚假整改"),
        Check("A5", "江城市", "2026-10-26", "未整改到位"),
        Check("A6", "江城市", "2026-10-26", "整改到位"),
        Check("A6", "江城市", "2026-10-26", "虚假整改"),
        Check("A7", "江城市", "2026-10-12", "基本到位"),
        Check("A8", "江城市", "2026-10-31", "整改到位"),
        Check("A9", "江城市", "2026-09-25", "整改到位"),
        Check("B1", "江城市", "2026-10-20", "整改到位"),
        # 山阳市's A1 fails; 江城市's B2 (not completed there) passes — neither crosses over
        Check("A1", "山阳市", "2026-10-20", "虚假整改"),
        Check("B2", "江城市", "2026-10-20", "整改到位"),
    )
    lens.checks(Check("A5", "江城市", "2026-10-26", "整改到位"))  # the later upload
    return lens


@pytest.fixture(scope="module")
def counting(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "counting") as lens:
        return build_counting(lens)


def test_counts_from_the_ledger_when_there_is_no_summary_row(counting: Lens) -> None:
    row = counting.row(OCT, "江城市", WG)
    assert (row["total"], row["completed"]) == (16, 10)
    assert (row["ledger_total"], row["ledger_completed"]) == (16, 10)
    assert_row(row, {"reported_rate": 10 / 16, "ledger_rate": 10 / 16})


def test_checked_and_passed_follow_the_date_window_and_the_latest_check(counting: Lens) -> None:
    row = counting.row(OCT, "江城市", WG)
    assert (row["checked"], row["passed"]) == (7, 5)
    low, high = wilson(5, 7)
    assert_row(
        row,
        {
            "pass_rate": 5 / 7,
            "pass_low": low,
            "pass_high": high,
            "verified_rate": 10 / 16 * 5 / 7,
            "verified_low": 10 / 16 * low,
            "verified_high": 10 / 16 * high,
            "gap": 10 / 16 - 10 / 16 * 5 / 7,
        },
    )


def test_checks_are_matched_by_unit_and_number(counting: Lens) -> None:
    row = counting.row(OCT, "山阳市", WG)
    # A1 has only 山阳市's own failing check; B2 has none of its own (江城市's B2 check must not count)
    assert (row["checked"], row["passed"]) == (1, 0)
    assert_row(row, {"pass_rate": 0.0, "verified_rate": 0.0, "gap": 1.0})


def test_due_schedule_and_overdue(counting: Lens) -> None:
    row = counting.row(OCT, "江城市", WG)
    assert (row["due"], row["overdue"]) == (4, 2)
    assert_row(row, {"schedule_rate": 4 / 16})


def test_same_day_checks_the_later_upload_wins_whatever_its_content(tmp_path: Path) -> None:
    # The mirror image of A5 above: now the failing check is uploaded last.
    lens = Lens(tmp_path / "order.duckdb")
    lens.ledger("江城市", OCT, [Item.completed("A5", "2026-10-01")])
    lens.checks(Check("A5", "江城市", "2026-10-26", "整改到位"))
    lens.checks(Check("A5", "江城市", "2026-10-26", "未整改到位"))
    row = lens.row(OCT, "江城市", WG)
    assert (row["checked"], row["passed"]) == (1, 0)


def test_same_day_checks_in_one_upload_the_lower_row_wins(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "rows.duckdb")
    lens.ledger("江城市", OCT, [Item.completed("A6", "2026-10-01"), Item.completed("A7", "2026-10-01")])
    lens.checks(
        Check("A6", "江城市", "2026-10-26", "虚假整改"),
        Check("A6", "江城市", "2026-10-26", "整改到位"),  # lower row: pass
        Check("A7", "江城市", "2026-10-26", "整改到位"),
        Check("A7", "江城市", "2026-10-26", "问题反弹"),  # lower row: fail
    )
    row = lens.row(OCT, "江城市", WG)
    assert (row["checked"], row["passed"]) == (2, 1)


def test_checks_of_a_later_month_count_when_that_month_is_asked_for(tmp_path: Path) -> None:
    # A3's check of 2026-11-02 is outside October; a November snapshot counts it.
    lens = build_counting(Lens(tmp_path / "later.duckdb"))
    lens.ledger("江城市", "2026-11", [Item.completed("A3", "2026-10-10")])
    row = lens.row("2026-11", "江城市", WG)
    assert (row["checked"], row["passed"]) == (1, 1)


# --- summary against ledger ---------------------------------------------------------------


@pytest.fixture(scope="module")
def summarised(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "summarised") as lens:
        return build_summarised(lens)


def build_summarised(lens: Lens) -> Lens:
    ledger = [
        # 违规吃喝: 4 items, 3 completed, 2 checked (1 pass); no summary row -> from the ledger
        Item.completed("W1", "2026-10-02"),
        Item.completed("W2", "2026-10-02"),
        Item.completed("W3", "2026-10-02"),
        Item("W4", deadline="2026-10-10"),
        # 形式主义: 5 items, 2 completed; the summary says 10 / 9 / "85%"
        Item.completed("X1", "2026-10-02", XS),
        Item.completed("X2", "2026-10-02", XS),
        Item("X3", XS),
        Item("X4", XS),
        Item("X5", XS, deadline="2026-10-01"),
    ]
    summary = [
        SummaryRow(XS, 10, 9, "85%"),
        # 微腐败: only in the summary, no rate stated -> 4 / 5
        SummaryRow(WF, 5, 4, None),
    ]
    lens.report("江城市", OCT, ledger, summary)
    lens.checks(Check("W1", "江城市", "2026-10-20", "整改到位"), Check("W2", "江城市", "2026-10-20", "虚假整改"))
    return lens


def test_summary_counts_and_stated_rate_are_used_when_present(summarised: Lens) -> None:
    row = summarised.row(OCT, "江城市", XS)
    assert (row["total"], row["completed"]) == (10, 9)
    assert (row["ledger_total"], row["ledger_completed"]) == (5, 2)
    assert_row(row, {"reported_rate": 0.85, "ledger_rate": 0.4, "schedule_rate": 0.2})
    assert (row["due"], row["overdue"]) == (1, 1)


def test_reported_rate_is_computed_when_the_summary_states_none(summarised: Lens) -> None:
    row = summarised.row(OCT, "江城市", WF)
    assert (row["total"], row["completed"], row["ledger_total"], row["ledger_completed"]) == (5, 4, 0, 0)
    assert_row(row, {"reported_rate": 0.8, "ledger_rate": None, "schedule_rate": None})


def test_without_checks_pass_and_verified_rates_are_empty(summarised: Lens) -> None:
    row = summarised.row(OCT, "江城市", XS)
    assert (row["checked"], row["passed"]) == (0, 0)
    assert_row(
        row,
        {
            "pass_rate": None,
            "pass_low": None,
            "pass_high": None,
            "verified_rate": None,
            "verified_low": None,
            "verified_high": None,
            "gap": None,
        },
    )


def test_only_groups_with_data_in_the_month_are_listed(summarised: Lens) -> None:
    table = summarised.metrics(OCT)
    assert sorted(table["project"]) == sorted([WG, XS, WF])
    assert set(table["region"]) == {"江城市"}


@pytest.mark.parametrize("written", [0.85, 85, "85%", "85.0%"])
def test_stated_rate_in_any_notation_is_a_fraction(tmp_path: Path, written: object) -> None:
    lens = Lens(tmp_path / "rate.duckdb")
    lens.summary("江城市", OCT, [SummaryRow(YS, 20, 17, written)])
    assert_row(lens.row(OCT, "江城市", YS), {"reported_rate": 0.85})


# --- roll-ups ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regional(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    """Four units in three zones; rates chosen so that averaging would give other numbers."""
    with shared_lens(tmp_path_factory, "regional") as lens:
        return build_regional(lens)


def build_regional(lens: Lens) -> Lens:
    # 江城市 (南片): 违规吃喝 from the ledger 2/4, 1 check (pass); 形式主义 from the summary 9/10 stated 95%
    lens.report(
        "江城市",
        OCT,
        [
            Item.completed("J1", "2026-10-01", deadline="2026-10-05"),
            Item.completed("J2", "2026-10-01"),
            Item("J3", deadline="2026-10-05"),
            Item("J4"),
            Item.completed("J5", "2026-10-01", XS),
        ],
        [SummaryRow(XS, 10, 9, "95%")],
    )
    # 山阳市 (北片): 违规吃喝 1/1, 1 check (fail); 营商环境 0/2, both due
    lens.ledger(
        "山阳市",
        OCT,
        [Item.completed("J1", "2026-10-01"), Item("Y1", YS, deadline="2026-10-30"), Item("Y2", YS, deadline="2026-10-30")],
    )
    # 白河 (中片): 违规吃喝 3/3, all checked, 2 pass
    lens.ledger("白河", OCT, [Item.completed(f"B{i}", "2026-10-02") for i in range(1, 4)])
    # 青石市 (中片): 违规吃喝 1/5, 1 check (fail)
    lens.ledger("青石市", OCT, [Item.completed("Q1", "2026-10-02"), *[Item(f"Q{i}") for i in range(2, 6)]])
    lens.checks(
        Check("J1", "江城市", "2026-10-10", "整改到位"),
        Check("J1", "山阳市", "2026-10-10", "虚假整改"),
        Check("B1", "白河", "2026-10-10", "整改到位"),
        Check("B2", "白河", "2026-10-10", "基本到位"),
        Check("B3", "白河", "2026-10-10", "问题反弹"),
        Check("Q1", "青石市", "2026-10-10", "未整改到位"),
    )
    return lens


def test_region_rollup_recomputes_rates_from_sums(regional: Lens) -> None:
    row = regional.row(OCT, "江城市")
    assert row["project"] is None
    # total 4 + 10 = 14, completed 2 + 9 = 11; the stated 95% is NOT carried into the roll-up
    assert (row["total"], row["completed"], row["ledger_total"], row["ledger_completed"]) == (14, 11, 5, 3)
    assert (row["checked"], row["passed"], row["due"], row["overdue"]) == (1, 1, 2, 1)
    low, high = wilson(1, 1)
    assert_row(
        row,
        {
            "reported_rate": 11 / 14,
            "ledger_rate": 3 / 5,
            "pass_rate": 1.0,
            "pass_low": low,
            "pass_high": high,
            "verified_rate": 11 / 14,
            "verified_low": 11 / 14 * low,
            "verified_high": 11 / 14 * high,
            "gap": 0.0,
            "schedule_rate": 2 / 5,
        },
    )


def test_project_rollup_sums_over_units(regional: Lens) -> None:
    row = regional.row(OCT, project=WG)
    assert row["region"] is None
    # totals 4 + 1 + 3 + 5 = 13, completed 2 + 1 + 3 + 1 = 7, checked 1 + 1 + 3 + 1 = 6, passed 1 + 0 + 2 + 0 = 3
    # (averaging the units' pass rates would give (1 + 0 + 2/3 + 0) / 4 = 0.417, not 3/6)
    assert (row["total"], row["completed"], row["checked"], row["passed"]) == (13, 7, 6, 3)
    low, high = wilson(3, 6)
    assert_row(
        row,
        {
            "reported_rate": 7 / 13,
            "pass_rate": 3 / 6,
            "pass_low": low,
            "pass_high": high,
            "verified_rate": 7 / 13 * 3 / 6,
            "verified_low": 7 / 13 * low,
            "verified_high": 7 / 13 * high,
            "gap": 7 / 13 - 7 / 13 * 3 / 6,
        },
    )


def test_project_rollup_without_checks_leaves_pass_and_verified_empty(regional: Lens) -> None:
    row = regional.row(OCT, project=YS)
    assert (row["total"], row["completed"], row["checked"], row["due"], row["overdue"]) == (2, 0, 0, 2, 2)
    assert_row(row, {"reported_rate": 0.0, "pass_rate": None, "verified_rate": None, "gap": None, "schedule_rate": 1.0})


def test_zone_rollups_sum_their_units(regional: Lens) -> None:
    zone = regional.metrics(OCT, "zone")
    central = zone[zone["zone"] == "中片"].iloc[0]
    # 白河 3/3 (2 of 3 pass) + 青石市 1/5 (0 of 1 pass)
    assert (central["total"], central["completed"], central["checked"], central["passed"]) == (8, 4, 4, 2)
    assert close(central["reported_rate"], 4 / 8)
    assert close(central["pass_rate"], 2 / 4)
    assert abs(central["pass_high"] - wilson(2, 4)[1]) <= 1e-9
    by_zone_project = regional.metrics(OCT, "zone,project")
    south = by_zone_project[(by_zone_project["zone"] == "南片") & (by_zone_project["project"] == XS)].iloc[0]
    # a single unit × project under the zone: the roll-up uses counts, so 9/10, not the stated 95%
    assert close(south["reported_rate"], 0.9)
    assert sorted(zone["zone"]) == ["中片", "北片", "南片"]


def test_every_level_agrees_with_the_sum_of_the_unit_project_rows(regional: Lens) -> None:
    leaf = regional.metrics(OCT)
    counts = ["total", "completed", "ledger_total", "ledger_completed", "checked", "passed", "due", "overdue"]
    for by, key in (("region", "region"), ("project", "project")):
        rolled = regional.metrics(OCT, by).set_index(key)[counts]
        summed = leaf.groupby(key)[counts].sum()
        assert rolled.sort_index().equals(summed.sort_index().astype("int64"))


# --- the random-draw stratum (抽样方式 随机抽查) ---------------------------------------------------

RANDOM, TARGETED = "随机抽查", "重点核查"


@pytest.fixture(scope="module")
def stratified(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Lens:
    with shared_lens(tmp_path_factory, "stratified") as lens:
        return build_stratified(lens)


def build_stratified(lens: Lens) -> Lens:
    # 江城市 × 违规吃喝, 10 items all done 10-01 (reported 10 / 10 from the ledger):
    #   R1–R4 random draws that pass; T1–T3 targeted checks that fail
    #   M1 random pass on 10-05, then targeted fail on 10-20: checked (latest: fail), random_checked (its random: pass)
    #   M2 targeted fail on 10-05, then random pass on 10-20: latest is the random pass in both
    #   M3 random fail on 10-05, then random pass on 10-20: the latest random draw (pass) wins
    #   N1 blank 抽样方式 (fail): checked, but not random
    #   E1 random pass BEFORE completion and random pass AFTER the month end: neither counts
    # checked: R1–R4 ✓, T1–T3 ✗, M1 ✗, M2 ✓, M3 ✓, N1 ✗ = 11 checked, 6 passed
    # random:  R1–R4 ✓, M1 ✓, M2 ✓, M3 ✓ = 7 random_checked, 7 random_passed
    ids = [*(f"R{i}" for i in range(1, 5)), "T1", "T2", "T3", "M1", "M2", "M3", "N1", "E1"]
    items = [Item.completed(item_id, "2026-10-01") for item_id in ids]
    items[-1] = Item.completed("E1", "2026-10-10")
    lens.ledger("江城市", OCT, items)
    # 山阳市 × 违规吃喝: random 2 of 3 pass; × 形式主义: only targeted checks (1 of 2 pass)
    lens.ledger(
        "山阳市",
        OCT,
        [*(Item.completed(f"S{i}", "2026-10-01") for i in range(1, 4)), *(Item.completed(f"X{i}", "2026-10-01", XS) for i in (1, 2))],
    )
    lens.checks(
        *(Check(f"R{i}", "江城市", "2026-10-15", "整改到位", sampling=RANDOM) for i in range(1, 5)),
        *(Check(f"T{i}", "江城市", "2026-10-15", "虚假整改", sampling=TARGETED) for i in range(1, 4)),
        Check("M1", "江城市", "2026-10-05", "整改到位", sampling=RANDOM),
        Check("M1", "江城市", "2026-10-20", "未整改到位", sampling=TARGETED),
        Check("M2", "江城市", "2026-10-05", "未整改到位", sampling=TARGETED),
        Check("M2", "江城市", "2026-10-20", "基本到位", sampling=RANDOM),
        Check("M3", "江城市", "2026-10-05", "虚假整改", sampling=RANDOM),
        Check("M3", "江城市", "2026-10-20", "整改到位", sampling=RANDOM),
        Check("N1", "江城市", "2026-10-15", "未整改到位", sampling=None),
        Check("E1", "江城市", "2026-10-05", "整改到位", sampling=RANDOM),
        Check("E1", "江城市", "2026-11-02", "整改到位", sampling=RANDOM),
        Check("S1", "山阳市", "2026-10-15", "整改到位", sampling=RANDOM),
        Check("S2", "山阳市", "2026-10-15", "整改到位", sampling=RANDOM),
        Check("S3", "山阳市", "2026-10-15", "问题反弹", sampling=RANDOM),
        Check("X1", "山阳市", "2026-10-15", "整改到位", sampling=TARGETED),
        Check("X2", "山阳市", "2026-10-15", "虚假整改", sampling=TARGETED),
    )
    return lens


def test_targeted_failures_lower_all_checks_but_not_the_random_estimate(stratified: Lens) -> None:
    row = stratified.row(OCT, "江城市", WG)
    assert (row["checked"], row["passed"]) == (11, 6)
    assert (row["random_checked"], row["random_passed"]) == (7, 7)
    low, high = wilson(7, 7)
    assert_row(
        row,
        {
            "reported_rate": 1.0,
            "pass_rate": 6 / 11,
            "random_pass_rate": 1.0,
            "random_pass_low": low,
            "random_pass_high": high,
            "random_verified_rate": 1.0,
        },
    )


def test_an_item_checked_randomly_then_targeted_counts_its_random_result(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "both.duckdb")
    lens.ledger("江城市", OCT, [Item.completed("M1", "2026-10-01")])
    lens.checks(Check("M1", "江城市", "2026-10-05", "整改到位", sampling=RANDOM))
    lens.checks(Check("M1", "江城市", "2026-10-20", "虚假整改", sampling=TARGETED))
    row = lens.row(OCT, "江城市", WG)
    assert (row["checked"], row["passed"], row["random_checked"], row["random_passed"]) == (1, 0, 1, 1)
    assert_row(row, {"pass_rate": 0.0, "random_pass_rate": 1.0})


def test_without_random_draws_the_random_estimate_is_empty(stratified: Lens) -> None:
    row = stratified.row(OCT, "山阳市", XS)
    assert (row["checked"], row["passed"], row["random_checked"], row["random_passed"]) == (2, 1, 0, 0)
    assert_row(
        row,
        {"pass_rate": 0.5, "random_pass_rate": None, "random_pass_low": None, "random_pass_high": None, "random_verified_rate": None},
    )


def test_a_blank_sampling_is_not_random(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "blank.duckdb")
    lens.ledger("江城市", OCT, [Item.completed("N1", "2026-10-01"), Item.completed("N2", "2026-10-01")])
    lens.checks(
        Check("N1", "江城市", "2026-10-05", "整改到位", sampling=None), Check("N2", "江城市", "2026-10-05", "整改到位", sampling="随机")
    )
    row = lens.row(OCT, "江城市", WG)
    assert (row["checked"], row["random_checked"], row["random_passed"]) == (2, 1, 1)  # "随机" is read as 随机抽查


def test_random_stratum_rolls_up_from_sums(stratified: Lens) -> None:
    counts = ["checked", "passed", "random_checked", "random_passed"]
    leaf = stratified.metrics(OCT)
    for by, keys in (("region", ["region"]), ("project", ["project"]), ("zone", ["zone"]), ("zone,project", ["zone", "project"])):
        rolled = stratified.metrics(OCT, by).set_index(keys)[counts].sort_index()
        assert rolled.equals(leaf.groupby(keys)[counts].sum().sort_index().astype("int64")), by
    unit = stratified.row(OCT, "山阳市")
    # 违规吃喝 2 of 3 random + 形式主义 none: 2 of 3, not an average of the projects' rates
    assert (unit["random_checked"], unit["random_passed"]) == (3, 2)
    low, high = wilson(2, 3)
    assert_row(
        unit,
        {"reported_rate": 1.0, "random_pass_rate": 2 / 3, "random_pass_low": low, "random_pass_high": high, "random_verified_rate": 2 / 3},
    )
    province = stratified.metrics(OCT, "province").iloc[0]
    assert (province["random_checked"], province["random_passed"]) == (10, 9)
    low, high = wilson(9, 10)
    assert close(province["random_pass_rate"], 0.9) and abs(province["random_pass_low"] - low) <= 1e-9
    assert abs(province["random_pass_high"] - high) <= 1e-9
    # the reported rate of the province (15 / 15) times the random pass rate
    assert close(province["random_verified_rate"], 0.9)


# --- versions: only active uploads count -------------------------------------------------------


def test_a_corrected_ledger_replaces_the_earlier_one_and_restore_brings_it_back(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "versions.duckdb")
    first = lens.ledger("江城市", OCT, [Item.completed("A1", "2026-10-01"), Item("A2")])
    lens.ledger("江城市", OCT, [Item.completed("A1", "2026-10-01"), Item.completed("A2", "2026-10-02"), Item("A3")])
    assert (lens.row(OCT, "江城市", WG)["total"], lens.row(OCT, "江城市", WG)["completed"]) == (3, 2)
    lens.restore(first.uploads[0].upload_id)
    row = lens.row(OCT, "江城市", WG)
    assert (row["total"], row["completed"]) == (2, 1)


def test_a_withdrawn_check_upload_no_longer_counts(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "withdraw.duckdb")
    lens.ledger("江城市", OCT, [Item.completed("A1", "2026-10-01")])
    lens.checks(Check("A1", "江城市", "2026-10-10", "整改到位"))
    later = lens.checks(Check("A1", "江城市", "2026-10-20", "虚假整改"))
    assert lens.row(OCT, "江城市", WG)["passed"] == 0
    lens.withdraw(later.uploads[0].upload_id)
    row = lens.row(OCT, "江城市", WG)
    assert (row["checked"], row["passed"]) == (1, 1)


def test_names_are_the_region_master_and_full_project_names(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "names.duckdb")
    lens.ledger("江城", OCT, [Item.completed("A1", "2026-10-01", WF)])  # no 市, short project name
    lens.checks(Check("A1", " 江城市 ", "2026-10-10", "整改到位"))
    table = lens.metrics(OCT)
    assert table[["region", "project"]].values.tolist() == [["江城市", WF]]
    assert int(table["checked"].iloc[0]) == 1


def test_no_data_in_the_month_is_an_error(tmp_path: Path) -> None:
    from rectlens.metrics import NoData

    lens = Lens(tmp_path / "empty.duckdb")
    lens.ledger("江城市", OCT, [Item("A1")])
    with pytest.raises(NoData):
        lens.metrics("2026-09")


# --- the Wilson interval ----------------------------------------------------------------------

GRID = [
    (k, n) for n in (*range(1, 41), 57, 100, 333, 1000) for k in sorted({0, 1, n // 3, n // 2, n - 1, n, *range(0, n + 1, max(1, n // 7))})
]


def test_wilson_macros_match_statsmodels_on_a_grid() -> None:
    con = duckdb.connect()
    sql.execute(con, "macros")
    con.execute("CREATE TABLE grid (passed INTEGER, checked INTEGER)")
    con.executemany("INSERT INTO grid VALUES (?, ?)", GRID)
    found = con.execute("SELECT passed, checked, wilson_low(passed, checked), wilson_high(passed, checked) FROM grid").fetchall()
    assert len(found) == len(GRID)
    for passed, checked, low, high in found:
        want_low, want_high = wilson(passed, checked)
        assert abs(low - want_low) <= 1e-9, (passed, checked, low, want_low)
        assert abs(high - want_high) <= 1e-9, (passed, checked, high, want_high)
    # an empty sample has no interval
    assert con.execute("SELECT wilson_low(0, 0), wilson_high(0, 0)").fetchone() == (None, None)


# (passed, checked) per unit × project, including 0/n and n/n
LIBRARY_GRID = {
    ("江城市", WG): (0, 1),
    ("江城市", XS): (1, 1),
    ("山阳市", WG): (0, 7),
    ("山阳市", XS): (7, 7),
    ("白河", WG): (3, 8),
    ("白河", XS): (1, 12),
    ("青石市", WG): (11, 12),
    ("青石市", XS): (5, 5),
}


def test_library_pass_interval_matches_statsmodels(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "wilson.duckdb")
    checks = []
    for region in ("江城市", "山阳市", "白河", "青石市"):
        items = []
        for project in (WG, XS):
            passed, checked = LIBRARY_GRID[(region, project)]
            for i in range(checked):
                item_id = f"{project[2:4]}{i}"
                items.append(Item.completed(item_id, "2026-10-01", project))
                checks.append(Check(item_id, region, "2026-10-15", "整改到位" if i < passed else "未整改到位"))
        lens.ledger(region, OCT, items)
    lens.checks(*checks)
    table = lens.metrics(OCT)
    assert len(table) == len(LIBRARY_GRID)
    for record in table.to_dict("records"):
        passed, checked = LIBRARY_GRID[(record["region"], record["project"])]
        assert (record["passed"], record["checked"]) == (passed, checked)
        low, high = wilson(passed, checked)
        assert abs(record["pass_low"] - low) <= 1e-9 and abs(record["pass_high"] - high) <= 1e-9
        assert abs(record["pass_rate"] - passed / checked) <= 1e-12
    # the province roll-up: Σpassed / Σchecked
    province = lens.metrics(OCT, "province").iloc[0]
    passed = sum(p for p, _ in LIBRARY_GRID.values())
    checked = sum(c for _, c in LIBRARY_GRID.values())
    low, high = wilson(passed, checked)
    assert (province["passed"], province["checked"]) == (passed, checked)
    assert abs(province["pass_low"] - low) <= 1e-9 and abs(province["pass_high"] - high) <= 1e-9


def test_ingest_bytes_is_the_path_used(tmp_path: Path) -> None:
    """Sanity: the builders really go through ingest_bytes (a refused workbook stores nothing)."""
    from builders import ledger_sheet, workbook

    lens = Lens(tmp_path / "sanity.duckdb")
    bad = workbook([ledger_sheet("江城市", OCT, [Item("A1", status="搞定了")])])
    outcome = ingest_bytes(lens.path, bad, "bad.xlsx", actor=OPERATOR)
    assert outcome.status == "invalid"
