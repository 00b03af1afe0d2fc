"""Who acts: the six roles of the SPEC, what each may do, and the acting account.

Every write in `rectlens` takes an `Actor` and asks `permissions.require`
whether it may; the pages and the command line only pass the actor along.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field

LEADER, UPLOADER, INSPECTOR, OFFICE, ADMIN, AUDITOR = "leader", "uploader", "inspector", "office", "admin", "auditor"
# The command line: whoever can write the database file (recorded with the system user name).
OPERATOR = "operator"

ROLE_LABELS: dict[str, str] = {
    LEADER: "领导",
    UPLOADER: "填报人员",
    INSPECTOR: "督导组",
    OFFICE: "专班",
    ADMIN: "系统管理员",
    AUDITOR: "审计员",
}
ROLES: tuple[str, ...] = tuple(ROLE_LABELS)
ALL_LABELS = {**ROLE_LABELS, OPERATOR: "命令行操作员"}

# What may be done. Reads of the dashboard are VIEW; every other one is a write or an export.
VIEW = "view"  # the dashboard pages and the briefing
EXPORT = "export"  # downloads of figures, decks, tables
UPLOAD_REPORTS = "upload_reports"  # 问题台账 and 汇总, for a unit
UPLOAD_CHECKS = "upload_checks"  # 核查结果 and 群众评议
PLAN = "plan"  # spot-check plans
RESTORE = "restore"
WITHDRAW = "withdraw"
REVIEW = "review"
LOAD_REGIONS = "load_regions"
MANAGE_ACCOUNTS = "manage_accounts"
READ_AUDIT = "read_audit"
MANAGE_MAPPINGS = "manage_mappings"  # view, edit and delete the units' column mappings

ACTION_LABELS: dict[str, str] = {
    VIEW: "查看看板",
    EXPORT: "导出",
    UPLOAD_REPORTS: "上传问题台账和汇总",
    UPLOAD_CHECKS: "上传核查结果和群众评议",
    PLAN: "制定抽查计划",
    RESTORE: "恢复上传",
    WITHDRAW: "撤回上传",
    REVIEW: "审核上传",
    LOAD_REGIONS: "载入地区表",
    MANAGE_ACCOUNTS: "管理账号",
    READ_AUDIT: "查看和导出留痕",
    MANAGE_MAPPINGS: "管理各单位的列对应",
}
ACTIONS: tuple[str, ...] = tuple(ACTION_LABELS)

_LEADER = frozenset({VIEW, EXPORT})
GRANTS: dict[str, frozenset[str]] = {
    LEADER: _LEADER,
    UPLOADER: _LEADER | {UPLOAD_REPORTS},
    INSPECTOR: _LEADER | {UPLOAD_CHECKS, PLAN},
    OFFICE: _LEADER | {UPLOAD_REPORTS, UPLOAD_CHECKS, PLAN, RESTORE, WITHDRAW, REVIEW, LOAD_REGIONS, MANAGE_MAPPINGS},
    ADMIN: frozenset({MANAGE_ACCOUNTS}),
    AUDITOR: frozenset({READ_AUDIT}),
    OPERATOR: frozenset(ACTIONS),
}
# Roles whose grants reach every unit; an uploader's reach ends at its own units.
ALL_UNITS_ROLES = frozenset({OFFICE, OPERATOR})


@dataclass(frozen=True)
class Actor:
    """The account on whose behalf something is done."""

    login: str
    name: str
    roles: tuple[str, ...]
    units: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """'张三（qinglan.zhang）' as the history and the audit log show the actor."""
        return f"{self.name}（{self.login}）" if self.name and self.name != self.login else self.login

    @property
    def role_text(self) -> str:
        return ",".join(self.roles)

    @property
    def role_labels(self) -> str:
        return "、".join(ALL_LABELS.get(role, role) for role in self.roles)

    def has(self, role: str) -> bool:
        return role in self.roles

    def grants(self) -> frozenset[str]:
        granted: set[str] = set()
        for role in self.roles:
            granted |= GRANTS.get(role, frozenset())
        return frozenset(granted)

    def reaches_all_units(self) -> bool:
        return any(role in ALL_UNITS_ROLES for role in self.roles)


def cli_operator() -> Actor:
    """The command line as a trusted local operator, named by the system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(login=f"system:{user}", name="命令行", roles=(OPERATOR,))


def parse_roles(values: Iterable[str]) -> tuple[str, ...]:
    """Role names from a command line or form ('uploader', '填报人员'), in the SPEC's order; ValueError names the known ones."""
    by_label = {label: role for role, label in ROLE_LABELS.items()}
    wanted: list[str] = []
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        role = text if text in ROLE_LABELS else by_label.get(text)
        if role is None:
            known = "、".join(f"{role}（{label}）" for role, label in ROLE_LABELS.items())
            raise ValueError(f"未知的角色「{text}」，可选：{known}")
        wanted.append(role)
    if not wanted:
        raise ValueError("至少需要一个角色")
    chosen = tuple(role for role in ROLES if role in wanted)
    check_separation(chosen)
    return chosen


# Separation of duties (等保 三员分立, and the SPEC's rule that the checked never write their own checks).
EXCLUSIVE_ROLES = (ADMIN, AUDITOR)


def check_separation(roles: tuple[str, ...]) -> None:
    """ValueError when one account would hold roles that must stay with different people."""
    for role in EXCLUSIVE_ROLES:
        if role in roles and len(roles) > 1:
            others = "、".join(ROLE_LABELS[r] for r in roles if r != role)
            raise ValueError(f"{ROLE_LABELS[role]}不能兼任其他角色（{others}）：账号管理、留痕审计与业务操作须由不同的人负责")
    if UPLOADER in roles and INSPECTOR in roles:
        raise ValueError("填报人员不能兼任督导组：被核查的单位不能填写自己的核查结果")
