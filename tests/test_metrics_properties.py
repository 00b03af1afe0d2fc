"""Property tests: random small ledgers, summaries and spot checks, written as real workbooks.

For each generated scenario the library's unit × project metrics must equal an independent
reference computation written straight from the spec; every roll-up must equal the sums of
its parts with rates recomputed from the sums; rates stay within [0, 1] and
pass_low ≤ pass_rate ≤ pass_high; and ingesting the same workbooks in another order must give
the same metrics and warnings.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from builders import UNITS as UNITS_IN_MASTER
from builders import WG, XS, Check, Item, Lens, SummaryRow, checks_sheet, ledger_sheet, month_end, month_of, summary_sheet, workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

UNITS = ("江城市", "山阳市", "白河")
MONTHS = ("2026-09", "2026-10")
PROJECTS = (WG, XS)
IDS = ("P1", "P2", "P3", "P4", "P5")  # shared by every unit: numbers are unique only within a unit
DAYS = tuple(dt.date(2026, 8, 25) + dt.timedelta(days=5 * i) for i in range(15))  # 2026-08-25 .. 2026-11-03
RESULTS = ("整改到位", "基本到位", "未整改到位", "虚假整改", "问题反弹")
SAMPLINGS = ("随机抽查", "重点核查", None)
COUNTS = (
    "total",
    "completed",
    "ledger_total",
    "ledger_completed",
    "checked",
    "passed",
    "due",
    "overdue",
    "random_checked",
    "random_passed",
)
RATES = (
    "reported_rate",
    "ledger_rate",
    "pass_rate",
    "pass_low",
    "pass_high",
    "verified_rate",
    "verified_low",
    "verified_high",
    "gap",
    "schedule_rate",
    "random_pass_rate",
    "random_pass_low",
    "random_pass_high",
    "random_verified_rate",
)

PROPERTY_SETTINGS = settings(
    max_examples=7,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass
class Scenario:
    ledgers: dict[tuple[str, str], list[Item]] = field(default_factory=dict)
    summaries: dict[tuple[str, str], list[SummaryRow]] = field(default_factory=dict)
    check_files: list[list[Check]] = field(default_factory=list)

    def workbooks(self) -> list[tuple[str, bytes]]:
        """One workbook per unit and month (ledger and/or summary), then the check files."""
        books = []
        for unit, month in sorted(set(self.ledgers) | set(self.summaries)):
            sheets = []
            if (unit, month) in self.ledgers:
                sheets.append(ledger_sheet(unit, month, self.ledgers[(unit, month)]))
            if (unit, month) in self.summaries:
                sheets.append(summary_sheet(unit, month, self.summaries[(unit, month)]))
            books.append((f"{unit}月报_{month[-2:]}.xlsx", workbook(sheets)))
        for index, checks in enumerate(self.check_files):
            books.append((f"核查_{'abc'[index]}.xlsx", workbook([checks_sheet(checks)])))
        return books


@st.composite
def items(draw: st.DrawFn) -> list[Item]:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=len(IDS), unique=True))
    found = []
    for item_id in ids:
        status = draw(st.sampled_from(("未启动", "推进中", "已完成", "已完成")))
        deadline = draw(st.sampled_from((None, "长期坚持", *DAYS[::2])))
        found.append(
            Item(
                item_id,
                draw(st.sampled_from(PROJECTS)),
                status,
                draw(st.sampled_from(DAYS)) if status == "已完成" else None,
                "2026-01-05",
                deadline,
                draw(st.sampled_from((None, "佐证.pdf"))),
            )
        )
    return found


@st.composite
def summary_rows(draw: st.DrawFn) -> list[SummaryRow]:
    rows = []
    for project in draw(st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=2, unique=True)):
        total = draw(st.integers(0, 8))
        completed = draw(st.integers(0, total))
        rate = draw(st.one_of(st.none(), st.integers(0, 100).map(lambda k: f"{k}%")))
        rows.append(SummaryRow(project, total, completed, rate))
    return rows


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    scenario = Scenario()
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
    for position, unit in enumerate(units):
        for month in MONTHS:
            # the first unit always sends an October ledger, so October has data
            if (position == 0 and month == MONTHS[-1]) or draw(st.booleans()):
                scenario.ledgers[(unit, month)] = draw(items())
            if draw(st.integers(0, 3)) == 0:
                scenario.summaries[(unit, month)] = draw(summary_rows())
    # Spot checks: a (unit, number, day) lives in one file only, so the upload order never decides a
    # same-day tie across files; inside a file a tie is decided by the lower row.
    keys = draw(st.lists(st.tuples(st.sampled_from(units), st.sampled_from(IDS), st.sampled_from(DAYS)), max_size=12, unique=True))
    files: list[list[Check]] = [[], []]
    for unit, item_id, day in keys:
        target = files[draw(st.integers(0, 1))]
        for _ in range(draw(st.integers(1, 2))):
            target.append(Check(item_id, unit, day, draw(st.sampled_from(RESULTS)), sampling=draw(st.sampled_from(SAMPLINGS))))
    scenario.check_files = [checks for checks in files if checks]
    return scenario


# --- the reference: the spec's "Metrics" section, item by item ------------------------------


def reference(scenario: Scenario, month: str) -> dict[tuple[str, str], dict[str, Any]]:
    end = month_end(month)
    # every check with its order: date, then upload (file), then row
    checks = [
        (check.unit_key, check.item, check.date, (file_index, row), check.result in ("整改到位", "基本到位"), check.sampling == "随机抽查")
        for file_index, rows in enumerate(scenario.check_files)
        for row, check in enumerate(_keyed(rows))
    ]
    cells: dict[tuple[str, str], dict[str, Any]] = {}

    def cell(unit: str, project: str) -> dict[str, Any]:
        return cells.setdefault((unit, project), dict.fromkeys(COUNTS, 0) | {"summary": None})

    for (unit, m), ledger in scenario.ledgers.items():
        if m != month:
            continue
        for item in ledger:
            row = cell(unit, item.project)
            row["ledger_total"] += 1
            is_done = item.status == "已完成"
            row["ledger_completed"] += is_done
            deadline = item.deadline if isinstance(item.deadline, dt.date) else None
            if deadline is not None and deadline <= end:
                row["due"] += 1
                row["overdue"] += not is_done
            if is_done:
                window = [c for c in checks if c[0] == unit and c[1] == item.id and item.done <= c[2] <= end]
                if window:
                    latest = max(window, key=lambda c: (c[2], c[3]))
                    row["checked"] += 1
                    row["passed"] += latest[4]
                # the random-draw stratum: the same rule over the random draws only
                drawn = [c for c in window if c[5]]
                if drawn:
                    latest = max(drawn, key=lambda c: (c[2], c[3]))
                    row["random_checked"] += 1
                    row["random_passed"] += latest[4]
    for (unit, m), rows in scenario.summaries.items():
        if m == month:
            for summary in rows:
                cell(unit, summary.project)["summary"] = summary
    for row in cells.values():
        summary = row.pop("summary")
        if summary is not None:
            row["total"], row["completed"] = summary.total, summary.completed
            stated = None if summary.rate is None else int(summary.rate[:-1]) / 100
        else:
            row["total"], row["completed"] = row["ledger_total"], row["ledger_completed"]
            stated = None
        row["reported_rate"] = stated if stated is not None else _ratio(row["completed"], row["total"])
        _rates(row)
    return cells


@dataclass(frozen=True)
class _KeyedCheck:
    unit_key: str
    item: str
    date: dt.date
    result: str
    sampling: str | None


def _keyed(rows: list[Check]) -> list[_KeyedCheck]:
    return [
        _KeyedCheck(c.region, c.item, c.date if isinstance(c.date, dt.date) else dt.date.fromisoformat(c.date), c.result, c.sampling)
        for c in rows
    ]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rates(row: dict[str, Any]) -> None:
    """Everything derived from the counts (and reported_rate), as the spec defines it."""
    row["ledger_rate"] = _ratio(row["ledger_completed"], row["ledger_total"])
    row["schedule_rate"] = _ratio(row["due"], row["ledger_total"])
    if row["checked"]:
        low, high = proportion_confint(row["passed"], row["checked"], method="wilson")
        row["pass_rate"], row["pass_low"], row["pass_high"] = row["passed"] / row["checked"], float(low), float(high)
    else:
        row["pass_rate"] = row["pass_low"] = row["pass_high"] = None
    reported = row["reported_rate"]
    for name, source in (("verified_rate", "pass_rate"), ("verified_low", "pass_low"), ("verified_high", "pass_high")):
        row[name] = None if reported is None or row[source] is None else reported * row[source]
    row["gap"] = None if row["verified_rate"] is None else reported - row["verified_rate"]
    if row["random_checked"]:
        low, high = proportion_confint(row["random_passed"], row["random_checked"], method="wilson")
        row["random_pass_rate"] = row["random_passed"] / row["random_checked"]
        row["random_pass_low"], row["random_pass_high"] = float(low), float(high)
    else:
        row["random_pass_rate"] = row["random_pass_low"] = row["random_pass_high"] = None
    rate = row["random_pass_rate"]
    row["random_verified_rate"] = None if reported is None or rate is None else reported * rate


def reference_flags(scenario: Scenario, month: str, previous: str) -> set[tuple[str, str, str | None, str]]:
    """(code, unit, project, severity) of every warning, straight from the spec's table (default thresholds)."""
    end = month_end(month)
    now, before = reference(scenario, month), reference(scenario, previous)
    flags: set[tuple[str, str, str | None, str]] = set()

    def r9(value: float) -> float:
        return round(value, 9)

    def gap_fires(row: dict[str, Any]) -> bool:
        return row["checked"] >= 5 and r9(row["pass_high"]) < 0.80

    for (unit, project), row in now.items():
        if gap_fires(row):
            flags.add(("GAP", unit, project, "high" if r9(row["pass_high"]) < 0.60 else "medium"))
        prev = before.get((unit, project))
        rates = (prev["reported_rate"] if prev else None, row["reported_rate"])
        if None not in rates and r9(rates[1] - rates[0]) >= 0.30:
            flags.add(("JUMP", unit, project, "high" if gap_fires(row) else "medium"))
        if row["overdue"] >= 1:
            flags.add(("OVERDUE", unit, project, "high" if r9(row["overdue"] / row["ledger_total"]) >= 0.20 else "medium"))
        behind = None not in (row["reported_rate"], row["schedule_rate"])
        if behind and r9(row["reported_rate"]) < r9(row["schedule_rate"] - 0.10):
            flags.add(("SLOW", unit, project, "medium"))

    for (unit, m), rows in scenario.summaries.items():
        if m != month:
            continue
        for summary in rows:
            counts = now[(unit, summary.project)]
            differs = (unit, month) in scenario.ledgers and (
                summary.total != counts["ledger_total"] or summary.completed != counts["ledger_completed"]
            )
            stated = None if summary.rate is None else int(summary.rate[:-1]) / 100
            counted = _ratio(summary.completed, summary.total)
            rate_differs = stated is not None and counted is not None and r9(abs(stated - counted)) > 0.005
            if differs or rate_differs:
                high = (differs and summary.completed > counts["ledger_completed"]) or (rate_differs and stated > counted)
                flags.add(("MISMATCH", unit, summary.project, "high" if high else "low"))

    checks = [(c.region, c.item, c.date, (f, row), c.result) for f, rows in enumerate(scenario.check_files) for row, c in enumerate(rows)]
    ledgers_now = {unit: items for (unit, m), items in scenario.ledgers.items() if m == month}
    for unit, items in ledgers_now.items():
        for project in PROJECTS:
            done = [i for i in items if i.project == project and i.status == "已完成"]
            without = [i for i in done if i.evidence is None]
            if len(without) >= 3 and r9(len(without) / len(done)) >= 0.10:
                flags.add(("NO_EVIDENCE", unit, project, "medium"))
            if any(i.done > end for i in done):
                flags.add(("DATE", unit, project, "low"))
        for item in items:
            latest = max((c for c in checks if c[0] == unit and c[1] == item.id and c[2] <= end), key=lambda c: (c[2], c[3]), default=None)
            if latest is not None and latest[4] == "问题反弹":
                flags.add(("RELAPSE", unit, item.project, "medium"))
        earlier = scenario.ledgers.get((unit, previous))
        if earlier is not None:
            ids = {i.id for i in items}
            for item in earlier:
                if item.id not in ids:
                    flags.add(("SHRINK", unit, item.project, "high"))
            same_list = {(i.id, i.status, i.done) for i in items} == {(i.id, i.status, i.done) for i in earlier}
            if same_list and any(i.status != "已完成" for i in items):
                flags.add(("STALE", unit, None, "medium"))
    if ledgers_now:
        for unit, _zone in UNITS_IN_MASTER:
            if unit not in ledgers_now:
                flags.add(("MISSING", unit, None, "medium"))
    return flags


