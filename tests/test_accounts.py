"""Accounts in the store: issued passwords, the password rule, signing in and locking out, and account changes.

The SPEC's "Sign-in safety": at least 10 characters of three classes; an
issued password must be changed at the first sign-in; 5 failures lock the
account for 15 minutes. Passwords are kept as argon2id hashes only, and
every event lands in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from actors import LEADER_ACTOR, OPERATOR
from audit_trail import audit_rows, last_seq

from rectlens.access import accounts, audit, passwords
from rectlens.access.permissions import PermissionDenied
from rectlens.access.roles import ADMIN, INSPECTOR, LEADER, OFFICE, UPLOADER

NEW_PASSWORD = "Qingl@n-2026x"


def make(db: Path, login: str = "zhang.san", roles: list[str] | None = None, units: list[str] | None = None) -> str:
    return accounts.create(db, OPERATOR, login, "张三", roles or [UPLOADER], units if units is not None else ["江城市"])


def account(db: Path, login: str = "zhang.san") -> accounts.Account:
    found = accounts.get(db, login)
    assert found is not None
    return found


class Clock:
    """accounts.now, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = dt.datetime(2026, 11, 3, 9, 0, 0)
        monkeypatch.setattr(accounts, "now", lambda: self.at)

    def advance(self, minutes: float) -> None:
        self.at += dt.timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


# --- creating an account ------------------------------------------------------------------------


def test_create_issues_a_one_time_password_kept_only_as_an_argon2id_hash(regions_db: Path) -> None:
    password = make(regions_db)
    assert passwords.weaknesses(password) == [] and passwords.weaknesses(password, "zhang.san") == []
    created = account(regions_db)
    assert (created.display_name, created.roles, created.units) == ("张三", (UPLOADER,), ("江城市",))
    assert created.password_hash is not None and created.password_hash.startswith("$argon2id$")
    assert passwords.verify(created.password_hash, password)
    assert created.must_change_password and not created.disabled and not created.demo
    # the password is nowhere in the database file (while what is stored is found there verbatim) ...
    con = duckdb.connect(str(regions_db))
    con.execute("CHECKPOINT")
    con.close()
    stored = b"".join(path.read_bytes() for path in regions_db.parent.iterdir() if path.name.startswith(regions_db.name))
    assert created.password_hash.encode() in stored and "张三".encode() in stored
    assert password.encode() not in stored
    # ... nor in the audit log, which records the creation under the operator
    (record,) = [row for row in audit_rows(regions_db) if row["action"] == "account_create"]
    assert (record["account"], record["target"], record["outcome"]) == (OPERATOR.login, "zhang.san", "ok")
    assert record["detail"] == "角色：填报人员；单位：江城市"
    assert not any(password in str(value) for row in audit_rows(regions_db) for value in row.values())


def test_every_issued_password_is_new_and_meets_the_rule() -> None:
    issued = {passwords.issue() for _ in range(200)}
    assert len(issued) == 200
    assert all(passwords.weaknesses(password) == [] for password in issued)


def test_units_are_matched_to_the_region_master_and_an_unknown_one_is_refused(regions_db: Path, dump_database) -> None:
    make(regions_db, units=["江城 "])  # spelled loosely
    assert account(regions_db).units == ("江城市",)
    before = dump_database(regions_db)
    with pytest.raises(accounts.AccountError, match="单位「江成市」不在地区表中") as unknown:
        make(regions_db, "li.si", units=["江成市"])
    assert "是否为：江城市" in str(unknown.value)  # the nearest known name is suggested
    with pytest.raises(accounts.AccountError, match="填报人员账号必须绑定至少一个单位"):
        make(regions_db, "li.si", units=[])
    with pytest.raises(accounts.AccountError, match="已被使用"):
        make(regions_db, "zhang.san")
    for bad_login in ("z", "张三", "-zhang", "zhang san"):
        with pytest.raises(accounts.AccountError, match="登录名"):
            make(regions_db, bad_login)
    with pytest.raises(ValueError, match="未知的角色"):
        make(regions_db, "li.si", roles=["boss"])
    assert dump_database(regions_db) == before


