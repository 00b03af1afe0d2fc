"""报送情况: the unit × month grid and the upload history, on a database built by the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from submission_data import UNITS_IN_DISPLAY_ORDER, build_reporting_history, regions_workbook, run_cli, upload_id_of, write

from rectlens import submissions
from rectlens.access.roles import cli_operator
from rectlens.submissions import COMPLETE, LEDGER_ONLY, MISSING, SUMMARY_ONLY


@pytest.fixture(scope="module")
def reported_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_reporting_history(tmp_path_factory.mktemp("reported") / "rectlens.duckdb")


@pytest.fixture(scope="module")
def cells(reported_db: Path) -> pd.DataFrame:
    return submissions.grid(reported_db)


@pytest.fixture
def own_db(reported_db: Path, tmp_path: Path) -> Path:
    """A copy of the reported history that a test may change."""
    copy = tmp_path / "rectlens.duckdb"
    shutil.copyfile(reported_db, copy)
    return copy


def state_of(cells: pd.DataFrame, unit: str, month: str) -> str:
    found = cells[(cells["region"] == unit) & (cells["month"] == month)]
    assert len(found) == 1
    return str(found["state"].iloc[0])


def test_grid_covers_every_master_unit_for_every_reported_month(cells: pd.DataFrame) -> None:
    assert submissions.months(cells) == ["2026-09", "2026-10"]
    assert list(dict.fromkeys(cells["region"])) == list(UNITS_IN_DISPLAY_ORDER)
    assert len(cells) == len(UNITS_IN_DISPLAY_ORDER) * 2


def test_units_are_grouped_by_zone_in_master_order(cells: pd.DataFrame) -> None:
    zones = cells.drop_duplicates("region")[["zone", "region"]].values.tolist()
    assert zones == [["北片", "青岚市"], ["北片", "白石市"], ["南片", "临河市"], ["南片", "东川市"]]


@pytest.mark.parametrize(
    ("unit", "month", "expected"),
    [
        ("青岚市", "2026-09", COMPLETE),
        ("白石市", "2026-09", SUMMARY_ONLY),
        ("临河市", "2026-09", LEDGER_ONLY),
        ("东川市", "2026-09", MISSING),
        ("青岚市", "2026-10", COMPLETE),
        ("白石市", "2026-10", MISSING),
        ("临河市", "2026-10", COMPLETE),  # the corrected version with its summary
        ("东川市", "2026-10", MISSING),  # its only ledger was withdrawn
    ],
)
def test_cell_says_which_sheets_are_active(cells: pd.DataFrame, unit: str, month: str, expected: str) -> None:
    assert state_of(cells, unit, month) == expected


def test_cells_carry_ledger_and_summary_flags(cells: pd.DataFrame) -> None:
    row = cells[(cells["region"] == "临河市") & (cells["month"] == "2026-09")].iloc[0]
    assert bool(row["has_ledger"]) and not bool(row["has_summary"])


def test_counts_for_a_month_name_the_missing_units(cells: pd.DataFrame) -> None:
    october = submissions.month_counts(cells, "2026-10")
    assert (october.expected, october.complete, october.partial, october.missing) == (4, 2, 0, 2)
    assert october.submitted == 2
    assert october.missing_units == ("白石市", "东川市")
    september = submissions.month_counts(cells, "2026-09")
    assert (september.complete, september.partial, september.missing) == (1, 2, 1)


def test_wide_table_has_units_as_rows_and_months_as_columns(cells: pd.DataFrame) -> None:
    table = submissions.wide(cells, ["2026-09", "2026-10"])
    assert list(table.columns) == ["zone", "region", "2026-09", "2026-10"]
    assert table["region"].tolist() == list(UNITS_IN_DISPLAY_ORDER)
    assert table.set_index("region").loc["白石市"].tolist() == ["北片", SUMMARY_ONLY, MISSING]


def test_months_up_to_keeps_the_latest_months_before_the_choice() -> None:
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert submissions.months_up_to(months, "2026-09", 3) == ["2026-07", "2026-08", "2026-09"]
    assert submissions.months_up_to(months, "2026-10", 12) == months


def test_restoring_the_withdrawn_ledger_makes_the_unit_submitted_again(own_db: Path) -> None:
    run_cli(own_db, "restore", str(upload_id_of(own_db, "东川市", "2026-10")))
    assert state_of(submissions.grid(own_db), "东川市", "2026-10") == LEDGER_ONLY


def test_without_region_master_the_units_are_those_seen_in_uploads(tmp_path: Path) -> None:
    db = build_reporting_history(tmp_path / "rectlens.duckdb", with_master=False)
    cells = submissions.grid(db)
    # 东川市 uploaded once (withdrawn): still a unit that is expected to report
    assert set(cells["region"]) == set(UNITS_IN_DISPLAY_ORDER)
    assert set(cells["zone"]) == {submissions.ZONE_NONE}
    assert state_of(cells, "东川市", "2026-10") == MISSING


def test_unit_named_in_uploads_but_not_in_master_is_listed_last(own_db: Path, tmp_path: Path) -> None:
    smaller_master = write(tmp_path, "新地区表.xlsx", regions_workbook((("青岚市", "北片"), ("白石市", "北片"), ("东川市", "南片"))))
    run_cli(own_db, "regions", smaller_master)
    cells = submissions.grid(own_db)
    last = cells.drop_duplicates("region").iloc[-1]
    assert (last["region"], last["zone"]) == ("临河市", submissions.ZONE_OUTSIDE_MASTER)


def test_empty_database_gives_an_empty_grid(tmp_path: Path) -> None:
    cells = submissions.grid(tmp_path / "empty.duckdb")
    assert cells.empty
    assert submissions.months(cells) == []


def test_history_keeps_superseded_and_withdrawn_versions_with_chinese_labels(reported_db: Path) -> None:
    table = submissions.history(reported_db)
    assert len(table) == 11
    by_file = table.set_index(["file_name", "kind"])
    assert by_file.loc[("临河市-2026年10月.xlsx", "ledger"), "state_label"] == "已被替换"
    assert by_file.loc[("临河市-2026年10月-更正.xlsx", "ledger"), "state_label"] == "生效"
    assert by_file.loc[("东川市-2026年10月.xlsx", "ledger"), "state_label"] == "已撤回"
    assert by_file.loc[("暗访核查结果.xlsx", "checks"), "kind_label"] == "核查结果"
    # built by the command line, which acts as the system user's operator
    assert set(table["uploader"]) == {cli_operator().label}
    assert table["received_at"].is_monotonic_decreasing


def test_history_filters_by_unit_and_state(reported_db: Path) -> None:
    table = submissions.history(reported_db)
    linhe = submissions.filter_history(table, units=["临河市"])
    assert set(linhe["region"]) == {"临河市"} and len(linhe) == 4
    replaced = submissions.filter_history(table, state_labels=["已被替换", "已撤回"])
    assert sorted(replaced["file_name"]) == ["东川市-2026年10月.xlsx", "临河市-2026年10月.xlsx"]
    assert len(submissions.filter_history(table)) == len(table)
    assert submissions.filter_history(table, units=["临河市"], state_labels=["已撤回"]).empty


def test_unit_choices_follow_the_grid_order(reported_db: Path, cells: pd.DataFrame) -> None:
    assert submissions.unit_choices(cells, submissions.history(reported_db)) == list(UNITS_IN_DISPLAY_ORDER)


def test_as_of_is_the_latest_upload(reported_db: Path) -> None:
    table = submissions.history(reported_db)
    assert submissions.as_of(table) == table["received_at"].max()
    assert submissions.as_of(table.iloc[0:0]) is None
