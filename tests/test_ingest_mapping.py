"""Column mappings: a unit's own layout is mapped once, then read like the template, month after month."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from actors import LEADER_ACTOR, OFFICE_ACTOR, OPERATOR, UPLOADER_ACTOR
from audit_trail import audit_rows, last_seq
from conftest import table
from unit_formats import FORMATS, JIANGCHENG, SHANYANG, Format, Problem, november, october, template_twin

from rectlens.access import audit
from rectlens.access.permissions import PermissionDenied
from rectlens.access.roles import Actor
from rectlens.domain import STATUS_SYNONYMS
from rectlens.ingest import service
from rectlens.ingest.mapping import MappingError, MappingRequest
from rectlens.storage import mappings

LEDGER_VALUES = (
    "region, month, item_id, county, responsible_unit, project, source, description, root_cause, measures, "
    "found_date, deadline, status, completed_date, evidence"
)
SUMMARY_VALUES = "region, month, project, total, completed, stated_rate"


def stored_values(db: Path, kind: str) -> list[tuple[Any, ...]]:
    if kind == "ledger":
        return table(db, f"SELECT {LEDGER_VALUES} FROM ledger_items ORDER BY month, item_id")
    return table(db, f"SELECT {SUMMARY_VALUES} FROM summary_rows ORDER BY month, project")


def file_name(fmt: Format, month: str) -> str:
    return f"{fmt.unit}{month}{'台账' if fmt.kind == 'ledger' else '汇总'}.xlsx"


def answer(request: MappingRequest, fmt: Format) -> dict[str, int]:
    by_label = {column.label: column.index for column in request.columns}
    return {field: by_label[label] for field, label in fmt.fields.items()}


def uploader_of(fmt: Format) -> Actor:
    return Actor(f"{fmt.unit}.uploader", f"{fmt.unit}填报员", ("uploader",), (fmt.unit,))


def map_once(db: Path, fmt: Format, data: bytes, name: str) -> tuple[MappingRequest, mappings.ColumnMapping]:
    actor = uploader_of(fmt)
    workbook = service.validate(db, data, name, units=actor.units)
    assert not workbook.valid and len(workbook.requests) == 1, [p.text() for p in workbook.problems]
    request = workbook.requests[0]
    mapping = mappings.create(db, actor, request, fmt.unit, fmt.name, answer(request, fmt), fmt.constants, fmt.statuses)
    return request, mapping


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_a_unit_format_is_mapped_once_then_read_like_the_template(regions_db: Path, tmp_path: Path, fmt: Format) -> None:
    actor = uploader_of(fmt)
    oct_bytes, nov_bytes = fmt.write(october(fmt), "2026年10月"), fmt.write(november(fmt), "2026年11月")
    # the first upload: refused with the template's missing-column errors, and a mapping step
    first = service.ingest_bytes(regions_db, oct_bytes, file_name(fmt, "10月"), actor)
    assert first.status == service.INVALID
    assert any("表头中缺少必填列" in p.expected for p in first.problems)
    assert service.MAPPING_HINT in first.notices
    request, mapping = map_once(regions_db, fmt, oct_bytes, file_name(fmt, "10月"))
    # the suggestion pre-fills every column the unit picks (by name and by values)
    assert {f: request.column(i).label for f, i in request.suggested.items() if f in fmt.fields} == fmt.fields
    # a status word outside the synonyms is asked about, never guessed
    status_index = request.suggested.get("status")
    asked = set(request.unknown_statuses(status_index))
    written = {p.status for p in october(fmt)} if fmt.kind == "ledger" else set()
    assert asked == {word for word in written if word not in STATUS_SYNONYMS}
    assert asked <= set(fmt.statuses)
    # the first file now goes in, read with the mapping
    oct_outcome = service.ingest_bytes(regions_db, oct_bytes, file_name(fmt, "10月"), actor)
    assert oct_outcome.status == service.STORED, [p.text() for p in oct_outcome.problems]
    # the next month's file with the same header goes in without asking, with a notice naming the mapping
    nov_outcome = service.ingest_bytes(regions_db, nov_bytes, file_name(fmt, "11月"), actor)
    assert nov_outcome.status == service.STORED, [p.text() for p in nov_outcome.problems]
    assert any(f"列对应「{fmt.name}」" in notice and f"#{mapping.mapping_id}" in notice for notice in nov_outcome.notices)
    # the stored values equal those of the same data typed into the template
    twin_db = tmp_path / "template.duckdb"
    shutil.copyfile(regions_db, twin_db)
    _drop_uploads(twin_db)  # the same region master, nothing stored yet
    for records, month in ((october(fmt), "2026年10月"), (november(fmt), "2026年11月")):
        twin = service.ingest_bytes(twin_db, template_twin(fmt, records, month), f"{fmt.unit}{month}模板.xlsx", OPERATOR)
        assert twin.status == service.STORED, [p.text() for p in twin.problems]
    assert stored_values(regions_db, fmt.kind) == stored_values(twin_db, fmt.kind)
    # every use of the mapping is in the audit log
    applied = table(regions_db, "SELECT target, detail FROM audit_log WHERE action = 'mapping_apply' ORDER BY seq")
    assert [detail for _target, detail in applied] == [
        f"文件「{file_name(fmt, '10月')}」工作表「{request.sheet}」",
        f"文件「{file_name(fmt, '11月')}」工作表「{request.sheet}」",
    ]
    assert audit.verify(regions_db).intact


def _drop_uploads(db: Path) -> None:
    import duckdb

    con = duckdb.connect(str(db))
    for name in ("ledger_items", "summary_rows", "summary_totals", "upload_events", "uploads", "files", "column_mappings"):
        con.execute(f"DELETE FROM {name}")
    con.close()


def test_the_command_line_applies_a_stored_mapping(regions_db: Path, tmp_path: Path, cli_main) -> None:  # type: ignore[no-untyped-def]
    fmt = SHANYANG
    data = fmt.write(october(fmt), "2026年10月")
    path = tmp_path / "山阳市10月台账.xlsx"
    path.write_bytes(data)
    refused = cli_main("ingest", path, "--db", regions_db)
    assert refused.code == 2 and "列对应" in refused.err
    map_once(regions_db, fmt, data, path.name)
    stored = cli_main("ingest", path, "--db", regions_db)
    assert stored.code == 0, stored.err
    assert f"列对应「{fmt.name}」" in stored.err
    assert "\r" not in stored.err  # no progress bar when not on a terminal


def test_a_mapping_cannot_make_a_bad_file_pass(regions_db: Path, tmp_path: Path) -> None:
    """The same errors (row, column, value) as the same data in the template."""
    fmt = JIANGCHENG
    good = october(fmt)
    bad = [
        good[0],
        Problem("02", "违规吃喝", "公务用车私用", "差不多完成", None, "2026-13-45", "市商务局"),  # unknown status, no such date
        Problem("", "营商环境", "审批慢", "推进中", None, "明年", "市住建局"),  # no 编号, a deadline that is no date
        Problem("04", "吃饭问题", "超标准接待", "已完成", None, "2026-11-30", "市委办"),  # no project, done without a date
        Problem("01", "微腐败", "重复的编号", "基本完成", dt_date(2026, 10, 9), None, "县民政局"),  # repeated 编号
    ]
    data = fmt.write(bad, "2026年10月")
    map_once(regions_db, fmt, fmt.write(good, "2026年10月"), "江城市10月台账.xlsx")
    mapped = service.ingest_bytes(regions_db, data, "江城市10月台账（改）.xlsx", uploader_of(fmt))
    assert mapped.status == service.INVALID
    twin_db = tmp_path / "template.duckdb"
    shutil.copyfile(regions_db, twin_db)
    twin = service.ingest_bytes(twin_db, template_twin(fmt, bad, "2026年10月"), "江城市10月台账（模板）.xlsx", OPERATOR)
    assert twin.status == service.INVALID

    def located(problems: list[Any]) -> list[tuple[Any, ...]]:
        return sorted((p.row, p.column, p.value, p.expected) for p in problems)

    assert located(mapped.problems) == located(twin.problems)
    assert len(mapped.problems) >= 5
    assert table(regions_db, "SELECT count(*) FROM ledger_items") == [(0,)]


def dt_date(year: int, month: int, day: int) -> Any:
    import datetime as dt

    return dt.date(year, month, day)


# --- who may create, view, edit and delete mappings -----------------------------------------------------------


def _request(db: Path, fmt: Format = JIANGCHENG) -> MappingRequest:
    workbook = service.validate(db, fmt.write(october(fmt), "2026年10月"), "江城市10月台账.xlsx", units=("江城市",))
    return workbook.requests[0]


def test_a_unit_maps_only_its_own_layout_and_every_step_is_audited(regions_db: Path, dump_database) -> None:  # type: ignore[no-untyped-def]
    request = _request(regions_db)
    before, start = dump_database(regions_db), last_seq(regions_db)
    with pytest.raises(PermissionDenied, match="只能上传本单位"):
        mappings.create(regions_db, UPLOADER_ACTOR, request, "山阳市", "别人的格式", answer(request, JIANGCHENG), {"region": "山阳市"}, {})
    with pytest.raises(PermissionDenied):
        mappings.create(regions_db, LEADER_ACTOR, request, "江城市", "领导", answer(request, JIANGCHENG), JIANGCHENG.constants, {})
    assert dump_database(regions_db)["column_mappings"] == before["column_mappings"] == []
    assert [r["outcome"] for r in audit_rows(regions_db, start)] == [audit.REFUSED, audit.REFUSED]
    # a status word left unanswered is refused, nothing stored
    with pytest.raises(MappingError, match="基本完成"):
        mappings.create(regions_db, UPLOADER_ACTOR, request, "江城市", "", answer(request, JIANGCHENG), JIANGCHENG.constants, {})
    # a required field left out is refused
    without_project = {f: i for f, i in answer(request, JIANGCHENG).items() if f != "project"}
    with pytest.raises(MappingError, match="整治项目"):
        mappings.create(regions_db, UPLOADER_ACTOR, request, "江城市", "", without_project, JIANGCHENG.constants, JIANGCHENG.statuses)
    assert mappings.list_mappings(regions_db) == ()
    fields = answer(request, JIANGCHENG)
    constants, words = JIANGCHENG.constants, JIANGCHENG.statuses
    created = mappings.create(regions_db, UPLOADER_ACTOR, request, "江城市", "江城市原有台账", fields, constants, words)
    # only the office edits and deletes
    for actor in (UPLOADER_ACTOR, LEADER_ACTOR):
        with pytest.raises(PermissionDenied):
            mappings.delete(regions_db, actor, created.mapping_id)
        with pytest.raises(PermissionDenied):
            mappings.update(regions_db, actor, created.mapping_id, "改名", created.fields, created.constants, created.statuses)
    statuses = {**created.statuses, "基本完成": "推进中"}
    name = "江城市台账（专班核定）"
    edited = mappings.update(regions_db, OFFICE_ACTOR, created.mapping_id, name, created.fields, created.constants, statuses)
    assert mappings.list_mappings(regions_db)[0].statuses["基本完成"] == "推进中" and edited.name == "江城市台账（专班核定）"
    mappings.delete(regions_db, OFFICE_ACTOR, created.mapping_id)
    assert mappings.list_mappings(regions_db) == ()
    actions = [(r["action"], r["outcome"], r["account"]) for r in audit_rows(regions_db, start)]
    assert ("mapping_create", audit.OK, UPLOADER_ACTOR.login) in actions
    assert ("mapping_edit", audit.OK, OFFICE_ACTOR.login) in actions
    assert ("mapping_delete", audit.OK, OFFICE_ACTOR.login) in actions
    assert [a for a in actions if a[1] == audit.REFUSED and a[0] in ("mapping_edit", "mapping_delete")] != []
    assert audit.verify(regions_db).intact


def test_a_mapping_of_one_unit_is_not_used_for_another_units_file(regions_db: Path) -> None:
    fmt = SHANYANG
    map_once(regions_db, fmt, fmt.write(october(fmt), "2026年10月"), "山阳市10月台账.xlsx")
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(fmt.write(october(fmt), "2026年10月")))
    for row in book.active.iter_rows(min_row=4):
        row[1].value = "江城市"
    out = io.BytesIO()
    book.save(out)
    outcome = service.ingest_bytes(regions_db, out.getvalue(), "江城市10月台账.xlsx", OPERATOR)
    assert outcome.status == service.INVALID
    assert any("未套用" in notice for notice in outcome.notices)
