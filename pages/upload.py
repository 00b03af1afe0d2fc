"""数据上传: download the template, upload the month's workbooks, read the validation report
or the preview, confirm, and look after the upload history (restore, withdraw)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from rectlens import preview, submissions, uploading
from rectlens.access import audit, reviews
from rectlens.access.permissions import allowed
from rectlens.access.roles import LOAD_REGIONS, MANAGE_MAPPINGS, RESTORE, UPLOAD_CHECKS, UPLOAD_REPORTS, WITHDRAW, Actor
from rectlens.domain import STATUSES
from rectlens.ingest import service
from rectlens.ingest.mapping import MappingRequest
from rectlens.ui import chrome, data, signin, uploader
from rectlens.ui.formats import EMPTY, UPLOAD_HISTORY_COLUMNS, literal, literal_cells, month_label, timestamp

CHECKS = "upload_checks"  # session: (sha, file name, chosen month, database version) -> FileCheck
DONE = "upload_done"  # session: sha -> IngestOutcome of a submitted file
SAVING = "upload_saving"  # session: shas of files whose 确认提交 was pressed and that are stored on this run
FLASH = "upload_flash"  # session: (ok, message) of the last restore or withdrawal
PENDING = "upload_pending"  # session: (action, upload id) waiting for confirmation
REFUSALS = "upload_refusals"  # session: fingerprints of files whose refusal is already in the audit log

HISTORY_CONFIG = {
    "上传编号": st.column_config.NumberColumn(width=72, format="%d"),
    "状态": st.column_config.TextColumn(width=72),
    "报送月份": st.column_config.TextColumn(width=92),
    "文件": st.column_config.TextColumn(width=240),
    "行数": st.column_config.NumberColumn(width=56),
    "上传时间": st.column_config.TextColumn(width=128),
    "审核": st.column_config.TextColumn(width=72),
}
ERROR_ROWS_IN_VIEW = 10  # more errors than this scroll inside a box of this height
ERROR_TABLE_HEIGHT = 460
PROJECT_COLUMNS = {
    "project": "整治项目",
    "total": "问题数",
    "previous_total": "上月问题数",
    "completed": "已完成",
    "previous_completed": "上月已完成",
    "ongoing": "推进中",
    "not_started": "未启动",
    "done_without_evidence": "已完成无佐证",
}
SUMMARY_COLUMNS = {"project": "整治项目", "total": "问题总数", "completed": "已完成数", "rate": "整改完成率"}
CHANGE_COLUMNS = {
    "change": "变化",
    "item_id": "问题编号",
    "project": "整治项目",
    "description": "问题描述",
    "status_before": "上月状态",
    "status_now": "本月状态",
    "excel_row": "行",
}
CHECK_STAGES = ("读取", "校验", "对比上月")  # the stages of checking a file; 保存 follows on 确认提交 (see `save`)
NO_COLUMN = -1  # a field the sheet does not have
MAPPING_FLASH = "mapping_flash"  # session: (ok, message) of the last mapping saved or changed
NOTE_BOXES = {"error": st.error, "warning": st.warning, "info": st.info}
NOTE_ICONS = {"error": ":material/report:", "warning": ":material/warning:", "info": ":material/info:"}


# --- 1 template and uploader ----------------------------------------------------


def show_template() -> None:
    st.subheader("① 下载模板", anchor=False)
    text, button = st.columns([4, 1], vertical_alignment="center")
    text.markdown(
        "模板含 问题台账、汇总、核查结果、群众评议 四张表和“填报说明”，带下拉选项和示例行。"
        "不需要报送的表保持空白即可；本单位原有格式的表格只要列名一致也可以直接上传。"
    )
    with button:
        uploader.template_button()


def show_identity(actor: Actor) -> None:
    st.subheader("② 上传人", anchor=False)
    can = []
    if allowed(actor, UPLOAD_REPORTS):
        scope = "各单位" if actor.reaches_all_units() else "、".join(actor.units)
        can.append(f"{scope}的问题台账和汇总")
    if allowed(actor, UPLOAD_CHECKS):
        can.append("核查结果和群众评议")
    rights = literal("，以及".join(can))
    st.markdown(f"以 **{literal(actor.label)}**（{literal(actor.role_labels)}）的身份上传，可上传{rights}。上传历史和留痕记下这个账号。")


def show_returned(actor: Actor) -> None:
    """The unit's uploads that the office returned, with the reasons: to be replaced by a corrected file."""
    if actor.reaches_all_units() or not actor.units:
        return
    returned = reviews.returned_for(data.load(submissions.reviewed_history), actor.units)
    for record in returned.itertuples(index=False):
        st.warning(
            f"专班退回了上传 #{record.upload_id}（{literal(record.region)} {month_label(record.month)} {literal(record.kind_label)}"
            f"「{literal(record.file_name)}」）：{literal(record.reason or '')}。请改正后重新上传，新文件会替换被退回的版本。",
            icon=":material/assignment_return:",
        )