def test_only_an_administrator_creates_accounts(regions_db: Path, dump_database) -> None:
    make(regions_db, "admin.sun", roles=[ADMIN], units=[])
    admin = account(regions_db, "admin.sun").actor()
    assert accounts.create(regions_db, admin, "zhao.si", "赵四", [INSPECTOR])
    before = dump_database(regions_db)
    start = last_seq(regions_db)
    with pytest.raises(PermissionDenied, match="无权管理账号"):
        accounts.create(regions_db, LEADER_ACTOR, "qian.wu", "钱五", [OFFICE])
    assert dump_database(regions_db) == before
    assert [(r["account"], r["action"], r["outcome"]) for r in audit_rows(regions_db, start)] == [
        ("leader.li", "account_create", "refused")
    ]


# --- the password rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Abcdefg1!", "长度不足 10 个字符（现为 9 个）"),  # 9 characters, four classes
        ("Abcdefgh1!", None),  # 10
        ("abcdefghij12", "只含 2 种字符"),  # lower case and digits
        ("abcdefgh1A", None),  # three classes
        ("abcdefgh!!", "只含 2 种字符"),
        ("ABCDEFGH1-", None),
        ("全角中文密码也算其他字符1a", None),  # CJK counts as "other"
        ("xzhang.san1A", "不能包含登录名"),
    ],
)
def test_the_password_rule(password: str, problem: str | None) -> None:
    found = passwords.weaknesses(password, "zhang.san")
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(problem), found


def test_the_password_rule_follows_the_settings(settings_file: Callable[[str], Path]) -> None:
    settings_file("[accounts]\npassword_min_length = 12\npassword_min_classes = 4\n")
    assert passwords.weaknesses("Abcdefgh1!") == ["长度不足 12 个字符（现为 10 个）"]
    assert passwords.weaknesses("Abcdefghij12")[0].startswith("只含 3 种字符")
    assert passwords.weaknesses(passwords.issue()) == []  # issued passwords follow the rule too


# --- first sign-in and changing the password ------------------------------------------------------------


def test_an_issued_password_must_be_changed_at_the_first_sign_in(regions_db: Path) -> None:
    issued = make(regions_db)
    first = accounts.sign_in(regions_db, "zhang.san", issued)
    assert first.ok and first.account is not None and first.account.must_change_password
    me = first.account.actor()
    start = last_seq(regions_db)
    assert accounts.change_password(regions_db, me, "wrong", NEW_PASSWORD) == ["当前密码不正确"]
    assert accounts.change_password(regions_db, me, issued, "short1A") == ["长度不足 10 个字符（现为 7 个）"]
    assert accounts.change_password(regions_db, me, issued, issued) == ["新密码不能与当前密码相同"]
    assert account(regions_db).must_change_password  # still: nothing was changed
    assert accounts.change_password(regions_db, me, issued, NEW_PASSWORD) == []
    changed = account(regions_db)
    assert not changed.must_change_password and passwords.verify(changed.password_hash, NEW_PASSWORD)
    assert [(r["action"], r["outcome"]) for r in audit_rows(regions_db, start)] == [("password_change", "refused")] * 3 + [
        ("password_change", "ok")
    ]
    assert not any(NEW_PASSWORD in str(r["detail"]) or issued in str(r["detail"]) for r in audit_rows(regions_db))
    assert not accounts.sign_in(regions_db, "zhang.san", issued).ok
    again = accounts.sign_in(regions_db, "zhang.san", NEW_PASSWORD)
    assert again.ok and again.account is not None and not again.account.must_change_password


