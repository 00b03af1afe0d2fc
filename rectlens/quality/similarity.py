"""Alike 整改措施 across units: pairs of texts whose character 3-gram sets have Jaccard >= t.

Comparing every measure with every other is quadratic (100,000 items a
month are 5e9 pairs), so candidates come from MinHash LSH and each one is
confirmed with the exact Jaccard index of the spec:

1. the distinct normalised texts and their distinct 3-grams (DuckDB);
2. a MinHash signature of bands x rows hashes per text (numpy, on the
   64-bit hashes of the grams: h -> a*h + b mod 2^64, a odd, is a
   permutation of the hash space);
3. candidates: two texts with one band of equal hashes, of sizes that allow
   the threshold, and not both used by one and the same single unit only
   (those can never make a cross-unit copy);
4. a signature-agreement screen that only drops pairs whose share of equal
   hashes is implausible at Jaccard t (probability below 1e-9);
5. the exact Jaccard index on the gram strings: no pair is reported alike
   that is not.

A pair at Jaccard t is missed with probability (1 - t^rows)^bands; the
layout follows from t and the accepted miss probability (`band_layout`:
33 bands of 5 hashes at 0.80 for 3e-6), far less for more alike pairs.
`brute_force_pairs` is the quadratic definition, kept for the tests and
the benchmark.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import duckdb
import numpy as np
import pandas as pd

from rectlens import sql

PAIR_COLUMNS = ["text_a", "text_b", "shared", "union_size"]
_SEED = 20261207  # fixed: the same texts give the same candidates in every run
_SCREEN_MISS = 1e-9


def threshold_fraction(jaccard: float) -> Fraction:
    """The threshold as an exact fraction (0.80 -> 4/5): comparisons stay in integers."""
    return Fraction(str(jaccard)).limit_denominator(10_000)


def grams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def is_alike(a: set[str], b: set[str], threshold: Fraction) -> bool:
    shared = len(a & b)
    return shared * threshold.denominator >= (len(a) + len(b) - shared) * threshold.numerator


def brute_force_pairs(texts: pd.DataFrame, jaccard: float) -> pd.DataFrame:
    """Every pair of texts (text_id, norm) compared: the definition, quadratic."""
    threshold = threshold_fraction(jaccard)
    sets = [(int(row.text_id), grams(row.norm)) for row in texts.itertuples(index=False)]
    found = []
    for (id_a, a), (id_b, b) in combinations(sets, 2):
        if is_alike(a, b, threshold):
            shared = len(a & b)
            found.append((min(id_a, id_b), max(id_a, id_b), shared, len(a) + len(b) - shared))
    return pd.DataFrame(found, columns=PAIR_COLUMNS)


def band_layout(jaccard: float, miss_probability: float) -> tuple[int, int]:
    """(bands, rows per band) for a threshold: rows such that threshold^rows is about 0.3 (few
    candidates far below the threshold), then the fewest bands that miss a pair exactly at the
    threshold with at most `miss_probability`: (1 - t^rows)^bands <= miss_probability."""
    rows = max(1, math.floor(math.log(0.3) / math.log(jaccard))) if jaccard < 1 else 1
    hit = jaccard**rows
    if hit >= 1:
        return 1, rows
    bands = max(1, math.ceil(math.log(miss_probability) / math.log(1 - hit)))
    return bands, rows


def _screen_minimum(hashes: int, jaccard: float) -> int:
    """Fewest equal signature hashes a pair at Jaccard `jaccard` shows, but with probability < 1e-9."""
    below = 0.0
    for equal in range(hashes + 1):
        below += math.comb(hashes, equal) * jaccard**equal * (1 - jaccard) ** (hashes - equal)
        if below >= _SCREEN_MISS:
            return equal
    return hashes


def _signatures(text_ids: np.ndarray, gram_hashes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(text ids, MinHash signatures [texts x count]) from gram hashes sorted by text id."""
    starts = np.flatnonzero(np.r_[True, text_ids[1:] != text_ids[:-1]])
    rng = np.random.default_rng(_SEED)
    multipliers = rng.integers(1, 2**63, count, dtype=np.uint64) | np.uint64(1)
    offsets = rng.integers(0, 2**63, count, dtype=np.uint64)
    signatures = np.empty((len(starts), count), dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2^64 is the point
        for k in range(count):
            signatures[:, k] = np.minimum.reduceat(gram_hashes * multipliers[k] + offsets[k], starts)
    return text_ids[starts], signatures


def _screen(signatures: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray, jaccard: float) -> np.ndarray:
    """Which candidate pairs show a plausible share of equal hashes at `jaccard`: first on 32 hashes
    (cheap, drops most), then on all of them; each step misses a pair at `jaccard` with p < 1e-9."""
    keep = np.arange(len(rows_a))
    for width in sorted({min(32, signatures.shape[1]), signatures.shape[1]}):
        minimum = _screen_minimum(width, jaccard)
        equal = np.zeros(len(keep), dtype=np.int32)
        for start in range(0, len(keep), 200_000):  # bounded memory: 200,000 pairs x hashes at a time
            chunk = keep[start : start + 200_000]
            equal[start : start + len(chunk)] = (signatures[rows_a[chunk], :width] == signatures[rows_b[chunk], :width]).sum(axis=1)
        keep = keep[equal >= minimum]
    plausible = np.zeros(len(rows_a), dtype=bool)
    plausible[keep] = True
    return plausible


def _band_keys(ids: np.ndarray, signatures: np.ndarray, bands: int, rows: int) -> pd.DataFrame:
    frames = []
    with np.errstate(over="ignore"):
        for band in range(bands):
            key = np.zeros(len(ids), dtype=np.uint64)
            for column in range(band * rows, (band + 1) * rows):
                key = (key * np.uint64(0x100000001B3)) ^ signatures[:, column]
            frames.append(pd.DataFrame({"band": np.int32(band), "band_key": key, "text_id": ids}))
    return pd.concat(frames, ignore_index=True)


def alike_pairs(con: duckdb.DuckDBPyConnection, jaccard: float, miss_probability: float = 3e-6) -> pd.DataFrame:
    """Pairs (text_a < text_b) of alike texts among the temp table `measure_texts` (text_id, norm, regions).

    Leaves the temp table `measure_grams` on the connection.
    """
    threshold = threshold_fraction(jaccard)
    bands, rows = band_layout(float(threshold), miss_probability)
    ratio = {"jaccard_num": threshold.numerator, "jaccard_den": threshold.denominator}
    sql.execute(con, "quality_grams")
    hashed = sql.execute(con, "quality_gram_hashes").fetchnumpy()
    if len(hashed["text_id"]) == 0:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    ids, signatures = _signatures(hashed["text_id"], hashed["gram_hash"].astype(np.uint64), bands * rows)
    keys = _band_keys(ids, signatures, bands, rows)
    con.register("measure_band_keys", keys)
    try:
        candidates = sql.execute(con, "quality_candidates", ratio).fetchnumpy()
    finally:
        con.unregister("measure_band_keys")
    if len(candidates["text_a"]) == 0:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    rows_a = np.searchsorted(ids, candidates["text_a"])  # ids are sorted: row of each text in `signatures`
    rows_b = np.searchsorted(ids, candidates["text_b"])
    # the screen compares the low 32 bits of each hash: half the memory traffic, and two hashes that
    # are equal stay equal, so a truncated count is never lower and no pair is dropped that the full one keeps
    plausible = _screen(signatures.astype(np.uint32), rows_a, rows_b, float(threshold))
    screened = pd.DataFrame({"text_a": candidates["text_a"][plausible], "text_b": candidates["text_b"][plausible]})
    con.register("measure_screened", screened)
    try:
        return sql.frame(con, "quality_verify", ratio)
    finally:
        con.unregister("measure_screened")