# --- 2 checking files -------------------------------------------------------------


def month_key(sha: str) -> str:
    return f"upload_month_{sha[:16]}"


def checked(files: list[tuple[str, bytes]]) -> list[uploading.FileCheck]:
    """Check each file once per content, chosen month and state of the database (kept in the session), with progress."""
    cache: dict[tuple[str, str, dt.date | None, int], uploading.FileCheck] = st.session_state.setdefault(CHECKS, {})
    version = data.load(uploading.database_version)  # another upload or a restore makes a preview stale
    keyed = []
    for name, content in files:
        sha = uploading.fingerprint(content)
        keyed.append(((sha, name, st.session_state.get(month_key(sha)), version), content))
    todo = [(key, content) for key, content in keyed if key not in cache]
    if todo:
        units = signin.actor().units
        with st.status(f"正在读取和校验 {len(todo)} 个文件…", expanded=True) as status:
            bar = st.progress(0.0)
            for done, (key, content) in enumerate(todo):
                _sha, name, month, _version = key
                file_text = f"「{literal(name)}」（{done + 1}/{len(todo)}）"

                def stage(step: str, what: str, done: int = done, file_text: str = file_text, name: str = name) -> None:
                    # 读取, 校验, 对比上月: each file's share of the bar advances stage by stage
                    position = (done + (CHECK_STAGES.index(step) + 1) / (len(CHECK_STAGES) + 1)) / len(todo)
                    where = f"工作表「{literal(what)}」" if what and what != name else ""
                    bar.progress(min(position, 1.0), text=f"{file_text} {step}{where}…")

                bar.progress(done / len(todo), text=f"{file_text} 读取…")
                cache[key] = uploading.check_file(data.db_path(), content, name, month, units=units, progress=stage)
            bar.progress(1.0, text="校验完成")
            status.update(label=f"已校验 {len(todo)} 个文件", state="complete", expanded=False)
    wanted = {key for key, _content in keyed}
    for key in [key for key in cache if key not in wanted]:  # files removed from the uploader
        del cache[key]
    return [cache[key] for key, _content in keyed]


def submit(check: uploading.FileCheck) -> None:
    """Button callback: the file is stored on this run, in its own card, with progress (see `save`)."""
    st.session_state.setdefault(SAVING, set()).add(check.sha256)


def save(check: uploading.FileCheck) -> None:
    """Store the checked file as the signed-in account, showing each step, and remember the outcome for this session."""
    with st.status(f"正在保存「{literal(check.file_name)}」…", expanded=True) as status:
        bar = st.progress(0.0, text="保存：等待写入…")
        steps = [0]

        def stage(step: str, what: str) -> None:
            steps[0] += 1
            bar.progress(min(steps[0] / (steps[0] + 2), 0.95), text=f"{step}：{literal(what)}…")

        outcome = uploading.submit(data.db_path(), check, signin.actor(), progress=stage)
        bar.progress(1.0, text="保存完成")
        status.update(label=f"已保存「{literal(check.file_name)}」", state="complete", expanded=False)
    st.session_state.setdefault(DONE, {})[check.sha256] = outcome
    st.session_state[SAVING].discard(check.sha256)


def show_refusal(check: uploading.FileCheck, refusal: str) -> None:
    """A valid file this account may not store: say why; the attempt goes into the audit log once."""
    st.error(f"「{literal(check.file_name)}」不能由本账号提交，未保存任何数据：{literal(refusal)}", icon=":material/block:")
    recorded: set[str] = st.session_state.setdefault(REFUSALS, set())
    if check.sha256 not in recorded:
        recorded.add(check.sha256)
        audit.record(data.db_path(), signin.actor(), "upload", audit.REFUSED, f"文件「{check.file_name}」", refusal)


