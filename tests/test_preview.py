"""The upload page's library: checking, the preview against the previous month, submitting,
restoring and withdrawing, and two sessions submitting at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from actors import INSPECTOR_ACTOR, OFFICE_ACTOR, OPERATOR, UPLOADER_ACTOR
from audit_trail import audit_rows, last_seq
from workbooks import Sheet, check_row, checks_sheet, ledger_row, ledger_sheet, summary_sheet, xlsx

from rectlens import preview, submissions, uploading
from rectlens.access.roles import UPLOADER, Actor
from rectlens.ingest import service
from rectlens.storage.database import connect

SEPTEMBER = [ledger_row("JC-001", status="推进中"), ledger_row("JC-002", status="推进中"), ledger_row("JC-003", status="未启动")]
OCTOBER = [
    ledger_row("JC-001"),
    ledger_row("JC-002", evidence=None),
    ledger_row("JC-004", status="推进中", project="营商环境"),
]
OCTOBER_NAME = "江城市2026年10月台账.xlsx"
# Two 填报人员 of 江城市: the upload history names the account that stored each version.
LI = Actor("li.si", "李四", (UPLOADER,), ("江城市",))
ZHANG = Actor("zhang.san", "张三", (UPLOADER,), ("江城市",))


def september_file(rows: list[list[object]] = SEPTEMBER) -> bytes:
    return xlsx(ledger_sheet(rows, month="2026年9月"))


SEPTEMBER_FILE = september_file()  # built once: openpyxl stamps each file with the time it was written


def october_file(rows: list[list[object]] = OCTOBER, *sheets: Sheet) -> bytes:
    return xlsx(ledger_sheet(rows), *sheets)


@pytest.fixture
def september_db(regions_db: Path) -> Path:
    """江城市's September ledger is stored (upload #1)."""
    assert service.ingest_bytes(regions_db, SEPTEMBER_FILE, "江城市2026年9月台账.xlsx", actor=LI).status == service.STORED
    return regions_db


def ledger_preview(db: Path, data: bytes, name: str = OCTOBER_NAME) -> preview.LedgerPreview:
    check = uploading.check_file(db, data, name)
    assert check.status == uploading.READY, [p.text() for p in check.problems]
    assert check.preview is not None
    (ledger,) = check.preview.ledgers
    return ledger


# --- the preview ----------------------------------------------------------------------


def test_changes_against_the_previous_month(september_db: Path) -> None:
    ledger = ledger_preview(september_db, october_file())
    assert (ledger.region, ledger.month, ledger.rows) == ("江城市", dt.date(2026, 10, 1), 3)
    assert ledger.previous is not None and ledger.previous.upload_id == 1 and ledger.previous.uploader == "李四（li.si）"
    assert ledger.replaces is None
    assert ledger.items(preview.NEW) == ["JC-004"]
    assert ledger.items(preview.COMPLETED) == ["JC-001", "JC-002"]
    assert ledger.items(preview.DISAPPEARED) == ["JC-003"]
    assert ledger.items(preview.NO_EVIDENCE) == ["JC-002"]
    assert ledger.shrinks
    projects = ledger.projects.set_index("project")
    assert projects.loc["整治违规吃喝隐形变异问题", ["total", "completed", "done_without_evidence", "previous_total"]].tolist() == [
        2,
        2,
        1,
        3,
    ]
    assert projects.loc["整治影响营商环境优化提升的作风顽疾", ["total", "ongoing"]].tolist() == [1, 1]
    assert projects.index.tolist() == ["整治违规吃喝隐形变异问题", "整治影响营商环境优化提升的作风顽疾"]  # the domain's order
    vanished = ledger.changes[ledger.changes["change"] == preview.DISAPPEARED].iloc[0]
    assert (vanished["status_before"], vanished["project"]) == ("未启动", "整治违规吃喝隐形变异问题")
    new = ledger.changes[ledger.changes["change"] == preview.NEW].iloc[0]
    assert (new["sheet"], new["excel_row"]) == ("问题台账", 6)


def test_a_shrinking_list_is_the_first_and_strongest_note(september_db: Path) -> None:
    notes = ledger_preview(september_db, october_file()).notes()
    assert notes[0].level == "error"
    assert notes[0].text.startswith("清单缩水：2026年9月台账中的 1 个问题不在本次清单中（JC-003）")
    evidence = next(note for note in notes if "佐证" in note.text)
    assert evidence.level == "info"  # 1 of 2: below the NO_EVIDENCE warning's minimum of 3 items
    assert "已完成的 2 个问题中有 1 个（50%）" in evidence.text


