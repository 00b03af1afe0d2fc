"""Cell value parsers.

Each parser takes one raw cell (as calamine returns it) and returns the
typed value, or raises `BadValue` with what was expected, in Chinese.
Empty cells are handled by the caller.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re

from rectlens import domain
from rectlens.text import clean, key, squash

EXCEL_EPOCH = dt.date(1899, 12, 30)


class BadValue(ValueError):
    """A cell that cannot be read; the message says what is expected."""


def is_blank(value: object) -> bool:
    if type(value) is str:
        return not value.strip()  # str.strip also removes full-width spaces and line breaks
    if value is None:
        return True
    return isinstance(value, float) and math.isnan(value)


def display(value: object) -> str:
    """How a raw cell is quoted back to the user."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(value)


# --- numbers -------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = squash(value).replace(",", "")
        if _NUMBER.match(text):
            return float(text)
    return None


def parse_count(value: object) -> int:
    number = _number(value)
    if number is None and isinstance(value, str):
        number = _number(re.sub(r"(项|个|件|条)$", "", squash(value)))
    if number is None or not number.is_integer():
        raise BadValue("非负整数，如 12")
    if number < 0:
        raise BadValue("非负整数，不能为负数")
    return int(number)


def parse_scale(value: object) -> float:
    """A unit's 规模: a positive number; "12,000", "1.2万" and "12000人" are read as 12,000."""
    expected = "正数，如 12000 或 1.2万"
    number = _number(value)
    if number is None and isinstance(value, str):
        text = re.sub(r"(人|名|个)$", "", squash(value))
        multiplier = 1.0
        if text.endswith("万"):
            text, multiplier = text[:-1], 10_000.0
        number = _number(text)
        number = None if number is None else number * multiplier
    if number is None or not math.isfinite(number):
        raise BadValue(expected)
    if number <= 0:
        raise BadValue(expected + "，必须大于 0")
    return number


def parse_rate(value: object) -> float:
    """A rate as a fraction: '95%' and 95 are percents, 0.95 and 1 fractions."""
    expected = "百分比，如 95%、95 或 0.95，且不超过 100%"
    if isinstance(value, str) and squash(value).endswith("%"):
        number = _number(squash(value)[:-1])
        if number is None:
            raise BadValue(expected)
        rate = number / 100
    else:
        number = _number(value)
        if number is None:
            raise BadValue(expected)
        rate = number / 100 if number > 1 else number
    if rate < 0:
        raise BadValue("不能为负数的" + expected)
    if rate > 1 + 1e-9:
        raise BadValue("不超过 100% 的比率（" + expected + "）")
    # 1.4 / 100 is 0.013999999999999999: keep the decimal the user wrote
    return min(round(rate, 12), 1.0)


# --- dates and months ----------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s+\d{1,2}:\d{2}(:\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年_]\s*(\d{1,2})\s*(月份?|月)?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
DATE_EXPECTED = "日期，如 2026-10-15、2026/10/15、2026.10.15 或 2026年10月15日"


# Dates outside these years are typing slips (10 typed into a date cell is
# 1900-01-10; "10.15" typed into a General cell is the serial of 1900-01-09).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _plausible(day: dt.date, raw: object) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise BadValue(f"{DATE_EXPECTED}（{display(raw)} 不是 2000—2099 年间的完整日期）")
    return day


def _serial_to_date(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:
        raise BadValue(DATE_EXPECTED)
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return _plausible(value.date(), value)
    if isinstance(value, dt.date):
        return _plausible(value, value)
    if isinstance(value, bool):
        raise BadValue(DATE_EXPECTED)
    if isinstance(value, (int, float)):
        return _plausible(_serial_to_date(float(value)), value)
    text = clean(value)
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match:
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise BadValue("存在的日期（" + text + " 不是有效日期）") from None
        return _plausible(day, text)
    number = _number(text)
    if number is not None and number.is_integer() and 20000 <= number <= 80000:
        return _plausible(_serial_to_date(number), text)
    raise BadValue(DATE_EXPECTED)


MONTH_EXPECTED = "月份，如 2026-10 或 2026年10月"


def parse_month(value: object) -> dt.date:
    """A report month, returned as the first day of that month."""
    if isinstance(value, dt.date):
        if not EARLIEST.year <= value.year <= LATEST.year:
            raise BadValue(MONTH_EXPECTED)
        return dt.date(value.year, value.month, 1)
    if isinstance(value, float) and not value.is_integer():
        # 2026.10 typed into a General cell arrives as 2026.1: ambiguous.
        raise BadValue("文本格式的" + MONTH_EXPECTED + "（数字 " + display(value) + " 无法区分 1 月与 10 月）")
    # 202610 typed into a General cell arrives as the number 202610.0
    text = squash(display(value) if isinstance(value, float) else value)
    match = _MONTH_TEXT.match(text) or _MONTH_COMPACT.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if EARLIEST.year <= year <= LATEST.year and 1 <= month <= 12:
            return dt.date(year, month, 1)
        raise BadValue(MONTH_EXPECTED)
    try:
        day = parse_date(value)
    except BadValue:
        raise BadValue(MONTH_EXPECTED) from None
    return dt.date(day.year, day.month, 1)


_MONTH_IN_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_FILLING_DATE = re.compile(r"(填报|报送|制表|打印|填表)(日期|时间)")
_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d{2})\s*(?:年|[-_.])?\s*(\d{1,2})(?:月|(?!\d))")