def show_month_choice(check: uploading.FileCheck) -> None:
    if check.needs_month:
        st.warning(
            "文件中没有写明报送月份（“报送月份”列、标题行和文件名中都没有）。请选择这份文件报送的月份，选择后自动重新校验。",
            icon=":material/calendar_month:",
        )
    choices = uploading.month_choices()
    st.selectbox(
        "报送月份",
        choices,
        index=None,
        format_func=preview.chinese_month,
        key=month_key(check.sha256),
        placeholder="选择报送月份",
        width=240,
    )


def show_errors(check: uploading.FileCheck) -> None:
    if check.requests:
        # the errors are mostly what the mapping above is for: they are there to read, not the next step
        st.info(
            "保存上面的列对应后，本文件会按模板重新校验，缺列和状态写法的错误随之消失；仍有的错误须在文件中改正。"
            "未保存任何数据。",
            icon=":material/table_convert:",
        )
        with st.expander(f"按模板格式校验的结果（{len(check.problems)} 处错误，保存列对应前）"):
            show_error_list(check)
        return
    st.error(literal(check.message), icon=":material/error:")
    show_error_list(check)


def show_error_list(check: uploading.FileCheck) -> None:
    table = check.error_table()
    # a static table: every text wraps and can be read in full; a long list scrolls inside its box
    height = ERROR_TABLE_HEIGHT if len(table) > ERROR_ROWS_IN_VIEW else "content"
    st.table(literal_cells(table.astype({"行": "string"}).fillna(EMPTY)), hide_index=True, height=height)
    st.download_button(
        "下载标注错误的工作簿",
        data=check.annotated,
        file_name=check.annotated_name,
        mime=uploading.XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=f"annotated_{check.sha256[:16]}",
    )
    st.caption("下载的工作簿中，出错的单元格标为红色并附批注说明；第一张表“错误说明”列出全部错误。在这份文件上改正后重新上传即可。")


def show_ledger(ledger: preview.LedgerPreview) -> None:
    scope, sheet = literal(preview.scope_label(ledger.region, ledger.month)), literal(ledger.sheet)
    st.markdown(f"**问题台账 · {scope}**　工作表「{sheet}」，{ledger.rows} 个问题")
    has_previous = ledger.previous is not None
    previous_total = int(ledger.projects["previous_total"].sum()) if has_previous else None
    previous_done = int(ledger.projects["previous_completed"].sum()) if has_previous else None
    metrics = st.columns(6)
    total_delta = None if previous_total is None else ledger.rows - previous_total
    metrics[0].metric("问题总数", ledger.rows, total_delta, delta_color="off", border=True, help="与上月台账相比")
    done_delta = None if previous_done is None else ledger.completed - previous_done
    metrics[1].metric("已完成", ledger.completed, done_delta, border=True, help="与上月台账相比")
    labels = (preview.NEW, preview.COMPLETED, preview.DISAPPEARED, preview.NO_EVIDENCE)
    for column, change in zip(metrics[2:], labels, strict=True):
        value = ledger.count(change) if has_previous or change == preview.NO_EVIDENCE else EMPTY
        column.metric(preview.CHANGE_LABELS[change], value, border=True)
    projects = ledger.projects.assign(project=ledger.projects["project"].map(preview.short))
    table = projects[list(PROJECT_COLUMNS)].rename(columns=PROJECT_COLUMNS)
    st.table(table.style.format(na_rep=EMPTY, precision=0).hide(axis="index"))
    for note in ledger.notes():
        NOTE_BOXES[note.level](literal(note.text), icon=NOTE_ICONS[note.level])
    if not ledger.changes.empty:
        with st.expander(f"逐项变化（{len(ledger.changes)} 项）", expanded=ledger.shrinks):
            changes = ledger.changes.assign(
                change=ledger.changes["change"].map(preview.CHANGE_LABELS),
                project=ledger.changes["project"].map(preview.short),
                excel_row=ledger.changes["excel_row"].astype("Int64"),
            )[list(CHANGE_COLUMNS)].rename(columns=CHANGE_COLUMNS)
            st.dataframe(
                changes.astype("string").fillna(EMPTY),
                hide_index=True,
                width="stretch",
                column_config={"行": st.column_config.TextColumn(width=56), "问题描述": st.column_config.TextColumn(width="large")},
            )


