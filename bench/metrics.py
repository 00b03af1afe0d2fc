"""Benchmark: metrics and warnings for one month on 24 months x 100,000 problems.

Builds (once, cached in bench/out/) a DuckDB file through the product's own
schema with 24 monthly snapshots of 100,000 problems (2.4 million ledger
rows) and 50,000 spot checks, then measures side by side in one run:

  (a) the product: all metrics (unit x project) and all warnings for one
      month, each call opening the database as the dashboard does;
  (b) a straightforward pandas implementation of the same unit x project
      metrics: (b1) reading the whole ledger from the same file and
      computing, (b2) reading only month M, (b3) on data already in memory.

Run: .venv/bin/python bench/metrics.py [--problems 100000 --months 24 --checks 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from statistics import NormalDist

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rectlens.metrics import metrics  # noqa: E402
from rectlens.report import month_report  # noqa: E402
from rectlens.storage.database import connect  # noqa: E402

OUT = ROOT / "bench" / "out"
SQL_DIR = ROOT / "bench" / "sql"
UNITS = 20
Z = NormalDist().inv_cdf(0.975)


def build(path: Path, problems: int, months: int, checks: int) -> None:
    params = {"units": UNITS, "months": months, "problems": problems, "checks": checks}
    path.unlink(missing_ok=True)
    with connect(path) as con:
        for name in ("synthetic_uploads", "synthetic_ledger", "synthetic_checks"):
            text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
            for statement in filter(str.strip, text.split(";")):
                used = {k: v for k, v in params.items() if f"${k}" in statement}
                con.execute(statement, used)


def wilson(passed: pd.Series, checked: pd.Series) -> tuple[pd.Series, pd.Series]:
    n = checked.where(checked > 0)
    p = passed / n
    centre = p + Z * Z / (2 * n)
    spread = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return ((centre - spread) / (1 + Z * Z / n)).clip(lower=0), ((centre + spread) / (1 + Z * Z / n)).clip(upper=1)


def pandas_metrics(ledger: pd.DataFrame, checks: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """The unit x project metrics of the spec, written plainly in pandas."""
    month_end = month + pd.offsets.MonthEnd(0)
    snapshot = ledger[ledger["month"] == month]
    done = snapshot["status"] == "已完成"
    counts = (
        snapshot.assign(
            done=done,
            due=snapshot["deadline"] <= month_end,
            overdue=(snapshot["deadline"] <= month_end) & ~done,
        )
        .groupby(["region", "project"])
        .agg(ledger_total=("item_id", "size"), ledger_completed=("done", "sum"), due=("due", "sum"), overdue=("overdue", "sum"))
    )
    completed_items = snapshot[done][["region", "project", "item_id", "completed_date"]]
    joined = completed_items.merge(checks, on=["region", "item_id"])
    joined = joined[(joined["check_date"] >= joined["completed_date"]) & (joined["check_date"] <= month_end)]
    latest = joined.sort_values(["check_date", "upload_id", "excel_row"]).groupby(["region", "item_id"]).tail(1)
    checked = latest.groupby(["region", "project"]).agg(checked=("passed", "size"), passed=("passed", "sum"))
    table = counts.join(checked, how="left").fillna({"checked": 0, "passed": 0}).reset_index()
    table["total"], table["completed"] = table["ledger_total"], table["ledger_completed"]
    table["reported_rate"] = table["completed"] / table["total"]
    table["ledger_rate"] = table["ledger_completed"] / table["ledger_total"]
    table["pass_rate"] = table["passed"] / table["checked"].where(table["checked"] > 0)
    table["pass_low"], table["pass_high"] = wilson(table["passed"], table["checked"])
    for name in ("rate", "low", "high"):
        table[f"verified_{name}"] = table["reported_rate"] * table[f"pass_{name}"]
    table["gap"] = table["reported_rate"] - table["verified_rate"]
    table["schedule_rate"] = table["due"] / table["ledger_total"]
    return table


def load(con: duckdb.DuckDBPyConnection, month: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ledger rows (all, or month M only) and all checks, as pandas frames."""
    where = "WHERE month = $month" if month else ""
    ledger = con.execute(
        "SELECT region, project, item_id, month, status, deadline, completed_date FROM ledger_items " + where,
        {"month": month} if month else {},
    ).df()
    checks = con.execute("SELECT region, item_id, check_date, passed, upload_id, excel_row FROM checks").df()
    for frame, columns in ((ledger, ("month", "deadline", "completed_date")), (checks, ("check_date",))):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    return ledger, checks


def ensure_built(problems: int, months: int, checks: int) -> tuple[Path, dt.date]:
    """This benchmark's database in bench/out/ (built on first use, then reused) and its last month."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"metrics_{problems}x{months}.duckdb"
    if not path.exists():
        start = time.perf_counter()
        build(path, problems, months, checks)
        print(f"built {path.name} in {time.perf_counter() - start:.1f} s")
    return path, (dt.date(2024, 11, 1) + pd.DateOffset(months=months - 1)).date()


def best_of(runs: int, action) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--checks", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    path, month = ensure_built(args.problems, args.months, args.checks)

    product_metrics, table = best_of(args.runs, lambda: metrics(path, month))
    product_total, report = best_of(args.runs, lambda: month_report(path, month))
    warnings = report.flags

    start = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True)
    ledger, checks = load(con, None)
    load_seconds = time.perf_counter() - start
    pandas_seconds, baseline = best_of(args.runs, lambda: pandas_metrics(ledger, checks, pd.Timestamp(month)))
    # The same pandas code starting, like the product, from the stored file, reading only month M.
    pandas_from_file, _ = best_of(args.runs, lambda: pandas_metrics(*load(con, month), pd.Timestamp(month)))
    con.close()

    merged = table.merge(baseline, on=["region", "project"], suffixes=("", "_pandas"))
    worst = max(float((merged[c] - merged[f"{c}_pandas"]).abs().max()) for c in ("reported_rate", "pass_rate", "pass_high", "gap"))
    print(f"ledger rows: {len(ledger):,}  checks: {len(checks):,}  month: {month:%Y-%m}  groups: {len(table)}  warnings: {len(warnings)}")
    print(f"{'measurement':<44}{'seconds':>10}")
    print(f"{'(a) product metrics (unit x project)':<44}{product_metrics:>10.3f}")
    print(f"{'(a) product all levels + all warnings':<44}{product_total:>10.3f}")
    print(f"{'(b1) pandas, all 24 months loaded from file':<44}{pandas_seconds + load_seconds:>10.3f}")
    print(f"{'(b2) pandas, month M loaded from file':<44}{pandas_from_file:>10.3f}")
    print(f"{'(b3) pandas, data already in memory':<44}{pandas_seconds:>10.3f}")
    for label, seconds in (("b1", pandas_seconds + load_seconds), ("b2", pandas_from_file), ("b3", pandas_seconds)):
        print(f"ratio ({label}) / (a) metrics only: {seconds / product_metrics:.1f}x")
    print(f"largest difference between product and pandas figures: {worst:.2e}")
    print(f"target: product metrics+warnings < 1 s: {'met' if product_total < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
