"""The store as a DuckLake over PostgreSQL: several processes at once, moving a file up, outages."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from actors import OPERATOR
from pgcluster import Cluster
from workbooks import ledger_row, ledger_sheet, regions_xlsx, xlsx

from rectlens import metrics
from rectlens.access import audit
from rectlens.ingest import service
from rectlens.storage import database, store, uploads

ROOT = Path(__file__).resolve().parent.parent
UNITS = (("江城市", "江城区"), ("山阳市", "山阳区"))
MONTHS = ("2026年10月", "2026年11月", "2026年12月", "2027年1月", "2027年2月")
VERSIONS = 4


def lake_rows(spec: str, query: str) -> list[tuple[Any, ...]]:
    with database.connect(spec) as con:
        return con.execute(query).fetchall()


def forty_workbooks(folder: Path) -> list[Path]:
    """2 units × 5 months × 4 versions of each unit's ledger: 40 different files, each version superseding another."""
    paths = []
    for unit, county in UNITS:
        for month_index, month in enumerate(MONTHS):
            for version in range(VERSIONS):
                prefix = "JC" if unit == "江城市" else "SY"
                rows = [ledger_row(f"{prefix}-{month_index}{version}{n}", region=unit, county=county) for n in range(1, 3 + version)]
                path = folder / f"{unit}_{month}_v{version}.xlsx"
                path.write_bytes(xlsx(ledger_sheet(rows, unit=unit, month=month)))
                paths.append(path)
    return paths