def test_evidence_missing_as_often_as_the_warning_needs_is_a_warning(september_db: Path) -> None:
    rows = [ledger_row(f"JC-{n:03d}", evidence=None) for n in range(1, 4)] + [ledger_row(f"JC-{n:03d}") for n in range(4, 11)]
    notes = ledger_preview(september_db, october_file(rows)).notes()
    evidence = next(note for note in notes if "佐证" in note.text)
    assert evidence.level == "warning"
    assert "达到“佐证缺失”预警条件" in evidence.text


def test_without_a_previous_month_only_the_evidence_is_listed(regions_db: Path) -> None:
    ledger = ledger_preview(regions_db, october_file())
    assert ledger.previous is None
    assert set(ledger.changes["change"]) == {preview.NO_EVIDENCE}
    assert ledger.projects["previous_total"].isna().all()
    assert any(note.text == "2026年9月没有本单位生效的问题台账，无法比较新增、完成和消失的问题" for note in ledger.notes())


def test_only_the_active_previous_version_counts(september_db: Path) -> None:
    corrected = [*SEPTEMBER, ledger_row("JC-009", status="推进中")]
    assert (
        service.ingest_bytes(september_db, september_file(corrected), "江城市2026年9月台账（更正）.xlsx", actor=OPERATOR).status
        == service.STORED
    )
    ledger = ledger_preview(september_db, october_file())
    assert ledger.previous is not None and ledger.previous.upload_id == 2
    assert ledger.items(preview.DISAPPEARED) == ["JC-003", "JC-009"]
    assert uploading.restore(september_db, 1, OFFICE_ACTOR)[0]
    assert ledger_preview(september_db, october_file()).items(preview.DISAPPEARED) == ["JC-003"]


def test_a_corrected_month_names_the_version_it_replaces(september_db: Path) -> None:
    assert service.ingest_bytes(september_db, october_file(), OCTOBER_NAME, actor=ZHANG).status == service.STORED
    ledger = ledger_preview(september_db, october_file([*OCTOBER, ledger_row("JC-005", status="推进中")]))
    assert ledger.replaces is not None and ledger.replaces.upload_id == 2
    assert ledger.items(preview.NEW) == ["JC-004", "JC-005"]  # still compared with September
    note = ledger.notes()[-1]
    assert note.level == "info" and note.text.startswith("将替换当前生效的上传 #2「江城市2026年10月台账.xlsx」")
    assert "张三（zhang.san），3 行" in note.text


def test_a_summary_that_disagrees_with_its_ledger_is_flagged(september_db: Path) -> None:
    summary = summary_sheet([["江城市", "违规吃喝", 3, 2, "66.7%"], ["江城市", "营商环境", 1, 0, None]])
    check = uploading.check_file(september_db, october_file(OCTOBER, summary), OCTOBER_NAME)
    assert check.preview is not None
    (shown,) = check.preview.summaries
    assert shown.rows["rate"].round(3).tolist() == [0.667, 0.0]  # a missing rate is computed from the counts
    assert shown.mismatches == ["违规吃喝 问题总数 3（台账 2）"]
    assert shown.notes()[0].level == "warning"


def test_spot_checks_are_counted_by_result(september_db: Path) -> None:
    rows = [check_row("JC-001"), check_row("JC-002", result="虚假整改"), check_row("JC-003", result="整改到位", date=dt.date(2026, 10, 26))]
    check = uploading.check_file(september_db, xlsx(checks_sheet(rows)), "核查结果.xlsx")
    assert check.preview is not None
    (added,) = check.preview.added
    assert added.rows == 3
    assert added.breakdown.values.tolist() == [["整改到位", 2], ["虚假整改", 1]]
    assert check.preview.notes() == []


def test_checking_and_previewing_store_nothing(september_db: Path, dump_database) -> None:
    before = dump_database(september_db)
    for data in (october_file(), october_file([ledger_row("JC-001", status="搞定了")]), september_file()):
        uploading.check_file(september_db, data, OCTOBER_NAME)
    assert dump_database(september_db) == before


# --- checking files ------------------------------------------------------------------


def test_a_file_already_stored_is_a_duplicate_before_any_validation(september_db: Path) -> None:
    check = uploading.check_file(september_db, SEPTEMBER_FILE, "另一个名字.xlsx")
    assert check.status == uploading.DUPLICATE
    assert check.workbook is None
    assert check.message == "「另一个名字.xlsx」与已上传的文件完全相同，无需再次提交"
    assert check.notices == ["同样内容的文件「江城市2026年9月台账.xlsx」此前已上传"]


