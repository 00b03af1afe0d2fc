"""The region master's optional 规模: its aliases, written once per unit or repeated, and bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import table
from workbooks import Sheet, xlsx

TITLE = ("整改整治报送单位一览表",)


def master(header: tuple[str, ...], rows: list[tuple[object, ...]], merges: tuple[str, ...] = ()) -> bytes:
    return xlsx(Sheet("地区表", header, rows, titles=TITLE, merges=merges))


def load(cli_main, tmp_path: Path, db: Path, data: bytes):
    path = tmp_path / "地区表.xlsx"
    path.write_bytes(data)
    return cli_main("regions", path, "--db", db)


@pytest.mark.parametrize("title", ["规模", "党员干部数", "党员人数", "干部人数", "规模基数", "规模（党员干部数）"])
def test_scale_under_each_header(cli_main, tmp_path, db, title) -> None:
    rows = [("江城市", "南片", "江城区", "12,000"), ("江城市", "南片", "临江县", None), ("山阳市", "北片", "山阳区", "1.5万")]
    done = load(cli_main, tmp_path, db, master(("地区", "片区", "县区", title), rows, merges=("A3:A4", "B3:B4", "D3:D4")))
    assert done.code == 0, done.err
    assert table(db, "SELECT region, scale FROM regions ORDER BY sort_order") == [("江城市", 12000.0), ("山阳市", 15000.0)]


def test_scale_repeated_on_every_row_and_missing_for_a_unit(cli_main, tmp_path, db) -> None:
    rows = [("江城市", "南片", 800), ("江城市", "南片", 800), ("白河", "中片", None)]
    done = load(cli_main, tmp_path, db, master(("地区", "片区", "规模"), rows))
    assert done.code == 0, done.err
    assert table(db, "SELECT region, scale FROM regions ORDER BY sort_order") == [("江城市", 800.0), ("白河", None)]


@pytest.mark.parametrize(
    ("value", "says"),
    [("0", "必须大于 0"), (-5, "必须大于 0"), ("很多", "正数"), ("约3000人左右", "正数")],
)
def test_a_bad_scale_is_refused_with_its_cell(cli_main, tmp_path, regions_db, dump_database, value, says) -> None:
    before = dump_database(regions_db)
    done = load(cli_main, tmp_path, regions_db, master(("地区", "片区", "规模"), [("江城市", "南片", 1000), ("山阳市", "北片", value)]))
    assert done.code == 2
    assert "工作表「地区表」" in done.err and "第 4 行" in done.err and "规模" in done.err and says in done.err
    assert dump_database(regions_db) == before


def test_two_scales_for_one_unit_are_refused(cli_main, tmp_path, regions_db, dump_database) -> None:
    before = dump_database(regions_db)
    rows = [("江城市", "南片", "江城区", 1000), ("江城市", "南片", "临江县", 1200)]
    done = load(cli_main, tmp_path, regions_db, master(("地区", "片区", "县区", "规模"), rows))
    assert done.code == 2 and "同一地区只能有一个规模" in done.err and "第 4 行" in done.err and "1000" in done.err
    assert dump_database(regions_db) == before
