"""The per-item list-quality facts of a month, staged as the temp table `item_quality`.

BOILERPLATE and VAGUE need steps that SQL is the wrong tool for (NFKC,
MinHash): this module runs them and leaves one table that the flag
queries, the rows behind a warning and the 清单质量 page all read, so each
rule is applied in one place.

The result depends only on the month's active ledger uploads (their ids
and file hashes, the rows' texts) and the rules, so it is kept per
snapshot: in a small in-process cache (a page that asks again, or the
warnings and the page one after the other) and as a Parquet file in the
cache folder (`config.cache_dir()`), so that a new process (every CLI
call, a restarted dashboard, another instance) does not recompute it
either. The file is named by a hash of that key: a changed list, threshold
or stock phrase is a different file, never a stale one. The cache holds
nothing that is not derived from the store; deleting it loses nothing.
After an upload changes a month, the dashboard computes it in the
background (`warm_in_background`), so the first look is a cache hit too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rectlens import config, sql
from rectlens.metrics import staged
from rectlens.quality import similarity, text

log = logging.getLogger(__name__)

_CACHE_SIZE = 24  # months, in memory
_DISK_FILES = 96  # snapshots on disk; the oldest beyond this are removed
_FORMAT = 1  # bump when item_quality's columns change: older files are then never read
_cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()
_compute_lock = threading.Lock()
_pending: set[tuple[str, dt.date]] = set()
_pending_lock = threading.Lock()
_warming: set[threading.Thread] = set()


def quality_settings() -> dict[str, Any]:
    return dict(config.settings()["quality"])


def _key(con: duckdb.DuckDBPyConnection, month: dt.date, thresholds: dict[str, Any], settings: dict[str, Any]) -> tuple[Any, ...]:
    uploads, contents = sql.rows(con, "quality_snapshot_key", {"month": month})[0]
    snapshot = (uploads, contents)
    rules = (
        thresholds["measure_min_chars"],
        thresholds["measure_alike_jaccard"],
        thresholds["vague_min_chars"],
        tuple(settings["stock_phrases"]),
        settings["lsh_miss_probability"],
    )
    return (_FORMAT, month, snapshot, rules)


def _disk_path(key: tuple[Any, ...], folder: Path) -> Path:
    digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()
    return folder / "quality" / f"{digest}.parquet"


def _read_disk(key: tuple[Any, ...], folder: Path) -> pd.DataFrame | None:
    path = _disk_path(key, folder)
    try:
        frame = pq.read_table(path).to_pandas()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except Exception:  # a damaged or half-copied file is only a miss: it is recomputed and replaced
        log.warning("unreadable list-quality cache file %s: recomputing", path, exc_info=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when the folder is pruned
    return frame


def _write_disk(key: tuple[Any, ...], frame: pd.DataFrame, folder: Path) -> None:
    """Store atomically (a reader sees the old file or the whole new one); a cache that cannot be
    written (read-only folder, full disk) only costs the next process a recomputation."""
    path = _disk_path(key, folder)
    partial = path.with_name(f"{path.stem}.{uuid.uuid4().hex}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), partial)
        os.replace(partial, path)
        _prune(path.parent)
    except OSError:
        log.warning("cannot write the list-quality cache %s", path, exc_info=True)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.parquet"), key=lambda file: file.stat().st_mtime, reverse=True)
    for stale in files[_DISK_FILES:]:
        stale.unlink(missing_ok=True)


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


def _compute(items: pa.Table, thresholds: dict[str, Any], settings: dict[str, Any]) -> pd.DataFrame:
    """item_quality for the month's items, on a private in-memory connection: the store is not
    held open (nor its file lock) while the pairs are computed."""
    con = duckdb.connect()
    try:
        con.register("quality_item_norms", item_norms(items, thresholds, list(settings["stock_phrases"])))
        sql.execute(con, "quality_texts")
        alike = similarity.alike_pairs(con, float(thresholds["measure_alike_jaccard"]), float(settings["lsh_miss_probability"]))
        con.register("measure_alike", alike)
        sql.execute(con, "quality_item_quality")
        return con.execute("SELECT * FROM item_quality").df()
    finally:
        con.close()


def _remember(key: tuple[Any, ...], facts: pd.DataFrame) -> None:
    with _cache_lock:
        _cache[key] = facts
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def _cached(key: tuple[Any, ...], folder: Path) -> pd.DataFrame | None:
    """From memory, else from the cache folder (then also kept in memory)."""
    with _cache_lock:
        facts = _cache.get(key)
        if facts is not None:
            _cache.move_to_end(key)
            return facts
    facts = _read_disk(key, folder)
    if facts is not None:
        _remember(key, facts)
    return facts


def _facts(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame:
    """The month's item_quality rows: cached, else computed once (one computation at a time per
    process: a page arriving while the background warm-up runs waits for it instead of repeating it)."""
    thresholds, settings = config.thresholds(), quality_settings()
    key, folder = _key(con, month, thresholds, settings), config.cache_dir()
    facts = _cached(key, folder)
    if facts is not None:
        return facts
    return _compute_once(key, folder, sql.arrow(con, "quality_items", {"month": month}), thresholds, settings)


def _compute_once(
    key: tuple[Any, ...], folder: Path, items: pa.Table, thresholds: dict[str, Any], settings: dict[str, Any]
) -> pd.DataFrame:
    with _compute_lock:
        facts = _cached(key, folder)  # computed by another thread while this one waited
        if facts is None:
            facts = _compute(items, thresholds, settings)
            _write_disk(key, facts, folder)
            _remember(key, facts)
    return facts


def warm(db_path: Path | str, month: dt.date, thresholds: dict[str, Any], settings: dict[str, Any], folder: Path) -> None:
    """Compute and keep the month's facts now (reading the store briefly, computing without it),
    with the rules and cache folder in force when it was asked for."""
    with _pending_lock:
        _pending.discard((str(db_path), month))
    with staged(db_path) as con:
        key = _key(con, month, thresholds, settings)
        if _cached(key, folder) is not None:
            return
        items = sql.arrow(con, "quality_items", {"month": month})
    _compute_once(key, folder, items, thresholds, settings)


def warm_in_background(db_path: Path | str, months: Iterable[dt.date | None]) -> None:
    """After an upload changed these months: compute their facts on a daemon thread, so that the
    first look at 清单质量 or the warnings finds them ready. A request already waiting for the same
    month is not doubled (it will read the newest data when it starts)."""
    for month in {month for month in months if month is not None}:
        job = (str(db_path), month)
        with _pending_lock:
            if job in _pending:
                continue
            _pending.add(job)
        rules = (config.thresholds(), quality_settings(), config.cache_dir())
        thread = threading.Thread(target=_warm_quietly, args=(db_path, month, *rules), name=f"quality-warm-{month:%Y-%m}", daemon=True)
        with _pending_lock:
            _warming.add(thread)
        thread.start()


def wait_for_warm_ups(timeout: float = 120.0) -> None:
    """Block until the background computations started so far have ended (tests, orderly shutdown)."""
    with _pending_lock:
        threads = list(_warming)
    for thread in threads:
        thread.join(timeout)


def _warm_quietly(db_path: Path | str, month: dt.date, thresholds: dict[str, Any], settings: dict[str, Any], folder: Path) -> None:
    try:
        warm(db_path, month, thresholds, settings, folder)
    except Exception:  # a warm-up is an optimisation: the page computes (and reports) on its own
        log.warning("list-quality warm-up for %s failed", month, exc_info=True)
    finally:
        with _pending_lock:
            _warming.discard(threading.current_thread())


def clear_memory() -> None:
    """Forget the in-process cache (the files stay): what a new process sees."""
    with _cache_lock:
        _cache.clear()


def stage(con: duckdb.DuckDBPyConnection, month: dt.date) -> None:
    """Create the temp table `item_quality` for `month` on a staged connection (from the cache when it can)."""
    cached = _facts(con, month)
    con.register("item_quality_cached", cached)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE item_quality AS SELECT * FROM item_quality_cached")
    finally:
        con.unregister("item_quality_cached")
