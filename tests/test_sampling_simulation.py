"""Statistical checks by simulation (seeded): the random plans and the LQAS rule do what they are built for.

A synthetic unit's completed items are each truly rectified with a known probability p.
Each replicate draws a fresh world (which items are really done), makes a plan with the
product's own draw from the unit's real candidates, and lets the inspections reveal the
drawn items' truth:

- the 95% Wilson interval of `random_pass_rate` (the macros of queries/macros.sql, the ones
  the metrics use) covers p in 93–97% of random plans;
- the LQAS rule (n = 19, d = 13) judges a unit at p_high or better 未达标 at most alpha of the
  time, and one at p_low or worse 达标 at most beta of the time, close to the risks it states.

A few replicates go the whole way (plan sheet filled in, uploaded, metrics and round results
read back), so the figures simulated are the figures the product reports.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pytest
from actors import INSPECTOR_ACTOR
from builders import Item, Lens, shared_lens

from rectlens import lqas, planner, sql
from rectlens.ingest.service import STORED, ingest_bytes
from rectlens.metrics import metrics

OCT = dt.date(2026, 10, 1)
UNIT_ITEMS = 300
PLAN_SIZE = 50
TRUE_RATE = 0.80  # Wilson's exact coverage at n = 50, p = 0.8 is 95.07%
REPLICATES = 4000


@pytest.fixture(scope="module")
def unit_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with shared_lens(tmp_path_factory, "simulated") as lens:
        for region, prefix in (("江城市", "J"), ("山阳市", "S"), ("白河", "B")):
            lens.ledger(region, "2026-10", [Item.completed(f"{prefix}{i:03d}", "2026-10-02") for i in range(UNIT_ITEMS)])
        return lens.path


def wilson_covers(counts: list[tuple[int, int]], rate: float) -> np.ndarray:
    """For each (passed, checked): does the product's 95% Wilson interval contain `rate`?"""
    con = duckdb.connect()
    sql.execute(con, "macros")
    con.execute("CREATE TABLE draws (passed INTEGER, checked INTEGER)")
    con.executemany("INSERT INTO draws VALUES (?, ?)", counts)
    found = con.execute(
        "SELECT wilson_low(passed, checked) <= $rate AND $rate <= wilson_high(passed, checked) FROM draws", {"rate": rate}
    ).fetchall()
    con.close()
    return np.array([covered for (covered,) in found])


def test_wilson_interval_of_random_plans_covers_the_true_rate_95_percent_of_the_time(unit_db: Path) -> None:
    candidates = planner.Scope(region="江城市").select(planner.candidates(unit_db, OCT))
    assert len(candidates) == UNIT_ITEMS
    position = {item_id: index for index, item_id in enumerate(candidates["item_id"])}
    rng = np.random.default_rng(20261)
    counts = []
    for seed in range(REPLICATES):
        really_done = rng.random(UNIT_ITEMS) < TRUE_RATE
        drawn = planner.random_sample(candidates, PLAN_SIZE, seed)
        assert len(drawn) == PLAN_SIZE and drawn["item_id"].is_unique
        counts.append((int(really_done[[position[i] for i in drawn["item_id"]]].sum()), PLAN_SIZE))
    coverage = wilson_covers(counts, TRUE_RATE).mean()
    assert 0.93 <= coverage <= 0.97, coverage
    # the estimate is unbiased: the mean pass rate of the plans is the true rate (sd of the mean ≈ 0.0009)
    assert abs(np.mean([passed / checked for passed, checked in counts]) - TRUE_RATE) < 0.004


def test_random_plans_draw_every_candidate_equally_often(unit_db: Path) -> None:
    candidates = planner.Scope(region="江城市").select(planner.candidates(unit_db, OCT))
    hits = dict.fromkeys(candidates["item_id"], 0)
    for seed in range(REPLICATES):
        for item_id in planner.random_sample(candidates, PLAN_SIZE, seed)["item_id"]:
            hits[item_id] += 1
    expected = REPLICATES * PLAN_SIZE / UNIT_ITEMS  # 666.7, sd ≈ 23.6
    counts = np.array(list(hits.values()))
    assert np.abs(counts - expected).max() < 5 * 23.6
    # a chi-square statistic in line with equal probabilities (299 degrees of freedom: mean 299, sd ≈ 24.5)
    chi_square = float(((counts - expected) ** 2 / expected).sum()) * (1 - PLAN_SIZE / UNIT_ITEMS) ** -1
    assert chi_square < 299 + 5 * 24.5