def month_in_title(text: str) -> dt.date | None:
    """A 'YYYY年M月' in a title row, ignoring anything after a 填报日期 label."""
    text = clean(text)
    cut = _FILLING_DATE.search(text)
    if cut:
        text = text[: cut.start()]
    match = _MONTH_IN_TEXT.search(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    return None


def month_in_file_name(name: str) -> dt.date | None:
    for match in _MONTH_IN_NAME.finditer(clean(name)):
        month = int(match.group(2))
        if 1 <= month <= 12:
            return dt.date(int(match.group(1)), month, 1)
    return None


def month_label(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def parse_month_option(text: str) -> dt.date:
    """The --month option: strictly YYYY-MM."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BadValue("YYYY-MM 格式的月份，如 2026-10")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_deadline(value: object) -> dt.date | None:
    """A deadline date, or None for an open-ended text such as 长期坚持."""
    if isinstance(value, str):
        text = squash(value)
        if any(word in text for word in domain.OPEN_ENDED_DEADLINES):
            return None
    try:
        return parse_date(value)
    except BadValue:
        raise BadValue(DATE_EXPECTED + "；无固定时限的填 长期坚持 或 持续推进，或留空") from None


# --- vocabularies --------------------------------------------------------


def suggest(text: str, choices: list[str] | tuple[str, ...], limit: int = 3) -> list[str]:
    return difflib.get_close_matches(text, list(choices), n=limit, cutoff=0.3)


def _did_you_mean(text: str, choices: tuple[str, ...] | list[str]) -> str:
    near = suggest(text, choices)
    return f"（是否为：{'、'.join(near)}？）" if near else ""


def parse_status(value: object) -> str:
    text = squash(value)
    status = domain.STATUS_SYNONYMS.get(text)
    if status is None:
        raise BadValue("未启动、推进中或已完成之一" + _did_you_mean(text, tuple(domain.STATUS_SYNONYMS)))
    return status


def parse_check_result(value: object) -> str:
    text = squash(value)
    result = domain.CHECK_RESULT_SYNONYMS.get(text)
    if result is None:
        raise BadValue("、".join(domain.CHECK_RESULTS) + " 之一" + _did_you_mean(text, domain.CHECK_RESULTS))
    return result


def parse_sampling(value: object) -> str:
    text = squash(value)
    sampling = domain.SAMPLING_SYNONYMS.get(text)
    if sampling is None:
        raise BadValue("随机抽查 或 重点核查（也可留空）")
    return sampling


def parse_root_cause(value: object) -> str:
    text = squash(value)
    for cause in domain.ROOT_CAUSES:
        if text == cause or text == cause.removesuffix("问题"):
            return cause
    raise BadValue("、".join(domain.ROOT_CAUSES) + " 之一（也可留空）" + _did_you_mean(text, domain.ROOT_CAUSES))


_PROJECT_KEYS = {key(name): name for name in domain.PROJECTS} | {
    key(alias): name for name, aliases in domain.PROJECT_ALIASES.items() for alias in aliases
}
_LEADING_NUMBER = re.compile(r"^(\d+|[一二三四五六七八九十]+)[.、)）:：]?")


def parse_project(value: object) -> str:
    text = _LEADING_NUMBER.sub("", key(value))
    if text in _PROJECT_KEYS:
        return _PROJECT_KEYS[text]
    named = {name for name, words in domain.PROJECT_KEYWORDS.items() for word in words if word in text}
    if len(named) == 1:
        return named.pop()
    choices = [domain.PROJECT_SHORT[name] for name in domain.PROJECTS]
    raise BadValue("四个整治项目之一（全称或简称：" + "、".join(choices) + "）" + _did_you_mean(squash(value), choices))


def parse_text(value: object) -> str:
    """Free text as written: only surrounding spaces go (full-width punctuation stays)."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return display(value)
    return clean(value)


def parse_id(value: object) -> str:
    if type(value) is str and value.isascii():
        return "".join(value.split())  # the common case, without Unicode normalisation
    return squash(parse_text(value))