def show_summary(summary: preview.SummaryPreview) -> None:
    st.markdown(f"**汇总 · {literal(preview.scope_label(summary.region, summary.month))}**　工作表「{literal(summary.sheet)}」")
    rows = summary.rows.assign(
        project=summary.rows["project"].map(preview.short),
        rate=summary.rows["rate"].map(lambda rate: EMPTY if pd.isna(rate) else f"{rate:.1%}"),
    )
    st.table(rows.rename(columns=SUMMARY_COLUMNS), hide_index=True)
    for note in summary.notes():
        NOTE_BOXES[note.level](literal(note.text), icon=NOTE_ICONS[note.level])


def show_added(added: preview.AddedPreview) -> None:
    label = service.KIND_LABELS[added.kind]
    parts = literal("，".join(f"{row.label} {row.count}" for row in added.breakdown.itertuples(index=False)))
    st.markdown(f"**{label}**　工作表「{literal(added.sheet)}」：将新增 {added.rows} 条（{parts}）；与已保存记录完全相同的行不会重复保存")


def show_preview(check: uploading.FileCheck) -> None:
    assert check.preview is not None
    refusal = uploading.refusal(check, signin.actor())
    if refusal:
        show_refusal(check, refusal)
        return
    st.success(literal(check.message), icon=":material/task_alt:")
    for ledger in check.preview.ledgers:
        show_ledger(ledger)
    for summary in check.preview.summaries:
        show_summary(summary)
    for added in check.preview.added:
        show_added(added)
    acknowledged = True
    if check.preview.shrinks:
        acknowledged = st.checkbox("我已核对：上面列出的问题确实不应出现在本月清单中，仍要提交", key=f"shrink_ok_{check.sha256[:16]}")
    st.button(
        "确认提交",
        type="primary",
        icon=":material/cloud_upload:",
        disabled=not acknowledged,
        on_click=submit,
        args=(check,),
        key=f"submit_{check.sha256[:16]}",
    )


def show_outcome(outcome: service.IngestOutcome) -> None:
    if outcome.status == service.STORED:
        st.success(literal(outcome.message), icon=":material/cloud_done:")
    elif outcome.status == service.REFUSED:
        st.error(literal(outcome.message), icon=":material/block:")
    else:
        st.info(literal(outcome.message), icon=":material/info:")


def show_notices(notices: list[str]) -> None:
    if notices:
        with st.expander(f"提示（{len(notices)} 条）"):
            st.markdown("\n".join(f"- {literal(notice)}" for notice in notices))


def card_key(sha: str) -> str:
    """The key (and CSS class st-key-…) of the box reporting on the file with this fingerprint."""
    return f"file_{sha[:16]}"


def show_check(check: uploading.FileCheck) -> None:
    with st.container(border=True, key=card_key(check.sha256)):
        st.markdown(f"#### :material/description: {literal(check.file_name)}")
        if check.sha256 in st.session_state.get(SAVING, set()):
            save(check)
        outcome = st.session_state.get(DONE, {}).get(check.sha256)
        if outcome is not None:
            show_outcome(outcome)
            show_notices(outcome.notices)
            return
        if check.status == uploading.DUPLICATE:
            st.info(literal(check.message), icon=":material/content_copy:")
            show_notices(check.notices)
            return
        if check.needs_month or check.month is not None:
            show_month_choice(check)
        for index, request in enumerate(check.requests):
            show_mapping(check, request, index)
        if check.status == uploading.INVALID:
            show_errors(check)
        else:
            show_preview(check)
        show_notices(check.notices)


# --- the mapping step: a unit's own layout -------------------------------------------------------


def _column_text(request: object, index: int) -> str:
    if index == NO_COLUMN:
        return "（表中没有这一项）"
    column = request.column(index)  # type: ignore[attr-defined]
    return f"{column.letter} 列 · {column.label}"


