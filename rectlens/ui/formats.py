"""How values are written on screen (Chinese month labels, timestamps)."""

from __future__ import annotations

import re

import pandas as pd

EMPTY = "—"


def month_label(month: str) -> str:
    """'2026-10' -> '2026年10月'."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def timestamp(value: object) -> str:
    if value is None or pd.isna(value):
        return EMPTY
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


# The upload history's columns and their Chinese headers, in display order
# (the state early, so that a narrow screen never cuts it off).
UPLOAD_HISTORY_COLUMNS: dict[str, str] = {
    "upload_id": "上传编号",
    "state_label": "状态",
    "region": "地区",
    "month": "报送月份",
    "kind_label": "类别",
    "file_name": "文件",
    "row_count": "行数",
    "received_at": "上传时间",
    "uploader": "上传人",
    "uploader_unit": "上传单位",
}


# Every ASCII punctuation mark that Streamlit's markdown (CommonMark, GFM, its :color[…] and
# :emoji: directives, $…$ maths) may read as syntax; CommonMark lets any of them be backslash-escaped.
_MARKDOWN_SYNTAX = frozenset("\\`*_{}[]()#+-.!|<>$:~=^\"'&@%/")

# Some of it works on the text after the escapes have been read, so escaping cannot stop it: GFM makes
# http://…, www.… and name@host clickable links, Streamlit draws :streamlit: as its logo and turns
# -> <- -- >= <= ~= into arrows and dashes. An invisible WORD JOINER inside each such pattern does.
_JOINER = "\u2060"
_TEXT_SYNTAX = re.compile(r"(?i:(?<=https)|(?<=http))(?=:)|(?i:(?<=www))(?=\.)|(?=@)|(?<=:)(?=streamlit:)|(?<=[-<>~])(?=[->=])")


def literal(text: object) -> str:
    """Text from a workbook or a person, escaped so that st.markdown shows it exactly as typed (and links nothing)."""
    joined = _TEXT_SYNTAX.sub(_JOINER, str(text))
    escaped = "".join("\\" + char if char in _MARKDOWN_SYNTAX else char for char in joined)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "  \n")


def literal_cells(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The table with its text cells (of `columns`, default all) escaped by `literal`: st.table reads every cell as markdown."""
    escaped = table.copy()
    for column in escaped.columns if columns is None else columns:
        escaped[column] = escaped[column].map(lambda value: literal(value) if isinstance(value, str) else value)
    return escaped
