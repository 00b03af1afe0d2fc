"""数据上传 run headless with AppTest: a good file, a bad file, a duplicate, a file without a month,
several files at once, confirmation before storing, and restoring through the history.

Files are uploaded by 江城市's 填报人员, signed in with a real account; restoring and withdrawing
is the office's (专班). What is stored names the account, and lands in the audit log with it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from actors import OPERATOR, UPLOADER_ACTOR
from audit_trail import actions, audit_rows, last_seq
from signin_helpers import OFFICE_WANG, Person, as_shown, assert_no_exception, open_signed_in, uploader_of
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button
from workbooks import ledger_row, ledger_sheet, xlsx

from rectlens import submissions, uploading
from rectlens.ingest import service
from rectlens.ui import uploader

ROOT = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SEPTEMBER = xlsx(ledger_sheet([ledger_row("JC-001", status="推进中"), ledger_row("JC-002", status="推进中")], month="2026年9月"))
OCTOBER = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中"), ledger_row("JC-003", status="未启动")]))
SHRUNK = xlsx(ledger_sheet([ledger_row("JC-001")]))  # JC-002 of September is missing
BAD = xlsx(ledger_sheet([ledger_row("JC-001", status="搞定了"), ledger_row("JC-002", found="2026-13-45")]))
NO_MONTH = xlsx(ledger_sheet([ledger_row("JC-001"), ledger_row("JC-002", status="推进中")], titles=[]))


@pytest.fixture
def page_db(regions_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """江城市's September ledger is stored; the dashboard reads this database."""
    assert service.ingest_bytes(regions_db, SEPTEMBER, "江城市2026年9月台账.xlsx", actor=OPERATOR).status == service.STORED
    monkeypatch.setenv("RECTLENS_DB", str(regions_db))
    return regions_db


JIANGCHENG = uploader_of("江城市")  # 张三（tianbao.zhang）, 填报人员 of 江城市


def open_upload_page(db: Path, person: Person = JIANGCHENG) -> AppTest:
    """Sign in on the dashboard, then open 数据上传 from the menu."""
    at = open_signed_in(db, person)
    at.switch_page("pages/upload.py").run()
    assert_no_exception(at)
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="upload_files").set_value([(name, data, XLSX) for name, data in files]).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def submit_button(at: AppTest) -> Button:
    (button,) = [b for b in at.button if b.label == "确认提交"]
    return button


def texts(elements: object) -> list[str]:
    """What each element shows: uploaded text (file names, problem ids) is markdown-escaped by the page."""
    return [as_shown(element.value) for element in elements]  # type: ignore[attr-defined]


def test_page_offers_template_identity_uploader_and_history(page_db: Path) -> None:
    at = open_upload_page(page_db)
    assert at.title[0].value.startswith("数据上传")
    assert texts(at.subheader) == ["① 下载模板", "② 上传人", "③ 上传文件", "上传历史"]
    assert [b.label for b in at.get("download_button")] == ["下载模板"]
    (files,) = at.file_uploader
    assert files.accept_multiple_files
    assert files.proto.max_upload_size_mb == uploader.limit_mb() == 50
    # the uploader is the signed-in account, bound to its unit: nothing to type or choose
    assert not at.text_input and not [box for box in at.selectbox if box.key == "uploader_unit"]
    identity = "以 **张三（tianbao.zhang）**（填报人员）的身份上传，可上传江城市的问题台账和汇总。上传历史和留痕记下这个账号。"
    assert identity in texts(at.markdown)
    assert at.dataframe[0].value["文件"].tolist() == ["江城市2026年9月台账.xlsx"]


def test_the_uploader_texts_are_replaced_by_chinese(page_db: Path) -> None:
    at = open_upload_page(page_db)
    css = "\n".join(element.proto.body for element in at.get("html"))
    for testid in (
        "stFileUploaderDropzoneInstructions",
        "stFileUploaderDropzoneInput",
        "stFileChip",
        "InputInstructions",
        "stStatusWidget",
    ):
        assert testid in css
    for text in ("选择文件", "或把文件拖到这里", "单个文件不超过 50 MB", "松开鼠标即可上传", "按回车键确认", "停止"):
        assert f'content: "{text}' in css or text in css


def test_server_upload_limit_matches_the_product_limit() -> None:
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["maxUploadSize"] == uploader.limit_mb()


