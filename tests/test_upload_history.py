"""Re-uploads, corrections, restore and withdraw through the library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from actors import INSPECTOR_ACTOR, OFFICE_ACTOR, OPERATOR
from audit_trail import audit_rows
from workbooks import (
    SATISFACTION_HEADER,
    Sheet,
    check_row,
    checks_sheet,
    ledger_row,
    ledger_sheet,
    summary_sheet,
    xlsx,
)

from rectlens.access.roles import UPLOADER, Actor
from rectlens.ingest import service
from rectlens.storage import uploads

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)

V1 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")]))
ZHANG = Actor("zhang.san", "张三", (UPLOADER,), ("江城市",))
LI = Actor("li.si", "李四", (UPLOADER,), ("江城市",))
V2 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002"), ledger_row("JC-003", status="未启动")]))


def ingest(
    db: Path, data: bytes, name: str = "江城市2026年10月台账.xlsx", actor: Actor = OPERATOR, **options: object
) -> service.IngestOutcome:
    outcome = service.ingest_bytes(db, data, name, actor, **options)  # type: ignore[arg-type]
    assert outcome.status in (service.STORED, service.DUPLICATE), [p.text() for p in outcome.problems]
    return outcome


def states(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query("SELECT upload_id, kind, region, month, state FROM uploads ORDER BY upload_id")


def active_items(query) -> list[tuple]:  # type: ignore[no-untyped-def]
    return query(
        "SELECT l.item_id, l.status FROM ledger_items l JOIN uploads u USING (upload_id) WHERE u.state = 'active' ORDER BY l.item_id"
    )


# --- same bytes again ----------------------------------------------------------------------------


@pytest.mark.parametrize("second_name", ["江城市2026年10月台账.xlsx", "江城市台账（修改后）.xlsx"])
def test_same_bytes_again_change_nothing(regions_db, query, dump_database, second_name: str) -> None:
    ingest(regions_db, V1, actor=ZHANG)
    before = dump_database(regions_db)
    outcome = ingest(regions_db, V1, second_name, actor=LI)
    assert outcome.status == service.DUPLICATE
    assert outcome.message == f"「{second_name}」与已上传的文件完全相同，未作任何更改"
    assert outcome.notices == ["同样内容的文件「江城市2026年10月台账.xlsx」此前已上传"]
    assert dump_database(regions_db) == before


def test_same_bytes_as_a_superseded_upload_say_how_to_restore(regions_db, dump_database) -> None:
    ingest(regions_db, V1)
    ingest(regions_db, V2)
    before = dump_database(regions_db)
    outcome = ingest(regions_db, V1)
    assert outcome.status == service.DUPLICATE
    assert "已被替换或撤回" in outcome.notices[0] and "恢复" in outcome.notices[0]
    assert dump_database(regions_db) == before


# --- corrections supersede -----------------------------------------------------------------------


def test_corrected_ledger_supersedes_the_earlier_one(regions_db, query) -> None:
    first = ingest(regions_db, V1, actor=ZHANG)
    second = ingest(regions_db, V2, "江城市2026年10月台账（更正）.xlsx", actor=ZHANG)
    assert [u.upload_id for u in first.uploads] == [1]
    assert [(u.upload_id, u.replaced, u.rows) for u in second.uploads] == [(2, 1, 3)]
    assert "替换了上传 #1" in second.message
    assert states(query) == [(1, "ledger", "江城市", OCT, "superseded"), (2, "ledger", "江城市", OCT, "active")]
    assert active_items(query) == [("JC-001", "已完成"), ("JC-002", "已完成"), ("JC-003", "未启动")]
    # the earlier version is kept, row for row
    assert query("SELECT item_id, status FROM ledger_items WHERE upload_id = 1 ORDER BY item_id") == [
        ("JC-001", "已完成"),
        ("JC-002", "推进中"),
    ]
    history = uploads.history(regions_db)
    assert history[["upload_id", "kind", "region", "month", "row_count", "state", "file_name", "uploader"]].values.tolist() == [
        [2, "ledger", "江城市", "2026-10", 3, "active", "江城市2026年10月台账（更正）.xlsx", "张三（zhang.san）"],
        [1, "ledger", "江城市", "2026-10", 2, "superseded", "江城市2026年10月台账.xlsx", "张三（zhang.san）"],
    ]
    events = uploads.events(regions_db)
    assert sorted(events[["upload_id", "action", "note"]].fillna("").values.tolist()) == [
        [1, "stored", ""],
        [1, "superseded", ""],
        [2, "stored", "替换了上传 #1"],
    ]


def test_supersede_only_the_same_unit_month_and_kind(regions_db, query) -> None:
    ingest(regions_db, V1)  # 江城市 ledger 2026-10 → #1
    ingest(regions_db, xlsx(ledger_sheet([ledger_row("SY-001", region="山阳市", county="山阳区")], unit="山阳市")), "山阳市.xlsx")
    ingest(regions_db, xlsx(ledger_sheet([ledger_row("JC-001")], month="2026年11月")), "江城市11月.xlsx")
    ingest(regions_db, xlsx(summary_sheet([["江城市", "违规吃喝", 2, 1, "50%"]])), "江城市汇总.xlsx")
    assert states(query) == [
        (1, "ledger", "江城市", OCT, "active"),
        (2, "ledger", "山阳市", OCT, "active"),
        (3, "ledger", "江城市", NOV, "active"),
        (4, "summary", "江城市", OCT, "active"),
    ]
    # a workbook with two units replaces each unit's own October ledger
    both = xlsx(ledger_sheet([ledger_row("JC-009"), ledger_row("SY-009", region="山阳市", county="山阳区")]))
    outcome = ingest(regions_db, both, "两个地区.xlsx")
    assert sorted((u.region, u.replaced) for u in outcome.uploads) == [("山阳市", 2), ("江城市", 1)]
    assert [row[4] for row in states(query)] == ["superseded", "superseded", "active", "active", "active", "active"]


def test_corrected_summary_supersedes_and_its_total_row_follows(regions_db, query) -> None:
    ingest(regions_db, xlsx(summary_sheet([["江城市", "违规吃喝", 2, 1, "50%"]], total=["合计", None, 2, 1, "50%"])), "汇总.xlsx")
    ingest(regions_db, xlsx(summary_sheet([["江城市", "违规吃喝", 2, 2, "100%"]], total=["合计", None, 2, 2, "100%"])), "汇总更正.xlsx")
    assert query(
        "SELECT s.completed, t.completed FROM summary_rows s JOIN summary_totals t USING (upload_id) "
        "JOIN uploads u USING (upload_id) WHERE u.state = 'active'"
    ) == [(2, 2)]


# --- restore -------------------------------------------------------------------------------------


def test_restore_an_earlier_version(regions_db, query) -> None:
    ingest(regions_db, V1)
    ingest(regions_db, V2)
    assert uploads.restore(regions_db, 1, OFFICE_ACTOR) == 2
    assert states(query) == [(1, "ledger", "江城市", OCT, "active"), (2, "ledger", "江城市", OCT, "superseded")]
    assert active_items(query) == [("JC-001", "已完成"), ("JC-002", "推进中")]
    assert query("SELECT upload_id, action, actor, note FROM upload_events WHERE actor = '王专班（office.wang）' ORDER BY event_id") == [
        (2, "superseded", "王专班（office.wang）", "由上传 #1 恢复替换"),
        (1, "restored", "王专班（office.wang）", "替换了上传 #2"),
    ]
    # the same changes in the audit log, under the same account
    assert query("SELECT action, account, roles FROM audit_log WHERE account = 'office.wang' ORDER BY seq") == [
        ("supersede", "office.wang", "office"),
        ("restore", "office.wang", "office"),
    ]
    # and back again
    assert uploads.restore(regions_db, 2, actor=OPERATOR) == 1
    assert active_items(query) == [("JC-001", "已完成"), ("JC-002", "已完成"), ("JC-003", "未启动")]


def test_restore_refusals_change_nothing(regions_db, dump_database) -> None:
    ingest(regions_db, V1)
    before = dump_database(regions_db)
    with pytest.raises(uploads.CannotRestore, match="已是生效版本"):
        uploads.restore(regions_db, 1, actor=OPERATOR)
    with pytest.raises(uploads.UploadNotFound, match="没有编号为 99 的上传记录"):
        uploads.restore(regions_db, 99, actor=OPERATOR)
    with pytest.raises(uploads.UploadNotFound):
        uploads.withdraw(regions_db, 99, actor=OPERATOR)
    assert dump_database(regions_db) == before


def test_restore_a_withdrawn_ledger_replaces_the_active_one(regions_db, query) -> None:
    ingest(regions_db, V1)
    uploads.withdraw(regions_db, 1, actor=OPERATOR)
    ingest(regions_db, V2)
    assert uploads.restore(regions_db, 1, actor=OPERATOR) == 2
    assert [row[4] for row in states(query)] == ["active", "superseded"]


# --- spot checks and 群众评议 add up; withdraw ---------------------------------------------------------


def test_spot_check_uploads_add_rows_without_storing_identical_ones_twice(regions_db, query) -> None:
    ingest(regions_db, V2)
    first = ingest(regions_db, xlsx(checks_sheet([check_row("JC-001"), check_row("JC-002", result="虚假整改")])), "第一组.xlsx")
    # the second file repeats JC-001's check (same date, result, method, inspector), twice, and adds JC-003's
    second_rows = [check_row("JC-001"), check_row("JC-003", result="未整改到位"), check_row("JC-001")]
    second = ingest(regions_db, xlsx(checks_sheet(second_rows, name="核查")), "第二组.xlsx")
    assert [(u.kind, u.rows, u.replaced) for u in first.uploads + second.uploads] == [("checks", 2, None), ("checks", 1, None)]
    assert any("2 行与已保存的记录完全相同" in n for n in second.notices)
    assert query("SELECT upload_id, item_id, result, excel_row FROM checks ORDER BY upload_id, excel_row") == [
        (2, "JC-001", "整改到位", 3),
        (2, "JC-002", "虚假整改", 4),
        (3, "JC-003", "未整改到位", 4),
    ]
    assert query("SELECT upload_id, row_count, state FROM uploads WHERE kind = 'checks' ORDER BY upload_id") == [
        (2, 2, "active"),
        (3, 1, "active"),
    ]
    # a later check of the same item on another day is a new row
    third = ingest(regions_db, xlsx(checks_sheet([check_row("JC-001", date="2026-11-02", result="问题反弹")])), "第三组.xlsx")
    assert third.uploads[0].rows == 1


def test_withdraw_a_spot_check_upload(regions_db, query) -> None:
    ingest(regions_db, V2)
    ingest(regions_db, xlsx(checks_sheet([check_row("JC-001"), check_row("JC-002")])), "核查.xlsx", actor=INSPECTOR_ACTOR)
    uploads.withdraw(regions_db, 2, OFFICE_ACTOR)
    assert query("SELECT state FROM uploads WHERE upload_id = 2") == [("withdrawn",)]
    # the rows are kept for the record but no longer count
    assert query("SELECT count(*) FROM checks WHERE upload_id = 2") == [(2,)]
    assert query("SELECT count(*) FROM checks JOIN uploads USING (upload_id) WHERE state = 'active'") == [(0,)]
    assert query("SELECT action, actor FROM upload_events WHERE upload_id = 2 ORDER BY event_id") == [
        ("stored", "赵督导（inspector.zhao）"),
        ("withdrawn", "王专班（office.wang）"),
    ]
    assert [(r["account"], r["action"], r["target"]) for r in audit_rows(regions_db)[-2:]] == [
        ("inspector.zhao", "upload", "上传 #2（核查结果「核查.xlsx」）"),
        ("office.wang", "withdraw", "上传 #2（核查结果「核查.xlsx」）"),
    ]
    with pytest.raises(uploads.CannotRestore, match="已经撤回"):
        uploads.withdraw(regions_db, 2, actor=OPERATOR)
    uploads.restore(regions_db, 2, actor=OPERATOR)
    assert query("SELECT count(*) FROM checks JOIN uploads USING (upload_id) WHERE state = 'active'") == [(2,)]


def test_withdraw_a_ledger_leaves_no_active_snapshot(regions_db, query) -> None:
    ingest(regions_db, V1)
    uploads.withdraw(regions_db, 1, actor=OPERATOR)
    assert active_items(query) == []


def test_satisfaction_uploads_add_rows_without_duplicates(regions_db, query) -> None:
    rows = [["江城市", "违规吃喝", "2026-09", "80%", 100], ["江城市", "违规吃喝", "2026-10", "57.7%", 120]]
    ingest(regions_db, xlsx(Sheet("群众评议", SATISFACTION_HEADER, rows)), "评议9-10月.xlsx")
    more = [["江城市", "违规吃喝", "2026-10", 0.577, "120"], ["江城市", "营商环境", "2026-10", "90%", 50]]
    outcome = ingest(regions_db, xlsx(Sheet("群众评议", SATISFACTION_HEADER, more)), "评议10月.xlsx")
    assert outcome.uploads[0].rows == 1
    assert query("SELECT upload_id, month, satisfaction FROM satisfaction ORDER BY upload_id, excel_row") == [
        (1, dt.date(2026, 9, 1), pytest.approx(0.8)),
        (1, OCT, 0.577),
        (2, OCT, pytest.approx(0.9)),
    ]


def test_validate_previews_then_store_validated_stores_once(regions_db, dump_database) -> None:
    """The upload page's flow: validate (nothing stored), show the result, then store; a double click stores once."""
    before = dump_database(regions_db)
    workbook = service.validate(regions_db, V1, "江城市2026年10月台账.xlsx")
    assert workbook.valid and [(s.kind, len(s.frame)) for s in workbook.sheets] == [("ledger", 2)]
    assert dump_database(regions_db) == before
    first = service.store_validated(regions_db, workbook, ZHANG)
    assert first.status == service.STORED
    stored = dump_database(regions_db)
    assert [row[5:7] for row in stored["files"]] == [("张三（zhang.san）", "江城市")]
    again = service.store_validated(regions_db, workbook, ZHANG)
    assert again.status == service.DUPLICATE
    assert dump_database(regions_db) == stored


def test_a_session_reuses_one_connection_and_still_commits_each_workbook(tmp_path: Path) -> None:
    """Inside `session`, every ingest shares the connection, and each file is its own transaction."""
    import duckdb

    from rectlens.storage.database import connect, session

    db = tmp_path / "session.duckdb"
    with session(db) as held:
        with connect(db) as inner:
            assert inner is held
        first = service.ingest_bytes(db, xlsx(ledger_sheet([ledger_row("SS-001")])), "江城市2026年10月台账.xlsx", actor=OPERATOR)
        bad_sheet = ledger_sheet([ledger_row("SS-002", status="已完城")], month="2026年11月")
        bad = service.ingest_bytes(db, xlsx(bad_sheet), "江城市2026年11月台账.xlsx", actor=OPERATOR)
        assert (first.status, bad.status) == ("stored", "invalid")
    # the held connection is closed: another process-level connection sees the stored rows
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT item_id FROM ledger_items").fetchall() == [("SS-001",)]
