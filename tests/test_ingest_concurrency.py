"""Several writers at once: threads in one process, and a lock held by another process."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from actors import OPERATOR
from audit_trail import actions, audit_rows, last_seq
from workbooks import check_row, checks_sheet, ledger_row, ledger_sheet, xlsx

from rectlens.access import audit
from rectlens.ingest import service
from rectlens.storage.database import MIGRATIONS_DIR, SCHEMA_VERSION

JIANGCHENG = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")]))
SHANYANG = xlsx(ledger_sheet([ledger_row("SY-001", region="山阳市", county="山阳区")], unit="山阳市"))
CHECKS = xlsx(checks_sheet([check_row("JC-001"), check_row("SY-001", region="山阳市")]))

# Holds a write connection to the database for a while, like the dashboard or another CLI.
HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SELECT count(*) FROM uploads").fetchall()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
print("released", flush=True)
"""


def run_together(*jobs: tuple[Path, bytes, str]) -> list[service.IngestOutcome]:
    barrier = threading.Barrier(len(jobs))
    results: list[service.IngestOutcome | BaseException | None] = [None] * len(jobs)

    def work(index: int, db: Path, data: bytes, name: str) -> None:
        barrier.wait()
        try:
            results[index] = service.ingest_bytes(db, data, name, actor=OPERATOR)
        except BaseException as exc:  # reported below, not lost in the thread
            results[index] = exc

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        assert isinstance(result, service.IngestOutcome), result
    return results  # type: ignore[return-value]


def test_threads_ingesting_different_files_are_each_stored_once(regions_db, query) -> None:
    start = last_seq(regions_db)
    for _round in range(3):
        outcomes = run_together(
            (regions_db, JIANGCHENG, "江城市2026年10月台账.xlsx"),
            (regions_db, SHANYANG, "山阳市2026年10月台账.xlsx"),
            (regions_db, CHECKS, "核查.xlsx"),
        )
        statuses = [o.status for o in outcomes]
        assert statuses in ([service.STORED] * 3, [service.DUPLICATE] * 3), statuses
    assert query("SELECT file_name FROM files ORDER BY file_name") == [
        ("山阳市2026年10月台账.xlsx",),
        ("核查.xlsx",),
        ("江城市2026年10月台账.xlsx",),
    ]
    assert query("SELECT kind, region, row_count, state FROM uploads ORDER BY kind, region") == [
        ("checks", None, 2, "active"),
        ("ledger", "山阳市", 1, "active"),
        ("ledger", "江城市", 2, "active"),
    ]
    assert query("SELECT count(*), count(DISTINCT (region, item_id)) FROM ledger_items") == [(3, 3)]
    assert query("SELECT count(*) FROM checks") == [(2,)]
    # writers appending to the audit log at once still leave one unbroken chain: 3 stored, then 6 duplicates
    outcomes = sorted(outcome for _account, action, outcome in actions(regions_db, start) if action == "upload")
    assert outcomes == ["duplicate"] * 6 + ["ok"] * 3
    assert audit.verify(regions_db).intact


def test_threads_on_a_new_database_create_its_schema_once(db, dump_database) -> None:
    outcomes = run_together((db, JIANGCHENG, "江城市2026年10月台账.xlsx"), (db, SHANYANG, "山阳市2026年10月台账.xlsx"))
    assert [o.status for o in outcomes] == [service.STORED, service.STORED]
    dump = dump_database(db)
    # every migration ran exactly once (001 the data, 002 accounts, reviews and the audit log, 003 LQAS rounds, 004 规模,
    # 006 no keys or sequences; 005 is another change's number): the newest one's number is the schema version
    assert SCHEMA_VERSION == max(int(path.name.split("_", 1)[0]) for path in MIGRATIONS_DIR.glob("*.sql")) >= 2
    assert dump["meta"] == [("schema_version", str(SCHEMA_VERSION))]
    assert {"accounts", "reviews", "uploads"} <= set(dump)
    assert dump["accounts"] == [] and dump["reviews"] == []
    assert sorted(row[3] for row in dump["uploads"]) == ["山阳市", "江城市"]
    # both uploads are in the audit log, numbered 1 and 2, in one intact chain
    assert [(row["seq"], row["action"], row["outcome"]) for row in audit_rows(db)] == [(1, "upload", "ok"), (2, "upload", "ok")]
    assert audit.verify(db).intact


def test_threads_ingesting_the_same_file_store_it_once(regions_db, query) -> None:
    outcomes = run_together(*[(regions_db, JIANGCHENG, f"江城市2026年10月台账-{n}.xlsx") for n in range(3)])
    assert sorted(o.status for o in outcomes) == [service.DUPLICATE, service.DUPLICATE, service.STORED]
    assert query("SELECT count(*) FROM files") == [(1,)]
    assert query("SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM uploads") == [(1, 1)]
    assert query("SELECT count(*) FROM ledger_items") == [(2,)]
    assert sorted(outcome for _account, action, outcome in actions(regions_db) if action == "upload") == ["duplicate", "duplicate", "ok"]
    assert audit.verify(regions_db).intact


def test_threads_correcting_the_same_ledger_leave_one_active(regions_db, query) -> None:
    versions = [xlsx(ledger_sheet([ledger_row(f"JC-{n:03d}")])) for n in range(1, 4)]
    run_together(*[(regions_db, data, f"江城市2026年10月台账v{n}.xlsx") for n, data in enumerate(versions)])
    assert query("SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM uploads") == [(3, 1)]


def hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    line = holder.stdout.readline().strip()
    assert line == "locked", holder.stderr.read() if holder.stderr else line
    return holder


def test_cli_waits_out_a_lock_held_by_another_process(cli, regions_db, tmp_path, query) -> None:
    path = tmp_path / "江城市2026年10月台账.xlsx"
    path.write_bytes(JIANGCHENG)
    holder = hold_lock(regions_db, 2.5)
    try:
        started = time.monotonic()
        done = cli("ingest", path, "--db", regions_db)
        elapsed = time.monotonic() - started
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
    assert done.code == 0, done.err
    assert "已保存" in done.out
    assert elapsed >= 2.0  # it did wait for the other process
    assert query("SELECT count(*) FROM ledger_items") == [(2,)]


def test_library_gives_up_on_a_lock_held_too_long(cli_main, regions_db, tmp_path, settings_file, dump_database) -> None:
    settings_file("[upload]\nlock_wait_seconds = 0.5\n")
    before = dump_database(regions_db)
    path = tmp_path / "江城市2026年10月台账.xlsx"
    path.write_bytes(JIANGCHENG)
    holder = hold_lock(regions_db, 20)
    try:
        started = time.monotonic()
        done = cli_main("ingest", path, "--db", regions_db)
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert done.code == 1
    assert "正被另一个程序" in done.err and "请稍后重试" in done.err and "Traceback" not in done.err
    assert 0.4 <= elapsed < 10
    assert dump_database(regions_db) == before
