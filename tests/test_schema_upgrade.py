"""A DuckDB file made before schema version 6 (keys, unique constraints, sequences) is rebuilt without them."""

from __future__ import annotations

from pathlib import Path

import duckdb
from actors import OPERATOR
from workbooks import ledger_row, ledger_sheet, regions_xlsx, xlsx

from rectlens.access import audit
from rectlens.ingest import service
from rectlens.storage.database import MIGRATIONS_DIR, SCHEMA_VERSION

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def old_file(path: Path) -> None:
    """Schema version 4 as files were made until now: migration 001 with its keys and sequences, then 002-004."""
    con = duckdb.connect(str(path))
    try:
        con.execute((FIXTURES / "schema_001_with_keys.sql").read_text(encoding="utf-8"))
        for name in ("002_accounts.sql", "003_lqas_rounds.sql", "004_region_scale.sql"):
            con.execute((MIGRATIONS_DIR / name).read_text(encoding="utf-8"))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', '4')")
        con.execute("INSERT INTO regions VALUES ('江城市', '南片', 1, NULL)")
        con.execute("SELECT nextval('file_ids'), nextval('upload_ids'), nextval('event_ids')")
        con.execute("INSERT INTO files VALUES (1, 'abc', 'old.xlsx', 10, TIMESTAMP '2026-10-01 08:00:00', 'op', NULL, NULL)")
        con.execute("INSERT INTO uploads VALUES (1, 1, 'checks', NULL, NULL, '核查', 0, 'active', TIMESTAMP '2026-10-01 08:00:00')")
        con.execute("INSERT INTO upload_events VALUES (1, 1, 'stored', TIMESTAMP '2026-10-01 08:00:00', 'op', NULL)")
    finally:
        con.close()


def test_an_old_file_is_rebuilt_without_keys_and_keeps_its_rows(db: Path) -> None:
    old_file(db)
    service.replace_region_master(db, regions_xlsx(), "地区表.xlsx", actor=OPERATOR)
    outcome = service.ingest_bytes(db, xlsx(ledger_sheet([ledger_row("JC-001")])), "new.xlsx", actor=OPERATOR)
    assert outcome.status == service.STORED
    assert [u.upload_id for u in outcome.uploads] == [2]  # the next number after the old rows
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [(str(SCHEMA_VERSION),)]
        kinds = {kind for (kind,) in con.execute("SELECT constraint_type FROM duckdb_constraints() WHERE schema_name = 'main'").fetchall()}
        assert kinds <= {"NOT NULL"}, kinds
        assert con.execute("SELECT count(*) FROM duckdb_sequences()").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM duckdb_indexes()").fetchall() == [(0,)]
        assert con.execute("SELECT file_id, file_name FROM files ORDER BY file_id").fetchall() == [(1, "old.xlsx"), (2, "new.xlsx")]
        assert con.execute("SELECT event_id, upload_id, action FROM upload_events ORDER BY event_id").fetchall() == [
            (1, 1, "stored"),
            (2, 2, "stored"),
        ]
        # the same columns, in the same order, as a store created today
        fresh = duckdb.connect()
        for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
            fresh.execute(path.read_text(encoding="utf-8"))
        columns = (
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'main' ORDER BY ALL"
        )
        assert con.execute(columns).fetchall() == fresh.execute(columns).fetchall()
        fresh.close()
    finally:
        con.close()
    assert audit.verify(db).intact
