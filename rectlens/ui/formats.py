"""How values are written on screen (Chinese month labels, timestamps)."""

from __future__ import annotations

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