# One uploader process: every workbook of the list, in its order, as the command line's operator.
UPLOADER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from rectlens.access.roles import cli_operator
    from rectlens.ingest import service
    spec, order = sys.argv[1], json.loads(sys.argv[2])
    print("ready", flush=True)
    sys.stdin.readline()  # all start together
    started = time.perf_counter()
    statuses = [service.ingest_path(spec, path, cli_operator()).status for path in order]
    print(json.dumps({"statuses": statuses, "seconds": time.perf_counter() - started}), flush=True)
    """
)


def upload_at_once(spec: str, orders: list[list[str]], env: dict[str, str]) -> list[dict[str, Any]]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", UPLOADER, spec, json.dumps(order)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for order in orders
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        assert "Traceback" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_four_processes_upload_forty_workbooks_into_one_lake_each_stored_once(lake: str, tmp_path: Path) -> None:
    count, problems, _notices = service.replace_region_master(lake, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
    assert not problems and count == 3
    paths = [str(path) for path in forty_workbooks(tmp_path)]
    # every process uploads all 40, each in its own order: every file arrives 4 times, often at the same moment
    orders = [paths, paths[::-1], paths[1::2] + paths[::2], paths[::2][::-1] + paths[1::2][::-1]]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "RECTLENS_SETTINGS": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}
    results = upload_at_once(lake, orders, env)

    statuses = [status for result in results for status in result["statuses"]]
    assert sorted(set(statuses)) == [service.DUPLICATE, service.STORED]
    assert statuses.count(service.STORED) == 40 and statuses.count(service.DUPLICATE) == 120
    # every workbook stored once
    files = lake_rows(lake, "SELECT count(*), count(DISTINCT sha256), count(DISTINCT file_id), max(file_id) FROM files")
    assert files == [(40, 40, 40, 40)]
    assert lake_rows(lake, "SELECT count(*), count(DISTINCT upload_id), max(upload_id) FROM uploads") == [(40, 40, 40)]
    # one active upload per unit and month, the other three superseded, each by the one stored after it
    per_scope = lake_rows(
        lake,
        "SELECT region, month, count(*), count(*) FILTER (WHERE state = 'active') FROM uploads GROUP BY ALL ORDER BY ALL",
    )
    assert len(per_scope) == 10 and {row[2:] for row in per_scope} == {(VERSIONS, 1)}
    history = uploads.events(lake)
    assert sorted(history["action"].value_counts().items()) == [("stored", 40), ("superseded", 30)]
    assert lake_rows(lake, "SELECT count(*), count(DISTINCT event_id) FROM upload_events") == [(70, 70)]
    # the rows of every upload are there once
    assert lake_rows(lake, "SELECT count(*) FROM ledger_items") == [(len(UNITS) * len(MONTHS) * sum(2 + v for v in range(VERSIONS)),)]
    # the audit log is one unbroken chain: the region master, 40 uploads, 120 duplicates, 30 supersedes
    check = audit.verify(lake)
    assert check.intact, check.message
    counted = dict(
        ((action, outcome), count)
        for action, outcome, count in lake_rows(lake, "SELECT action, outcome, count(*) FROM audit_log GROUP BY ALL")
    )
    assert counted == {("regions_load", "ok"): 1, ("upload", "ok"): 40, ("upload", "duplicate"): 120, ("supersede", "ok"): 30}
    assert check.records == 191


def test_restore_on_a_lake_supersedes_the_active_upload(lake: str) -> None:
    service.replace_region_master(lake, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
    first = service.ingest_bytes(lake, xlsx(ledger_sheet([ledger_row("JC-001")])), "v1.xlsx", actor=OPERATOR)
    second = service.ingest_bytes(lake, xlsx(ledger_sheet([ledger_row("JC-002")])), "v2.xlsx", actor=OPERATOR)
    assert (first.status, second.status) == (service.STORED, service.STORED)
    assert uploads.restore(lake, 1, OPERATOR) == 2
    assert lake_rows(lake, "SELECT upload_id, state FROM uploads ORDER BY upload_id") == [(1, "active"), (2, "superseded")]
    uploads.withdraw(lake, 1, OPERATOR)
    assert lake_rows(lake, "SELECT upload_id, state FROM uploads ORDER BY upload_id") == [(1, "withdrawn"), (2, "superseded")]
    assert audit.verify(lake).intact


def test_a_report_reads_one_snapshot_while_an_upload_commits_and_the_next_report_sees_it(lake: str) -> None:
    month = dt.date(2026, 10, 1)
    service.replace_region_master(lake, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
    first = service.ingest_bytes(lake, xlsx(ledger_sheet([ledger_row("JC-001")])), "v1.xlsx", actor=OPERATOR)
    assert first.status == service.STORED
    with metrics.analysis(lake, month, month) as con:
        before = metrics.rollup(con, ["region"])
        rows = [ledger_row(f"JC-{n:03d}") for n in range(1, 5)]
        second = service.ingest_bytes(lake, xlsx(ledger_sheet(rows)), "v2.xlsx", actor=OPERATOR)
        assert second.status == service.STORED  # committed by another connection while the report is open
        # the report keeps reading the snapshot it began with: the ledger read from the lake, the uploads copied
        assert con.execute("SELECT count(*) FROM ledger_items").fetchall() == [(1,)]
        assert con.execute("SELECT upload_id, state FROM uploads").fetchall() == [(1, "active")]
        assert metrics.rollup(con, ["region"]).equals(before)
        assert before["ledger_total"].tolist() == [1]
    # the next report reads the newest snapshot
    assert metrics.metrics(lake, month, by="region")["ledger_total"].tolist() == [4]
    with database.reading(lake) as con:
        assert con.execute("SELECT upload_id, state FROM uploads ORDER BY upload_id").fetchall() == [(1, "superseded"), (2, "active")]


# --- conflicts with writers from outside the product's write lock ---------------------


class Outsider:
    """Another program writing the lake directly: its own DuckDB, no advisory lock."""

    def __init__(self, spec: str) -> None:
        self.con = store.open_lake(store.lake(spec))

    def touch_upload(self, upload_id: int) -> None:
        """Rewrite an upload's row unchanged and commit (DuckLake stores an update as delete + insert)."""
        self.con.execute("UPDATE uploads SET row_count = row_count WHERE upload_id = ?", [upload_id])

    def close(self) -> None:
        self.con.close()


