"""Risk scores: the warnings of a unit (or unit x project) added up by severity."""

from __future__ import annotations

import pandas as pd

from rectlens import config


def weights() -> dict[str, int]:
    return {severity: int(points) for severity, points in config.settings()["risk"].items()}


def scored(flags: pd.DataFrame) -> pd.DataFrame:
    """The warnings with their points (high 3, medium 2, low 1 by default)."""
    return flags.assign(points=flags["severity"].map(weights()).fillna(0).astype(int))


def unit_scores(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per unit: score, counts by severity and rank (1 = highest risk)."""
    columns = ["region", "score", "high", "medium", "low", "warnings", "rank"]
    if flags.empty:
        return pd.DataFrame(columns=columns)
    table = scored(flags)
    grouped = table.groupby("region").agg(
        score=("points", "sum"),
        high=("severity", lambda s: int((s == "high").sum())),
        medium=("severity", lambda s: int((s == "medium").sum())),
        low=("severity", lambda s: int((s == "low").sum())),
        warnings=("code", "count"),
    )
    grouped = grouped.reset_index().sort_values(
        ["score", "high", "medium", "region"], ascending=[False, False, False, True], ignore_index=True
    )
    grouped["rank"] = grouped["score"].rank(ascending=False, method="min").astype(int)
    return grouped[columns]


def unit_project_scores(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per unit x project, from the warnings that concern that project."""
    columns = ["region", "project", "score", "warnings", "rank"]
    project_flags = flags[flags["project"].notna()] if not flags.empty else flags
    if project_flags.empty:
        return pd.DataFrame(columns=columns)
    table = scored(project_flags)
    grouped = (
        table.groupby(["region", "project"])
        .agg(score=("points", "sum"), warnings=("code", "count"))
        .sort_values("score", ascending=False)
        .reset_index()
    )
    grouped["rank"] = grouped["score"].rank(ascending=False, method="min").astype(int)
    return grouped[columns]


def warnings_of(flags: pd.DataFrame, region: str, project: str | None = None) -> pd.DataFrame:
    """Expand a score into the warnings that make it up."""
    chosen = flags[flags["region"] == region]
    if project is not None:
        chosen = chosen[chosen["project"] == project]
    return scored(chosen)
