"""The permission matrix of the SPEC ("Accounts, roles and audit"), enforced by the library for every write.

Every role (and the command line's operator) tries every write through the
library call that the pages and the command line use, on real workbooks.
Allowed: the change is made and audited under the account. Refused: the
database is unchanged and exactly one new audit record, outcome 'refused',
names the account and says why in Chinese.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import unit_formats
from actors import ADMIN_ACTOR, AUDITOR_ACTOR, INSPECTOR_ACTOR, LEADER_ACTOR, OFFICE_ACTOR, OPERATOR, UPLOADER_ACTOR
from audit_trail import audit_rows, last_seq
from workbooks import (
    REGIONS,
    SATISFACTION_HEADER,
    Sheet,
    check_row,
    checks_sheet,
    ledger_row,
    ledger_sheet,
    regions_xlsx,
    summary_sheet,
    xlsx,
)

from rectlens import config, planner
from rectlens.access import accounts, audit, reviews
from rectlens.access.permissions import PermissionDenied, allowed, require
from rectlens.access.roles import (
    ACTIONS,
    ADMIN,
    AUDITOR,
    EXPORT,
    INSPECTOR,
    LEADER,
    LOAD_REGIONS,
    MANAGE_ACCOUNTS,
    MANAGE_MAPPINGS,
    OFFICE,
    PLAN,
    READ_AUDIT,
    RESTORE,
    REVIEW,
    UPLOAD_CHECKS,
    UPLOAD_REPORTS,
    UPLOADER,
    VIEW,
    WITHDRAW,
    Actor,
)
from rectlens.access.roles import OPERATOR as OPERATOR_ROLE  # the role; OPERATOR is the acting account
from rectlens.ingest import service
from rectlens.ingest.workbook import validate_workbook
from rectlens.storage import mappings, uploads

ACTORS: dict[str, Actor] = {
    LEADER: LEADER_ACTOR,
    UPLOADER: UPLOADER_ACTOR,  # bound to 江城市
    INSPECTOR: INSPECTOR_ACTOR,
    OFFICE: OFFICE_ACTOR,
    ADMIN: ADMIN_ACTOR,
    AUDITOR: AUDITOR_ACTOR,
    OPERATOR_ROLE: OPERATOR,
}

# The SPEC's table, written out independently of rectlens.access.roles.GRANTS.
SPEC_MAY: dict[str, set[str]] = {
    LEADER: {VIEW, EXPORT},
    UPLOADER: {VIEW, EXPORT, UPLOAD_REPORTS},
    INSPECTOR: {VIEW, EXPORT, UPLOAD_CHECKS, PLAN},
    OFFICE: {VIEW, EXPORT, UPLOAD_REPORTS, UPLOAD_CHECKS, PLAN, RESTORE, WITHDRAW, REVIEW, LOAD_REGIONS, MANAGE_MAPPINGS},
    ADMIN: {MANAGE_ACCOUNTS},
    AUDITOR: {READ_AUDIT},
    OPERATOR_ROLE: set(ACTIONS),  # the command line: a trusted local operator
}

# --- the database every attempt starts from -----------------------------------------------------

OCT_LEDGER_V1 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")]))
OCT_LEDGER_V2 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002"), ledger_row("JC-003", status="未启动")]))
OCT_CHECKS = xlsx(checks_sheet([check_row("JC-001")]))
TARGET, DISABLED = "target.li", "off.zhou"  # accounts the account operations act on


@pytest.fixture(scope="session")
def _world_template(_regions_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Uploads #1 (江城市 October ledger, superseded), #2 (its correction, active), #3 (核查结果);
    accounts: an administrator, the leader TARGET and the disabled DISABLED."""
    path = tmp_path_factory.mktemp("permissions") / "world.duckdb"
    shutil.copyfile(_regions_template, path)
    with pytest.MonkeyPatch.context() as patch:  # session fixtures run before the autouse settings fixture
        patch.setenv("RECTLENS_SETTINGS", str(path.parent / "no-settings.toml"))
        for data, name in (
            (OCT_LEDGER_V1, "江城市10月台账.xlsx"),
            (OCT_LEDGER_V2, "江城市10月台账（更正）.xlsx"),
            (OCT_CHECKS, "核查.xlsx"),
        ):
            assert service.ingest_bytes(path, data, name, OPERATOR).status == service.STORED
        accounts.create(path, OPERATOR, "admin.first", "第一管理员", [ADMIN])
        accounts.create(path, OPERATOR, TARGET, "李目标", [LEADER])
        accounts.create(path, OPERATOR, DISABLED, "周停用", [LEADER])
        accounts.set_disabled(path, OPERATOR, DISABLED, True)
        create_mapping("江城市")(path, OPERATOR)  # 列对应 #1
    assert uploads.history(path).sort_values("upload_id")["state"].tolist() == ["superseded", "active", "active"]
    return path


