"""The list-quality facts are kept per snapshot across processes, and never outlive the data they came from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
from builders import OPERATOR, WG, Item, Lens, file_name, ledger_sheet, workbook

from rectlens import config, flags, uploading
from rectlens.quality import stage

OCT = "2026-10"
MONTH = dt.date(2026, 10, 1)
COPIED = [f"按照要求全面开展专项整治工作并建立长效机制{n}" for n in "一二三"]


def copied_lens(path: Path) -> Lens:
    lens = Lens(path)
    lens.ledger("山阳市", OCT, [Item(f"SY{n}", WG, measures=text) for n, text in enumerate(COPIED, 1)])
    lens.ledger("江城市", OCT, [Item(f"JC{n}", WG, measures=text) for n, text in enumerate(COPIED, 1)])
    return lens


def boilerplate(lens: Lens) -> list[str]:
    table = flags.flags(lens.path, MONTH)
    return sorted(table.loc[table["code"] == "BOILERPLATE", "region"])


def cache_files() -> list[Path]:
    return sorted((config.cache_dir() / "quality").glob("*.parquet"))


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real computations (the cache's misses)."""
    stage.wait_for_warm_ups()  # an earlier test's upload may still be computing in the background
    calls: list[int] = []
    real = stage._compute

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(stage, "_compute", counted)
    stage.clear_memory()
    return calls


def test_a_new_process_reads_the_facts_from_the_cache_folder(tmp_path: Path, computations: list[int]) -> None:
    lens = copied_lens(tmp_path / "cache.duckdb")
    assert boilerplate(lens) == ["山阳市", "江城市"] and len(computations) == 1
    assert len(cache_files()) == 1
    stage.clear_memory()  # what a new process (a CLI call) sees
    assert boilerplate(lens) == ["山阳市", "江城市"]
    assert len(computations) == 1, "recomputed although the snapshot's facts were on disk"


def test_a_changed_list_or_threshold_is_never_served_stale(tmp_path: Path, computations: list[int], settings_file: Any) -> None:
    lens = copied_lens(tmp_path / "stale.duckdb")
    assert boilerplate(lens) == ["山阳市", "江城市"]
    lens.ledger("江城市", OCT, [Item(f"JC{n}", WG, measures=f"本单位自行制定的第{n}项具体整改措施内容") for n in range(1, 4)])
    assert boilerplate(lens) == [] and len(computations) == 2
    settings_file("[warnings]\nmeasure_min_chars = 40\n")
    stage.clear_memory()
    lens.restore(1 + 1)  # 江城市's first ledger again: copied, but now too short to qualify
    assert boilerplate(lens) == [] and len(computations) == 3


def test_rows_changed_in_place_are_a_new_snapshot(tmp_path: Path, computations: list[int]) -> None:
    """The key hashes the texts themselves, not only the upload ids and file hashes."""
    lens = copied_lens(tmp_path / "inplace.duckdb")
    assert boilerplate(lens) == ["山阳市", "江城市"]
    con = duckdb.connect(str(lens.path))
    con.execute("UPDATE ledger_items SET measures = '该单位独有的一条整改措施内容' || item_id WHERE region = '江城市'")
    con.close()
    assert boilerplate(lens) == [] and len(computations) == 2


def test_a_damaged_cache_file_is_recomputed_not_an_error(tmp_path: Path, computations: list[int]) -> None:
    lens = copied_lens(tmp_path / "damaged.duckdb")
    boilerplate(lens)
    (damaged,) = cache_files()
    damaged.write_bytes(b"PAR1 not really")
    stage.clear_memory()
    assert boilerplate(lens) == ["山阳市", "江城市"] and len(computations) == 2
    assert cache_files() == [damaged] and damaged.stat().st_size > 100  # replaced by a whole file


def test_an_unwritable_cache_folder_only_costs_a_recomputation(
    tmp_path: Path, computations: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RECTLENS_CACHE_DIR", str(blocked))
    lens = copied_lens(tmp_path / "unwritable.duckdb")
    assert boilerplate(lens) == ["山阳市", "江城市"]
    stage.clear_memory()
    assert boilerplate(lens) == ["山阳市", "江城市"] and len(computations) == 2


def test_an_upload_from_the_page_warms_the_month_in_the_background(tmp_path: Path, computations: list[int]) -> None:
    lens = copied_lens(tmp_path / "warm.duckdb")
    data = workbook([ledger_sheet("白河", OCT, [Item(f"BH{n}", WG, measures=text) for n, text in enumerate(COPIED, 1)])])
    check = uploading.check_file(lens.path, data, file_name("台账", "白河"), None)
    outcome = uploading.submit(lens.path, check, OPERATOR)
    assert outcome.status == "stored"
    stage.wait_for_warm_ups()
    assert len(cache_files()) == 1 and len(computations) == 1
    assert boilerplate(lens) == ["山阳市", "江城市", "白河"]
    assert len(computations) == 1, "the warnings recomputed what the upload had warmed"