def show_mapping(check: uploading.FileCheck, request: MappingRequest, position: int) -> None:
    """For each template field a column of the sheet (pre-filled), its first values, the unit's status words."""
    actor = signin.actor()
    layout = request.layout
    prefix = f"map_{check.sha256[:12]}_{position}"
    with st.container(border=True, key=f"mapping_{check.sha256[:12]}_{position}"):
        st.markdown(f"##### :material/table_convert: 列对应 · 工作表「{literal(request.sheet)}」（{layout.title}）")
        st.caption(
            "这张表是本单位原有的格式，缺少模板的必填列。请为模板的每一项选择表中对应的列（已按列名和内容预选，请逐项核对），"
            "每个选择下方是该列前几行的内容。保存后，同样表头的文件（看板和命令行）都会自动按此读取，校验与模板完全相同。"
        )
        units = list(actor.units) if not actor.reaches_all_units() else uploading.unit_choices(data.db_path())
        fields: dict[str, int] = {}
        constants: dict[str, str] = {}
        options = [NO_COLUMN, *[c.index for c in request.columns]]
        grid = st.columns(3)
        for number, column in enumerate(layout.columns):
            cell = grid[number % 3]
            suggested = request.suggested.get(column.field, NO_COLUMN)
            label = column.title + ("（必填）" if column.required else "")
            if column.field == "region":
                region_options: list[object] = [*options, *[f"unit:{unit}" for unit in units]]
                default = suggested if suggested != NO_COLUMN else (f"unit:{units[0]}" if len(units) == 1 else NO_COLUMN)
                chosen = cell.selectbox(
                    label,
                    region_options,
                    index=region_options.index(default),
                    format_func=lambda v: f"全部为：{v[5:]}" if isinstance(v, str) else _column_text(request, int(v)),  # type: ignore[arg-type]
                    key=f"{prefix}_{column.field}",
                )
                if isinstance(chosen, str):
                    constants["region"] = chosen[5:]
                    cell.caption("表中没有地区列：每一行都记为本单位")
                    continue
            else:
                chosen = cell.selectbox(
                    label,
                    options,
                    index=options.index(suggested),
                    format_func=lambda v: _column_text(request, v),
                    key=f"{prefix}_{column.field}",
                )
            if chosen != NO_COLUMN:
                fields[column.field] = int(chosen)
                samples = request.column(int(chosen)).samples
                cell.caption("前几行：" + ("、".join(literal(v) for v in samples) if samples else "（空）"))
        statuses: dict[str, str] = {}
        unknown = request.unknown_statuses(fields.get("status"))
        if unknown:
            st.markdown("**整改状态的含义**：下列写法不是模板的状态，请本单位说明各自对应哪一种（不会自动猜测）")
            words = st.columns(min(len(unknown), 4))
            for number, value in enumerate(unknown):
                picked = words[number % len(words)].selectbox(
                    f"「{literal(value)}」表示", list(STATUSES), index=None, placeholder="请选择", key=f"{prefix}_status_{number}"
                )
                if picked:
                    statuses[value] = picked
        unit = constants.get("region") or (units[0] if len(units) == 1 else None)
        name_col, unit_col = st.columns([2, 1])
        if not actor.reaches_all_units() or unit is not None:
            unit_col.text_input("所属单位", value=unit or "", disabled=True, key=f"{prefix}_unit_shown")
        else:
            unit = unit_col.selectbox("所属单位", units, index=None, placeholder="选择单位", key=f"{prefix}_unit")
        name = name_col.text_input("列对应名称", value=f"{unit or ''}{layout.title}（原有格式）", max_chars=60, key=f"{prefix}_name")
        if st.button("保存列对应并重新校验", type="primary", icon=":material/save:", key=f"{prefix}_save", disabled=unit is None):
            saved = uploading.save_mapping(data.db_path(), actor, request, str(unit), name, fields, constants, statuses)
            st.session_state[MAPPING_FLASH] = saved
            st.rerun()


def show_mapping_flash() -> None:
    flash = st.session_state.pop(MAPPING_FLASH, None)
    if flash is not None:
        ok, message = flash
        (st.success if ok else st.error)(literal(message), icon=":material/table_convert:")