def test_an_invalid_file_lists_every_problem_in_sheet_and_row_order(september_db: Path) -> None:
    rows = [ledger_row("JC-001", status="搞定了"), ledger_row("JC-002", found="2026-13-45", project="吃饭")]
    check = uploading.check_file(september_db, october_file(rows), OCTOBER_NAME)
    assert check.status == uploading.INVALID and not check.needs_month
    assert check.message.startswith(f"「{OCTOBER_NAME}」有 3 处错误，未保存任何数据")
    table = check.error_table()
    assert table.columns.tolist() == ["文件", "工作表", "行", "列", "值", "问题与改法"]
    assert table[["行", "列", "值"]].values.tolist() == [
        [4, "整改状态（L 列）", "搞定了"],
        [5, "整治项目（E 列）", "吃饭"],
        [5, "发现日期（J 列）", "2026-13-45"],
    ]
    assert check.annotated_name == "江城市2026年10月台账_错误标注.xlsx"
    assert check.annotated()[:2] == b"PK"


def test_a_file_without_a_month_asks_for_one_and_passes_with_it(september_db: Path) -> None:
    data = xlsx(ledger_sheet(OCTOBER, titles=[]))  # no title row, no month column, no month in the file name
    check = uploading.check_file(september_db, data, "台账.xlsx")
    assert check.status == uploading.INVALID and check.needs_month
    chosen = uploading.check_file(september_db, data, "台账.xlsx", dt.date(2026, 10, 1))
    assert chosen.status == uploading.READY and chosen.month == dt.date(2026, 10, 1)
    assert chosen.preview is not None and chosen.preview.ledgers[0].items(preview.DISAPPEARED) == ["JC-003"]


def test_month_choices_run_back_from_this_month() -> None:
    months = uploading.month_choices(dt.date(2026, 1, 20), count=3)
    assert months == [dt.date(2026, 1, 1), dt.date(2025, 12, 1), dt.date(2025, 11, 1)]
    assert uploading.default_month(dt.date(2026, 1, 20)) == dt.date(2025, 12, 1)


def test_unit_choices_are_the_region_master(regions_db: Path) -> None:
    assert uploading.unit_choices(regions_db) == ["江城市", "山阳市", "白河"]


# --- submitting ----------------------------------------------------------------------------


def test_submit_stores_the_checked_file_with_its_uploader(september_db: Path) -> None:
    check = uploading.check_file(september_db, october_file(), OCTOBER_NAME)
    assert uploading.refusal(check, ZHANG) is None
    start = last_seq(september_db)
    outcome = uploading.submit(september_db, check, ZHANG)
    assert outcome.status == service.STORED
    latest = submissions.history(september_db).iloc[0]
    assert (latest["uploader"], latest["uploader_unit"], latest["state"]) == ("张三（zhang.san）", "江城市", "active")
    # the same check submitted again (a double click, a second tab) stores nothing more
    assert uploading.submit(september_db, check, ZHANG).status == service.DUPLICATE
    assert len(submissions.history(september_db)) == 2
    # both attempts are in the audit log under the account
    assert [(r["account"], r["roles"], r["action"], r["outcome"]) for r in audit_rows(september_db, start)] == [
        ("zhang.san", "uploader", "upload", "ok"),
        ("zhang.san", "uploader", "upload", "duplicate"),
    ]


def test_a_checked_file_the_account_may_not_store_is_refused_and_stores_nothing(september_db: Path, dump_database) -> None:
    shanyang = uploading.check_file(
        september_db,
        xlsx(ledger_sheet([ledger_row("SY-001", region="山阳市", county="山阳区")], unit="山阳市")),
        "山阳市2026年10月台账.xlsx",
    )
    checks = uploading.check_file(september_db, xlsx(checks_sheet([check_row("JC-001")])), "核查.xlsx")
    assert shanyang.status == checks.status == uploading.READY
    # asked before the button is offered ...
    foreign = uploading.refusal(shanyang, UPLOADER_ACTOR)
    assert foreign is not None and "山阳市" in foreign and "只能上传本单位（江城市）" in foreign
    own_checks = uploading.refusal(checks, UPLOADER_ACTOR)
    assert own_checks is not None and "无权上传核查结果" in own_checks
    assert uploading.refusal(checks, INSPECTOR_ACTOR) is None
    # ... and asked again by the library when submitted anyway
    before = dump_database(september_db)
    for check, reason in ((shanyang, foreign), (checks, own_checks)):
        start = last_seq(september_db)
        outcome = uploading.submit(september_db, check, UPLOADER_ACTOR)
        assert (outcome.status, outcome.refusal, outcome.uploads) == (service.REFUSED, reason, [])
        assert outcome.message == f"「{check.file_name}」未保存：{reason}"
        assert dump_database(september_db) == before
        (record,) = audit_rows(september_db, start)
        assert (record["account"], record["action"], record["outcome"], record["detail"]) == ("jc.uploader", "upload", "refused", reason)


