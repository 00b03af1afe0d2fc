"""Text from workbooks and people is shown as typed: markdown in it is never rendered.

File names, sheet names, headers, problem ids and descriptions, unit names and
notices reach st.markdown, st.caption, the message boxes, expander labels and
st.table cells (which Streamlit 1.67 also reads as markdown). `literal` escapes
every markdown character with a backslash and puts an invisible word joiner
into the patterns that work after escaping (bare links, :streamlit:, arrows).

Checked here on `literal` itself and through real uploads on the pages under
AppTest, whose elements hold the markdown source; that this source renders as
plain text was checked once in headless Chromium (no <a>, <img>, colour or
KaTeX element for any of these texts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from builders import Item, Lens, default_settings
from hypothesis import example, given
from hypothesis import strategies as st
from signin_helpers import LEADER_LI, OFFICE_WANG, as_shown, open_link, sign_in
from streamlit.testing.v1 import AppTest
from workbooks import LEDGER_HEADER, Sheet, ledger_row, ledger_sheet, xlsx

from rectlens.ui.formats import literal, literal_cells

LINK = "[点我](http://evil.example)"
IMAGE = "![x](http://evil.example/x.png)"
COLOUR = ":red[假]"
MATHS = "$x^2$"
HOSTILE = (LINK, IMAGE, COLOUR, MATHS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What CommonMark, GFM, Streamlit's directives and its maths may read as syntax (, ; ? never are).
SYNTAX = set(r"""\`*_{}[]()#+-.!|<>$:~=^"'&@%/""")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
JOINER = "\u2060"


def read_escapes(markdown: str) -> str:
    """The text after CommonMark has read the backslash escapes (word joiners kept)."""
    return ESCAPE.sub(r"\1", markdown)


def only_joiners_added(shown: str, typed: str) -> bool:
    """Whether `shown` is `typed` with nothing but word joiners put in: every typed character,
    a joiner the text itself holds included, is there and in order."""
    position = 0
    for char in shown:
        if position < len(typed) and char == typed[position]:
            position += 1
        elif char != JOINER:
            return False
    return position == len(typed)


# --- literal() ----------------------------------------------------------------------------------------


@given(st.text())
@example("[点我](http://evil.example) ![x](y) :red[假] $x^2$ **b** <b>h</b> :smile: :streamlit: a -> b www.x.cn a@b.cn")
@example("\\*已转义\\* \r\n# 标题\r- 列表\n1. 第一")
@example("\u2060")  # a word joiner in the text itself, like the ones literal() puts in
@example("a\u2060->b")
def test_literal_reads_back_as_the_text_with_every_syntax_character_escaped(text: str) -> None:
    escaped = literal(text)
    typed = text.replace("\r\n", "\n").replace("\r", "\n")
    assert as_shown(escaped).replace("  \n", "\n") == typed.replace(JOINER, "")  # what the page shows is what was typed
    assert only_joiners_added(read_escapes(escaped).replace("  \n", "\n"), typed)  # a typed (invisible) joiner is kept too
    bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not set(bare) & SYNTAX  # no markdown character is left unescaped
    assert "\n" not in escaped.replace("  \n", "")  # a line break stays a line break, never a new block


@given(st.text(alphabet=st.sampled_from("htpsw.:/@-<>~=treamli x"), max_size=40))
@example("http://evil.example HTTPS://x www.evil.example a@evil.example :streamlit: <-> -- >= <= ~=")
def test_literal_leaves_nothing_that_markdown_rewrites_after_escaping(text: str) -> None:
    shown = read_escapes(literal(text))
    assert not re.search(r"(?i)https?://|www\.|[\w.+-]@|:streamlit:|->|<-|--|>=|<=|~=", shown), shown


def test_literal_leaves_plain_chinese_text_alone() -> None:
    assert literal("江城市整改整治问题台账（2026年10月）") == "江城市整改整治问题台账（2026年10月）"
    assert literal("整改报告.pdf") == "整改报告\\.pdf"


def test_literal_cells_escapes_text_cells_only() -> None:
    table = literal_cells(pd.DataFrame({"值": [LINK, None], "行": [5, 6]}))
    assert as_shown(table.loc[0, "值"]) == LINK and table.loc[0, "值"] != LINK
    assert pd.isna(table.loc[1, "值"]) and list(table["行"]) == [5, 6]


# --- on the pages, through real uploads ----------------------------------------------------------------


def hostile_workbook(status: str = "已完成") -> bytes:
    """A ledger whose problem ids, descriptions, sheet name and an extra header carry markdown, plus a sheet to ignore."""
    header = (*LEDGER_HEADER, "备注" + LINK)
    rows = [[*ledger_row(text, description=text, evidence=None, status=status), "x"] for text in HOSTILE]
    ledger = ledger_sheet(rows, name="台账 $x^2$ ~~删~~ <b>粗", header=header)
    return xlsx(ledger, Sheet("说明 $y$ <i>斜 !x", ("随便",), [("内容",)]))


FILE_NAME = f"{LINK}{IMAGE}{COLOUR}{MATHS}江城市2026年10月台账.xlsx"


def markdown_bodies(at: AppTest) -> list[str]:
    """The markdown source of everything on the page that Streamlit renders as markdown."""
    found: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        found += [element.value for element in at.get(kind)]
    found += [expander.label for expander in at.expander]
    for table in at.table:
        found += [str(value) for value in table.value.to_numpy().ravel()]
    return found


def assert_shown_literally(bodies: list[str], *texts: str) -> None:
    shown = "\n".join(as_shown(body) for body in bodies)
    for text in texts:
        assert text in shown, text  # the text survives, as typed
    for body in bodies:
        for text in HOSTILE:
            assert text not in body, (text, body)  # never as live markdown
        read = read_escapes(body)
        assert "http://" not in read and "](" not in re.sub(r"\\.", "", body), body  # no link, image or bare URL


@pytest.fixture
def upload_page(regions_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RECTLENS_DB", str(regions_db))
    at = sign_in(open_link("pages/upload.py"), regions_db, OFFICE_WANG)
    assert not at.exception, [e.message for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_files").set_value([(name, data, XLSX)]).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_upload_preview_shows_file_sheet_ids_and_notices_literally(upload_page: AppTest) -> None:
    at = upload(upload_page, FILE_NAME, hostile_workbook())
    bodies = markdown_bodies(at)
    assert any("校验通过" in as_shown(body) for body in bodies), bodies
    assert_shown_literally(
        bodies,
        FILE_NAME,  # the card's heading and the verdict
        "台账 $x^2$ ~~删~~ <b>粗",  # the preview's sheet name and the notices
        "备注" + LINK,  # an unknown column, named in a notice
        "说明 $y$ <i>斜 !x",  # an ignored sheet, named in a notice
        "（" + "、".join(sorted(HOSTILE)) + "）",  # problem ids in the 无佐证 note
    )


def test_upload_errors_show_the_typed_values_literally(upload_page: AppTest) -> None:
    at = upload(upload_page, FILE_NAME, hostile_workbook(status=COLOUR))
    bodies = markdown_bodies(at)
    assert at.table, "the error table"
    cells = [str(value) for value in at.table[0].value.to_numpy().ravel()]
    assert [as_shown(cell) for cell in cells].count(COLOUR) == len(HOSTILE)  # the bad 整改状态 of each row, as typed
    assert FILE_NAME in [as_shown(cell) for cell in cells]
    assert_shown_literally(bodies, FILE_NAME, COLOUR)


# Units named with markdown (a region master loaded by 专班 may hold anything); one unit's list shrinks by
# two problems whose ids carry markdown, so its 清单缩水 warning quotes them; another unit sends nothing in October.
UNIT, QUIET = LINK, COLOUR


@pytest.fixture(scope="module")
def leaders_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("markdown")
    with default_settings(directory):
        lens = Lens(directory / "markdown.duckdb", units=((UNIT, "南片"), (QUIET, "北片"), ("白河", "中片")))
        september = [Item("A1"), Item(IMAGE), Item(MATHS)]
        lens.ledger(UNIT, "2026-09", september)
        lens.ledger(QUIET, "2026-09", [Item("B1")])
        lens.ledger("白河", "2026-09", [Item("C1")])
        lens.ledger(UNIT, "2026-10", [Item("A1")])  # IMAGE and MATHS are gone: SHRINK
        # 白河's one problem, described with markdown in every free-text column
        texts = {"description": LINK, "unit": COLOUR, "source": MATHS, "measures": IMAGE, "evidence": IMAGE, "county": None}
        lens.ingest(xlsx(ledger_sheet([ledger_row("C1", "白河", **texts)], unit="白河")), "白河台账.xlsx")  # QUIET sends nothing
        yield lens.path


@pytest.fixture
def open_as_leader(leaders_db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("RECTLENS_DB", str(leaders_db))

    def open_(page: str | None, **query: str) -> AppTest:
        at = sign_in(open_link(page, **query), leaders_db, LEADER_LI)
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_


def test_a_warning_names_its_unit_and_quotes_problem_ids_literally(open_as_leader: Callable[..., AppTest]) -> None:
    at = open_as_leader("pages/warnings.py", month="2026年10月", flag=f"SHRINK|{UNIT}|违规吃喝")
    bodies = markdown_bodies(at)
    (heading,) = [body for body in bodies if "清单缩水" in body and "▲" in body]
    assert as_shown(heading).endswith(f"：{UNIT} · 违规吃喝")
    assert_shown_literally(bodies, UNIT, QUIET, IMAGE, MATHS)  # risk-score expanders name both units
    assert any(IMAGE in as_shown(body) and MATHS in as_shown(body) for body in at.markdown.values)  # the reason


def test_overview_lists_warnings_and_high_risk_units_literally(open_as_leader: Callable[..., AppTest]) -> None:
    at = open_as_leader(None, month="2026年10月")
    assert_shown_literally(markdown_bodies(at), UNIT, IMAGE, MATHS)
    helps = [metric.proto.help for metric in at.metric]
    assert any(as_shown(text).endswith(UNIT) for text in helps), helps  # 高风险预警单位's tooltip
    assert not any(UNIT in text for text in helps)


def test_submissions_names_the_missing_unit_literally(open_as_leader: Callable[..., AppTest]) -> None:
    at = open_as_leader("pages/submissions.py", month="2026年10月")
    bodies = markdown_bodies(at)
    assert any(as_shown(body).endswith(f"：{QUIET}") for body in at.warning.values), at.warning.values
    assert_shown_literally(bodies, UNIT, QUIET)  # the grid's unit cells too


@pytest.mark.parametrize("page", ["pages/items.py", "pages/planner.py", "pages/warnings.py"])
def test_a_page_scoped_to_a_unit_names_it_literally(leaders_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("RECTLENS_DB", str(leaders_db))
    at = sign_in(open_link(page, month="2026年10月", unit=UNIT), leaders_db, OFFICE_WANG)
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="unit").value == UNIT  # the filter (a selectbox shows its options as plain text)
    assert_shown_literally(markdown_bodies(at))
    assert any(as_shown(body).startswith(f"2026年10月 · {UNIT}：") for body in at.caption.values), at.caption.values


def test_regions_lists_units_without_enough_checks_literally(open_as_leader: Callable[..., AppTest]) -> None:
    at = open_as_leader("pages/regions.py", month="2026年10月")
    assert_shown_literally(markdown_bodies(at), UNIT)
    assert any(as_shown(body).startswith(f"- **{UNIT}**：") for body in at.markdown.values), at.markdown.values


def test_one_problem_of_the_item_browser_shows_its_texts_literally(leaders_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTLENS_DB", str(leaders_db))
    at = sign_in(open_link("pages/items.py", month="2026年10月", unit="白河"), leaders_db, LEADER_LI)
    at.session_state["item_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}  # the row clicked
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.subheader.values[-1] == "白河 · C1"
    bodies = markdown_bodies(at)
    assert_shown_literally(bodies, LINK, COLOUR, MATHS, IMAGE)
    shown = [as_shown(body) for body in at.markdown.values]
    assert f"**违规吃喝**　{LINK}" in shown
    assert f"- 责任单位：{COLOUR}\n- 问题来源：{MATHS}\n- 根源类别：责任落实问题\n- 整改措施：{IMAGE}" in shown