def show_mappings(actor: Actor) -> None:
    """专班: every unit's stored column mappings; rename, change the status words, delete."""
    if not allowed(actor, MANAGE_MAPPINGS):
        return
    with st.expander("各单位的列对应（专班）", icon=":material/table_convert:"):
        table = uploading.mapping_table(data.db_path())
        if table.empty:
            st.caption("还没有任何单位保存列对应。单位上传原有格式的文件时，会在校验结果上方设置。")
            return
        st.dataframe(literal_cells(table), hide_index=True, width="stretch")
        stored = {m.mapping_id: m for m in uploading.mapping_list(data.db_path())}
        picked = st.selectbox(
            "选择一条列对应",
            list(stored),
            index=None,
            format_func=lambda i: f"#{i} {stored[i].unit} {stored[i].name}",
            placeholder="选择编号",
            key="mapping_pick",
        )
        if picked is None:
            return
        mapping = stored[picked]
        name = st.text_input("名称", value=mapping.name, key=f"mapping_name_{picked}")
        statuses = {
            value: st.selectbox(
                f"「{literal(value)}」表示", list(STATUSES), index=list(STATUSES).index(status), key=f"mapping_st_{picked}_{n}"
            )
            for n, (value, status) in enumerate(mapping.statuses.items())
        }
        save, remove, _rest = st.columns([1, 1, 3])
        if save.button("保存修改", key=f"mapping_save_{picked}", icon=":material/save:"):
            st.session_state[MAPPING_FLASH] = uploading.update_mapping(data.db_path(), actor, mapping, name, statuses)
            st.rerun()
        if remove.button("删除", key=f"mapping_delete_{picked}", icon=":material/delete:"):
            st.session_state[MAPPING_FLASH] = uploading.delete_mapping(data.db_path(), actor, mapping.mapping_id)
            st.rerun()


def show_upload() -> None:
    st.subheader("③ 上传文件", anchor=False)
    files = uploader.file_uploader(
        "选择本单位的报送文件（可一次选择多个）",
        key="upload_files",
        help="先校验、再预览，确认提交后才保存；同一单位同一月份再次上传更正后的文件，会替换之前的版本。",
    )
    for check in checked([(file.name, file.getvalue()) for file in files]):
        show_check(check)


def show_region_master(actor: Actor) -> None:
    """专班 loads or replaces the region master (地区表) here; the command line's `regions` does the same."""
    if not allowed(actor, LOAD_REGIONS):
        return
    with st.expander("载入或替换地区表（专班）", icon=":material/map:"):
        st.caption("地区表列出报送单位：地区、片区两列必填，县区、规模（如党员干部数，用于推算应查摆的问题数）可选。载入后，上传文件中的地区名称按地区表核对；替换会记入留痕。")
        chosen = st.file_uploader("选择地区表（.xlsx / .xls）", type=["xlsx", "xls"], key="regions_file")
        if chosen is None or not st.button("载入地区表", key="regions_load", icon=":material/upload:"):
            return
        count, problems, notices = service.replace_region_master(data.db_path(), chosen.getvalue(), chosen.name, actor)
        if problems:
            st.error(f"地区表「{literal(chosen.name)}」有 {len(problems)} 处错误，未作任何更改。", icon=":material/error:")
            st.table(literal_cells(uploading.error_table(problems).astype({"行": "string"}).fillna(EMPTY)), hide_index=True)
        else:
            st.success(f"地区表已载入：{count} 个地区", icon=":material/task_alt:")
        for notice in notices:  # an expander holds no other expander: the notices are listed plainly
            st.caption("提示：" + literal(notice))


# --- 3 history ----------------------------------------------------------------------


def forget_pending() -> None:
    st.session_state.pop(PENDING, None)


@st.dialog("请确认", width="large", on_dismiss=forget_pending)
def confirm(action: str, upload_id: int, plan: str, actor: Actor) -> None:
    """Ask before restoring or withdrawing; the dialog stays open (PENDING) until answered or closed."""
    st.markdown(literal(plan))
    st.caption(f"操作人：{literal(actor.label)}")
    yes, no = st.columns(2)
    if yes.button("确认恢复" if action == "restore" else "确认撤回", type="primary", key="confirm_yes", width="stretch"):
        forget_pending()
        do = uploading.restore if action == "restore" else uploading.withdraw
        st.session_state[FLASH] = do(data.db_path(), upload_id, actor)
        st.rerun()
    if no.button("取消", key="confirm_no", width="stretch"):
        forget_pending()
        st.rerun()