def same(actual: Any, expected: Any, tolerance: float = 1e-9) -> bool:
    missing = actual is None or (isinstance(actual, float) and math.isnan(actual))
    if expected is None:
        return missing
    return not missing and abs(float(actual) - float(expected)) <= tolerance


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in table.to_dict("records")]


def build(directory: Path, books: list[tuple[str, bytes]]) -> Lens:
    lens = Lens(directory / "p.duckdb")
    for name, data in books:
        lens.ingest(data, name)
    return lens


# --- the properties -------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_metrics_and_warnings_equal_the_reference_and_rollups_equal_their_sums(scenario: Scenario) -> None:
    month = MONTHS[-1]
    with tempfile.TemporaryDirectory() as directory:
        lens = build(Path(directory), scenario.workbooks())
        leaf = lens.metrics(month)
        rolled = {by: lens.metrics(month, by) for by in ("region", "project", "province")}
        warnings = lens.flags(month)

    found = {
        (r["code"], r["region"], r["project"] if isinstance(r["project"], str) else None, r["severity"])
        for r in warnings.to_dict("records")
    }
    assert found == reference_flags(scenario, month, MONTHS[0])

    expected = reference(scenario, month)
    got = {(r["region"], r["project"]): r for r in records(leaf)}
    assert set(got) == set(expected)
    for key, want in expected.items():
        for name in (*COUNTS, *RATES):
            assert same(got[key][name], want[name]), (key, name, got[key][name], want[name])

    for by, table in rolled.items():
        keys = [] if by == "province" else [by]
        for record in records(table):
            part = leaf if not keys else leaf[leaf[by] == record[by]]
            sums = {name: int(part[name].sum()) for name in COUNTS}
            assert {name: record[name] for name in COUNTS} == sums, (by, record)
            # rates from the sums, never averaged (and no stated rate above the unit × project level)
            want = {**sums, "reported_rate": _ratio(sums["completed"], sums["total"])}
            _rates(want)
            for name in RATES:
                assert same(record[name], want[name]), (by, record[by] if keys else "", name, record[name], want[name])

    for table in (leaf, *rolled.values()):
        for record in records(table):
            for name in RATES:
                value = record[name]
                assert value is None or -1e-12 <= value <= 1 + 1e-12, (name, value)
            if record["checked"]:
                assert record["pass_low"] <= record["pass_rate"] <= record["pass_high"]
                if record["reported_rate"] is not None:
                    assert record["verified_low"] <= record["verified_rate"] <= record["verified_high"]
            else:
                assert record["pass_rate"] is None and record["verified_rate"] is None and record["gap"] is None
            assert record["random_checked"] <= record["checked"]  # a random draw is a check too
            if record["random_checked"]:
                assert record["random_pass_low"] <= record["random_pass_rate"] <= record["random_pass_high"]
            else:
                assert record["random_pass_rate"] is None and record["random_verified_rate"] is None


@settings(PROPERTY_SETTINGS, max_examples=4)
@given(scenarios(), st.randoms(use_true_random=False))
def test_ingest_order_does_not_change_metrics_or_warnings(scenario: Scenario, random: Any) -> None:
    books = scenario.workbooks()
    shuffled = list(books)
    random.shuffle(shuffled)
    month = MONTHS[-1]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for index, order in enumerate((books, shuffled)):
            path = Path(directory) / str(index)
            path.mkdir()
            lens = build(path, order)
            metrics = pd.concat([lens.metrics(month, by) for by in ("region,project", "region", "project")])
            flags = lens.flags(month)
            columns = ["code", "severity", "region", "project", "reason"]
            flags = flags[columns].fillna("").sort_values(columns).reset_index(drop=True) if not flags.empty else flags
            results.append((metrics.reset_index(drop=True), flags))
    (first_metrics, first_flags), (second_metrics, second_flags) = results
    pd.testing.assert_frame_equal(first_metrics, second_metrics)
    pd.testing.assert_frame_equal(first_flags, second_flags)


def test_month_helpers() -> None:
    assert month_end("2026-02") == dt.date(2026, 2, 28)
    assert month_of("2026-12") == dt.date(2026, 12, 1)
