"""Cached reads for the pages.

Every read opens the database briefly and closes it again, so the command
line can write while the dashboard runs. Results are cached per database
file *and* its data version (modification time and size), so a new upload
shows up on the next rerun without anyone clearing a cache.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st

from rectlens.storage.database import data_version
from rectlens.storage.store import as_target, default_store

P = ParamSpec("P")
T = TypeVar("T")


def db_path() -> Path | str:
    """The store the dashboard shows: RECTLENS_STORE, else RECTLENS_DB, else data/rectlens.duckdb."""
    return default_store()


def _resolve(target: str) -> Callable[..., Any]:
    module_name, _, qualname = target.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(target: str, db: str, version: tuple[int, int], args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    del version  # part of the cache key only
    return _resolve(target)(as_target(db), *args, **dict(kwargs))


def load(func: Callable[Concatenate[Path, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`func(db_path, *args, **kwargs)`, cached until the database file changes.

    `func` must be a module-level function whose first parameter is the
    database path, e.g. `load(submissions.grid)`.
    """
    db = db_path()
    target = f"{func.__module__}:{func.__qualname__}"
    return _cached_call(target, str(db), data_version(db), args, tuple(sorted(kwargs.items())))
