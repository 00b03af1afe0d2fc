"""Account and audit sub-commands: `users …` and `audit [verify]`.

The command line acts as the trusted local operator (whoever can write the
database file): its changes pass the same permission check and land in the
audit log under the system user's name.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable

from rectlens.access.roles import ROLE_LABELS, cli_operator

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
AUDIT_COLUMNS = ["seq", "happened_at", "account", "roles", "action", "target", "outcome", "detail", "hash"]


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.replace("，", ",").replace("、", ",").split(",") if part.strip()]


def _print_password(login: str, password: str) -> None:
    print(f"账号 {login} 的一次性密码：{password}")
    print("首次登录时必须修改密码；此密码不会再次显示，也不会保存明文。", file=sys.stderr)


def cmd_users_add(args: argparse.Namespace) -> int:
    from rectlens.access import accounts

    password = accounts.create(args.db, cli_operator(), args.login, args.name, _split(args.role) or [], _split(args.unit) or [], args.email)
    _print_password(args.login, password)
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:

    from rectlens.access import accounts
    from rectlens.storage.database import exists

    table = accounts.listing(args.db) if exists(args.db) else None
    if table is None or table.empty:
        print("还没有任何账号；用 users add LOGIN --name 姓名 --role admin 创建第一个系统管理员")
        return 0
    shown = table.assign(
        roles=table["roles"].map(lambda roles: "、".join(ROLE_LABELS.get(r, r) for r in roles)),
        units=table["units"].map(lambda units: "、".join(units) if len(units) else ""),
        demo=table["demo"].map({True: "演示账号", False: ""}),
    )[["login", "display_name", "roles", "units", "state", "demo", "email"]]
    shown.columns = ["登录名", "姓名", "角色", "单位", "状态", "类别", "邮箱"]
    print(shown.fillna("").to_string(index=False))
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from rectlens.access import accounts

    accounts.set_disabled(args.db, cli_operator(), args.login, True)
    print(f"账号 {args.login} 已停用，其会话已结束")
    return 0


def cmd_users_enable(args: argparse.Namespace) -> int:
    from rectlens.access import accounts

    accounts.set_disabled(args.db, cli_operator(), args.login, False)
    print(f"账号 {args.login} 已启用")
    return 0


def cmd_users_reset(args: argparse.Namespace) -> int:
    from rectlens.access import accounts

    _print_password(args.login, accounts.reset_password(args.db, cli_operator(), args.login))
    return 0


def cmd_users_set(args: argparse.Namespace) -> int:
    from rectlens.access import accounts

    if args.role is None and args.unit is None:
        print("错误：请至少给出 --role 或 --unit", file=sys.stderr)
        return 2
    changed = accounts.update(args.db, cli_operator(), args.login, _split(args.role), _split(args.unit))
    roles = "、".join(ROLE_LABELS[r] for r in changed.roles)
    print(f"账号 {changed.login}：角色 {roles}" + (f"；单位 {'、'.join(changed.units)}" if changed.units else ""))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from rectlens.access import audit
    from rectlens.cli_reports import write_table

    if args.action == "verify":
        check = audit.verify(args.db)
        print(check.message, file=sys.stdout if check.intact else sys.stderr)
        return 0 if check.intact else 1
    table = audit.entries(args.db, args.date_from, args.date_to)
    table["happened_at"] = table["happened_at"].map(lambda value: value.isoformat(sep=" ", timespec="seconds"))
    write_table(table.sort_values("seq").to_dict("records"), AUDIT_COLUMNS, args.format)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期「{text}」格式不对，应为 YYYY-MM-DD") from None


def register(add: AddCommand) -> None:
    users = add("users", lambda _args: 0, "管理账号：add、list、disable、enable、reset-password、set")
    actions = users.add_subparsers(dest="users_action", required=True, metavar="ACTION", parser_class=type(users))
    db_default = users.get_default("db")

    def action(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", default=db_default, help="DuckDB 数据库文件（默认 data/rectlens.duckdb）")
        sub.set_defaults(handler=handler)
        return sub

    roles_help = "角色，多个用逗号分隔：" + "、".join(f"{role}（{label}）" for role, label in ROLE_LABELS.items())
    created = action("add", cmd_users_add, "新建账号，打印一次性密码")
    created.add_argument("login", metavar="LOGIN")
    created.add_argument("--name", required=True, help="姓名")
    created.add_argument("--role", required=True, help=roles_help)
    created.add_argument("--unit", help="所属单位（填报人员必填），多个用逗号分隔")
    created.add_argument("--email", help="邮箱（统一身份认证按登录名或邮箱对应账号）")
    action("list", cmd_users_list, "列出全部账号")
    for name, handler, text in (
        ("disable", cmd_users_disable, "停用账号（其会话立即结束）"),
        ("enable", cmd_users_enable, "启用账号"),
        ("reset-password", cmd_users_reset, "重置密码，打印新的一次性密码"),
    ):
        action(name, handler, text).add_argument("login", metavar="LOGIN")
    changed = action("set", cmd_users_set, "修改账号的角色和单位")
    changed.add_argument("login", metavar="LOGIN")
    changed.add_argument("--role", help=roles_help)
    changed.add_argument("--unit", help="所属单位，多个用逗号分隔")

    log = add("audit", cmd_audit, "列出留痕（审计日志）；audit verify 校验哈希链是否完整")
    log.add_argument("action", nargs="?", choices=["verify"], help="verify：校验哈希链")
    log.add_argument("--from", dest="date_from", type=_date, help="起始日期 YYYY-MM-DD（含）")
    log.add_argument("--to", dest="date_to", type=_date, help="截止日期 YYYY-MM-DD（含）")
    log.add_argument("--format", choices=["csv", "json"], default="csv")
