"""Cells as text: how the reader renders them, and the typed value each rendering stands for.

Sheets are read as Arrow string columns (fastexcel renders every calamine
cell as text in Rust, so a 100,000-row ledger never becomes Python
objects). The rendering is exact and regular:

- a text cell is its text; an empty cell is null;
- a number is Rust's shortest round-trip decimal without exponent (12.0 -> "12",
  2026.1 -> "2026.1", 1e-7 -> "0.0000001");
- a date or time is "YYYY-MM-DD HH:MM:SS" with an optional fraction;
- a Boolean is "true" or "false".

`decode` turns a rendering back into the cell the parsers of
`rectlens.ingest.values` expect. Dates always come back as dates. Numbers
come back as numbers only where asked (`typed`): for the month column, where
2026.1 typed into a General cell is ambiguous and the text "2026.10" is not.
Everywhere else the parsers read a number and its digits as text alike
(12 and "12" are the same count, 45000 and "45000" the same date serial). The .xls reader renders python-calamine's cells the
same way (`render`), so both formats reach one validation path.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Cell = object

# Every character Python's str.strip() removes (str.isspace), so that trimming in Arrow equals trimming in Python.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$")
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$"  # the same, for Arrow (RE2)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TIME_ONLY_DAYS = ("1899-12-30", "1899-12-31")  # Excel's day zero (and one): a cell holding only a time


def rust_decimal(number: float) -> str:
    """A float as the reader renders it: the shortest round-trip digits, never an exponent."""
    if number.is_integer():
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def _datetime(match: re.Match[str]) -> Cell:
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    micro = int((match.group(7) or "0").ljust(6, "0")[:6])
    if match.group(0)[:10] in _TIME_ONLY_DAYS:
        return dt.time(hour, minute, second, micro)
    if (hour, minute, second, micro) == (0, 0, 0, 0):
        return dt.date(year, month, day)
    return dt.datetime(year, month, day, hour, minute, second, micro)


def decode(text: str | None, typed: bool = False) -> Cell:
    """The cell a rendering stands for: "" for an empty cell, a date for a date; a float only when `typed`."""
    if text is None:
        return ""
    if len(text) >= 19 and text[4:5] == "-" and (match := _DATETIME.match(text)):
        try:
            return _datetime(match)
        except ValueError:
            return text
    if typed and _NUMBER.match(text):
        number = float(text)
        if math.isfinite(number) and rust_decimal(number) == text:
            return number
    return text


def render(cell: Cell) -> str | None:
    """A python-calamine cell rendered as fastexcel renders the same cell."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, (int, float)):
        return rust_decimal(float(cell)) if math.isfinite(cell) else str(cell)
    if isinstance(cell, dt.datetime):
        text = cell.strftime("%Y-%m-%d %H:%M:%S")
        return text + f".{cell.microsecond // 1000:03d}" if cell.microsecond else text
    if isinstance(cell, dt.date):
        return cell.strftime("%Y-%m-%d 00:00:00")
    if isinstance(cell, dt.time):
        return "1899-12-31 " + cell.strftime("%H:%M:%S")
    return str(cell)


def trim(column: pa.Array) -> pa.Array:
    """Each text without surrounding white space, as str.strip() leaves it."""
    return pc.utf8_trim(column, characters=PY_WHITESPACE)


def blank_mask(column: pa.Array) -> np.ndarray:
    """True where a cell is empty or only white space (values.is_blank, column-wise)."""
    if column.null_count == len(column):
        return np.ones(len(column), dtype=bool)
    # utf8_is_space holds exactly for the texts of str.isspace() (a test checks every character); it stops at
    # the first other character, so a long text costs no more than a short one and nothing is copied
    blank = pc.or_kleene(pc.equal(column, ""), pc.utf8_is_space(column))
    return pc.fill_null(blank, True).to_numpy(zero_copy_only=False)


def is_datetime(column: pa.Array) -> np.ndarray:
    """True where a cell is the rendering of a date or time."""
    return pc.fill_null(pc.match_substring_regex(column, DATETIME_PATTERN), False).to_numpy(zero_copy_only=False)
