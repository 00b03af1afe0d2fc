"""The `metrics` and `flags` sub-commands exactly as the spec's "Command line" section says.

The database is built with the real command line (`regions`, `ingest`) from workbooks that use
aliases: a unit without its 市, short project names. Reports must carry the region-master names
and full project names, months as YYYY-MM, rates as fractions; JSON is a list of objects with
null for an empty key or rate, CSV an empty cell; and the numbers equal the library's.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from builders import (
    WF,
    WG,
    XS,
    Check,
    Item,
    SummaryRow,
    checks_sheet,
    ledger_sheet,
    month_of,
    regions_workbook,
    summary_sheet,
    workbook,
)

from rectlens import domain
from rectlens.flags import flags as library_flags
from rectlens.metrics import METRIC_COLUMNS
from rectlens.metrics import metrics as library_metrics

ROOT = Path(__file__).resolve().parent.parent
OCT, SEP = "2026-10", "2026-09"
METRIC_HEADER = ["region", "project", "month", *METRIC_COLUMNS]
FLAG_HEADER = ["code", "severity", "region", "project", "month", "reason"]
MALFORMED = ["2026-13", "2026-00", "2026/10", "202610", "2026-1", "10-2026", "2026年10月", "abc", ""]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python -m rectlens ...` in a subprocess: the real entry point."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "rectlens", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """The CLI's `main` in-process (fast); argparse's own exits are caught as well."""
    from rectlens.cli import main as cli_main

    capsys.readouterr()
    try:
        code = cli_main([str(a) for a in args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli")
    path = directory / "cli.duckdb"
    (directory / "地区表.xlsx").write_bytes(regions_workbook())
    # 江城 (the master says 江城市) and 山阳 send short project names
    september = [Item("A1"), Item("A2"), Item("A3", XS)]
    october = [
        Item.completed("A1", "2026-10-03"),
        Item.completed("A2", "2026-10-04"),
        Item("A3", XS, deadline="2026-10-10"),
        Item.completed("A4", "2026-10-05", WF, evidence=None),
    ]
    files = {
        "jc_sep.xlsx": workbook([ledger_sheet("江城", SEP, september)]),
        "jc_oct.xlsx": workbook(
            [ledger_sheet("江城", OCT, october), summary_sheet("江城", OCT, [SummaryRow(WG, 2, 2, "100%"), SummaryRow(XS, 2, 0)])]
        ),
        "sy_oct.xlsx": workbook([ledger_sheet("山阳", OCT, [Item.completed("A1", "2026-10-02"), Item("B1", XS)])]),
        "checks.xlsx": workbook(
            [
                checks_sheet(
                    [
                        Check("A1", "江城", "2026-10-20", "整改到位"),
                        Check("A2", "江城", "2026-10-20", "虚假整改"),
                        Check("A1", "山阳", "2026-10-21", "基本到位"),
                    ]
                )
            ]
        ),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    loaded = run("regions", directory / "地区表.xlsx", "--db", path)
    assert loaded.returncode == 0, loaded.stderr
    stored = run("ingest", *(directory / name for name in files), "--db", path)
    assert stored.returncode == 0, stored.stderr
    return path


@pytest.fixture(autouse=True)
def _shipped_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECTLENS_SETTINGS", str(tmp_path / "none.toml"))


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def library_records(db: Path, by: str) -> dict[tuple[str | None, str | None], dict[str, Any]]:
    table = library_metrics(db, month_of(OCT), by)
    grouped = by.split(",")
    found = {}
    for record in table.to_dict("records"):
        key = (record["region"] if "region" in grouped else None, record["project"] if "project" in grouped else None)
        found[key] = record
    return found


def equal(cli_value: float | None, library_value: Any) -> bool:
    if library_value is None or (isinstance(library_value, float) and math.isnan(library_value)):
        return cli_value is None
    return cli_value is not None and cli_value == float(library_value)


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_csv_by_default_groups_by_region_and_project(db: Path) -> None:
    done = run("metrics", "--month", OCT, "--db", db)
    assert done.returncode == 0, done.stderr
    header, rows = parse_csv(done.stdout)
    assert header == METRIC_HEADER
    # region-master names and full project names although the uploads used 江城 / 违规吃喝
    assert {(r["region"], r["project"]) for r in rows} == {("江城市", WG), ("江城市", XS), ("江城市", WF), ("山阳市", WG), ("山阳市", XS)}
    assert {r["month"] for r in rows} == {OCT}
    library = library_records(db, "region,project")
    for row in rows:
        expected = library[(row["region"], row["project"])]
        for column in METRIC_COLUMNS:
            assert equal(number(row[column]), expected[column]), (row["region"], row["project"], column)


def test_metrics_numbers_by_hand(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = main(capsys, "metrics", "--month", OCT, "--db", db)
    assert code == 0
    rows = {(r["region"], r["project"]): r for r in parse_csv(out)[1]}
    jc = rows[("江城市", WG)]
    # summary 2/2 stated 100%; ledger 2/2; A1 passes, A2 fails
    assert (jc["total"], jc["completed"], jc["ledger_total"], jc["checked"], jc["passed"]) == ("2", "2", "2", "2", "1")
    assert number(jc["reported_rate"]) == 1.0 and number(jc["pass_rate"]) == 0.5 and number(jc["verified_rate"]) == 0.5
    xs = rows[("江城市", XS)]
    # summary 2/0, ledger 1 item, due and overdue; no checks: empty cells, not zeros
    assert (xs["total"], xs["completed"], xs["ledger_total"], xs["due"], xs["overdue"]) == ("2", "0", "1", "1", "1")
    assert number(xs["reported_rate"]) == 0.0
    assert xs["pass_rate"] == xs["pass_low"] == xs["pass_high"] == xs["verified_rate"] == xs["gap"] == ""
    assert number(xs["schedule_rate"]) == 1.0


@pytest.mark.parametrize(("by", "keys"), [("region", {"江城市", "山阳市"}), ("project", {WG, XS, WF})])
def test_metrics_by_one_key_leaves_the_other_empty(db: Path, capsys: pytest.CaptureFixture[str], by: str, keys: set[str]) -> None:
    other = "project" if by == "region" else "region"
    code, out, _err = main(capsys, "metrics", "--month", OCT, "--by", by, "--db", db)
    assert code == 0
    header, rows = parse_csv(out)
    assert header == METRIC_HEADER
    assert {row[by] for row in rows} == keys
    assert all(row[other] == "" for row in rows)
    library = library_records(db, by)
    for row in rows:
        expected = library[(row["region"] or None, row["project"] or None)]
        for column in METRIC_COLUMNS:
            assert equal(number(row[column]), expected[column]), (row[by], column)
    code, out, _err = main(capsys, "metrics", "--month", OCT, "--by", by, "--format", "json", "--db", db)
    assert code == 0
    assert all(record[other] is None for record in json.loads(out))


def test_metrics_region_rollup_recomputes_rates(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = main(capsys, "metrics", "--month", OCT, "--by", "region", "--format", "json", "--db", db)
    assert code == 0
    jc = next(r for r in json.loads(out) if r["region"] == "江城市")
    # 违规吃喝 2/2 (summary) + 形式主义 2/0 (summary) + 微腐败 1/1 (ledger) = 5 / 3
    assert (jc["total"], jc["completed"], jc["checked"], jc["passed"]) == (5, 3, 2, 1)
    assert jc["reported_rate"] == pytest.approx(3 / 5, abs=1e-12)
    assert jc["pass_rate"] == 0.5
    assert jc["verified_rate"] == pytest.approx(0.3, abs=1e-12)


def test_metrics_json_is_a_list_of_objects_with_nulls(db: Path) -> None:
    done = run("metrics", "--month", OCT, "--format", "json", "--db", db)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert isinstance(records, list) and records
    library = library_records(db, "region,project")
    for record in records:
        assert list(record) == METRIC_HEADER
        assert record["month"] == OCT
        for column in METRIC_COLUMNS:
            value = record[column]
            assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
            if column in ("total", "completed", "ledger_total", "ledger_completed", "checked", "passed", "due", "overdue"):
                assert isinstance(value, int)
            assert equal(value, library[(record["region"], record["project"])][column])
    empty = next(r for r in records if (r["region"], r["project"]) == ("江城市", XS))
    assert empty["pass_rate"] is None and empty["verified_low"] is None and empty["gap"] is None


def test_rates_are_fractions(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = main(capsys, "metrics", "--month", OCT, "--format", "json", "--db", db)
    assert code == 0
    for record in json.loads(out):
        for column in ("reported_rate", "ledger_rate", "pass_rate", "pass_low", "pass_high", "schedule_rate"):
            assert record[column] is None or 0 <= record[column] <= 1


# --- flags -----------------------------------------------------------------------------------


def test_flags_csv_and_json_match_the_library(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = library_flags(db, month_of(OCT))
    assert not expected.empty
    code, out, _err = main(capsys, "flags", "--month", OCT, "--db", db)
    assert code == 0
    header, rows = parse_csv(out)
    assert header == FLAG_HEADER
    want = [
        (r["code"], r["severity"], r["region"], r["project"] if isinstance(r["project"], str) else "", OCT, r["reason"])
        for r in expected.to_dict("records")
    ]
    assert [tuple(row[c] for c in FLAG_HEADER) for row in rows] == want
    assert {row["severity"] for row in rows} <= {"high", "medium", "low"}

    code, out, _err = main(capsys, "flags", "--month", OCT, "--format", "json", "--db", db)
    assert code == 0
    records = json.loads(out)
    assert all(list(record) == FLAG_HEADER for record in records)
    assert [tuple(record[c] for c in FLAG_HEADER) for record in records] == [(*w[:3], w[3] or None, *w[4:]) for w in want]


def test_flags_name_units_and_projects_by_their_master_names(db: Path) -> None:
    done = run("flags", "--month", OCT, "--format", "json", "--db", db)
    assert done.returncode == 0, done.stderr
    records = {(r["code"], r["region"], r["project"]): r for r in json.loads(done.stdout)}
    # unit-level warnings have no project: null in JSON
    assert records[("MISSING", "白河", None)]["severity"] == "medium"
    assert ("MISSING", "青石市", None) in records
    # 江城市's summary says 2 for 形式主义, its ledger 1: a full project name, never the short one
    assert ("MISMATCH", "江城市", XS) in records
    assert all(r["project"] in (None, *domain.PROJECTS) for r in records.values())
    assert all(r["month"] == OCT for r in records.values())


def test_flags_csv_leaves_a_unit_level_project_empty(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = main(capsys, "flags", "--month", OCT, "--db", db)
    assert code == 0
    missing = [row for row in parse_csv(out)[1] if row["code"] == "MISSING"]
    assert missing and all(row["project"] == "" for row in missing)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["metrics", "flags"])
@pytest.mark.parametrize("month", MALFORMED)
def test_a_malformed_month_is_refused_in_chinese(db: Path, capsys: pytest.CaptureFixture[str], command: str, month: str) -> None:
    code, out, err = main(capsys, command, "--month", month, "--db", db)
    assert code == 2
    assert out == ""
    assert "月份" in err and "YYYY-MM" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["metrics", "flags"])
def test_a_month_without_data_is_refused_in_chinese(db: Path, command: str) -> None:
    done = run(command, "--month", "2026-07", "--db", db)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "2026-07" in done.stderr and "没有" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["metrics", "flags"])
def test_a_month_with_only_spot_checks_has_no_data(db: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    # checks dated in November do not make November a report month
    code, out, err = main(capsys, command, "--month", "2026-11", "--db", db)
    assert (code, out) == (2, "")
    assert "没有" in err


def test_cli_and_library_agree_on_the_previous_month(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = main(capsys, "metrics", "--month", SEP, "--format", "json", "--db", db)
    assert code == 0
    records = json.loads(out)
    table = library_metrics(db, month_of(SEP))
    assert pd.DataFrame(records)[["region", "project", "total", "completed"]].values.tolist() == (
        table[["region", "project", "total", "completed"]].values.tolist()
    )
    assert {r["month"] for r in records} == {SEP}


def test_a_month_without_warnings_prints_only_the_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from builders import Lens

    lens = Lens(tmp_path / "quiet.duckdb", units=[("江城市", "南片")])
    lens.ledger("江城市", OCT, [Item.completed("A1", "2026-10-03")])
    code, out, _err = main(capsys, "flags", "--month", OCT, "--db", lens.path)
    assert (code, out) == (0, ",".join(FLAG_HEADER) + "\n")
    code, out, _err = main(capsys, "flags", "--month", OCT, "--format", "json", "--db", lens.path)
    assert (code, json.loads(out)) == (0, [])