def test_a_good_file_is_previewed_and_stored_only_after_confirmation(page_db: Path, dump_database) -> None:
    at = open_upload_page(page_db)
    before, seq = dump_database(page_db), last_seq(page_db)
    upload(at, ("江城市2026年10月台账.xlsx", OCTOBER))
    assert texts(at.success) == ["「江城市2026年10月台账.xlsx」校验通过。请核对下面的预览，确认无误后提交；提交前不会保存任何数据。"]
    counts = at.table[0].value
    assert counts.iloc[0][["整治项目", "问题数", "上月问题数", "已完成", "上月已完成"]].tolist() == ["违规吃喝", 3, 2, 1, 0]
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {"问题总数": "3", "已完成": "1", "新增问题": "1", "本月新完成": "1", "从清单中消失": "0", "已完成但无佐证": "0"}
    assert not submit_button(at).disabled  # signed in: the uploader is known, nothing to fill in first
    assert not any("请先在上方填写" in caption for caption in texts(at.caption))
    assert dump_database(page_db) == before  # nothing stored before 确认提交
    assert actions(page_db, seq) == []  # nor recorded
    submit_button(at).click().run()
    assert texts(at.success)[0].startswith("「江城市2026年10月台账.xlsx」已保存：问题台账（江城市 2026-10） 3 行")
    assert "已保存「江城市2026年10月台账.xlsx」" in [as_shown(status.label) for status in at.status]  # the 保存 stage, shown in the card
    latest = submissions.history(page_db).iloc[0]
    assert (latest["file_name"], latest["uploader"], latest["uploader_unit"]) == ("江城市2026年10月台账.xlsx", JIANGCHENG.label, "江城市")
    assert at.dataframe[0].value["文件"].tolist()[0] == "江城市2026年10月台账.xlsx"
    assert at.dataframe[0].value["上传人"].tolist()[0] == "张三（tianbao.zhang）"
    # in the audit log with the account: the new version stored, the September one untouched
    (stored,) = audit_rows(page_db, seq)
    assert (stored["account"], stored["roles"], stored["action"], stored["outcome"]) == ("tianbao.zhang", "uploader", "upload", "ok")
    assert stored["target"] == f"上传 #{latest['upload_id']}（问题台账 江城市 2026-10「江城市2026年10月台账.xlsx」）"


def test_storing_reports_its_steps(page_db: Path) -> None:
    check = uploading.check_file(page_db, OCTOBER, "江城市2026年10月台账.xlsx", units=UPLOADER_ACTOR.units)
    steps: list[tuple[str, str]] = []
    outcome = uploading.submit(page_db, check, UPLOADER_ACTOR, progress=lambda stage, what: steps.append((stage, what)))
    assert outcome.status == service.STORED
    assert steps == [("保存", "等待写入"), ("保存", "写入问题台账 3 行"), ("保存", "提交")]


def test_a_shrinking_list_must_be_acknowledged_before_submitting(page_db: Path) -> None:
    at = upload(open_upload_page(page_db), ("江城市2026年10月台账.xlsx", SHRUNK))
    assert texts(at.error)[0].startswith("清单缩水：2026年9月台账中的 1 个问题不在本次清单中（JC-002）")
    assert submit_button(at).disabled
    (acknowledge,) = at.checkbox
    acknowledge.check().run()
    assert not submit_button(at).disabled
    submit_button(at).click().run()
    assert "已保存" in texts(at.success)[0]


def test_a_bad_file_lists_every_error_and_offers_the_annotated_workbook(page_db: Path, dump_database) -> None:
    at = open_upload_page(page_db)
    before = dump_database(page_db)
    upload(at, ("江城市2026年10月台账.xlsx", BAD))
    assert texts(at.error) == ["「江城市2026年10月台账.xlsx」有 2 处错误，未保存任何数据。请按下表修改后重新上传。"]
    errors = at.table[0].value
    assert errors.columns.tolist() == ["文件", "工作表", "行", "列", "值", "问题与改法"]
    assert errors[["工作表", "行", "列", "值"]].map(as_shown).values.tolist() == [  # cells are markdown: uploaded text is escaped
        ["问题台账", "4", "整改状态（L 列）", "搞定了"],
        ["问题台账", "5", "发现日期（J 列）", "2026-13-45"],
    ]
    assert "下载标注错误的工作簿" in [b.label for b in at.get("download_button")]
    assert not [b for b in at.button if b.label == "确认提交"]
    assert dump_database(page_db) == before