def test_an_invalid_or_duplicate_check_is_never_submitted(september_db: Path) -> None:
    for check in (
        uploading.check_file(september_db, october_file([ledger_row("JC-001", status="搞定了")]), OCTOBER_NAME),
        uploading.check_file(september_db, SEPTEMBER_FILE, "x.xlsx"),
    ):
        with pytest.raises(ValueError):
            uploading.submit(september_db, check, ZHANG)


# --- history: restore and withdraw --------------------------------------------------------


@pytest.fixture
def corrected_db(september_db: Path) -> Path:
    """September stored twice: #1 superseded by the corrected #2."""
    corrected = september_file([*SEPTEMBER, ledger_row("JC-009", status="推进中")])
    assert service.ingest_bytes(september_db, corrected, "江城市2026年9月台账（更正）.xlsx", actor=OPERATOR).status == service.STORED
    return september_db


def test_history_filters_by_unit_month_kind_and_state(corrected_db: Path) -> None:
    assert (
        service.ingest_bytes(corrected_db, xlsx(checks_sheet([check_row("JC-001")])), "核查.xlsx", actor=OPERATOR).status == service.STORED
    )
    table = submissions.history(corrected_db)
    assert len(uploading.filter_history(table)) == 3
    assert uploading.filter_history(table, units=["江城市"], months=["2026-09"])["upload_id"].tolist() == [2, 1]
    assert uploading.filter_history(table, kinds=["核查结果"])["upload_id"].tolist() == [3]
    assert uploading.filter_history(table, states=["已被替换"])["upload_id"].tolist() == [1]
    assert uploading.filter_history(table, units=["山阳市"]).empty


def test_restore_asks_with_a_plan_and_records_who(corrected_db: Path) -> None:
    table = submissions.history(corrected_db)
    first = table[table["upload_id"] == 1].iloc[0]
    assert uploading.can_restore(first) and not uploading.can_withdraw(first)
    plan = uploading.restore_plan(table, 1)
    assert plan.startswith("将把上传 #1 江城市 2026年9月 问题台账「江城市2026年9月台账.xlsx」（已被替换） 恢复为生效版本。")
    assert "当前生效的上传 #2" in plan and "将改为“已被替换”" in plan
    # a 填报人员 may not restore: the page says why, nothing changes
    done, message = uploading.restore(corrected_db, 1, ZHANG)
    assert not done and "无权恢复上传" in message and "张三（zhang.san）" in message
    assert submissions.history(corrected_db).set_index("upload_id").loc[1, "state"] == "superseded"
    done, message = uploading.restore(corrected_db, 1, OFFICE_ACTOR)
    assert done and message == "已恢复上传 #1，上传 #2 改为“已被替换”"
    events = uploading.events_of(corrected_db, 1)
    assert events.iloc[0][["操作", "操作人", "说明"]].tolist() == ["恢复为生效版本", "王专班（office.wang）", "替换了上传 #2"]
    assert uploading.events_of(corrected_db, 2).iloc[0][["操作", "操作人"]].tolist() == ["被新版本替换", "王专班（office.wang）"]
    assert uploading.restore(corrected_db, 1, OFFICE_ACTOR) == (False, "上传 #1 已是生效版本，无需恢复")


def test_withdraw_and_restore_a_spot_check_upload(corrected_db: Path) -> None:
    assert (
        service.ingest_bytes(corrected_db, xlsx(checks_sheet([check_row("JC-001")])), "核查.xlsx", actor=OPERATOR).status == service.STORED
    )
    table = submissions.history(corrected_db)
    assert "其数据保留但不再参与统计" in uploading.withdraw_plan(table, 3)
    assert "没有生效的问题台账" in uploading.withdraw_plan(table, 2)  # a ledger: the unit would look unsubmitted
    # the 督导组 uploads checks but withdrawing is the 专班's
    done, message = uploading.withdraw(corrected_db, 3, INSPECTOR_ACTOR)
    assert not done and "无权撤回上传" in message
    assert uploading.withdraw(corrected_db, 3, OFFICE_ACTOR) == (True, "已撤回上传 #3")
    assert uploading.withdraw(corrected_db, 3, OFFICE_ACTOR) == (False, "上传 #3 已经撤回")
    assert uploading.restore(corrected_db, 3, OFFICE_ACTOR) == (True, "已恢复上传 #3")
    assert uploading.events_of(corrected_db, 3)["操作"].tolist() == ["恢复为生效版本", "撤回", "上传保存"]
    assert uploading.restore(corrected_db, 99, OFFICE_ACTOR) == (False, "没有编号为 99 的上传记录；请用 history 查看上传编号")