# --- locking out ---------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_fifteen_minutes(regions_db: Path, clock: Clock) -> None:
    password = make(regions_db)
    start = last_seq(regions_db)
    for attempt in range(1, 5):
        failed = accounts.sign_in(regions_db, "zhang.san", f"wrong-{attempt}")
        assert failed.status == accounts.WRONG and failed.account is None
        assert failed.message == f"登录名或密码不正确（再错 {5 - attempt} 次将锁定账号 15 分钟）"
        assert account(regions_db).failed_attempts == attempt
    fifth = accounts.sign_in(regions_db, "zhang.san", "wrong-5")
    assert fifth.status == accounts.LOCKED and "已锁定 15 分钟" in fifth.message
    assert account(regions_db).locked_until == clock.at + dt.timedelta(minutes=15)
    # the 6th attempt, with the right password, is refused while locked
    clock.advance(14)
    sixth = accounts.sign_in(regions_db, "zhang.san", password)
    assert sixth.status == accounts.LOCKED and not sixth.ok and sixth.account is None
    assert "请 2 分钟后再试" in sixth.message or "请 1 分钟后再试" in sixth.message
    assert accounts.listing(regions_db).set_index("login").loc["zhang.san", "state"] == "已锁定"
    # unlocked once the lock has run out
    clock.advance(1.5)
    unlocked = accounts.sign_in(regions_db, "zhang.san", password)
    assert unlocked.ok
    assert (account(regions_db).failed_attempts, account(regions_db).locked_until) == (0, None)
    trail = audit_rows(regions_db, start)
    assert [(r["account"], r["action"], r["outcome"]) for r in trail] == [("zhang.san", "sign_in", "failed")] * 5 + [
        ("zhang.san", "sign_in", "refused"),
        ("zhang.san", "sign_in", "ok"),
    ]
    assert trail[4]["detail"] == "密码错误（第 5 次），账号锁定" and trail[5]["detail"] == "账号已锁定"
    assert not any(password in str(r["detail"]) for r in trail)


def test_a_right_password_before_the_limit_starts_the_count_again(regions_db: Path, clock: Clock) -> None:
    password = make(regions_db)
    for _ in range(4):
        accounts.sign_in(regions_db, "zhang.san", "wrong")
    assert accounts.sign_in(regions_db, "zhang.san", password).ok
    assert account(regions_db).failed_attempts == 0
    for _ in range(4):
        assert accounts.sign_in(regions_db, "zhang.san", "wrong").status == accounts.WRONG


def test_lockout_follows_the_settings(regions_db: Path, clock: Clock, settings_file: Callable[[str], Path]) -> None:
    password = make(regions_db)
    settings_file("[accounts]\nmax_failed_attempts = 2\nlock_minutes = 1\n")
    assert accounts.sign_in(regions_db, "zhang.san", "wrong").message == "登录名或密码不正确（再错 1 次将锁定账号 1 分钟）"
    assert accounts.sign_in(regions_db, "zhang.san", "wrong").status == accounts.LOCKED
    assert accounts.sign_in(regions_db, "zhang.san", password).status == accounts.LOCKED
    clock.advance(1.01)
    assert accounts.sign_in(regions_db, "zhang.san", password).ok


def test_an_unknown_login_fails_like_a_wrong_password_without_saying_which(regions_db: Path, dump_database) -> None:
    make(regions_db)
    before = dump_database(regions_db)
    start = last_seq(regions_db)
    for login in ("nobody", "", "   "):
        unknown = accounts.sign_in(regions_db, login, "Whatever-123")
        assert (unknown.status, unknown.message, unknown.account) == (accounts.WRONG, accounts.WRONG_MESSAGE, None)
    wrong = accounts.sign_in(regions_db, "zhang.san", "Whatever-123")
    assert wrong.status == accounts.WRONG and wrong.message.startswith(accounts.WRONG_MESSAGE)
    assert "nobody" not in unknown.message
    # no account was made or counted for the unknown login; every attempt is audited as failed
    after = dump_database(regions_db)
    assert [row[0] for row in after["accounts"]] == ["zhang.san"] and after["meta"] == before["meta"]
    assert [(r["account"], r["outcome"], r["detail"]) for r in audit_rows(regions_db, start)] == [
        ("nobody", "failed", "未知的登录名"),
        ("（空）", "failed", "未知的登录名"),
        ("（空）", "failed", "未知的登录名"),
        ("zhang.san", "failed", "密码错误（第 1 次）"),
    ]