def test_a_duplicate_is_reported_as_such(page_db: Path, dump_database) -> None:
    at = open_upload_page(page_db)
    before = dump_database(page_db)
    upload(at, ("九月台账（再传一次）.xlsx", SEPTEMBER))
    assert texts(at.info)[0] == "「九月台账（再传一次）.xlsx」与已上传的文件完全相同，无需再次提交"
    assert any("同样内容的文件「江城市2026年9月台账.xlsx」此前已上传" in text for text in texts(at.markdown))
    assert not [b for b in at.button if b.label == "确认提交"]
    assert dump_database(page_db) == before


@pytest.fixture
def november(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page offers report months as if today were in November 2026."""
    offered = uploading.month_choices
    monkeypatch.setattr(uploading, "month_choices", lambda today=None, count=24: offered(dt.date(2026, 11, 15), count))


def test_the_month_is_asked_only_when_the_file_does_not_say_it(page_db: Path, november: None) -> None:
    at = upload(open_upload_page(page_db), ("台账.xlsx", NO_MONTH), ("江城市2026年10月台账.xlsx", OCTOBER))
    month_pickers = [box for box in at.selectbox if box.label == "报送月份"]
    assert len(month_pickers) == 1  # only for the file without a month
    assert month_pickers[0].options[:3] == ["2026年11月", "2026年10月", "2026年9月"]
    assert any(text.startswith("文件中没有写明报送月份") for text in texts(at.warning))
    assert texts(at.error)[0] == "「台账.xlsx」有 1 处错误，未保存任何数据。请按下表修改后重新上传。"
    month_pickers[0].select(dt.date(2026, 10, 1)).run()
    assert not any(text.startswith("文件中没有写明报送月份") for text in texts(at.warning))
    # checked again with the chosen month: valid, and compared with September
    assert texts(at.success)[0].startswith("「台账.xlsx」校验通过")
    assert "**问题台账 · 江城市 · 2026年10月**　工作表「问题台账」，2 个问题" in texts(at.markdown)
    assert next(box for box in at.selectbox if box.label == "报送月份").value == dt.date(2026, 10, 1)


def test_several_files_at_once_each_get_their_own_verdict(page_db: Path) -> None:
    at = upload(open_upload_page(page_db), ("好.xlsx", OCTOBER), ("坏.xlsx", BAD), ("重复.xlsx", SEPTEMBER))
    headings = [text for text in texts(at.markdown) if text.startswith("#### ")]
    assert headings == [
        "#### :material/description: 好.xlsx",
        "#### :material/description: 坏.xlsx",
        "#### :material/description: 重复.xlsx",
    ]
    assert texts(at.success)[0].startswith("「好.xlsx」校验通过")
    assert texts(at.error)[-1].startswith("「坏.xlsx」有 2 处错误")
    assert texts(at.info)[-1].startswith("「重复.xlsx」与已上传的文件完全相同")


def test_restoring_an_earlier_version_asks_first_and_records_who(page_db: Path) -> None:
    # 江城市's 填报人员 sends a corrected September ledger: it replaces upload #1
    corrected = xlsx(ledger_sheet([ledger_row("JC-001")], month="2026年9月"))
    at = upload(open_upload_page(page_db), ("江城市2026年9月台账（更正）.xlsx", corrected))
    submit_button(at).click().run()
    assert submissions.history(page_db).set_index("upload_id")["state"].to_dict() == {1: "superseded", 2: "active"}
    # the office restores the first version
    at = open_upload_page(page_db, OFFICE_WANG)
    seq = last_seq(page_db)
    at.selectbox(key="history_pick").select(1).run()
    events: pd.DataFrame = at.dataframe[-1].value
    assert events["操作"].tolist() == ["被新版本替换", "上传保存"]
    assert events["操作人"].tolist() == [JIANGCHENG.label, OPERATOR.label]
    at.button(key="history_restore").click().run()
    plan = [text for text in texts(at.markdown) if text.startswith("将把上传 #1")]
    assert plan and "当前生效的上传 #2" in plan[0]
    assert submissions.history(page_db).set_index("upload_id")["state"].to_dict() == {1: "superseded", 2: "active"}  # not yet
    assert actions(page_db, seq) == []
    at.button(key="confirm_yes").click().run()
    assert "已恢复上传 #1，上传 #2 改为“已被替换”" in texts(at.success)
    assert submissions.history(page_db).set_index("upload_id")["state"].to_dict() == {1: "active", 2: "superseded"}
    at.selectbox(key="history_pick").select(1).run()
    assert at.dataframe[-1].value.iloc[0][["操作", "操作人"]].tolist() == ["恢复为生效版本", "王专班（office.wang）"]
    # the restore landed in the audit log with the office's account, in one go with the version it replaced
    records = audit_rows(page_db, seq)
    assert [(r["account"], r["roles"], r["action"], r["outcome"]) for r in records] == [
        ("office.wang", "office", "supersede", "ok"),
        ("office.wang", "office", "restore", "ok"),
    ]
    assert records[0]["target"].startswith("上传 #2（问题台账 江城市 2026-09") and records[0]["detail"] == "由上传 #1 恢复替换"
    assert records[1]["target"].startswith("上传 #1（问题台账 江城市 2026-09") and records[1]["detail"] == "替换了上传 #2"


def test_the_office_can_store_a_file_then_withdraw_an_upload_in_the_same_session(page_db: Path) -> None:
    # storing a file and confirming a withdrawal keep their own state: neither is taken for the other
    at = upload(open_upload_page(page_db, OFFICE_WANG), ("江城市2026年10月台账.xlsx", OCTOBER))
    submit_button(at).click().run()
    assert texts(at.success)[0].startswith("「江城市2026年10月台账.xlsx」已保存")
    at.selectbox(key="history_pick").select(1).run()
    assert_no_exception(at)
    at.button(key="history_withdraw").click().run()
    assert any(text.startswith("将撤回上传 #1") for text in texts(at.markdown))
    at.button(key="confirm_yes").click().run()
    assert_no_exception(at)
    assert submissions.history(page_db).set_index("upload_id")["state"].to_dict() == {1: "withdrawn", 2: "active"}


def test_cancelling_a_withdrawal_changes_nothing(page_db: Path, dump_database) -> None:
    at = open_upload_page(page_db, OFFICE_WANG)
    before, seq = dump_database(page_db), last_seq(page_db)
    at.selectbox(key="history_pick").select(1).run()
    at.button(key="history_withdraw").click().run()
    assert any(text.startswith("将撤回上传 #1") for text in texts(at.markdown))
    at.button(key="confirm_no").click().run()
    assert not [b for b in at.button if b.key == "confirm_no"]
    assert dump_database(page_db) == before
    assert actions(page_db, seq) == []  # nothing withdrawn, nothing recorded


def test_withdrawing_is_recorded_with_the_office_account(page_db: Path) -> None:
    at = open_upload_page(page_db, OFFICE_WANG)
    seq = last_seq(page_db)
    at.selectbox(key="history_pick").select(1).run()
    at.button(key="history_withdraw").click().run()
    at.button(key="confirm_yes").click().run()
    assert_no_exception(at)
    assert submissions.history(page_db).set_index("upload_id")["state"].to_dict() == {1: "withdrawn"}
    assert [(r["account"], r["action"], r["outcome"], r["target"][:6]) for r in audit_rows(page_db, seq)] == [
        ("office.wang", "withdraw", "ok", "上传 #1（")
    ]


def test_restore_and_withdraw_are_offered_to_the_office_only(page_db: Path) -> None:
    at = open_upload_page(page_db)  # the unit's 填报人员 sees its history, but may not restore or withdraw
    assert at.dataframe[0].value["上传编号"].tolist() == [1]
    assert not [box for box in at.selectbox if box.key == "history_pick"]
    assert "**恢复或撤回**" not in texts(at.markdown)
    assert not [b for b in at.button if b.key in {"history_restore", "history_withdraw"}]
    at = open_upload_page(page_db, OFFICE_WANG)
    assert "**恢复或撤回**" in texts(at.markdown)
    at.selectbox(key="history_pick").select(1).run()
    assert not at.button(key="history_withdraw").disabled
    assert at.button(key="history_restore").disabled  # upload #1 is the active version already