@pytest.fixture
def outsider_between_read_and_commit(lake: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], Callable[[int], None]]]:
    """A lake holding upload 1; `arm(n)` makes the outsider change upload 1 inside the product's next n
    write attempts of withdraw, after the product read and changed it and before its commit."""
    monkeypatch.setattr(database, "CONFLICT_WAIT_SECONDS", 0.0)
    service.replace_region_master(lake, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
    assert service.ingest_bytes(lake, xlsx(ledger_sheet([ledger_row("JC-001")])), "v1.xlsx", actor=OPERATOR).status == service.STORED
    outsider = Outsider(lake)
    attempts: list[str] = []
    armed = [0]
    real_event = uploads._event

    def event_then_outsider(con: duckdb.DuckDBPyConnection, upload_id: int, action: str, actor: Any, note: str | None = None) -> None:
        real_event(con, upload_id, action, actor, note)
        attempts.append(action)
        if armed[0] > 0:
            armed[0] -= 1
            outsider.touch_upload(upload_id)

    def arm(times: int) -> None:
        armed[0] = times

    monkeypatch.setattr(uploads, "_event", event_then_outsider)
    try:
        yield attempts, arm
    finally:
        outsider.close()


def test_a_conflicting_commit_from_outside_is_retried_and_the_write_then_goes_through(
    lake: str, outsider_between_read_and_commit: tuple[list[str], Callable[[int], None]]
) -> None:
    attempts, arm = outsider_between_read_and_commit
    records = audit.verify(lake).records
    arm(1)
    uploads.withdraw(lake, 1, OPERATOR)
    assert attempts == ["withdrawn", "withdrawn"]  # the first commit was refused, the second went through
    assert lake_rows(lake, "SELECT upload_id, state FROM uploads") == [(1, "withdrawn")]
    assert lake_rows(lake, "SELECT action FROM upload_events WHERE action = 'withdrawn'") == [("withdrawn",)]
    check = audit.verify(lake)
    assert check.intact and check.records == records + 1


def test_a_conflict_that_persists_is_a_chinese_message_and_stores_nothing(
    lake: str, outsider_between_read_and_commit: tuple[list[str], Callable[[int], None]], cli_main
) -> None:
    attempts, arm = outsider_between_read_and_commit
    records = audit.verify(lake).records
    arm(database.CONFLICT_ATTEMPTS)
    with pytest.raises(database.WriteConflict) as refused:
        uploads.withdraw(lake, 1, OPERATOR)
    assert len(attempts) == database.CONFLICT_ATTEMPTS
    message = str(refused.value)
    assert "发生冲突" in message and f"已自动重试 {database.CONFLICT_ATTEMPTS - 1} 次" in message
    assert "本次操作没有保存" in message and "已确认保存的数据不受影响" in message
    assert isinstance(refused.value.__cause__, duckdb.TransactionException)
    # nothing of the refused withdrawal was stored; what was confirmed is intact
    assert lake_rows(lake, "SELECT upload_id, state FROM uploads") == [(1, "active")]
    assert lake_rows(lake, "SELECT count(*) FROM upload_events WHERE action = 'withdrawn'") == [(0,)]
    assert audit.verify(lake).intact and audit.verify(lake).records == records

    # the command line says the same in Chinese, without a traceback
    attempts.clear()
    arm(database.CONFLICT_ATTEMPTS)
    result = cli_main("withdraw", "1", "--store", lake)
    assert result.code == 1, result
    assert "发生冲突" in result.err and "Traceback" not in result.err
    assert len(attempts) == database.CONFLICT_ATTEMPTS
    # once the other program is done, the same command simply works
    assert cli_main("withdraw", "1", "--store", lake).code == 0
    assert lake_rows(lake, "SELECT upload_id, state FROM uploads") == [(1, "withdrawn")]
    assert audit.verify(lake).intact


# --- moving a file up ---------------------------------------------------------------


def test_migrate_copies_a_file_into_an_empty_lake_and_refuses_a_full_one(baseline_db: Path, lake: str, cli_main) -> None:
    from rectlens.access import accounts

    accounts.create(baseline_db, OPERATOR, "jc.li", "李填报", ["uploader"], ["江城市"], None)
    second = service.ingest_bytes(baseline_db, xlsx(ledger_sheet([ledger_row("JC-009")])), "v2.xlsx", actor=OPERATOR)
    assert second.status == service.STORED
    uploads.restore(baseline_db, 1, OPERATOR)
    file_counts = {table: count for table, count in _file_counts(baseline_db).items()}

    result = cli_main("migrate", "--db", baseline_db, "--to", lake)
    assert result.code == 0, result.err
    assert "行数逐表核对一致" in result.out and "留痕完整" in result.out
    from rectlens.storage.moving import row_counts

    assert row_counts(lake) == file_counts
    assert lake_rows(lake, "SELECT upload_id, state FROM uploads ORDER BY upload_id") == [(1, "active"), (2, "superseded")]
    assert audit.verify(lake).records == audit.verify(baseline_db).records
    # the lake keeps working where the file left off: the next upload is #3, the chain goes on
    third = service.ingest_bytes(lake, xlsx(ledger_sheet([ledger_row("JC-010")])), "v3.xlsx", actor=OPERATOR)
    assert [u.upload_id for u in third.uploads] == [3]
    assert audit.verify(lake).intact
    assert accounts.get(lake, "jc.li") is not None

    again = cli_main("migrate", "--db", baseline_db, "--to", lake)
    assert again.code == 2
    assert "拒绝覆盖" in again.err and "Traceback" not in again.err


def _file_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name <> 'meta'").fetchall()]
        return {table: int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]) for table in tables}
    finally:
        con.close()