def test_demo_accounts_never_sign_in_with_a_password(db: Path) -> None:
    from rectlens.storage.database import transaction

    with transaction(db) as con:
        accounts.add_demo_accounts(con)
    assert [a.login for a in accounts.demo_accounts(db)] == [login for login, *_ in accounts.DEMO_ACCOUNTS]
    for password in ("", "demo", "Abcdefgh1!"):
        assert accounts.sign_in(db, "demo-admin", password).status == accounts.WRONG


# --- disabling, resetting, changing roles and units ---------------------------------------------------


def test_disable_ends_signing_in_and_enable_restores_it(regions_db: Path, clock: Clock) -> None:
    password = make(regions_db)
    accounts.set_disabled(regions_db, OPERATOR, "zhang.san", True)
    disabled = account(regions_db)
    assert disabled.disabled and disabled.sessions_valid_from is not None  # open sessions end too
    refused = accounts.sign_in(regions_db, "zhang.san", password)
    assert (refused.status, refused.ok, refused.account) == (accounts.DISABLED, False, None)
    assert refused.message == "该账号已停用，请联系系统管理员"
    assert accounts.listing(regions_db).set_index("login").loc["zhang.san", "state"] == "已停用"
    accounts.set_disabled(regions_db, OPERATOR, "zhang.san", False)
    assert accounts.sign_in(regions_db, "zhang.san", password).ok
    trail = [(r["account"], r["action"], r["target"], r["outcome"]) for r in audit_rows(regions_db)][-4:]
    assert trail == [
        (OPERATOR.login, "account_disable", "zhang.san", "ok"),
        ("zhang.san", "sign_in", None, "refused"),
        (OPERATOR.login, "account_enable", "zhang.san", "ok"),
        ("zhang.san", "sign_in", None, "ok"),
    ]


def test_reset_password_issues_a_new_one_time_password_and_lifts_the_lock(regions_db: Path, clock: Clock) -> None:
    old = make(regions_db)
    assert accounts.change_password(regions_db, account(regions_db).actor(), old, NEW_PASSWORD) == []
    for _ in range(5):
        accounts.sign_in(regions_db, "zhang.san", "wrong")
    assert account(regions_db).locked(clock.at)
    start = last_seq(regions_db)
    issued = accounts.reset_password(regions_db, OPERATOR, "zhang.san")
    assert issued not in (old, NEW_PASSWORD) and passwords.weaknesses(issued) == []
    reset = account(regions_db)
    assert reset.must_change_password and not reset.locked(clock.at) and reset.failed_attempts == 0
    assert reset.sessions_valid_from is not None
    assert not accounts.sign_in(regions_db, "zhang.san", NEW_PASSWORD).ok
    signed_in = accounts.sign_in(regions_db, "zhang.san", issued)
    assert signed_in.ok and signed_in.account is not None and signed_in.account.must_change_password
    assert [(r["action"], r["target"], r["outcome"]) for r in audit_rows(regions_db, start)] == [
        ("account_reset_password", "zhang.san", "ok"),
        ("sign_in", None, "failed"),
        ("sign_in", None, "ok"),
    ]
    assert not any(issued in str(value) for row in audit_rows(regions_db) for value in row.values())


def test_set_roles_and_units(regions_db: Path, dump_database) -> None:
    make(regions_db)
    changed = accounts.update(regions_db, OPERATOR, "zhang.san", units=["江城市", "山阳"])
    assert (changed.roles, changed.units) == ((UPLOADER,), ("江城市", "山阳市"))
    assert account(regions_db).actor().units == ("江城市", "山阳市")
    changed = accounts.update(regions_db, OPERATOR, "zhang.san", roles=[LEADER, OFFICE])
    assert changed.roles == (LEADER, OFFICE) and changed.units == ("江城市", "山阳市")  # units stay unless given
    assert changed.sessions_valid_from is not None  # open sessions take up the new roles at the next sign-in
    set_records = [r for r in audit_rows(regions_db) if r["action"] == "account_set"]
    assert [(r["target"], r["detail"]) for r in set_records] == [
        ("zhang.san", "角色：填报人员；单位：江城市、山阳市"),
        ("zhang.san", "角色：领导、专班；单位：江城市、山阳市"),
    ]
    before = dump_database(regions_db)
    with pytest.raises(accounts.AccountError, match=r"单位「东海市」不在地区表中，应为.*是否为："):
        accounts.update(regions_db, OPERATOR, "zhang.san", units=["东海市"])
    with pytest.raises(accounts.AccountError, match="填报人员账号必须绑定至少一个单位"):
        accounts.update(regions_db, OPERATOR, "zhang.san", roles=[UPLOADER], units=[])
    with pytest.raises(accounts.AccountError, match="没有登录名为「ghost」的账号"):
        accounts.update(regions_db, OPERATOR, "ghost", roles=[LEADER])
    for clash in ([ADMIN, LEADER], [UPLOADER, INSPECTOR]):
        with pytest.raises(ValueError, match="不能兼任"):
            accounts.update(regions_db, OPERATOR, "zhang.san", roles=clash)
    assert dump_database(regions_db) == before


