"""The demo data set: built through the real ingest path, deterministic, and
showing each planted pattern in the raw data (not in the warnings, which
are tested on their own)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pytest
from actors import OPERATOR
from openpyxl import load_workbook

from rectlens import demo, domain
from rectlens.ingest import service
from rectlens.storage.database import session

MONTH_ENDS = {m: demo.month_end(m) for m in demo.MONTHS}
HONEST = ("青岚市", "云栖市", "澄湾市", "星河市", "金穗市", "明湖市", "松涛市")


@dataclass
class Built:
    path: Path
    out_dir: Path
    summary: str
    messages: list[str]

    @cached_property
    def ledgers(self) -> dict[tuple[str, dt.date], dict[str, tuple[Any, ...]]]:
        """(unit, month) → item_id → (project, status, completed_date, deadline, evidence, measures)."""
        found: dict[tuple[str, dt.date], dict[str, tuple[Any, ...]]] = {}
        query = "SELECT region, month, item_id, project, status, completed_date, deadline, evidence, measures FROM ledger_items"
        for region, month, item_id, *rest in self.rows(query):
            found.setdefault((region, _month(month)), {})[item_id] = tuple(rest)
        return found

    def rows(self, query: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(query, params or {}).fetchall()
        finally:
            con.close()


def _build(root: Path, seed: int = 2026) -> Built:
    messages: list[str] = []
    path = root / "rectlens.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECTLENS_SETTINGS", str(root / "no-settings.toml"))
        summary = demo.build(path, out_dir=root / "files", seed=seed, echo=messages.append)
    return Built(path, root / "files", summary, messages)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    yield _build(tmp_path_factory.mktemp("demo"))


def _month(value: dt.date | dt.datetime) -> dt.date:
    return dt.date(value.year, value.month, 1)


def _ledger(built: Built, region: str, month: dt.date) -> dict[str, tuple[Any, ...]]:
    """item_id → (project, status, completed_date, deadline, evidence, measures) of a unit's ledger of `month`."""
    return built.ledgers.get((region, month), {})


# --- the build ----------------------------------------------------------------


def test_build_reports_a_summary_and_marks_the_database_as_demo(built: Built, tmp_path: Path) -> None:
    assert built.summary.startswith("示例数据已生成：13 个地区、12 个月（2025-11 至 2026-10）")
    assert any("已导入 10/" in message for message in built.messages)
    assert demo.is_demo(built.path)
    assert not built.path.with_name(built.path.name + ".building").exists()

    missing = tmp_path / "absent.duckdb"
    assert not demo.is_demo(missing)
    assert not missing.exists()
    plain = tmp_path / "plain.duckdb"
    service.replace_region_master(plain, (built.out_dir / demo.REGIONS_FILE).read_bytes(), demo.REGIONS_FILE, actor=OPERATOR)
    assert not demo.is_demo(plain)


def test_build_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "rectlens.duckdb"
    path.write_bytes(b"not a database")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECTLENS_SETTINGS", str(tmp_path / "no-settings.toml"))
        # a cheap stand-in for the full build: only the replacing part is under test here
        patch.setattr(demo, "MONTHS", demo.MONTHS[:1])
        demo.build(path, out_dir=tmp_path / "files", echo=lambda _m: None)
    assert demo.is_demo(path)