@pytest.fixture
def world(db: Path, _world_template: Path) -> Path:
    shutil.copyfile(_world_template, db)
    return db


# --- the write operations --------------------------------------------------------------------


def upload(data: bytes, name: str) -> Callable[[Path, Actor], None]:
    def run(db: Path, actor: Actor) -> None:
        outcome = service.ingest_bytes(db, data, name, actor)
        if outcome.status == service.REFUSED:
            raise PermissionDenied(outcome.refusal)
        assert outcome.status == service.STORED, outcome.message
        assert all(u.upload_id for u in outcome.uploads)

    return run


def register_round(db: Path, actor: Actor) -> None:
    """An LQAS plan of October stored as a round (JC-002 is the one candidate)."""
    import datetime as dt

    plan = planner.make_plan(db, dt.date(2026, 10, 1), planner.LQAS)
    assert list(plan.items["item_id"]) == ["JC-002"]
    assert planner.register_round(db, actor, plan) == (1, True)


def create_mapping(unit: str) -> Callable[[Path, Actor], None]:
    """The 江城市 layout of tests/unit_formats mapped for `unit`."""

    def run(db: Path, actor: Actor) -> None:
        fmt = unit_formats.JIANGCHENG
        data = fmt.write(unit_formats.october(fmt), "2026年10月")  # read without the stored mappings: always a request
        request = validate_workbook(data, "台账.xlsx", service.load_region_master(db), config.limits()).requests[0]
        by_label = {c.label: c.index for c in request.columns}
        fields = {f: by_label[label] for f, label in fmt.fields.items()}
        mappings.create(db, actor, request, unit, f"{unit}原有台账", fields, {"region": unit}, fmt.statuses)

    return run


def edit_mapping(db: Path, actor: Actor) -> None:
    old = mappings.list_mappings(db)[0]
    mappings.update(db, actor, old.mapping_id, "改过的名称", old.fields, old.constants, {**old.statuses, "基本完成": "推进中"})


def load_regions(db: Path, actor: Actor) -> None:
    """A region master with a fourth unit."""
    count, problems, _notices = service.replace_region_master(db, regions_xlsx([*REGIONS, ("东海市", "中片", None)]), "地区表.xlsx", actor)
    assert (count, problems) == (4, [])


@dataclass(frozen=True)
class Operation:
    name: str
    run: Callable[[Path, Actor], object]
    action: str  # the permission it needs
    event: str  # the audit log's name for it
    foreign_unit: bool = False  # an uploader's own unit does not cover it


NOV_LEDGER = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-004", status="推进中")], month="2026年11月"))
SHANYANG_LEDGER = xlsx(ledger_sheet([ledger_row("SY-001", region="山阳市", county="山阳区")], unit="山阳市"))
SUMMARY = xlsx(summary_sheet([["江城市", "违规吃喝", 3, 2, "66.7%"]]))
CHECKS = xlsx(checks_sheet([check_row("JC-002", result="虚假整改"), check_row("JC-003", date="2026-10-28")]))
SATISFACTION = xlsx(Sheet("群众评议", SATISFACTION_HEADER, [["江城市", "违规吃喝", "2026-10", "80%", 100]]))

