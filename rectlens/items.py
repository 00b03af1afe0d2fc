"""The item browser: search a month's problems, one problem's history and checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from rectlens.metrics import staged_frame


def search(
    db_path: Path | str,
    month: dt.date,
    zone: str | None = None,
    region: str | None = None,
    project: str | None = None,
    status: str | None = None,
    text: str | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    params = {
        "month": month,
        "zone": zone,
        "region": region,
        "project": project,
        "status": status,
        "text": (text or "").strip() or None,
        "limit": limit,
    }
    return staged_frame(db_path, "items_search", params)


def history(db_path: Path | str, region: str, item_id: str) -> pd.DataFrame:
    return staged_frame(db_path, "item_history", {"region": region, "item_id": item_id})


def checks(db_path: Path | str, region: str, item_id: str) -> pd.DataFrame:
    return staged_frame(db_path, "item_checks", {"region": region, "item_id": item_id})

