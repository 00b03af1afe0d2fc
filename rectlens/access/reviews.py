"""专班审核: an office account marks each active 问题台账 or 汇总 upload 通过 or 退回 (with a reason).

A returned upload stays active until the unit replaces it with a corrected
one; the unit sees the reason on signing in and on its upload page.
Decisions are appended (the latest counts) and audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from rectlens import sql
from rectlens.access import audit
from rectlens.access.permissions import require_recorded
from rectlens.access.roles import REVIEW, Actor
from rectlens.storage.database import connect, retry_conflicts, transaction
from rectlens.storage.uploads import REPLACING_KINDS, UploadNotFound, upload_target

APPROVED, RETURNED = "approved", "returned"
DECISION_LABELS = {APPROVED: "通过", RETURNED: "退回"}
# What 报送情况 says of a unit's month.
PENDING_LABEL, APPROVED_LABEL, RETURNED_LABEL = "待审核", "已通过", "已退回"


class ReviewError(ValueError):
    """A review that cannot be recorded; the message says why, in Chinese."""


@retry_conflicts
def review(db_path: Path | str, actor: Actor, upload_id: int, decision: str, reason: str | None = None) -> None:
    if decision not in DECISION_LABELS:
        raise ValueError(f"unknown decision {decision!r}")
    reason = (reason or "").strip() or None
    require_recorded(db_path, actor, REVIEW, "review", f"上传 #{upload_id}")
    with transaction(db_path) as con:
        found = sql.rows(con, "upload_by_id", {"upload_id": upload_id})
        if not found:
            raise UploadNotFound(f"没有编号为 {upload_id} 的上传记录")
        _id, kind, _region, _month, state, *_rest = found[0]
        if kind not in REPLACING_KINDS:
            raise ReviewError(f"上传 #{upload_id} 不是问题台账或汇总：只有问题台账和汇总需要审核")
        if state != "active":
            raise ReviewError(f"上传 #{upload_id} 不是生效版本，无需审核")
        if decision == RETURNED and reason is None:
            raise ReviewError("退回时必须写明理由，单位将看到这段说明")
        sql.execute(
            con,
            "review_insert",
            {"upload_id": upload_id, "decision": decision, "reason": reason, "reviewer": actor.label, "reviewed_at": dt.datetime.now()},
        )
        detail = DECISION_LABELS[decision] + (f"：{reason}" if reason else "")
        audit.append(con, actor, "review", audit.OK, upload_target(con, upload_id), detail)


def latest(db_path: Path | str) -> pd.DataFrame:
    """upload_id, decision, reason, reviewer, reviewed_at of the latest decision per upload."""
    with connect(db_path) as con:
        return sql.frame(con, "review_latest")


def with_reviews(history: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The upload history with `review` (待审核 / 已通过 / 已退回, blank where no review applies) and its reason."""
    table = history.merge(decisions, on="upload_id", how="left")
    reviewable = table["kind"].isin(REPLACING_KINDS) & (table["state"] == "active")
    label = table["decision"].map({APPROVED: APPROVED_LABEL, RETURNED: RETURNED_LABEL}).fillna(PENDING_LABEL)
    table["review"] = label.where(reviewable, "")
    return table


def unit_month_status(table: pd.DataFrame) -> pd.DataFrame:
    """Per unit and month with active reports: 已退回 if any is returned, 已通过 if all are approved, else 待审核."""
    active = table[table["review"] != ""]
    if active.empty:
        return pd.DataFrame(columns=["region", "month", "review"])

    def combine(labels: pd.Series) -> str:
        if (labels == RETURNED_LABEL).any():
            return RETURNED_LABEL
        return APPROVED_LABEL if (labels == APPROVED_LABEL).all() else PENDING_LABEL

    return active.groupby(["region", "month"], as_index=False)["review"].agg(combine)


def returned_for(table: pd.DataFrame, units: tuple[str, ...]) -> pd.DataFrame:
    """Active uploads of these units that the office returned (what the unit must correct)."""
    return table[(table["review"] == RETURNED_LABEL) & table["region"].isin(units)]