OPERATIONS: tuple[Operation, ...] = (
    Operation("问题台账（本单位）", upload(NOV_LEDGER, "江城市2026年11月台账.xlsx"), UPLOAD_REPORTS, "upload"),
    Operation("问题台账（外单位）", upload(SHANYANG_LEDGER, "山阳市2026年10月台账.xlsx"), UPLOAD_REPORTS, "upload", foreign_unit=True),
    Operation("汇总", upload(SUMMARY, "江城市2026年10月汇总.xlsx"), UPLOAD_REPORTS, "upload"),
    Operation("核查结果", upload(CHECKS, "暗访核查.xlsx"), UPLOAD_CHECKS, "upload"),
    Operation("群众评议", upload(SATISFACTION, "群众评议.xlsx"), UPLOAD_CHECKS, "upload"),
    Operation("恢复", lambda db, actor: uploads.restore(db, 1, actor), RESTORE, "restore"),
    Operation("撤回", lambda db, actor: uploads.withdraw(db, 2, actor), WITHDRAW, "withdraw"),
    Operation("审核", lambda db, actor: reviews.review(db, actor, 2, reviews.RETURNED, "完成日期缺佐证"), REVIEW, "review"),
    Operation("载入地区表", load_regions, LOAD_REGIONS, "regions_load"),
    Operation("新建列对应（本单位）", create_mapping("江城市"), UPLOAD_REPORTS, "mapping_create"),
    Operation("新建列对应（外单位）", create_mapping("山阳市"), UPLOAD_REPORTS, "mapping_create", foreign_unit=True),
    Operation("修改列对应", edit_mapping, MANAGE_MAPPINGS, "mapping_edit"),
    Operation("删除列对应", lambda db, actor: mappings.delete(db, actor, 1), MANAGE_MAPPINGS, "mapping_delete"),
    Operation("登记抽查轮次", register_round, PLAN, "plan"),
    Operation(
        "新建账号", lambda db, actor: accounts.create(db, actor, "new.person", "新同事", [LEADER]), MANAGE_ACCOUNTS, "account_create"
    ),
    Operation("停用账号", lambda db, actor: accounts.set_disabled(db, actor, TARGET, True), MANAGE_ACCOUNTS, "account_disable"),
    Operation("启用账号", lambda db, actor: accounts.set_disabled(db, actor, DISABLED, False), MANAGE_ACCOUNTS, "account_enable"),
    Operation("重置密码", lambda db, actor: accounts.reset_password(db, actor, TARGET), MANAGE_ACCOUNTS, "account_reset_password"),
    Operation("修改角色", lambda db, actor: accounts.update(db, actor, TARGET, [LEADER, INSPECTOR]), MANAGE_ACCOUNTS, "account_set"),
)


def may(role: str, operation: Operation) -> bool:
    """What the SPEC's table says (an uploader's reach ends at its own unit)."""
    if role == UPLOADER and operation.foreign_unit:
        return False
    return operation.action in SPEC_MAY[role]


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.name for op in OPERATIONS])
@pytest.mark.parametrize("role", list(ACTORS))
def test_every_role_and_every_write(world: Path, dump_database, role: str, operation: Operation) -> None:
    actor = ACTORS[role]
    before = dump_database(world)
    start = last_seq(world)
    if may(role, operation):
        operation.run(world, actor)
        assert dump_database(world) != before, "an allowed operation changed nothing"
        trail = audit_rows(world, start)
        assert trail and {(r["account"], r["roles"], r["outcome"]) for r in trail} == {(actor.login, actor.role_text, audit.OK)}
        assert operation.event in [r["action"] for r in trail]
    else:
        with pytest.raises(PermissionDenied) as refused:
            operation.run(world, actor)
        message = str(refused.value)
        assert CJK.search(message) and actor.label in message, message
        assert dump_database(world) == before
        (record,) = audit_rows(world, start)
        assert (record["account"], record["roles"], record["action"], record["outcome"]) == (
            actor.login,
            actor.role_text,
            operation.event,
            audit.REFUSED,
        )
        assert record["detail"] == message
    assert audit.verify(world).intact


def test_the_matrix_covers_the_spec() -> None:
    # every role of the SPEC, and the command line
    assert set(ACTORS) == set(SPEC_MAY)
    # every write action is tried above (the reads are checked below)
    assert {op.action for op in OPERATIONS} == set(ACTIONS) - {VIEW, EXPORT, READ_AUDIT}


@pytest.mark.parametrize("role", list(ACTORS))
def test_allowed_is_the_spec_table(role: str) -> None:
    actor = ACTORS[role]
    granted = {action for action in ACTIONS if allowed(actor, action, actor.units)}
    assert granted == SPEC_MAY[role]


# --- a unit can never upload another unit's data, nor any 核查结果 -----------------------------------


