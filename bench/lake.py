"""Benchmark: the lake (DuckLake over PostgreSQL) against the DuckDB file.

(1) Metrics + warnings of one month at the scale of bench/metrics.py
    (24 months x 100,000 problems, 50,000 checks): the file is built once
    (bench/out/, shared with bench/metrics.py), copied into a fresh lake with
    `migrate`, and `month_report` (all metrics levels + all warnings) runs on
    both in one run, best of --runs; the two results must be identical.
    Target: lake <= 1.5 x file.
(2) Upload throughput: one uploader process against 4 at once, each sending
    its own ledger workbooks (a unit-month each) into one lake.

A PostgreSQL cluster of its own is started on 127.0.0.1 in a temporary
folder (as the tests do) and removed at the end.

Run: .venv/bin/python bench/lake.py [--problems 100000 --months 24 --checks 50000 --uploads 12]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from metrics import best_of, ensure_built  # noqa: E402
from pgcluster import Cluster  # noqa: E402

from rectlens.access.roles import cli_operator  # noqa: E402
from rectlens.ingest import service  # noqa: E402
from rectlens.report import month_report  # noqa: E402
from rectlens.storage import database, moving, store  # noqa: E402

UPLOADER = """
import json, sys, time
from rectlens.access.roles import cli_operator
from rectlens.ingest import service
spec, paths = sys.argv[1], json.loads(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
statuses = [service.ingest_path(spec, path, cli_operator()).status for path in paths]
print(json.dumps({"statuses": statuses, "seconds": time.perf_counter() - started}), flush=True)
"""


def workbooks(folder: Path, count: int, first: int, rows: int) -> list[str]:
    from workbooks import ledger_row, ledger_sheet, xlsx

    paths = []
    for index in range(first, first + count):
        year, month = 2026 + (index + 9) // 12, (index + 9) % 12 + 1  # from 2026-10 on: one unit-month per file
        items = [ledger_row(f"JC-{index:03d}-{n:04d}") for n in range(rows)]
        path = folder / f"江城市_{year}年{month}月.xlsx"
        path.write_bytes(xlsx(ledger_sheet(items, month=f"{year}年{month}月")))
        paths.append(str(path))
    return paths


def upload(spec: str, lists: list[list[str]], env: dict[str, str]) -> float:
    """Wall time from the common start until the last process is done."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", UPLOADER, spec, json.dumps(paths)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for paths in lists
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        out, _ = worker.communicate(timeout=1800)
        result = json.loads(out.strip().splitlines()[-1])
        assert set(result["statuses"]) == {service.STORED}, result
    return time.perf_counter() - started


def fresh_lake(cluster: Cluster, data: Path) -> str:
    spec = store.POSTGRES_PREFIX + cluster.new_database()
    os.environ["RECTLENS_DATA_PATH"] = str(data)
    from workbooks import regions_xlsx

    service.replace_region_master(spec, regions_xlsx(), "地区表.xlsx", actor=cli_operator())
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--checks", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--uploads", type=int, default=12, help="workbooks per uploader process")
    parser.add_argument("--rows", type=int, default=200, help="ledger rows per workbook")
    args = parser.parse_args()

    path, month = ensure_built(args.problems, args.months, args.checks)
    work = Path(tempfile.mkdtemp(prefix="rectlens-bench-lake-"))
    os.environ.setdefault("RECTLENS_SETTINGS", str(work / "no-settings.toml"))
    cluster = Cluster()
    try:
        spec = store.POSTGRES_PREFIX + cluster.new_database()
        os.environ["RECTLENS_DATA_PATH"] = str(work / "metrics-data")
        start = time.perf_counter()
        moving.migrate(path, spec)
        print(f"migrate --to lake: {time.perf_counter() - start:.1f} s")

        file_seconds, file_report = best_of(args.runs, lambda: month_report(path, month))
        lake_seconds, lake_report = best_of(args.runs, lambda: month_report(spec, month))
        same = all(
            getattr(file_report, name).equals(getattr(lake_report, name))
            for name in vars(file_report)
            if isinstance(getattr(file_report, name), pd.DataFrame)
        )
        ratio = lake_seconds / file_seconds
        print(f"month {month:%Y-%m}: metrics (all levels) + {len(file_report.flags)} warnings")
        print(f"{'file':<10}{file_seconds:>8.3f} s")
        print(f"{'lake':<10}{lake_seconds:>8.3f} s   ratio {ratio:.2f}x (target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'})")
        print(f"identical results: {same}")
        database.forget_lake(spec)

        one = fresh_lake(cluster, work / "one-data")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # with this lake's RECTLENS_DATA_PATH
        single = upload(one, [workbooks(work, args.uploads, 0, args.rows)], env)  # the same first files as process 1 below
        four = fresh_lake(cluster, work / "four-data")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        lists = [workbooks(work, args.uploads, n * args.uploads, args.rows) for n in range(4)]
        together = upload(four, lists, env)
        one_rate, four_rate = args.uploads / single, 4 * args.uploads / together
        print(f"uploads of {args.rows}-row ledgers into one lake:")
        print(f"{'1 process':<12}{args.uploads:>4} files {single:>7.1f} s  {one_rate:.2f} files/s")
        print(f"{'4 processes':<12}{4 * args.uploads:>4} files {together:>7.1f} s  {four_rate:.2f} files/s ({four_rate / one_rate:.2f}x)")
    finally:
        database.forget_all_lakes()
        cluster.remove()


if __name__ == "__main__":
    main()