@pytest.mark.parametrize(("true_rate", "judged"), [(0.80, lqas.FAIL), (0.90, lqas.FAIL), (0.50, lqas.PASS), (0.40, lqas.PASS)])
def test_lqas_misclassification_stays_within_alpha_and_beta(unit_db: Path, true_rate: float, judged: str) -> None:
    candidates = planner.candidates(unit_db, OCT)
    rule = lqas.rule(19)
    assert (rule.d, rule.alpha, rule.beta) == (13, 0.10, 0.10)
    rng = np.random.default_rng(int(true_rate * 100))
    wrong = total = 0
    for seed in range(REPLICATES // 2):
        drawn = planner.lqas_sample(candidates, 19, seed)
        for _region, unit_items in drawn.groupby("region"):
            passed = int((rng.random(len(unit_items)) < true_rate).sum())  # each drawn item really done with p
            status = lqas.classify(len(unit_items), len(unit_items), passed, rule)
            wrong += status == judged
            total += 1
    assert total == 3 * (REPLICATES // 2)
    observed = wrong / total
    limit, stated = (rule.alpha, rule.alpha_actual) if judged == lqas.FAIL else (rule.beta, rule.beta_actual)
    exact = lqas.binomial_cdf(rule.d - 1, 19, true_rate) if judged == lqas.FAIL else 1 - lqas.binomial_cdf(rule.d - 1, 19, true_rate)
    assert exact <= stated + 1e-12  # beyond the design rates the risks only shrink
    sd = (exact * (1 - exact) / total) ** 0.5
    assert observed <= limit and abs(observed - exact) <= 4 * sd + 1e-9, (observed, exact, limit)


def _fill(sheet: bytes, results: dict[str, bool], day: dt.date) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    rows = book["核查结果"]
    for row in range(2, rows.max_row + 1):
        rows.cell(row, 3).value = day
        rows.cell(row, 5).value = "整改到位" if results[rows.cell(row, 1).value] else "未整改到位"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("seed", [1, 2])
def test_simulated_replicates_go_through_the_product_unchanged(tmp_path: Path, seed: int) -> None:
    """A random plan and an LQAS round, their sheets filled with simulated truths and uploaded: the metrics and the
    round's results are the counts the simulation computes, with the same interval and classification."""
    lens = Lens(tmp_path / "replicate.duckdb")
    for region, prefix in (("江城市", "J"), ("山阳市", "S")):
        lens.ledger(region, "2026-10", [Item.completed(f"{prefix}{i:03d}", "2026-10-02") for i in range(60)])
    rng = np.random.default_rng(seed)
    truth = {
        (region, f"{prefix}{i:03d}"): bool(rng.random() < 0.7) for region, prefix in (("江城市", "J"), ("山阳市", "S")) for i in range(60)
    }

    lqas_plan = planner.make_plan(lens.path, OCT, planner.LQAS, seed=seed, scope=planner.Scope(region="山阳市"))
    assert planner.record_download(lens.path, INSPECTOR_ACTOR, lqas_plan) == 1
    random_plan = planner.make_plan(lens.path, OCT, planner.RANDOM, size=PLAN_SIZE, seed=seed, scope=planner.Scope(region="江城市"))
    for plan, day in ((random_plan, dt.date(2026, 10, 20)), (lqas_plan, dt.date(2026, 10, 21))):
        results = {item_id: truth[(region, item_id)] for region, item_id in zip(plan.items["region"], plan.items["item_id"], strict=True)}
        outcome = ingest_bytes(lens.path, _fill(planner.check_sheet(plan), results, day), f"核查_{plan.mode}.xlsx", actor=INSPECTOR_ACTOR)
        assert outcome.status == STORED, [p.text() for p in outcome.problems]

    passed = sum(truth[("江城市", item_id)] for item_id in random_plan.items["item_id"])
    row = metrics(lens.path, OCT, "region").set_index("region").loc["江城市"]
    assert (row["random_checked"], row["random_passed"]) == (PLAN_SIZE, passed)
    (covered,) = wilson_covers([(passed, PLAN_SIZE)], 0.7)
    assert covered == (row["random_pass_low"] <= 0.7 <= row["random_pass_high"])
    lqas_passed = sum(truth[("山阳市", item_id)] for item_id in lqas_plan.items["item_id"])
    (result,) = planner.round_results(lens.path, OCT).to_dict("records")
    assert (result["region"], result["checked"], result["passed"]) == ("山阳市", 19, lqas_passed)
    assert result["status"] == lqas.classify(19, 19, lqas_passed, lqas.rule(19))
