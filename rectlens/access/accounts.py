"""Accounts kept in the store: creating and changing them (administrators only), and signing in.

Every change takes the acting account, goes through `permissions.require`
and lands in the audit log in the same transaction. Signing in counts
failed attempts and locks the account for a while after too many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from rectlens import config, sql
from rectlens.access import audit, passwords
from rectlens.access.permissions import require_recorded
from rectlens.access.roles import ADMIN, MANAGE_ACCOUNTS, ROLE_LABELS, UPLOADER, Actor, parse_roles
from rectlens.storage.database import connect, exists, retry_conflicts, transaction

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why, in Chinese."""


@dataclass(frozen=True)
class SignInPolicy:
    max_failed_attempts: int = 5
    lock_minutes: float = 15
    idle_minutes: float = 30


def policy() -> SignInPolicy:
    found = config.settings().get("accounts", {})
    return SignInPolicy(
        int(found.get("max_failed_attempts", 5)),
        float(found.get("lock_minutes", 15)),
        float(found.get("idle_minutes", 30)),
    )


@dataclass(frozen=True)
class Account:
    login: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    units: tuple[str, ...]
    password_hash: str | None
    must_change_password: bool
    disabled: bool
    demo: bool
    failed_attempts: int
    locked_until: dt.datetime | None
    sessions_valid_from: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def actor(self) -> Actor:
        return Actor(self.login, self.display_name, self.roles, self.units)

    def locked(self, at: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > at


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _account(row: tuple[object, ...]) -> Account:
    values = list(row)
    values[3] = tuple(values[3] or ())
    values[4] = tuple(values[4] or ())
    return Account(*values)  # type: ignore[arg-type]


def _get(con: duckdb.DuckDBPyConnection, login: str) -> Account | None:
    found = sql.rows(con, "account_get", {"login": login.strip()})
    return _account(found[0]) if found else None


def get(db_path: Path | str, login: str) -> Account | None:
    if not exists(db_path):
        return None
    with connect(db_path) as con:
        return _get(con, login)


def find_by_email(db_path: Path | str, email: str) -> Account | None:
    with connect(db_path) as con:
        found = sql.rows(con, "account_by_email", {"email": email.strip()})
        return _get(con, str(found[0][0])) if len(found) == 1 else None


def listing(db_path: Path | str) -> pd.DataFrame:
    """Every account (no password hashes), with a Chinese `state`: 正常, 已锁定 or 已停用."""
    with connect(db_path) as con:
        table = sql.frame(con, "account_list")
    at = pd.Timestamp(now())
    table["state"] = [
        "已停用" if disabled else ("已锁定" if pd.notna(locked) and pd.Timestamp(locked) > at else "正常")
        for disabled, locked in zip(table["disabled"], table["locked_until"], strict=True)
    ]
    return table


def _save(con: duckdb.DuckDBPyConnection, account: Account) -> None:
    values = dataclasses.asdict(account)
    values["roles"] = list(account.roles)
    values["units"] = list(account.units)
    values["updated_at"] = now()
    sql.execute(con, "account_save", values)


def _roles(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    try:
        return parse_roles(values)
    except ValueError as exc:
        raise AccountError(str(exc)) from None


def _require_known(con: duckdb.DuckDBPyConnection, login: str) -> Account:
    account = _get(con, login)
    if account is None:
        raise AccountError(f"没有登录名为「{login}」的账号；可用 users list 查看全部账号")
    return account


def _units(con: duckdb.DuckDBPyConnection, roles: tuple[str, ...], units: tuple[str, ...]) -> tuple[str, ...]:
    """Units in the region master's spelling; an uploader must have at least one."""
    from rectlens.ingest.service import region_master
    from rectlens.ingest.values import BadValue

    master = region_master(con)
    named: list[str] = []
    for raw in units:
        if not raw.strip():
            continue
        try:
            named.append(master.unit(raw))
        except BadValue as exc:
            raise AccountError(f"单位「{raw.strip()}」不在地区表中，应为{exc}") from None
    if UPLOADER in roles and not named:
        raise AccountError("填报人员账号必须绑定至少一个单位（--unit）")
    return tuple(dict.fromkeys(named))


@retry_conflicts
def create(
    db_path: Path | str,
    actor: Actor,
    login: str,
    name: str,
    roles: tuple[str, ...] | list[str],
    units: tuple[str, ...] | list[str] = (),
    email: str | None = None,
) -> str:
    """Create an account; returns its one-time password (to be changed at the first sign-in)."""
    login = login.strip()
    wanted_roles = _roles(roles)
    if not LOGIN_PATTERN.match(login):
        raise AccountError(f"登录名「{login}」无效：应为 2–64 个字母、数字或 . _ - @，以字母或数字开头")
    if not name.strip():
        raise AccountError("姓名不能为空（--name）")
    password = passwords.issue()
    require_recorded(db_path, actor, MANAGE_ACCOUNTS, "account_create", login)
    with transaction(db_path) as con:
        if _get(con, login) is not None:
            raise AccountError(f"登录名「{login}」已被使用")
        bound = _units(con, wanted_roles, tuple(units))
        sql.execute(
            con,
            "account_insert",
            {
                "login": login,
                "display_name": name.strip(),
                "email": (email or "").strip() or None,
                "roles": list(wanted_roles),
                "units": list(bound),
                "password_hash": passwords.hash_password(password),
                "must_change_password": True,
                "demo": False,
                "now": now(),
            },
        )
        audit.append(con, actor, "account_create", audit.OK, login, _describe(wanted_roles, bound))
    return password


def _describe(roles: tuple[str, ...], units: tuple[str, ...]) -> str:
    text = "角色：" + "、".join(ROLE_LABELS[r] for r in roles)
    return text + ("；单位：" + "、".join(units) if units else "")


def _enabled_admins_after(con: duckdb.DuckDBPyConnection, account: Account, still_admin: bool) -> int:
    count = int(sql.rows(con, "accounts_enabled_admins")[0][0])
    was_counted = ADMIN in account.roles and not account.disabled and not account.demo
    return count - (1 if was_counted and not still_admin else 0)


@retry_conflicts
def set_disabled(db_path: Path | str, actor: Actor, login: str, disabled: bool) -> None:
    require_recorded(db_path, actor, MANAGE_ACCOUNTS, "account_disable" if disabled else "account_enable", login.strip())
    with transaction(db_path) as con:
        account = _require_known(con, login)
        if disabled and _enabled_admins_after(con, account, still_admin=False) < 1 and ADMIN in account.roles:
            raise AccountError("这是最后一个启用的系统管理员账号，不能停用")
        changed = dataclasses.replace(account, disabled=disabled, failed_attempts=0, locked_until=None)
        if disabled:
            changed = dataclasses.replace(changed, sessions_valid_from=dt.datetime.now())
        _save(con, changed)
        audit.append(con, actor, "account_disable" if disabled else "account_enable", audit.OK, account.login)


@retry_conflicts
def reset_password(db_path: Path | str, actor: Actor, login: str) -> str:
    """A new one-time password; the account's sessions end and the lock is lifted."""
    password = passwords.issue()
    require_recorded(db_path, actor, MANAGE_ACCOUNTS, "account_reset_password", login.strip())
    with transaction(db_path) as con:
        account = _require_known(con, login)
        _save(
            con,
            dataclasses.replace(
                account,
                password_hash=passwords.hash_password(password),
                must_change_password=True,
                failed_attempts=0,
                locked_until=None,
                sessions_valid_from=dt.datetime.now(),
            ),
        )
        audit.append(con, actor, "account_reset_password", audit.OK, account.login)
    return password


@retry_conflicts
def update(
    db_path: Path | str,
    actor: Actor,
    login: str,
    roles: tuple[str, ...] | list[str] | None = None,
    units: tuple[str, ...] | list[str] | None = None,
) -> Account:
    """Set an account's roles and/or units (what is not given stays)."""
    require_recorded(db_path, actor, MANAGE_ACCOUNTS, "account_set", login.strip())
    with transaction(db_path) as con:
        account = _require_known(con, login)
        wanted_roles = _roles(roles) if roles is not None else account.roles
        bound = _units(con, wanted_roles, tuple(units) if units is not None else account.units)
        if _enabled_admins_after(con, account, still_admin=ADMIN in wanted_roles) < 1 and ADMIN in account.roles:
            raise AccountError("这是最后一个启用的系统管理员账号，不能去掉其系统管理员角色")
        changed = dataclasses.replace(account, roles=wanted_roles, units=bound, sessions_valid_from=dt.datetime.now())
        _save(con, changed)
        audit.append(con, actor, "account_set", audit.OK, account.login, _describe(wanted_roles, bound))
        return changed


# --- signing in -----------------------------------------------------------------

SIGNED_IN, WRONG, LOCKED, DISABLED = "signed_in", "wrong", "locked", "disabled"


@dataclass(frozen=True)
class SignIn:
    status: str
    message: str
    account: Account | None = None

    @property
    def ok(self) -> bool:
        return self.status == SIGNED_IN


WRONG_MESSAGE = "登录名或密码不正确"


@retry_conflicts
def sign_in(db_path: Path | str, login: str, password: str, via: str = "密码") -> SignIn:
    """Check a password; counts failures and locks the account after too many. Every attempt is audited."""
    rules = policy()
    login = login.strip()
    at = now()
    with transaction(db_path) as con:
        account = _get(con, login) if login else None
        who = audit.Who(account.login if account else (login[:64] or "（空）"), ",".join(account.roles) if account else "")
        if account is None or account.demo:
            passwords.verify(None, password)  # as slow as a real check: no telling which logins exist
            audit.append(con, who, "sign_in", audit.FAILED, detail="未知的登录名")
            return SignIn(WRONG, WRONG_MESSAGE)
        if account.locked(at):
            minutes = max(1, -(-int((account.locked_until - at).total_seconds()) // 60))  # type: ignore[operator]  # whole minutes, rounded up
            audit.append(con, who, "sign_in", audit.REFUSED, detail="账号已锁定")
            message = f"连续 {rules.max_failed_attempts} 次登录失败，账号已锁定，请 {minutes} 分钟后再试，或请系统管理员重置密码"
            return SignIn(LOCKED, message)
        if not passwords.verify(account.password_hash, password):
            failures = account.failed_attempts + 1
            locked_until = at + dt.timedelta(minutes=rules.lock_minutes) if failures >= rules.max_failed_attempts else None
            _save(con, dataclasses.replace(account, failed_attempts=0 if locked_until else failures, locked_until=locked_until))
            detail = f"密码错误（第 {failures} 次）" + ("，账号锁定" if locked_until else "")
            audit.append(con, who, "sign_in", audit.FAILED, detail=detail)
            if locked_until:
                return SignIn(LOCKED, f"连续 {rules.max_failed_attempts} 次登录失败，账号已锁定 {rules.lock_minutes:g} 分钟")
            left = rules.max_failed_attempts - failures
            return SignIn(WRONG, f"{WRONG_MESSAGE}（再错 {left} 次将锁定账号 {rules.lock_minutes:g} 分钟）")
        if account.disabled:
            audit.append(con, who, "sign_in", audit.REFUSED, detail="账号已停用")
            return SignIn(DISABLED, "该账号已停用，请联系系统管理员")
        if account.failed_attempts or account.locked_until:
            account = dataclasses.replace(account, failed_attempts=0, locked_until=None)
            _save(con, account)
        audit.append(con, who, "sign_in", audit.OK, detail=via)
        return SignIn(SIGNED_IN, "已登录", account)


def record_sign_in(db_path: Path | str, account: Account, via: str, outcome: str = audit.OK, detail: str | None = None) -> None:
    """Audit a sign-in that did not use a password (a demo account, single sign-on)."""
    audit.record(db_path, audit.Who(account.login, ",".join(account.roles)), "sign_in", outcome, detail=detail or via)


@retry_conflicts
def change_password(db_path: Path | str, actor: Actor, current: str, new: str) -> list[str]:
    """Change one's own password; returns what is wrong (nothing when changed)."""
    problems = passwords.weaknesses(new, actor.login)
    if current == new:
        problems.append("新密码不能与当前密码相同")
    with transaction(db_path) as con:
        account = _require_known(con, actor.login)
        if not passwords.verify(account.password_hash, current):
            problems.insert(0, "当前密码不正确")
        if problems:
            audit.append(con, actor, "password_change", audit.REFUSED, detail="；".join(problems))
            return problems
        _save(con, dataclasses.replace(account, password_hash=passwords.hash_password(new), must_change_password=False))
        audit.append(con, actor, "password_change", audit.OK)
    return []


@retry_conflicts
def sign_out_everywhere(db_path: Path | str, actor: Actor) -> None:
    """End every session of the account, in this and every other dashboard instance."""
    with transaction(db_path) as con:
        account = _require_known(con, actor.login)
        _save(con, dataclasses.replace(account, sessions_valid_from=dt.datetime.now()))
        audit.append(con, actor, "sign_out_all", audit.OK)


# --- the demo's accounts ----------------------------------------------------------

DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("demo-leader", "演示·领导", ("leader",), ()),
    ("demo-uploader", "演示·青岚市填报人员", ("uploader",), ("青岚市",)),
    ("demo-inspector", "演示·督导组", ("inspector",), ()),
    ("demo-office", "演示·专班", ("office",), ()),
    ("demo-admin", "演示·系统管理员", ("admin",), ()),
    ("demo-auditor", "演示·审计员", ("auditor",), ()),
)


def add_demo_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """One passwordless 演示账号 per role, for the demo database only (signed in with one click)."""
    for login, name, roles, units in DEMO_ACCOUNTS:
        sql.execute(
            con,
            "account_insert",
            {
                "login": login,
                "display_name": name,
                "email": None,
                "roles": list(roles),
                "units": list(units),
                "password_hash": None,
                "must_change_password": False,
                "demo": True,
                "now": now(),
            },
        )


def demo_accounts(db_path: Path | str) -> list[Account]:
    """The demo accounts, in role order (none unless the database is the demo)."""
    found = [get(db_path, login) for login, *_rest in DEMO_ACCOUNTS]
    return [account for account in found if account is not None and account.demo]