def test_the_command_line_reads_and_writes_a_lake_with_store(lake: str, tmp_path: Path, cli_main) -> None:
    path = tmp_path / "江城市2026年10月台账.xlsx"
    path.write_bytes(xlsx(ledger_sheet([ledger_row("JC-001")])))
    regions = tmp_path / "地区表.xlsx"
    regions.write_bytes(regions_xlsx())
    assert cli_main("regions", regions, "--store", lake).code == 0
    stored = cli_main("ingest", path, "--store", lake)
    assert stored.code == 0, stored.err
    listed = cli_main("history", "--store", lake)
    assert listed.code == 0 and "江城市2026年10月台账.xlsx" in listed.out


# --- an outage -----------------------------------------------------------------------


@pytest.fixture
def own_cluster() -> Any:
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.remove()


def test_an_outage_is_a_clear_message_and_loses_nothing_confirmed(own_cluster: Cluster, tmp_path: Path, monkeypatch) -> None:
    spec = store.POSTGRES_PREFIX + own_cluster.new_database()
    monkeypatch.setenv("RECTLENS_DATA_PATH", str(tmp_path / "data"))
    service.replace_region_master(spec, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
    stored = service.ingest_bytes(spec, xlsx(ledger_sheet([ledger_row("JC-001")])), "v1.xlsx", actor=OPERATOR)
    assert stored.status == service.STORED

    own_cluster.stop()
    try:
        with pytest.raises(database.DatabaseUnavailable) as refused:
            service.ingest_bytes(spec, xlsx(ledger_sheet([ledger_row("JC-002")])), "v2.xlsx", actor=OPERATOR)
        assert "暂时无法访问共享数据库" in str(refused.value) and "已确认保存的数据不受影响" in str(refused.value)
        with pytest.raises(database.DatabaseUnavailable):
            uploads.history(spec)
    finally:
        own_cluster.start()

    # back up: what was confirmed is there, the refused upload is not, and it can simply be sent again
    assert lake_rows(spec, "SELECT upload_id, state FROM uploads") == [(1, "active")]
    again = service.ingest_bytes(spec, xlsx(ledger_sheet([ledger_row("JC-002")])), "v2.xlsx", actor=OPERATOR)
    assert again.status == service.STORED
    assert audit.verify(spec).intact
    database.forget_lake(spec)


def test_the_extensions_load_from_the_wheels_without_network() -> None:
    files = store.extension_files()
    assert [path.name for path in files] == ["postgres_scanner.duckdb_extension", "ducklake.duckdb_extension"]
    con = duckdb.connect(":memory:", config=dict(store.OFFLINE))
    try:
        store.load_extensions(con)
        loaded = {name for (name,) in con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()}
        assert {"ducklake", "postgres_scanner"} <= loaded
    finally:
        con.close()


def test_the_dashboard_says_so_in_chinese_when_the_lake_is_out_of_reach(monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    # nothing listens on port 1: the catalog cannot be reached
    monkeypatch.setenv("RECTLENS_STORE", store.POSTGRES_PREFIX + "host=127.0.0.1 port=1 user=rectlens dbname=none connect_timeout=2")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("暂时无法访问共享数据库" in error.value and "已确认保存的数据不受影响" in error.value for error in at.error)


def test_the_dashboard_shows_a_write_conflict_in_chinese_without_a_traceback(monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from rectlens.ui import bootstrap

    spec = store.POSTGRES_PREFIX + "host=127.0.0.1 port=1 user=rectlens dbname=none"
    conflict = database._conflict(spec, database.CONFLICT_ATTEMPTS)

    def conflicting(_target: object) -> None:
        raise conflict

    monkeypatch.setenv("RECTLENS_STORE", spec)
    monkeypatch.setattr(bootstrap, "ensure_database", conflicting)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("发生冲突" in error.value and "已确认保存的数据不受影响" in error.value for error in at.error)
