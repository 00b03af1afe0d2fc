"""One month's metrics (every level) and warnings from a single analysis pass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rectlens.flags import evaluate
from rectlens.metrics import GROUPINGS, analysis, previous_month, rollup

ALL_LEVELS = sorted(set(GROUPINGS.values()))


@dataclass(frozen=True)
class MonthReport:
    month: dt.date
    metrics: pd.DataFrame  # all levels; column `level` says which
    flags: pd.DataFrame

    def level(self, level: str) -> pd.DataFrame:
        return self.metrics[(self.metrics["level"] == GROUPINGS[level]) & (self.metrics["month"] == self.month)]


def month_report(db_path: Path | str, month: dt.date) -> MonthReport:
    """Metrics at every level and all warnings for `month`, computed once."""
    with analysis(db_path, previous_month(month), month) as con:
        table = rollup(con, ALL_LEVELS)
        warnings = evaluate(con, month)
    return MonthReport(month, table, warnings)