def test_the_last_administrator_cannot_be_disabled_or_lose_the_role(regions_db: Path, dump_database) -> None:
    make(regions_db, "admin.one", roles=[ADMIN], units=[])
    before = dump_database(regions_db)
    with pytest.raises(accounts.AccountError, match="最后一个启用的系统管理员账号，不能停用"):
        accounts.set_disabled(regions_db, OPERATOR, "admin.one", True)
    with pytest.raises(accounts.AccountError, match="最后一个启用的系统管理员账号，不能去掉"):
        accounts.update(regions_db, OPERATOR, "admin.one", roles=[LEADER])
    assert dump_database(regions_db) == before
    # with a second administrator, either may go
    make(regions_db, "admin.two", roles=[ADMIN], units=[])
    accounts.set_disabled(regions_db, account(regions_db, "admin.two").actor(), "admin.one", True)
    assert account(regions_db, "admin.one").disabled
    with pytest.raises(accounts.AccountError, match="最后一个启用的系统管理员"):
        accounts.set_disabled(regions_db, OPERATOR, "admin.two", True)


def test_sign_out_everywhere_is_audited(regions_db: Path) -> None:
    make(regions_db)
    me = account(regions_db).actor()
    accounts.sign_out_everywhere(regions_db, me)
    assert account(regions_db).sessions_valid_from is not None
    assert audit_rows(regions_db)[-1]["account"] == "zhang.san" and audit_rows(regions_db)[-1]["action"] == "sign_out_all"


def test_every_account_event_is_in_one_intact_audit_chain(regions_db: Path, clock: Clock) -> None:
    start = last_seq(regions_db)
    issued = make(regions_db)
    accounts.sign_in(regions_db, "zhang.san", "wrong")
    me = accounts.sign_in(regions_db, "zhang.san", issued).account
    assert me is not None
    accounts.change_password(regions_db, me.actor(), issued, NEW_PASSWORD)
    accounts.update(regions_db, OPERATOR, "zhang.san", roles=[LEADER])
    accounts.reset_password(regions_db, OPERATOR, "zhang.san")
    accounts.set_disabled(regions_db, OPERATOR, "zhang.san", True)
    accounts.set_disabled(regions_db, OPERATOR, "zhang.san", False)
    accounts.sign_out_everywhere(regions_db, me.actor())
    assert [(r["account"], r["action"], r["outcome"]) for r in audit_rows(regions_db, start)] == [
        (OPERATOR.login, "account_create", "ok"),
        ("zhang.san", "sign_in", "failed"),
        ("zhang.san", "sign_in", "ok"),
        ("zhang.san", "password_change", "ok"),
        (OPERATOR.login, "account_set", "ok"),
        (OPERATOR.login, "account_reset_password", "ok"),
        (OPERATOR.login, "account_disable", "ok"),
        (OPERATOR.login, "account_enable", "ok"),
        ("zhang.san", "sign_out_all", "ok"),
    ]
    assert all(r["roles"] for r in audit_rows(regions_db, start))  # each names the roles held at the time
    assert audit.verify(regions_db).intact


def test_no_password_hash_leaves_the_listing(regions_db: Path) -> None:
    make(regions_db)
    table = accounts.listing(regions_db)
    assert "password_hash" not in table.columns
    assert not table.astype(str).apply(lambda column: column.str.contains("argon2")).any().any()
