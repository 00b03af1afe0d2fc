"""The one permission check: every write in `rectlens` calls `require` with the acting account.

Pages hide what a role may not do, but only as a courtesy: the library
refuses it whichever page or command asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rectlens.access.roles import ACTION_LABELS, UPLOAD_CHECKS, UPLOAD_REPORTS, UPLOADER, Actor


class PermissionDenied(PermissionError):
    """The acting account may not do this; the message says why, in Chinese."""


def allowed(actor: Actor | None, action: str, units: Iterable[str] = ()) -> bool:
    """Whether `actor` may do `action` (for every unit in `units`, where the action concerns units)."""
    try:
        require(actor, action, units)
    except PermissionDenied:
        return False
    return True


def require(actor: Actor | None, action: str, units: Iterable[str] = ()) -> None:
    """Raise PermissionDenied unless `actor` may do `action` for every unit in `units`."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown action {action!r}")
    if actor is None:
        raise PermissionDenied("请先登录")
    what = ACTION_LABELS[action]
    if action not in actor.grants() or (action == UPLOAD_CHECKS and _is_checked_unit(actor)):
        raise PermissionDenied(_refusal(actor, action, what))
    if action == UPLOAD_REPORTS and not actor.reaches_all_units():
        foreign = sorted({unit for unit in units if unit not in actor.units})
        if foreign:
            own = "、".join(actor.units) or "（未绑定单位）"
            raise PermissionDenied(
                f"账号 {actor.label} 只能上传本单位（{own}）的问题台账和汇总，不能上传{'、'.join(foreign)}的数据；"
                "请确认文件中的“地区”，或由该单位的填报人员上传"
            )


def require_recorded(
    db_path: Path | str, actor: Actor | None, action: str, event: str, target: str | None = None, units: Iterable[str] = ()
) -> None:
    """`require`, with a refusal recorded in the audit log (as `event`, in a transaction of its own) before it is raised."""
    try:
        require(actor, action, units)
    except PermissionDenied as exc:
        from rectlens.access import audit

        who = actor if actor is not None else audit.Who("（未登录）", "")
        audit.record(db_path, who, event, audit.REFUSED, target, str(exc))
        raise


def _is_checked_unit(actor: Actor) -> bool:
    """An account of a unit under check, whatever else it holds, never writes check results."""
    return actor.has(UPLOADER) and not actor.reaches_all_units()


def _refusal(actor: Actor, action: str, what: str) -> str:
    roles = actor.role_labels or "无角色"
    if action == UPLOAD_CHECKS:
        return f"账号 {actor.label}（{roles}）无权上传核查结果和群众评议：核查结果只能由督导组或专班上传，被核查单位不能填写自己的核查结果"
    return f"账号 {actor.label}（{roles}）无权{what}；如需此权限，请联系系统管理员"
