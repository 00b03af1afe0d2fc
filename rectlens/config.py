"""Paths, upload limits, warning thresholds and spot-check plan settings.

Thresholds live in `rectlens/settings.toml`; an administrator overrides
any of them in `data/settings.toml` (same keys), or points
`RECTLENS_SETTINGS` at another file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_SETTINGS = Path(__file__).resolve().parent / "settings.toml"


def default_db_path() -> Path:
    return Path(os.environ.get("RECTLENS_DB", DATA_DIR / "rectlens.duckdb"))


def cache_dir() -> Path:
    """Where derived results that are slow to compute are kept between processes (never the only copy
    of anything): RECTLENS_CACHE_DIR, else the user's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    configured = os.environ.get("RECTLENS_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rectlens"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_unpacked_bytes: int = 500 * 1024 * 1024  # all members of an .xlsx together, as really inflated
    max_member_unpacked_bytes: int = 400 * 1024 * 1024  # one member (a sheet, the shared strings), as really inflated
    max_compression_ratio: float = 200.0
    max_rows: int = 500_000
    lock_wait_seconds: float = 30.0


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for name, value in override.items():
        merged[name] = _merge(merged[name], value) if isinstance(value, dict) and isinstance(merged.get(name), dict) else value
    return merged


@cache
def _load_settings(override_path: str | None) -> dict[str, Any]:
    settings = tomllib.loads(DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    if override_path and Path(override_path).exists():
        settings = _merge(settings, tomllib.loads(Path(override_path).read_text(encoding="utf-8")))
    return settings


def settings() -> dict[str, Any]:
    override = os.environ.get("RECTLENS_SETTINGS") or str(DATA_DIR / "settings.toml")
    return _load_settings(override)


def limits() -> Limits:
    upload = settings().get("upload", {})
    return Limits(
        max_file_bytes=int(upload.get("max_file_mb", 50) * 1024 * 1024),
        max_unpacked_bytes=int(upload.get("max_unpacked_mb", 500) * 1024 * 1024),
        max_member_unpacked_bytes=int(upload.get("max_member_unpacked_mb", 400) * 1024 * 1024),
        max_compression_ratio=float(upload.get("max_compression_ratio", 200)),
        max_rows=int(upload.get("max_rows", 500_000)),
        lock_wait_seconds=float(upload.get("lock_wait_seconds", 30)),
    )


def thresholds() -> dict[str, Any]:
    return dict(settings()["warnings"])


@dataclass(frozen=True)
class PlannerSettings:
    """抽查计划: the targeted plan's cap per unit × project and the LQAS design."""

    targeted_cap: int = 5
    lqas_n: int = 19
    lqas_p_high: float = 0.80
    lqas_p_low: float = 0.50
    lqas_alpha: float = 0.10
    lqas_beta: float = 0.10


def planner() -> PlannerSettings:
    found = settings().get("planner", {})
    defaults = PlannerSettings()
    return PlannerSettings(
        targeted_cap=int(found.get("targeted_cap", defaults.targeted_cap)),
        lqas_n=int(found.get("lqas_n", defaults.lqas_n)),
        lqas_p_high=float(found.get("lqas_p_high", defaults.lqas_p_high)),
        lqas_p_low=float(found.get("lqas_p_low", defaults.lqas_p_low)),
        lqas_alpha=float(found.get("lqas_alpha", defaults.lqas_alpha)),
        lqas_beta=float(found.get("lqas_beta", defaults.lqas_beta)),
    )