def test_an_uploader_uploading_another_units_ledger_is_refused_and_told_which_unit(world: Path, dump_database) -> None:
    before = dump_database(world)
    start = last_seq(world)
    outcome = service.ingest_bytes(world, SHANYANG_LEDGER, "山阳市2026年10月台账.xlsx", UPLOADER_ACTOR)
    assert outcome.status == service.REFUSED and outcome.uploads == []
    assert "山阳市" in outcome.refusal and "只能上传本单位（江城市）" in outcome.refusal
    assert outcome.message == f"「山阳市2026年10月台账.xlsx」未保存：{outcome.refusal}"
    assert dump_database(world) == before
    (record,) = audit_rows(world, start)
    assert (record["account"], record["action"], record["outcome"], record["target"]) == (
        "jc.uploader",
        "upload",
        "refused",
        "文件「山阳市2026年10月台账.xlsx」",
    )


def test_one_foreign_unit_in_a_workbook_refuses_the_whole_workbook(world: Path, dump_database) -> None:
    rows = [ledger_row("JC-005", status="推进中"), ledger_row("SY-002", region="山阳市", county="山阳区")]
    mixed = xlsx(ledger_sheet(rows, month="2026年11月"))
    before = dump_database(world)
    outcome = service.ingest_bytes(world, mixed, "11月台账.xlsx", UPLOADER_ACTOR)
    assert outcome.status == service.REFUSED and "山阳市" in outcome.refusal and "江城市的" not in outcome.refusal
    assert dump_database(world) == before  # not even 江城市's part


@pytest.mark.parametrize(
    "data",
    [
        xlsx(checks_sheet([check_row("JC-002")])),  # its own unit's items
        xlsx(checks_sheet([check_row("SY-001", region="山阳市")])),  # another unit's
        xlsx(ledger_sheet([ledger_row("JC-006")], month="2026年11月"), checks_sheet([check_row("JC-006", date="2026-11-20")])),
    ],
    ids=["own-unit", "other-unit", "with-own-ledger"],
)
def test_an_uploader_uploading_any_check_result_is_refused(world: Path, dump_database, data: bytes) -> None:
    before = dump_database(world)
    start = last_seq(world)
    outcome = service.ingest_bytes(world, data, "核查结果.xlsx", UPLOADER_ACTOR)
    assert outcome.status == service.REFUSED
    assert "无权上传核查结果" in outcome.refusal and "被核查单位不能填写自己的核查结果" in outcome.refusal
    assert dump_database(world) == before
    assert [(r["account"], r["outcome"]) for r in audit_rows(world, start)] == [("jc.uploader", "refused")]


def test_a_unit_account_with_another_role_still_never_uploads_checks(world: Path) -> None:
    # accounts cannot be given both roles, but the library refuses whatever actor reaches it
    both = Actor("jc.both", "江城兼任", (UPLOADER, INSPECTOR), ("江城市",))
    outcome = service.ingest_bytes(world, CHECKS, "暗访核查.xlsx", both)
    assert outcome.status == service.REFUSED and "核查结果" in outcome.refusal
    assert not allowed(both, UPLOAD_CHECKS)
    with pytest.raises(accounts.AccountError, match="填报人员不能兼任督导组"):
        accounts.create(world, OPERATOR, "jc.both", "江城兼任", [UPLOADER, INSPECTOR], ["江城市"])


def test_the_page_asks_the_same_question_before_offering_to_store(world: Path) -> None:
    for data, name in ((SHANYANG_LEDGER, "山阳市.xlsx"), (CHECKS, "核查.xlsx")):
        workbook = service.validate(world, data, name)
        assert workbook.valid
        reason = service.refusal(UPLOADER_ACTOR, workbook)
        assert reason is not None
        assert service.store_validated(world, workbook, UPLOADER_ACTOR).refusal == reason
    assert service.refusal(UPLOADER_ACTOR, service.validate(world, NOV_LEDGER, "11月.xlsx")) is None


def test_an_uploader_without_units_may_upload_for_no_unit(world: Path) -> None:
    unbound = Actor("nobody", "无单位", (UPLOADER,), ())
    outcome = service.ingest_bytes(world, NOV_LEDGER, "江城市2026年11月台账.xlsx", unbound)
    assert outcome.status == service.REFUSED and "未绑定单位" in outcome.refusal


def test_nobody_signed_in_may_do_nothing() -> None:
    for action in ACTIONS:
        with pytest.raises(PermissionDenied, match="请先登录"):
            require(None, action)


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        require(OPERATOR, "delete_everything")
