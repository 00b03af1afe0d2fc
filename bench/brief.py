"""Benchmark: the briefing deck of one month (six chart PNGs, slides and workbook), as `brief` makes it.

Uses the demo database (built once into bench/out/ unless --db is given).
One warm-up export starts the kaleido browser; the following runs are timed
end to end (read the database, draw and render six 1920 x 1080 charts,
write the deck and the workbook), with the time of each phase.

Run: .venv/bin/python bench/brief.py [--db PATH] [--month 2026-10] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rectlens import demo  # noqa: E402
from rectlens.export import brief  # noqa: E402
from rectlens.metrics import months_with_data  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_SECONDS = 5.0
PHASES = ("读取数据", "六张图表", "幻灯片", "Excel")


def timed_export(db: Path, month: dt.date) -> tuple[float, dict[str, float]]:
    """Total seconds and seconds per phase of one export."""
    marks: list[float] = []
    start = time.perf_counter()
    brief.export(db, month, on_step=lambda done, total, label: marks.append(time.perf_counter()))
    total = time.perf_counter() - start
    read, *charts, deck, workbook = marks
    phases = {
        "读取数据": read - start,
        "六张图表": charts[-1] - read,
        "幻灯片": deck - charts[-1],
        "Excel": workbook - deck,
    }
    return total, phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database (default: the demo data set in bench/out/)")
    parser.add_argument("--month", help="YYYY-MM (default: the latest month with data)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    db = args.db or OUT / "brief_demo.duckdb"
    if not db.exists():
        print(f"building the demo database at {db} …", file=sys.stderr)
        OUT.mkdir(parents=True, exist_ok=True)
        demo.build(db, out_dir=OUT / "brief_demo_workbooks", echo=lambda message: None)
    month = dt.date.fromisoformat(args.month + "-01") if args.month else months_with_data(db)[0]

    first, _ = timed_export(db, month)
    print(f"warm-up export (starts Chromium): {first:.2f} s")
    runs = [timed_export(db, month) for _ in range(args.runs)]
    totals = [total for total, _ in runs]
    for phase in PHASES:
        values = [phases[phase] for _, phases in runs]
        print(f"  {phase:<6} median {statistics.median(values):.2f} s")
    median = statistics.median(totals)
    verdict = "OK" if median < TARGET_SECONDS else "SLOWER THAN TARGET"
    spread = f"min {min(totals):.2f} s, max {max(totals):.2f} s over {len(totals)} runs"
    print(f"deck export {month:%Y-%m}, six charts: median {median:.2f} s ({spread})")
    print(f"target < {TARGET_SECONDS:.0f} s after the first export: {verdict}")


if __name__ == "__main__":
    main()
