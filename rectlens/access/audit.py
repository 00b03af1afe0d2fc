"""留痕: an append-only audit log whose records are chained by hash.

Each record's hash covers its own fields and the hash of the record before
it; the newest record's number and hash are also kept in `meta`. So a
record changed, removed or inserted behind the product's back breaks the
chain, and `verify` names the first record where it breaks.

Records are written inside the same transaction as the change they
describe; a refused or failed operation is recorded in a transaction of
its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from rectlens import sql
from rectlens.access.roles import ALL_LABELS, Actor
from rectlens.storage.database import connect, retry_conflicts, transaction

GENESIS = "0" * 64
HEAD_KEY = "audit_head"

# Outcomes.
OK, REFUSED, FAILED, DUPLICATE, INVALID = "ok", "refused", "failed", "duplicate", "invalid"
OUTCOME_LABELS = {OK: "成功", REFUSED: "拒绝", FAILED: "失败", DUPLICATE: "重复", INVALID: "校验未通过"}

# What happened (the SPEC's list of events).
ACTION_LABELS: dict[str, str] = {
    "sign_in": "登录",
    "sign_out": "退出",
    "sign_out_all": "退出所有会话",
    "password_change": "修改密码",
    "upload": "上传",
    "supersede": "替换旧版本",
    "restore": "恢复上传",
    "withdraw": "撤回上传",
    "review": "审核",
    "export": "导出",
    "regions_load": "载入地区表",
    "account_create": "新建账号",
    "account_disable": "停用账号",
    "account_enable": "启用账号",
    "account_reset_password": "重置密码",
    "account_set": "修改角色和单位",
    "audit_export": "导出留痕",
    "plan": "登记抽查轮次",
    "mapping_create": "新建列对应",
    "mapping_edit": "修改列对应",
    "mapping_delete": "删除列对应",
    "mapping_apply": "应用列对应",
}


@dataclass(frozen=True)
class Who:
    """The account and roles a record names (an actor, or a login that failed to sign in)."""

    account: str
    roles: str

    @classmethod
    def of(cls, actor: Actor) -> Who:
        return cls(actor.login, actor.role_text)


def now() -> dt.datetime:
    return dt.datetime.now()


def _digest(prev_hash: str, seq: int, happened_at: dt.datetime, fields: tuple[str | None, ...]) -> str:
    payload = json.dumps([prev_hash, seq, happened_at.isoformat(), *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    con: duckdb.DuckDBPyConnection,
    who: Actor | Who,
    action: str,
    outcome: str,
    target: str | None = None,
    detail: str | None = None,
) -> int:
    """Add one record inside the caller's transaction; returns its sequence number."""
    return append_many(con, who, [(action, outcome, target, detail)])[0]


def append_many(con: duckdb.DuckDBPyConnection, who: Actor | Who, entries: list[tuple[str, str, str | None, str | None]]) -> list[int]:
    """Add consecutive records (action, outcome, target, detail) by one account inside the caller's
    transaction, chained one to the next, with one insert; returns their sequence numbers."""
    for action, *_rest in entries:
        if action not in ACTION_LABELS:
            raise ValueError(f"unknown audit action {action!r}")
    if not entries:
        return []
    names = Who.of(who) if isinstance(who, Actor) else who
    head = sql.rows(con, "audit_head")
    seq, prev_hash = (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS)
    happened_at = now()
    records: list[dict[str, object]] = []
    for action, outcome, target, detail in entries:
        seq += 1
        digest = _digest(prev_hash, seq, happened_at, (names.account, names.roles, action, target, outcome, detail))
        records.append(
            {
                "seq": seq,
                "happened_at": happened_at,
                "account": names.account,
                "roles": names.roles,
                "action": action,
                "target": target,
                "outcome": outcome,
                "detail": detail,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    if len(records) == 1:
        sql.execute(con, "audit_insert", records[0])
    else:
        con.register("incoming_audit", pa.Table.from_pylist(records, schema=_RECORD_SCHEMA))
        try:
            sql.execute(con, "audit_insert_many")
        finally:
            con.unregister("incoming_audit")
    sql.execute(con, "meta_set", {"key": HEAD_KEY, "value": f"{seq}:{prev_hash}"})
    return [int(record["seq"]) for record in records]  # type: ignore[call-overload]


_RECORD_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("happened_at", pa.timestamp("us")),
        *((name, pa.string()) for name in ("account", "roles", "action", "target", "outcome", "detail", "prev_hash", "hash")),
    ]
)


@retry_conflicts
def record(
    db_path: Path | str,
    who: Actor | Who,
    action: str,
    outcome: str,
    target: str | None = None,
    detail: str | None = None,
) -> int:
    """Add one record in a transaction of its own (refusals, sign-ins, exports)."""
    with transaction(db_path) as con:
        return append(con, who, action, outcome, target, detail)


