"""The per-item list-quality facts of a month, staged as the temp table `item_quality`.

BOILERPLATE and VAGUE need steps that SQL is the wrong tool for (NFKC,
MinHash): this module runs them and leaves one table that the flag
queries, the rows behind a warning and the 清单质量 page all read, so each
rule is applied in one place.

The result depends only on the month's active ledger uploads (their ids
and file hashes) and the thresholds, so it is kept per snapshot in a
small in-process cache: a page that asks again, or the warnings and the
page one after the other, do not recompute it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rectlens import config, sql
from rectlens.quality import similarity, text

_CACHE_SIZE = 24  # months
_cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()


def quality_settings() -> dict[str, Any]:
    return dict(config.settings()["quality"])


def _key(con: duckdb.DuckDBPyConnection, month: dt.date, thresholds: dict[str, Any], settings: dict[str, Any]) -> tuple[Any, ...]:
    snapshot = sql.rows(con, "quality_snapshot_key", {"month": month})[0][0]
    rules = (
        thresholds["measure_min_chars"],
        thresholds["measure_alike_jaccard"],
        thresholds["vague_min_chars"],
        tuple(settings["stock_phrases"]),
        settings["lsh_miss_probability"],
    )
    return (month, snapshot, rules)


def item_norms(items: pa.Table, thresholds: dict[str, Any], stock_phrases: list[str]) -> pa.Table:
    """Items with measure_norm, qualifies, description_left and vague (the spec's text rules)."""
    measure_norm = text.norm(items["measures"])
    qualifies = pc.fill_null(pc.greater_equal(text.char_length(measure_norm), thresholds["measure_min_chars"]), False)
    description_left = text.without_phrases(text.norm(items["description"]), stock_phrases)
    # blank (no 问题描述, or no such column: null) or too little left once the stock phrases are gone
    vague = pc.fill_null(pc.less(text.char_length(description_left), thresholds["vague_min_chars"]), True)
    return pa.table(
        {
            "region": items["region"],
            "project": items["project"],
            "item_id": items["item_id"],
            "measure_norm": measure_norm,
            "qualifies": qualifies,
            "description_left": description_left,
            "vague": vague,
        }
    )


def _compute(con: duckdb.DuckDBPyConnection, month: dt.date, thresholds: dict[str, Any], settings: dict[str, Any]) -> pd.DataFrame:
    items = sql.arrow(con, "quality_items", {"month": month})
    con.register("quality_item_norms", item_norms(items, thresholds, list(settings["stock_phrases"])))
    try:
        sql.execute(con, "quality_texts")
        alike = similarity.alike_pairs(con, float(thresholds["measure_alike_jaccard"]), float(settings["lsh_miss_probability"]))
        con.register("measure_alike", alike)
        try:
            sql.execute(con, "quality_item_quality")
        finally:
            con.unregister("measure_alike")
    finally:
        con.unregister("quality_item_norms")
    return con.execute("SELECT * FROM item_quality").df()


def stage(con: duckdb.DuckDBPyConnection, month: dt.date) -> None:
    """Create the temp table `item_quality` for `month` on a staged connection (from the cache when it can)."""
    thresholds = config.thresholds()
    settings = quality_settings()
    key = _key(con, month, thresholds, settings)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
    if cached is None:
        cached = _compute(con, month, thresholds, settings)
        with _cache_lock:
            _cache[key] = cached
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    con.register("item_quality_cached", cached)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE item_quality AS SELECT * FROM item_quality_cached")
    finally:
        con.unregister("item_quality_cached")
