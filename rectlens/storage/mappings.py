"""Storing the units' column mappings (列对应): create, edit, delete, every change audited.

A unit's uploader (or the office, for any unit) creates a mapping for its own
unit from the upload page's mapping step: the same right as uploading that
unit's ledger. Viewing the list, editing and deleting are the office's
(MANAGE_MAPPINGS). Every change and every refusal lands in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from rectlens import domain, sql
from rectlens.access import audit
from rectlens.access.permissions import PermissionDenied, require, require_recorded
from rectlens.access.roles import MANAGE_MAPPINGS, UPLOAD_REPORTS, Actor
from rectlens.ingest.mapping import ColumnMapping, MappingError, MappingRequest, check_choice, from_row
from rectlens.storage.database import connect, retry_conflicts, transaction


class MappingNotFound(LookupError):
    pass


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def all_mappings(con: duckdb.DuckDBPyConnection) -> tuple[ColumnMapping, ...]:
    return tuple(from_row(row) for row in sql.rows(con, "mappings_all"))


def list_mappings(db_path: Path | str) -> tuple[ColumnMapping, ...]:
    with connect(db_path) as con:
        return all_mappings(con)


def target(mapping: ColumnMapping | None, mapping_id: int | None = None, name: str = "") -> str:
    """'列对应 #3「江城市 问题台账」（江城市）' as the audit log names a mapping."""
    if mapping is None:
        return f"列对应 #{mapping_id}" + (f"「{name}」" if name else "")
    return f"列对应 #{mapping.mapping_id}「{mapping.name}」（{mapping.unit}，{domain.SHEET_TITLES[mapping.kind]}）"


@retry_conflicts
def create(
    db_path: Path | str,
    actor: Actor,
    request: MappingRequest,
    unit: str,
    name: str,
    fields: dict[str, int],
    constants: dict[str, str],
    statuses: dict[str, str],
) -> ColumnMapping:
    """Store the unit's answer to a mapping request (replacing its earlier mapping of the same header)."""
    name = " ".join(name.split()) or f"{unit} {domain.SHEET_TITLES[request.kind]}（原有格式）"
    label = f"列对应「{name}」（{unit}）"
    require_recorded(db_path, actor, UPLOAD_REPORTS, "mapping_create", label, [unit])
    try:
        check_choice(request, fields, constants, statuses)
    except MappingError as exc:
        audit.record(db_path, actor, "mapping_create", audit.INVALID, label, str(exc))
        raise
    wanted = set(request.unknown_statuses(fields.get("status"))) | set(request.suggested_statuses)
    kept_statuses = {value: status for value, status in statuses.items() if value in wanted and status in domain.STATUSES}
    by_label = {field_name: request.column(index).label for field_name, index in fields.items()}
    with transaction(db_path) as con:
        require(actor, UPLOAD_REPORTS, [unit])
        same = {"unit": unit, "kind": request.kind, "signature": request.signature}
        replaced = [int(row[0]) for row in sql.rows(con, "mappings_same_header", same)]
        for old in replaced:
            sql.execute(con, "mapping_delete", {"mapping_id": old})
        mapping_id = int(sql.rows(con, "mapping_next_id")[0][0])
        sql.execute(
            con,
            "mapping_insert",
            {
                "mapping_id": mapping_id,
                "unit": unit,
                "kind": request.kind,
                "signature": request.signature,
                "name": name,
                "headers": _dump(request.labels()),
                "fields": _dump(by_label),
                "constants": _dump(constants),
                "statuses": _dump(kept_statuses),
                "changed_at": now(),
                "actor": actor.label,
            },
        )
        headers = tuple(request.labels())
        mapping = ColumnMapping(mapping_id, unit, request.kind, request.signature, name, headers, by_label, constants, kept_statuses)
        detail = mapping.summary() + (f"；替换了列对应 #{'、#'.join(map(str, replaced))}" if replaced else "")
        audit.append(con, actor, "mapping_create", audit.OK, target(mapping), detail)
    return mapping


def _get(con: duckdb.DuckDBPyConnection, mapping_id: int) -> ColumnMapping:
    found = [m for m in all_mappings(con) if m.mapping_id == mapping_id]
    if not found:
        raise MappingNotFound(f"没有编号为 {mapping_id} 的列对应（可能已被删除）")
    return found[0]


@retry_conflicts
def update(
    db_path: Path | str,
    actor: Actor,
    mapping_id: int,
    name: str,
    fields: dict[str, str],
    constants: dict[str, str],
    statuses: dict[str, str],
) -> ColumnMapping:
    """The office edits a mapping: its name, which column holds which field, the status words."""
    require_recorded(db_path, actor, MANAGE_MAPPINGS, "mapping_edit", target(None, mapping_id))
    with transaction(db_path) as con:
        require(actor, MANAGE_MAPPINGS)
        old = _get(con, mapping_id)
        layout = domain.LAYOUTS[old.kind]
        unknown = sorted(set(fields.values()) - set(old.headers))
        missing = [c.title for c in layout.required if c.field not in fields and not constants.get(c.field)]
        bad_status = [value for value, status in statuses.items() if status not in domain.STATUSES]
        if unknown or missing or bad_status or len(set(fields.values())) != len(fields):
            reason = (
                f"表头中没有列 {'、'.join(unknown)}" if unknown else
                f"必填列 {'、'.join(missing)} 没有对应的列" if missing else
                f"整改状态只能对应未启动、推进中或已完成（{'、'.join(bad_status)}）" if bad_status else
                "每列只能对应一项"
            )
            raise MappingError(reason)
        name = " ".join(name.split()) or old.name
        new = ColumnMapping(old.mapping_id, old.unit, old.kind, old.signature, name, old.headers, fields, constants, statuses)
        sql.execute(
            con,
            "mapping_update",
            {
                "mapping_id": mapping_id,
                "name": new.name,
                "fields": _dump(fields),
                "constants": _dump(constants),
                "statuses": _dump(statuses),
                "changed_at": now(),
                "actor": actor.label,
            },
        )
        audit.append(con, actor, "mapping_edit", audit.OK, target(new), f"原为：{old.summary()}；改为：{new.summary()}")
    return new


@retry_conflicts
def delete(db_path: Path | str, actor: Actor, mapping_id: int) -> ColumnMapping:
    require_recorded(db_path, actor, MANAGE_MAPPINGS, "mapping_delete", target(None, mapping_id))
    with transaction(db_path) as con:
        require(actor, MANAGE_MAPPINGS)
        old = _get(con, mapping_id)
        sql.execute(con, "mapping_delete", {"mapping_id": mapping_id})
        audit.append(con, actor, "mapping_delete", audit.OK, target(old), old.summary())
    return old


def record_applied(con: duckdb.DuckDBPyConnection, actor: Actor, applied: list[tuple[ColumnMapping, str]], file_name: str) -> None:
    """Inside the storing transaction: which stored mapping read which sheet of the file."""
    for mapping, sheet in applied:
        audit.append(con, actor, "mapping_apply", audit.OK, target(mapping), f"文件「{file_name}」工作表「{sheet}」")


__all__ = ["MappingError", "MappingNotFound", "PermissionDenied", "create", "delete", "list_mappings", "update"]