def record_export(db_path: Path | str, actor: Actor, what: str, detail: str | None = None) -> None:
    """An export (a deck, a chart, a plan, the audit log itself) by `actor`, if the role may export it."""
    from rectlens.access.permissions import require
    from rectlens.access.roles import EXPORT, READ_AUDIT

    auditing = what.startswith("留痕")
    require(actor, READ_AUDIT if auditing else EXPORT)
    record(db_path, actor, "audit_export" if auditing else "export", OK, what, detail)


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    records: int
    broken_at: int | None = None  # sequence number of the first bad record
    problem: str = ""

    @property
    def message(self) -> str:
        if self.intact:
            return f"留痕完整：共 {self.records} 条记录，哈希链未被改动"
        return f"留痕被改动：第 {self.broken_at} 条记录{self.problem}"


def verify(db_path: Path | str) -> ChainCheck:
    """Walk the chain from the first record; the first record that does not fit is named."""
    with connect(db_path) as con:
        chain = sql.rows(con, "audit_chain")
        head = sql.rows(con, "meta_get", {"key": HEAD_KEY})
    prev_hash = GENESIS
    for expected_seq, (seq, happened_at, account, roles, action, target, outcome, detail, stored_prev, stored_hash) in enumerate(
        chain, start=1
    ):
        if seq != expected_seq:
            missing = expected_seq if seq > expected_seq else seq
            return ChainCheck(False, len(chain), missing, "缺失或重复（记录编号不连续），可能被删除或插入")
        if stored_prev != prev_hash:
            return ChainCheck(False, len(chain), seq, "的前一条哈希对不上：前一条记录被修改或删除")
        if _digest(prev_hash, seq, happened_at, (account, roles, action, target, outcome, detail)) != stored_hash:
            return ChainCheck(False, len(chain), seq, "的内容与其哈希不符：该记录被修改")
        prev_hash = stored_hash
    if head:
        head_seq, _, head_hash = str(head[0][0]).partition(":")
        last_seq = len(chain)
        if int(head_seq) != last_seq or head_hash != prev_hash:
            if int(head_seq) < last_seq:  # records added behind the registered head
                return ChainCheck(False, len(chain), int(head_seq) + 1, f"及之后的记录不是由本产品写入（登记的最新记录为第 {head_seq} 条）")
            first_bad = last_seq + 1 if int(head_seq) > last_seq else int(head_seq)
            return ChainCheck(False, len(chain), first_bad, "及之后的记录被删除或改动（链尾与登记的最新记录不符）")
    elif chain:
        return ChainCheck(False, len(chain), len(chain), "之后的链尾登记缺失")
    return ChainCheck(True, len(chain))


def entries(db_path: Path | str, date_from: dt.date | None = None, date_to: dt.date | None = None) -> pd.DataFrame:
    """Audit records of a period, newest first, with Chinese labels for action and outcome."""
    with connect(db_path) as con:
        table = sql.frame(con, "audit_list", {"date_from": date_from, "date_to": date_to})
    table["action_label"] = table["action"].map(ACTION_LABELS).fillna(table["action"])
    table["outcome_label"] = table["outcome"].map(OUTCOME_LABELS).fillna(table["outcome"])
    table["role_labels"] = table["roles"].map(lambda roles: "、".join(ALL_LABELS.get(role, role) for role in roles.split(",") if role))
    return table


EXPORT_COLUMNS = {
    "seq": "序号",
    "happened_at": "时间",
    "account": "账号",
    "role_labels": "角色",
    "action_label": "操作",
    "target": "对象",
    "outcome_label": "结果",
    "detail": "说明",
    "hash": "哈希",
}


def workbook(table: pd.DataFrame) -> bytes:
    """Audit records as an .xlsx sheet 留痕; stored text is written as literal text, never as a formula."""
    from openpyxl import Workbook

    from rectlens.cells import set_value

    book = Workbook()
    sheet = book.active
    sheet.title = "留痕"
    sheet.append(list(EXPORT_COLUMNS.values()))
    for row_index, record in enumerate(table[list(EXPORT_COLUMNS)].itertuples(index=False), start=2):
        for column_index, value in enumerate(record, start=1):
            cleaned = None if value is None or (isinstance(value, float) and value != value) else value
            if isinstance(cleaned, pd.Timestamp):
                cleaned = cleaned.to_pydatetime()
            cell = set_value(sheet.cell(row_index, column_index), cleaned)
            if isinstance(cleaned, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    for letter, width in zip("ABCDEFGHI", (8, 20, 22, 12, 12, 44, 10, 50, 66), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