def test_a_refused_file_stops_the_build_and_leaves_no_database(tmp_path: Path) -> None:
    from rectlens.ingest.problems import Problem

    def refuse(_db: object, _data: bytes, name: str, *_args: object, **_options: object) -> service.IngestOutcome:
        return service.IngestOutcome(
            name, service.INVALID, [Problem("问题台账", 5, "整改状态", "好了", "未启动、推进中或已完成之一", file=name)]
        )

    path = tmp_path / "rectlens.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECTLENS_SETTINGS", str(tmp_path / "no-settings.toml"))
        patch.setattr(demo, "MONTHS", demo.MONTHS[:1])
        patch.setattr(service, "ingest_bytes", refuse)
        with pytest.raises(RuntimeError, match=r"未能导入(.|\n)*整改状态"):
            demo.build(path, out_dir=tmp_path / "files", echo=lambda _m: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["files"]


def test_units_are_the_region_master_and_fictional(built: Built) -> None:
    regions = built.rows("SELECT region, zone FROM regions ORDER BY sort_order")
    assert [r for r, _z in regions] == [u.name for u in demo.UNITS]
    assert len(regions) == 13
    assert {z for _r, z in regions} == {"南片", "中片", "北片"}
    counties = dict(built.rows("SELECT region, count(*) FROM region_counties GROUP BY region"))
    assert all(3 <= counties[u.name] <= 5 for u in demo.UNITS)
    reporting = {r for (r,) in built.rows("SELECT DISTINCT region FROM ledger_items")}
    assert reporting == {u.name for u in demo.UNITS}


def test_twelve_report_months_one_missing_workbook(built: Built) -> None:
    months = [_month(m) for (m,) in built.rows("SELECT DISTINCT month FROM ledger_items ORDER BY month")]
    assert months == list(demo.MONTHS)
    assert months[0] == dt.date(2025, 11, 1) and months[-1] == dt.date(2026, 10, 1)
    sent = {(r, _month(m)) for r, m in built.rows("SELECT DISTINCT region, month FROM summary_rows")}
    expected = {(u.name, m) for u in demo.UNITS for m in demo.MONTHS} - {("丹枫市", dt.date(2026, 3, 1))}
    assert sent == expected
    assert {(r, _month(m)) for r, m in built.rows("SELECT DISTINCT region, month FROM ledger_items")} == expected
    files = sorted(p.name for p in built.out_dir.glob("*.xlsx"))
    assert "丹枫市_2026年3月_整改台账.xlsx" not in files
    assert "青岚市_2026年10月_整改台账.xlsx" in files
    assert len(files) == 13 * 12 - 1 + 12 + 1 + 1 + 1  # ledgers, monthly checks, 群众评议, 地区表, the LQAS results


def test_a_few_thousand_problems_with_realistic_fields(built: Built) -> None:
    (problems,) = built.rows("SELECT count(*) FROM (SELECT DISTINCT region, item_id FROM ledger_items)")[0]
    assert 2000 <= problems <= 6000
    assert {p for (p,) in built.rows("SELECT DISTINCT project FROM ledger_items")} == set(domain.PROJECTS)
    assert {s for (s,) in built.rows("SELECT DISTINCT source FROM ledger_items")} == set(domain.SOURCES)
    assert {c for (c,) in built.rows("SELECT DISTINCT root_cause FROM ledger_items WHERE root_cause IS NOT NULL")} == set(
        domain.ROOT_CAUSES
    )
    assert {s for (s,) in built.rows("SELECT DISTINCT status FROM ledger_items")} == set(domain.STATUSES)
    (open_ended,) = built.rows("SELECT count(DISTINCT item_id) FROM ledger_items WHERE deadline IS NULL AND month = '2026-10-01'")[0]
    assert open_ended > 50  # 长期坚持 / 持续推进
    (no_date,) = built.rows("SELECT count(*) FROM ledger_items WHERE status = '已完成' AND completed_date IS NULL")[0]
    assert no_date == 0
    # numbers are unique within a unit only: the same 问题编号 is used by several units
    (shared,) = built.rows("SELECT count(*) FROM (SELECT item_id FROM ledger_items GROUP BY item_id HAVING count(DISTINCT region) > 1)")[0]
    assert shared > 0
    (checks, random_draws) = built.rows("SELECT count(*), count(*) FILTER (WHERE sampling = '随机抽查') FROM checks")[0]
    assert 800 <= checks <= 3000 and 0.7 < random_draws / checks < 1
    (months_rated,) = built.rows("SELECT count(DISTINCT month) FROM satisfaction")[0]
    assert months_rated == 4


def test_statuses_evolve_and_ledgers_are_cumulative(built: Built) -> None:
    first = _ledger(built, "青岚市", dt.date(2025, 11, 1))
    last = _ledger(built, "青岚市", dt.date(2026, 10, 1))
    assert set(first) < set(last)
    changed = [i for i in first if first[i][1] != last[i][1]]
    assert len(changed) > 20
    assert all(last[i][1] == domain.STATUS_DONE for i in first if first[i][1] == domain.STATUS_DONE)


def test_workbooks_look_as_staff_write_them(built: Built) -> None:
    book = load_workbook(built.out_dir / "青岚市_2026年10月_整改台账.xlsx")
    ledger, summary = book.worksheets[:2]
    assert ledger["A1"].value == "青岚市学习教育整改整治问题台账（2026年10月）"
    assert "填报日期：2026年11月" in ledger["A2"].value
    assert ledger["A3"].value == "序号"
    merged = [str(r) for r in ledger.merged_cells.ranges]
    assert any(r.startswith("A1:") for r in merged)
    assert any(r.split(":")[0][1:] == "4" and r.split(":")[0][0] == r.split(":")[1][0] for r in merged)  # 地区 merged down
    trailing = [str(ledger.cell(row, 1).value) for row in range(ledger.max_row - 1, ledger.max_row + 1)]
    assert any(text.startswith("注：") for text in trailing)
    summary_rows = [[c.value for c in row] for row in summary.iter_rows()]
    assert any(row[0] == "合计" for row in summary_rows)
    assert str(summary_rows[-1][0]).startswith("注：")


def test_every_file_revalidates_without_problems(built: Built) -> None:
    names = sorted(p.name for p in built.out_dir.glob("*.xlsx") if p.name != demo.REGIONS_FILE)
    assert len(names) == 169
    with pytest.MonkeyPatch.context() as patch, session(built.path):  # one connection for all the look-ups
        patch.setenv("RECTLENS_SETTINGS", str(built.out_dir / "no-settings.toml"))
        for name in names:
            workbook = service.validate(built.path, (built.out_dir / name).read_bytes(), name)
            assert workbook.valid and not workbook.problems, (name, [p.text() for p in workbook.problems])


def test_same_seed_same_workbooks_other_seed_other_data(built: Built, tmp_path: Path) -> None:
    # The database is the ingest of these bytes, and ingest is deterministic (the metrics
    # property tests shuffle the order too), so equal workbooks mean equal data: comparing
    # the bytes spares a second full build.
    demo.write_workbooks(tmp_path / "files", 2026)
    written = sorted(path.name for path in (tmp_path / "files").glob("*.xlsx"))
    assert written == sorted(path.name for path in built.out_dir.glob("*.xlsx"))
    for name in written:
        assert (tmp_path / "files" / name).read_bytes() == (built.out_dir / name).read_bytes(), name
    other, _styles = demo.invent(7)
    ours, _styles = demo.invent(2026)
    assert [i.description for i in other.items["青岚市"][:20]] != [i.description for i in ours.items["青岚市"][:20]]


def test_other_seeds_invent_a_year_too() -> None:
    for seed in (1, 7, 99):
        year, styles = demo.invent(seed)
        assert len(year.items) == len(styles) == 13
        assert sum(len(items) for items in year.items.values()) == sum(u.size for u in demo.UNITS)
        assert sum(len(checks) for checks in year.checks.values()) > 800


# --- planted patterns, in the raw data -----------------------------------------


def test_low_pass_rate_for_two_units(built: Built) -> None:
    # random draws: targeted checks (重点核查) go where failure is likely and are looked at below
    rates = dict(built.rows("SELECT region, avg(passed::INT) FROM checks WHERE sampling = '随机抽查' GROUP BY region"))
    assert rates["白鹭市"] < 0.6 and rates["雁回市"] < 0.6
    assert all(rates[u] > 0.75 for u in rates if u not in ("白鹭市", "雁回市"))
    fake = dict(built.rows("SELECT region, count(*) FROM checks WHERE result = '虚假整改' GROUP BY region"))
    assert fake["白鹭市"] >= 10 and fake["雁回市"] >= 10


def _project_rates(built: Built, region: str, month: dt.date) -> dict[str, float]:
    ledger = _ledger(built, region, month)
    rates = {}
    for project in domain.PROJECTS:
        statuses = [status for p, status, *_rest in ledger.values() if p == project]
        rates[project] = statuses.count(domain.STATUS_DONE) / len(statuses)
    return rates


def test_jump_of_thirty_points_in_one_month(built: Built) -> None:
    before = _project_rates(built, "雁回市", dt.date(2026, 3, 1))
    after = _project_rates(built, "雁回市", dt.date(2026, 4, 1))
    assert all(after[p] - before[p] >= 0.30 for p in domain.PROJECTS)
    for unit in demo.UNITS:
        for previous, month in zip(demo.MONTHS, demo.MONTHS[1:], strict=False):
            if (unit.name, month) == ("雁回市", dt.date(2026, 4, 1)) or (
                unit.name == "丹枫市" and dt.date(2026, 3, 1) in (previous, month)
            ):
                continue
            a, b = _project_rates(built, unit.name, previous), _project_rates(built, unit.name, month)
            assert all(b[p] - a[p] < 0.30 for p in domain.PROJECTS), (unit.name, month)


def test_summaries_agree_with_ledgers_except_the_overstated_one(built: Built) -> None:
    rows = built.rows(
        """
        WITH ledger AS (
            SELECT region, month, project, count(*) AS total, count(*) FILTER (WHERE status = '已完成') AS completed
            FROM ledger_items GROUP BY ALL
        )
        SELECT s.region, s.month, s.project, s.total, s.completed, s.stated_rate, l.total, l.completed
        FROM summary_rows AS s JOIN ledger AS l USING (region, month, project)
        """
    )
    assert len(rows) == (13 * 12 - 1) * 4
    off = [(r, _month(m), p, c - lc) for r, m, p, t, c, rate, lt, lc in rows if (t, c) != (lt, lc)]
    assert sorted(x[3] for x in off) == [4, 6]
    assert {(r, m) for r, m, _p, _d in off} == {("望川市", dt.date(2026, 9, 1))}
    # every stated rate is its own row's completed / total (to the rounding staff use)
    assert all(abs(rate - c / t) <= 0.0006 for _r, _m, _p, t, c, rate, _lt, _lc in rows)


def test_one_total_row_does_not_add_up(built: Built) -> None:
    rows = built.rows(
        """
        SELECT t.region, t.month, t.total - sum(s.total), t.completed - sum(s.completed)
        FROM summary_totals AS t JOIN summary_rows AS s USING (upload_id)
        GROUP BY t.region, t.month, t.total, t.completed
        """
    )
    assert len(rows) == 13 * 12 - 1
    off = [(r, _month(m), d_total, d_done) for r, m, d_total, d_done in rows if (d_total, d_done) != (0, 0)]
    assert off == [("丹枫市", dt.date(2026, 2, 1), 10, 0)]


def test_shrinking_list_drops_open_ids_once(built: Built) -> None:
    dropped: dict[tuple[str, dt.date], set[str]] = {}
    for unit in demo.UNITS:
        for previous, month in zip(demo.MONTHS, demo.MONTHS[1:], strict=False):
            before, after = _ledger(built, unit.name, previous), _ledger(built, unit.name, month)
            if before and after and set(before) - set(after):
                dropped[(unit.name, month)] = set(before) - set(after)
    assert list(dropped) == [("望川市", dt.date(2026, 6, 1))]
    ids = dropped[("望川市", dt.date(2026, 6, 1))]
    assert len(ids) == 6
    may = _ledger(built, "望川市", dt.date(2026, 5, 1))
    assert all(may[i][1] != domain.STATUS_DONE for i in ids)  # open problems were dropped
    (later,) = built.rows(
        "SELECT count(*) FROM ledger_items WHERE region = '望川市' AND month >= '2026-06-01' AND list_contains($ids, item_id)",
        {"ids": sorted(ids)},
    )[0]
    assert later == 0


def _rushes(built: Built) -> list[tuple[str, dt.date, str, int, int]]:
    """(unit, month, project, items completed in the month, of which in its last 3 days) meeting the RUSH rule."""
    found = []
    for month, end in MONTH_ENDS.items():
        rows = built.rows(
            """
            SELECT region, project, count(*) FILTER (WHERE completed_date BETWEEN $first AND $end),
                   count(*) FILTER (WHERE completed_date BETWEEN $last3 AND $end)
            FROM ledger_items WHERE month = $first GROUP BY ALL
            """,
            {"first": month, "end": end, "last3": end - dt.timedelta(days=2)},
        )
        found += [(r, month, p, n, k) for r, p, n, k in rows if n >= 10 and k >= 0.5 * n]
    return found


def test_month_end_rush(built: Built) -> None:
    rushes = _rushes(built)
    assert {(r, m) for r, m, *_ in rushes} == {("鹿鸣市", dt.date(2026, 6, 1))}
    assert len(rushes) == 4  # every project of 鹿鸣市
    assert all(k >= 0.8 * n for *_x, n, k in rushes)


def test_stale_copy_of_last_month(built: Built) -> None:
    stale = []
    for unit in demo.UNITS:
        for previous, month in zip(demo.MONTHS, demo.MONTHS[1:], strict=False):
            before, after = _ledger(built, unit.name, previous), _ledger(built, unit.name, month)
            same = {i: (v[1], v[2]) for i, v in before.items()} == {i: (v[1], v[2]) for i, v in after.items()}
            if before and same:
                stale.append((unit.name, month))
                assert any(v[1] != domain.STATUS_DONE for v in after.values())  # items still open
    assert stale == [("丹枫市", dt.date(2026, 8, 1))]


def _overdue(built: Built) -> dict[tuple[str, dt.date], int]:
    counts: dict[tuple[str, dt.date], int] = {}
    for month, end in MONTH_ENDS.items():
        rows = built.rows(
            "SELECT region, count(*) FROM ledger_items WHERE month = $m AND deadline <= $end AND status <> '已完成' GROUP BY region",
            {"m": month, "end": end},
        )
        counts.update({(r, month): n for r, n in rows})
    return counts


def test_overdue_items(built: Built) -> None:
    shares = []
    for month, end in MONTH_ENDS.items():
        for project in domain.PROJECTS:
            items = [v for v in _ledger(built, "柳汀市", month).values() if v[0] == project]
            late = [v for v in items if v[3] is not None and v[3] <= end and v[1] != domain.STATUS_DONE]
            assert late, (month, project)
            shares.append(len(late) / len(items))
    assert max(shares) >= 0.25 and sum(share >= 0.2 for share in shares) >= 10
    others = {key for key in _overdue(built) if key[0] != "柳汀市"}
    assert others <= {("丹枫市", dt.date(2026, 8, 1))}  # only the stale copy, whose statuses are a month old


def test_completed_items_without_evidence(built: Built) -> None:
    lacking = built.rows(
        """
        SELECT region, month, project, count(*) FILTER (WHERE evidence IS NULL), count(*)
        FROM ledger_items WHERE status = '已完成' GROUP BY ALL
        """
    )
    flagged = {(r, _month(m)) for r, m, _p, n, total in lacking if n >= 3 and n >= 0.1 * total}
    assert {r for r, _m in flagged} == {"白鹭市"}
    assert (("白鹭市", dt.date(2026, 10, 1))) in flagged
    assert all(m >= dt.date(2026, 6, 1) for _r, m in flagged)
    blank = [n for r, m, _p, n, _t in lacking if r == "白鹭市" and _month(m) == dt.date(2026, 10, 1)]
    assert sum(blank) >= 20


def test_relapses(built: Built) -> None:
    relapses = built.rows("SELECT region, item_id, check_date FROM checks WHERE result = '问题反弹' ORDER BY check_date")
    assert [(r, _month(d)) for r, _i, d in relapses] == [
        ("明湖市", dt.date(2026, 5, 1)),
        ("明湖市", dt.date(2026, 5, 1)),
        ("白鹭市", dt.date(2026, 8, 1)),
        ("青岚市", dt.date(2026, 9, 1)),
    ]
    for region, item_id, day in relapses:
        (earlier_pass,) = built.rows(
            "SELECT count(*) FROM checks WHERE region = $r AND item_id = $i AND passed AND check_date < $d",
            {"r": region, "i": item_id, "d": day},
        )[0]
        assert earlier_pass >= 1
        assert _ledger(built, region, _month(day))[item_id][1] == domain.STATUS_DONE


def test_low_satisfaction_with_high_reported_rate(built: Built) -> None:
    low = built.rows("SELECT region, month, project, satisfaction FROM satisfaction WHERE satisfaction < 0.70")
    assert {(r, _month(m)) for r, m, _p, _s in low} == {("白鹭市", dt.date(2026, 7, 1)), ("白鹭市", dt.date(2026, 10, 1))}
    for month in (dt.date(2026, 7, 1), dt.date(2026, 10, 1)):
        rates = _project_rates(built, "白鹭市", month)
        assert sum(rate >= 0.90 for rate in rates.values()) >= 2, rates


def test_measures_copied_between_units(built: Built) -> None:
    shared = built.rows(
        """
        SELECT measures, list(DISTINCT region ORDER BY region)
        FROM ledger_items WHERE month = '2026-10-01'
        GROUP BY measures HAVING count(DISTINCT region) > 1
        """
    )
    assert len(shared) == 4
    assert all(regions == ["明湖市", "鹿鸣市"] for _m, regions in shared)
    places = ("明湖市", *next(u for u in demo.UNITS if u.name == "明湖市").counties)
    assert all(any(place in text for place in places) for text, _r in shared)  # the copy names the other city or its county


def test_honest_units_show_no_planted_pattern(built: Built) -> None:
    rates = dict(built.rows("SELECT region, avg(passed::INT) FROM checks WHERE sampling = '随机抽查' GROUP BY region"))
    assert all(rates[u] >= 0.8 for u in HONEST)
    assert not {r for r, *_ in _rushes(built)} & set(HONEST)
    assert not {r for r, _m in _overdue(built)} & set(HONEST)


def test_targeted_checks_fail_more_often_than_random_draws(built: Built) -> None:
    rates = {
        (region, sampling): (rate, count)
        for region, sampling, rate, count in built.rows("SELECT region, sampling, avg(passed::INT), count(*) FROM checks GROUP BY ALL")
    }
    for unit in demo.UNITS:
        random_rate, _ = rates[(unit.name, "随机抽查")]
        targeted_rate, targeted = rates[(unit.name, "重点核查")]
        assert targeted_rate < random_rate - 0.05, unit.name
        assert targeted >= 24
    hardest = max(demo.UNITS, key=lambda u: rates[(u.name, "重点核查")][1] if u.checks == demo.HONEST else 0)
    assert hardest.name == demo.HARD_CHECKED[0]


def test_the_random_estimate_differs_visibly_from_all_checks(built: Built) -> None:
    from rectlens.metrics import metrics

    october = demo.MONTHS[-1]
    province = metrics(built.path, october, "province").iloc[0]
    assert province["random_checked"] < province["checked"]
    assert province["random_pass_rate"] - province["pass_rate"] >= 0.02  # all checks understate the true rate
    units = metrics(built.path, october, "region").set_index("region")
    honest = units.loc[list(HONEST)]
    assert (honest["random_pass_rate"] > honest["pass_rate"]).sum() >= 5
    hard = units.loc[demo.HARD_CHECKED[0]]
    assert hard["random_pass_rate"] - hard["pass_rate"] >= 0.04


def test_one_lqas_round_in_the_last_month_drawn_by_the_planner(built: Built, tmp_path: Path) -> None:
    import shutil

    from rectlens import planner
    from rectlens.storage.uploads import history, withdraw

    october = demo.MONTHS[-1]
    assert built.rows("SELECT count(*), min(month), max(month), min(sample_size), min(seed) FROM lqas_rounds") == [
        (1, october, october, 19, 2026)
    ]
    found = planner.round_results(built.path, october).set_index("region")
    assert len(found) == 13
    assert set(found["planned"]) == {19} and set(found["d"]) == {13}
    assert found.loc["雁回市", "status"] == "未达标" and found.loc["白鹭市", "status"] == "未达标"
    assert (found.loc["望川市", "checked"], found.loc["望川市", "status"]) == (12, "待完成")
    assert set(found.drop(["雁回市", "白鹭市", "望川市"])["status"]) == {"达标"}
    # before its results came in, the planner drew exactly the round's items from October's candidates
    copy = tmp_path / "before.duckdb"
    shutil.copyfile(built.path, copy)
    uploads = history(copy)
    (upload_id,) = uploads.loc[uploads["file_name"] == demo.lqas_file(october), "upload_id"]
    withdraw(copy, int(upload_id), OPERATOR)
    plan = planner.make_plan(copy, october, planner.LQAS, n=19, seed=2026)
    drawn = set(built.rows("SELECT region, item_id FROM lqas_round_items"))
    assert set(zip(plan.items["region"], plan.items["item_id"], strict=True)) == drawn
    # and its results are random draws, dated on or after each item's completion, within October
    late = built.rows(
        """
        SELECT count(*) FROM checks AS c
        JOIN lqas_round_items AS i ON i.region = c.region AND i.item_id = c.item_id
        WHERE c.sampling <> '随机抽查' OR c.check_date < i.completed_date OR c.check_date > DATE '2026-10-31'
        """
    )
    assert late == [(0,)]