def visible_history(actor: Actor) -> pd.DataFrame:
    """The uploads this account sees here: all for the office, its units' for an uploader, checks for an inspector."""
    table = data.load(submissions.reviewed_history)
    if actor.reaches_all_units():
        return table
    mine = pd.Series(False, index=table.index)
    if allowed(actor, UPLOAD_REPORTS):
        mine |= table["region"].isin(actor.units)
    if allowed(actor, UPLOAD_CHECKS):
        mine |= ~table["kind"].isin(uploading.REPORT_KINDS)
    return table[mine]


def show_history(actor: Actor) -> None:
    st.subheader("上传历史", anchor=False)
    flash = st.session_state.pop(FLASH, None)
    if flash is not None:
        ok, message = flash
        (st.success if ok else st.error)(literal(message), icon=":material/history:")
    table = visible_history(actor)
    if table.empty:
        st.info("还没有任何上传记录。", icon=":material/info:")
        return
    units, months, kinds, states = st.columns([2, 2, 1, 1])
    chosen = uploading.filter_history(
        table,
        units=units.multiselect("单位", sorted(table["region"].dropna().unique()), placeholder="全部单位", key="history_units"),
        months=months.multiselect(
            "报送月份",
            sorted(table["month"].dropna().unique(), reverse=True),
            format_func=month_label,
            placeholder="全部月份",
            key="history_months",
        ),
        kinds=kinds.multiselect("类别", list(dict.fromkeys(table["kind_label"])), placeholder="全部类别", key="history_kinds"),
        states=states.multiselect("状态", list(submissions.STATE_ORDER), placeholder="全部状态", key="history_states"),
    )
    shown = chosen.assign(
        region=chosen["region"].fillna(EMPTY),
        month=chosen["month"].map(lambda m: month_label(m) if isinstance(m, str) else EMPTY),
        received_at=chosen["received_at"].map(timestamp),
        uploader=chosen["uploader"].fillna(EMPTY),
        uploader_unit=chosen["uploader_unit"].fillna(EMPTY),
    )[[*UPLOAD_HISTORY_COLUMNS, "review"]].rename(columns={**UPLOAD_HISTORY_COLUMNS, "review": "审核"})
    st.caption(f"共 {len(chosen)} 条上传记录（含已被替换和已撤回的版本）")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=HISTORY_CONFIG, height=min(38 + 35 * len(shown), 388))
    if chosen.empty or not (allowed(actor, RESTORE) or allowed(actor, WITHDRAW)):
        return
    show_actions(chosen, actor)


def show_actions(chosen: pd.DataFrame, actor: Actor) -> None:
    st.markdown("**恢复或撤回**")
    records = {int(record["upload_id"]): record for _index, record in chosen.iterrows()}
    picked = st.selectbox(
        "选择一条上传记录",
        list(records),
        index=None,
        format_func=lambda upload_id: uploading.upload_label(records[upload_id]),
        placeholder="选择上传编号",
        key="history_pick",
    )
    if picked is None:
        st.caption("恢复：让一个早先的版本重新生效（当前生效的版本改为“已被替换”）。撤回：整份上传不再参与统计，数据仍保留、可再恢复。")
        return
    record = records[picked]
    events = data.load(uploading.events_of, picked)
    st.dataframe(events, hide_index=True, width="stretch")
    restore, withdraw, _rest = st.columns([1, 1, 3])
    if restore.button("恢复为生效版本", disabled=not uploading.can_restore(record), key="history_restore", icon=":material/restore:"):
        st.session_state[PENDING] = ("restore", picked)
    if withdraw.button("撤回", disabled=not uploading.can_withdraw(record), key="history_withdraw", icon=":material/undo:"):
        st.session_state[PENDING] = ("withdraw", picked)
    pending = st.session_state.get(PENDING)
    if pending is not None:
        action, upload_id = pending
        history = data.load(submissions.history)
        plan = uploading.restore_plan if action == "restore" else uploading.withdraw_plan
        confirm(action, upload_id, plan(history, upload_id), actor)


def main() -> None:
    st.html(uploader.page_css())
    chrome.page_header("数据上传", "先校验、再预览，确认提交后才保存；有错误的文件不会保存任何数据。")
    actor = signin.actor()
    show_returned(actor)
    show_template()
    show_identity(actor)
    show_mapping_flash()
    show_upload()
    show_region_master(actor)
    show_mappings(actor)
    show_history(actor)


main()