# --- two sessions at the same moment ---------------------------------------------------------


def uploader(index: int) -> Actor:
    """上传人0, 上传人1, ...: 填报人员 who may upload for both units of these tests."""
    return Actor(f"uploader{index}", f"上传人{index}", (UPLOADER,), ("江城市", "山阳市"))


def submit_together(db: Path, checks: list[uploading.FileCheck]) -> list[service.IngestOutcome]:
    """Each check submitted by its own thread, all released at once (two people clicking 确认提交)."""
    barrier = threading.Barrier(len(checks))
    results: list[object] = [None] * len(checks)

    def work(index: int) -> None:
        barrier.wait()
        try:
            results[index] = uploading.submit(db, checks[index], uploader(index))
        except BaseException as exc:  # reported below, not lost in the thread
            results[index] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(checks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, service.IngestOutcome) for result in results), results
    return results  # type: ignore[return-value]


def test_two_people_submitting_at_once_are_both_stored_exactly_once(september_db: Path) -> None:
    jiangcheng = uploading.check_file(september_db, october_file(), OCTOBER_NAME)
    shanyang = uploading.check_file(
        september_db,
        xlsx(ledger_sheet([ledger_row("SY-001", region="山阳市", county="山阳区")], unit="山阳市")),
        "山阳市2026年10月台账.xlsx",
    )
    outcomes = submit_together(september_db, [jiangcheng, shanyang])
    assert [o.status for o in outcomes] == [service.STORED, service.STORED]
    with connect(september_db) as con:
        rows = con.execute("SELECT region, month, count(*) FROM ledger_items GROUP BY ALL ORDER BY region, month").fetchall()
        files = con.execute("SELECT file_name, uploader FROM files ORDER BY file_id").fetchall()
    assert rows == [("山阳市", dt.date(2026, 10, 1), 1), ("江城市", dt.date(2026, 9, 1), 3), ("江城市", dt.date(2026, 10, 1), 3)]
    assert sorted(files[1:]) == sorted([(OCTOBER_NAME, "上传人0（uploader0）"), ("山阳市2026年10月台账.xlsx", "上传人1（uploader1）")])


def test_the_same_file_submitted_twice_at_once_is_stored_once(september_db: Path) -> None:
    data = october_file()
    checks = [uploading.check_file(september_db, data, OCTOBER_NAME) for _ in range(2)]
    outcomes = submit_together(september_db, checks)
    assert sorted(o.status for o in outcomes) == [service.DUPLICATE, service.STORED]
    with connect(september_db) as con:
        assert con.execute("SELECT count(*) FROM files").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM ledger_items WHERE month = DATE '2026-10-01'").fetchall() == [(3,)]


def test_nobody_sees_a_half_stored_upload(september_db: Path) -> None:
    """While two big ledgers are stored, a reader always finds every upload complete or absent."""
    jiangcheng = [ledger_row(f"JC-{n:04d}") for n in range(3000)]
    shanyang = [ledger_row(f"SY-{n:04d}", region="山阳市", county="山阳区") for n in range(3000)]
    checks = [
        uploading.check_file(september_db, xlsx(ledger_sheet(jiangcheng)), OCTOBER_NAME),
        uploading.check_file(september_db, xlsx(ledger_sheet(shanyang, unit="山阳市")), "山阳市2026年10月台账.xlsx"),
    ]
    seen: list[tuple[int, int, int]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            with connect(september_db) as con:
                seen.extend(
                    con.execute(
                        "SELECT u.upload_id, u.row_count, count(l.item_id) FROM uploads AS u "
                        "LEFT JOIN ledger_items AS l USING (upload_id) GROUP BY ALL"
                    ).fetchall()
                )

    reader = threading.Thread(target=read)
    reader.start()
    try:
        outcomes = submit_together(september_db, checks)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert [o.status for o in outcomes] == [service.STORED, service.STORED]
    assert len(seen) > 3  # the reader ran while the writers did
    assert all(stated == found for _upload, stated, found in seen), [row for row in seen if row[1] != row[2]][:3]
    with connect(september_db) as con:
        assert con.execute("SELECT count(*) FROM ledger_items WHERE month = DATE '2026-10-01'").fetchall() == [(6000,)]
