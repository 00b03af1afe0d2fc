"""留痕: the hash-chained audit log, `audit [verify]` and the `users` sub-commands, end to end.

The chain is tampered with the way someone with the database file would:
straight in DuckDB, behind the product's back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from actors import OPERATOR
from audit_trail import actions, audit_rows, last_seq
from workbooks import ledger_row, ledger_sheet, xlsx

from rectlens.access import accounts, audit
from rectlens.access.roles import cli_operator
from rectlens.ingest import service
from rectlens.storage import uploads

V1 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")]))
V2 = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002"), ledger_row("JC-003", status="未启动")]))
PASSWORD_LINE = re.compile(r"^账号 (\S+) 的一次性密码：(\S+)$")


def tamper(db: Path, *statements: str) -> None:
    con = duckdb.connect(str(db))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


@pytest.fixture
def logged_db(regions_db: Path) -> Path:
    """A database with eight audit records from a series of ordinary operations."""
    assert service.ingest_bytes(regions_db, V1, "江城市10月台账.xlsx", OPERATOR).status == service.STORED
    assert service.ingest_bytes(regions_db, V2, "江城市10月台账（更正）.xlsx", OPERATOR).status == service.STORED
    assert service.ingest_bytes(regions_db, V2, "再传一次.xlsx", OPERATOR).status == service.DUPLICATE
    uploads.restore(regions_db, 1, OPERATOR)
    accounts.create(regions_db, OPERATOR, "zhang.san", "张三", ["uploader"], ["江城市"])
    accounts.sign_in(regions_db, "zhang.san", "not-the-password")
    assert [(action, outcome) for _account, action, outcome in actions(regions_db)] == [
        ("regions_load", "ok"),
        ("upload", "ok"),
        ("supersede", "ok"),
        ("upload", "ok"),
        ("upload", "duplicate"),
        ("supersede", "ok"),
        ("restore", "ok"),
        ("account_create", "ok"),
        ("sign_in", "failed"),
    ]
    return regions_db


# --- the chain -------------------------------------------------------------------------------------


def test_the_chain_links_every_record_to_the_one_before(logged_db: Path) -> None:
    rows = audit_rows(logged_db)
    assert [row["seq"] for row in rows] == list(range(1, 10))
    assert rows[0]["prev_hash"] == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    assert len({row["hash"] for row in rows}) == len(rows)
    check = audit.verify(logged_db)
    assert (check.intact, check.records, check.broken_at) == (True, 9, None)
    assert check.message == "留痕完整：共 9 条记录，哈希链未被改动"


def test_verify_exits_0_on_an_untouched_log(logged_db: Path, cli) -> None:
    done = cli("audit", "verify", "--db", logged_db)
    assert (done.code, done.out.strip()) == (0, "留痕完整：共 9 条记录，哈希链未被改动")


@pytest.mark.parametrize(
    ("statements", "broken_at", "says"),
    [
        (["UPDATE audit_log SET detail = '0 个地区' WHERE seq = 3"], 3, "内容与其哈希不符"),
        (["UPDATE audit_log SET account = 'someone.else' WHERE seq = 3"], 3, "内容与其哈希不符"),
        (["UPDATE audit_log SET outcome = 'ok' WHERE seq = 9"], 9, "内容与其哈希不符"),
        (["UPDATE audit_log SET happened_at = happened_at - INTERVAL 1 DAY WHERE seq = 3"], 3, "内容与其哈希不符"),
        (["DELETE FROM audit_log WHERE seq = 3"], 3, "缺失"),
        (["DELETE FROM audit_log WHERE seq = 9"], 9, "被删除"),
        (["DELETE FROM audit_log WHERE seq >= 7"], 7, "被删除"),
        (["DELETE FROM audit_log"], 1, "被删除"),
        # a record removed and the numbers closed up behind it: the next record no longer fits the chain
        (["DELETE FROM audit_log WHERE seq = 3", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3"], 3, "前一条哈希对不上"),
        (["DELETE FROM meta WHERE key = 'audit_head'"], 9, "链尾登记缺失"),
    ],
    ids=[
        "detail-edited",
        "account-edited",
        "outcome-of-last-edited",
        "time-edited",
        "middle-deleted",
        "last-deleted",
        "tail-deleted",
        "all-deleted",
        "deleted-and-renumbered",
        "head-deleted",
    ],
)
def test_verify_names_the_first_broken_record(
    logged_db: Path, cli_main, statements: list[str], broken_at: int, says: str, dump_database
) -> None:
    tamper(logged_db, *statements)
    check = audit.verify(logged_db)
    assert (check.intact, check.broken_at) == (False, broken_at)
    assert says in check.message
    done = cli_main("audit", "verify", "--db", logged_db)
    assert done.code == 1
    assert done.err.strip() == check.message and done.err.startswith(f"留痕被改动：第 {broken_at} 条记录")
    assert "Traceback" not in done.err


def test_verify_names_a_record_appended_behind_the_products_back(logged_db: Path) -> None:
    """A forged record with a well-formed hash is still caught: the registered head says the log ends at 9."""
    last = audit_rows(logged_db)[-1]
    at = last["happened_at"] + dt.timedelta(seconds=1)
    fields = ("system:intruder", "operator", "withdraw", "上传 #1", "ok", None)
    forged = audit._digest(last["hash"], 10, at, fields)
    con = duckdb.connect(str(logged_db))
    try:
        con.execute(
            "INSERT INTO audit_log VALUES (10, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [at, *fields[:3], fields[3], fields[4], fields[5], last["hash"], forged],
        )
    finally:
        con.close()
    check = audit.verify(logged_db)
    assert (check.intact, check.broken_at) == (False, 10)
    assert check.message == "留痕被改动：第 10 条记录及之后的记录不是由本产品写入（登记的最新记录为第 9 条）"


def test_records_appended_after_tampering_do_not_heal_the_chain(logged_db: Path) -> None:
    tamper(logged_db, "UPDATE audit_log SET detail = 'x' WHERE seq = 3")
    audit.record(logged_db, OPERATOR, "export", audit.OK, "简报")
    assert audit.verify(logged_db).broken_at == 3


# --- listing the log -------------------------------------------------------------------------------


def at_days(monkeypatch: pytest.MonkeyPatch, db: Path, *moments: dt.datetime) -> None:
    """One audit record at each moment."""
    for moment in moments:
        monkeypatch.setattr(audit, "now", lambda moment=moment: moment)
        audit.record(db, OPERATOR, "export", audit.OK, f"简报 {moment:%m-%d %H:%M}")
    monkeypatch.undo()


def test_audit_lists_records_with_time_account_role_what_and_outcome(logged_db: Path, cli_main) -> None:
    done = cli_main("audit", "--format", "json", "--db", logged_db)
    assert done.code == 0, done.err
    listed = json.loads(done.out)
    assert [record["seq"] for record in listed] == list(range(1, 10))  # oldest first
    for record in listed:
        assert {"happened_at", "account", "roles", "action", "target", "outcome"} <= set(record)  # time, account, role, what, outcome
        dt.datetime.fromisoformat(record["happened_at"])
    operator = cli_operator()
    assert listed[0] == {
        **listed[0],
        "account": operator.login,
        "roles": "operator",
        "action": "regions_load",
        "target": "文件「地区表.xlsx」",
        "outcome": "ok",
        "detail": "3 个地区",
    }
    assert (listed[-1]["account"], listed[-1]["action"], listed[-1]["outcome"]) == ("zhang.san", "sign_in", "failed")
    assert [record["hash"] for record in listed] == [row["hash"] for row in audit_rows(logged_db)]
    # the same records as CSV
    done = cli_main("audit", "--db", logged_db)
    table = list(csv.DictReader(io.StringIO(done.out)))
    assert [row["action"] for row in table] == [record["action"] for record in listed]
    assert table[0]["detail"] == "3 个地区" and table[-1]["target"] == ""


def test_audit_from_and_to_are_inclusive_dates(db: Path, cli_main, monkeypatch: pytest.MonkeyPatch) -> None:
    at_days(
        monkeypatch,
        db,
        dt.datetime(2026, 10, 31, 23, 59, 59),
        dt.datetime(2026, 11, 1, 0, 0, 0),
        dt.datetime(2026, 11, 2, 23, 59, 59),
        dt.datetime(2026, 11, 3, 0, 0, 0),
    )

    def listed(*args: str) -> list[str]:
        done = cli_main("audit", "--format", "json", "--db", db, *args)
        assert done.code == 0, done.err
        return [record["happened_at"] for record in json.loads(done.out)]

    assert listed("--from", "2026-11-01", "--to", "2026-11-02") == ["2026-11-01 00:00:00", "2026-11-02 23:59:59"]
    assert listed("--from", "2026-11-02") == ["2026-11-02 23:59:59", "2026-11-03 00:00:00"]
    assert listed("--to", "2026-10-31") == ["2026-10-31 23:59:59"]
    assert listed("--from", "2026-12-01") == []
    assert len(listed()) == 4
    done = cli_main("audit", "--from", "2026/11/01", "--db", db)
    assert done.code == 2 and "日期「2026/11/01」格式不对，应为 YYYY-MM-DD" in done.err
    assert audit.verify(db).intact


def test_audit_of_a_missing_database_creates_none(tmp_path: Path, cli_main) -> None:
    missing = tmp_path / "none.duckdb"
    for args in (("audit",), ("audit", "verify")):
        done = cli_main(*args, "--db", missing)
        assert done.code == 2 and "不存在" in done.err
    assert not missing.exists()


# --- the users sub-commands ---------------------------------------------------------------------------


def issued_password(out: str, login: str) -> str:
    (line,) = [line for line in out.splitlines() if line.startswith("账号 ")]
    found = PASSWORD_LINE.match(line)
    assert found and found.group(1) == login, out
    return found.group(2)


def listing(cli_main, db: Path) -> dict[str, list[str]]:
    done = cli_main("users", "list", "--db", db)
    assert done.code == 0, done.err
    header, *rows = done.out.splitlines()
    assert header.split() == ["登录名", "姓名", "角色", "单位", "状态", "类别", "邮箱"]
    return {row.split()[0]: row.split() for row in rows}


def test_users_end_to_end(regions_db: Path, cli, cli_main, dump_database) -> None:
    db = regions_db
    done = cli("users", "add", "zhang.san", "--name", "张三", "--role", "uploader", "--unit", "江城", "--db", db)
    assert done.code == 0, done.err
    password = issued_password(done.out, "zhang.san")
    assert "首次登录时必须修改密码" in done.err
    signed_in = accounts.sign_in(db, "zhang.san", password)
    assert signed_in.ok and signed_in.account is not None and signed_in.account.must_change_password
    # the list shows the account, never its password or hash
    done = cli_main("users", "list", "--db", db)
    assert password not in done.out and "argon2" not in done.out
    assert listing(cli_main, db)["zhang.san"] == ["zhang.san", "张三", "填报人员", "江城市", "正常"]

    done = cli_main("users", "add", "admin.sun", "--name", "孙管理员", "--role", "admin", "--email", "sun@example.org", "--db", db)
    assert done.code == 0 and listing(cli_main, db)["admin.sun"] == ["admin.sun", "孙管理员", "系统管理员", "正常", "sun@example.org"]

    done = cli_main("users", "disable", "zhang.san", "--db", db)
    assert (done.code, done.out.strip()) == (0, "账号 zhang.san 已停用，其会话已结束")
    assert listing(cli_main, db)["zhang.san"][-1] == "已停用"
    assert accounts.sign_in(db, "zhang.san", password).status == accounts.DISABLED
    done = cli_main("users", "enable", "zhang.san", "--db", db)
    assert (done.code, done.out.strip()) == (0, "账号 zhang.san 已启用")
    assert listing(cli_main, db)["zhang.san"][-1] == "正常"

    done = cli_main("users", "reset-password", "zhang.san", "--db", db)
    assert done.code == 0
    fresh = issued_password(done.out, "zhang.san")
    assert fresh != password
    assert not accounts.sign_in(db, "zhang.san", password).ok and accounts.sign_in(db, "zhang.san", fresh).ok

    done = cli_main("users", "set", "zhang.san", "--role", "uploader", "--unit", "江城市，山阳市", "--db", db)
    assert (done.code, done.out.strip()) == (0, "账号 zhang.san：角色 填报人员；单位 江城市、山阳市")
    done = cli_main("users", "set", "zhang.san", "--role", "领导,督导组", "--unit", "", "--db", db)
    assert (done.code, done.out.strip()) == (0, "账号 zhang.san：角色 领导、督导组")
    assert listing(cli_main, db)["zhang.san"][:3] == ["zhang.san", "张三", "领导、督导组"]

    # every change is audited under the command line's operator, and no password is in the log
    operator = cli_operator().login
    account_events = [(account, action) for account, action, outcome in actions(db) if action.startswith("account_")]
    assert account_events == [
        (operator, "account_create"),
        (operator, "account_create"),
        (operator, "account_disable"),
        (operator, "account_enable"),
        (operator, "account_reset_password"),
        (operator, "account_set"),
        (operator, "account_set"),
    ]
    assert not any(secret in str(value) for secret in (password, fresh) for row in audit_rows(db) for value in row.values())
    assert audit.verify(db).intact


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("users", "add", "li.si", "--name", "李四", "--role", "boss"), "未知的角色「boss」"),
        (("users", "add", "li.si", "--name", "李四", "--role", "uploader"), "填报人员账号必须绑定至少一个单位"),
        (("users", "add", "li.si", "--name", "李四", "--role", "uploader", "--unit", "东海市"), "单位「东海市」不在地区表中"),
        (("users", "add", "li.si", "--name", "李四", "--role", "admin,leader"), "系统管理员不能兼任其他角色"),
        (("users", "add", "zhang.san", "--name", "张三", "--role", "leader"), "登录名「zhang.san」已被使用"),
        (("users", "add", "李四", "--name", "李四", "--role", "leader"), "登录名「李四」无效"),
        (("users", "set", "zhang.san", "--role", "boss"), "未知的角色「boss」"),
        (("users", "set", "zhang.san", "--unit", "江成市"), "是否为：江城市"),
        (("users", "set", "zhang.san"), "请至少给出 --role 或 --unit"),
        (("users", "set", "ghost", "--role", "leader"), "没有登录名为「ghost」的账号"),
        (("users", "disable", "ghost"), "没有登录名为「ghost」的账号"),
        (("users", "reset-password", "ghost"), "没有登录名为「ghost」的账号"),
        (("users", "disable", "admin.sun"), "最后一个启用的系统管理员账号，不能停用"),
        (("users", "set", "admin.sun", "--role", "office"), "最后一个启用的系统管理员账号"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(value[1:3]),
)
def test_bad_users_commands_exit_2_in_chinese_and_change_nothing(regions_db: Path, cli_main, dump_database, args, says: str) -> None:
    accounts.create(regions_db, OPERATOR, "zhang.san", "张三", ["uploader"], ["江城市"])
    accounts.create(regions_db, OPERATOR, "admin.sun", "孙管理员", ["admin"])
    before = dump_database(regions_db)
    start = last_seq(regions_db)
    done = cli_main(*args, "--db", regions_db)
    assert done.code == 2, (done.code, done.out, done.err)
    assert done.err.startswith("错误：") and says in done.err, done.err
    assert "Traceback" not in done.err and done.out == ""
    assert dump_database(regions_db) == before
    assert audit_rows(regions_db, start) == []


def test_the_first_administrator_is_made_on_the_command_line(db: Path, cli_main, cli) -> None:
    done = cli_main("users", "list", "--db", db)
    assert done.code == 0 and "users add LOGIN --name 姓名 --role admin" in done.out
    done = cli("users", "add", "admin.first", "--name", "第一管理员", "--role", "admin", "--db", db)
    assert done.code == 0, done.err
    password = issued_password(done.out, "admin.first")
    admin = accounts.sign_in(db, "admin.first", password).account
    assert admin is not None and admin.roles == ("admin",)
    # the administrator then manages accounts in the library as itself
    accounts.create(db, admin.actor(), "zhao.si", "赵四", ["inspector"])
    assert [(account, action) for account, action, _outcome in actions(db)] == [
        (cli_operator().login, "account_create"),
        ("admin.first", "sign_in"),
        ("admin.first", "account_create"),
    ]


def test_users_help_is_chinese(cli_main: Callable[..., object]) -> None:
    done = cli_main("users", "--help")
    assert done.code == 0 and "管理账号" in done.out
