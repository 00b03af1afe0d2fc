"""One month's list quality (清单质量) for the page and the briefing, from one staged pass.

The per-item facts come from `rectlens.quality.stage` (the same table the
BOILERPLATE and VAGUE warnings count), the warnings themselves from
`rectlens.flags`, so the page's figures are the warnings' figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rectlens import domain, sql, stats
from rectlens.flags import evaluate
from rectlens.metrics import analysis, previous_month

QUALITY_CODES = ("BOILERPLATE", "VAGUE", "FEW_PROBLEMS")
OTHER_SOURCE, NO_SOURCE = "其他", "未填写"
SOURCE_CLASSES: tuple[str, ...] = (*domain.SOURCES, OTHER_SOURCE, NO_SOURCE)
ROOT_CLASSES: tuple[str, ...] = (*domain.ROOT_CAUSES, "未分类")
PROVINCE = "全省"
PER_SCALE = 10_000  # problems are shown per 10,000 of 规模


@dataclass(frozen=True)
class QualityReport:
    month: dt.date
    cells: pd.DataFrame  # region, zone, project, items, qualifying, copied, vague
    mix: pd.DataFrame  # region, zone, project, source, root_cause, items
    scale: pd.DataFrame  # region, zone, scale, ledger_total (units with a 规模 and a ledger)
    copied_texts: pd.DataFrame  # measures, items, units, copying_units, projects
    flags: pd.DataFrame  # the month's BOILERPLATE, VAGUE and FEW_PROBLEMS warnings


def quality_report(db_path: Path | str, month: dt.date, top_texts: int = 20) -> QualityReport:
    with analysis(db_path, previous_month(month), month) as con:
        warnings = evaluate(con, month, QUALITY_CODES)  # stages item_quality on this connection
        params = {"month": month, "sources": list(domain.SOURCES), "limit": top_texts}
        cells = sql.frame(con, "quality_cells", params)
        mix = sql.frame(con, "quality_mix", params)
        scale = sql.frame(con, "quality_scale", params)
        copied_texts = sql.frame(con, "quality_copied_texts", params)
    return QualityReport(month, cells, mix, scale, copied_texts, warnings)


def scoped(table: pd.DataFrame, zone: str | None = None, region: str | None = None, project: str | None = None) -> pd.DataFrame:
    """Rows of a report table in a scope (columns that a table lacks are not filtered on)."""
    chosen = table
    for column, value in (("zone", zone), ("region", region), ("project", project)):
        if value is not None and column in chosen.columns:
            chosen = chosen[chosen[column] == value]
    return chosen


def unit_shares(cells: pd.DataFrame) -> pd.DataFrame:
    """Per unit: items, qualifying and copied measures, vague descriptions and the two shares (from sums)."""
    columns = ["region", "items", "qualifying", "copied", "vague", "copied_share", "vague_share"]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    units = cells.groupby("region", as_index=False)[["items", "qualifying", "copied", "vague"]].sum()
    units["copied_share"] = units["copied"] / units["qualifying"].where(units["qualifying"] > 0)
    units["vague_share"] = units["vague"] / units["items"].where(units["items"] > 0)
    return units[columns]


def mix_shares(mix: pd.DataFrame, by: str, classes: tuple[str, ...]) -> pd.DataFrame:
    """Shares of each class per unit, with the province (all units shown) as the first row."""
    if mix.empty:
        return pd.DataFrame(columns=["region", by, "items", "share"])
    counts = mix.groupby(["region", by], as_index=False)["items"].sum()
    province = counts.groupby(by, as_index=False)["items"].sum().assign(region=PROVINCE)
    table = pd.concat([province, counts], ignore_index=True)
    table["share"] = table["items"] / table.groupby("region")["items"].transform("sum")
    order = {name: position for position, name in enumerate(classes)}
    table["class_order"] = table[by].map(order).fillna(len(classes))
    return table.sort_values(["region", "class_order"]).drop(columns="class_order").reset_index(drop=True)


@dataclass(frozen=True)
class ScaleFunnel:
    """Problems per 10,000 of 规模 against 规模: the overall rate and its Poisson control limits."""

    rate: float  # problems per unit of 规模, over all units shown
    units: pd.DataFrame  # region, zone, scale, ledger_total, per_scale, expected, outside_998

    def curve(self, points: int = 120) -> pd.DataFrame:
        low, high = self.units["scale"].min(), self.units["scale"].max()
        scales = np.linspace(max(low * 0.8, 1.0), high * 1.1, points)
        expected = scales * self.rate
        limits = {
            name: stats.poisson_limits(expected, probability) / scales * PER_SCALE
            for name, probability in (("low_998", 0.001), ("low_95", 0.025), ("high_95", 0.975), ("high_998", 0.999))
        }
        return pd.DataFrame({"scale": scales, **limits})


def scale_funnel(scale: pd.DataFrame) -> ScaleFunnel | None:
    """The funnel of problems against 规模 (None with fewer than two units that have both)."""
    if len(scale) < 2 or scale["scale"].sum() <= 0:
        return None
    rate = float(scale["ledger_total"].sum() / scale["scale"].sum())
    units = scale.copy()
    units["per_scale"] = units["ledger_total"] / units["scale"] * PER_SCALE
    units["expected"] = units["scale"] * rate
    low = stats.poisson_limits(units["expected"].to_numpy(), 0.001)
    high = stats.poisson_limits(units["expected"].to_numpy(), 0.999)
    units["outside_998"] = (units["ledger_total"] < low) | (units["ledger_total"] > high)
    return ScaleFunnel(rate, units)


def warning_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Per unit: how many BOILERPLATE, VAGUE and FEW_PROBLEMS warnings it has this month."""
    columns = ["region", *QUALITY_CODES]
    if flags.empty:
        return pd.DataFrame(columns=columns)
    chosen = flags[flags["code"].isin(QUALITY_CODES)]
    counts = chosen.groupby(["region", "code"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(QUALITY_CODES), fill_value=0).reset_index()
    return counts[columns]
