"""Benchmark: reading a 100,000-row ledger workbook, bare and through the product.

Generates (once, cached in bench/out/) a provincial roll-up ledger of
100,000 problems of the 13 fictional demo units in the 14 template columns,
written with xlsxwriter (shared strings, as Excel saves), then measures side
by side in one run, each measurement in a fresh child process, best of 5, the measurements
taking turns so that a busy moment of the machine falls on all of them alike:

  (a) bare python-calamine: CalamineWorkbook.from_path(...).get_sheet_by_name(...).to_python()
  (b) pandas.read_excel(engine="openpyxl")
  (c) the product's full CLI ingest: rectlens.cli.main(["ingest", file, "--db", ...])
      in the child, after its imports (as (a) is timed after importing python-calamine),
      into a fresh DuckDB file (read the file, validate, store, print the outcome); the
      region master is loaded into that file first, untimed, so 地区 and 县区 are checked as in use.

  (d) fastexcel: the same calamine parser straight into Arrow (the parser floor)
  (e) `python -m rectlens ingest` of a 2,000-row ledger, whole process timed (start, imports, store)
  (f) the same whole-process timing for the 100,000-row ledger, beside a process that only does (a)

Peak memory is the child's RSS high-water mark (VmHWM), imports included.
Targets (issue 13): (c) ≤ 1.5 × (a), every peak < 600 MB, (e) < 1.5 s.

Run: .venv/bin/python bench/ingest.py [--rows 100000] [--repeat 5] [--regenerate] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SHEET = "问题台账"
MONTH = dt.date(2026, 10, 1)
HEADER = (
    "问题编号",
    "地区",
    "县区",
    "责任单位",
    "整治项目",
    "问题来源",
    "问题描述",
    "根源类别",
    "整改措施",
    "发现日期",
    "整改时限",
    "整改状态",
    "完成日期",
    "佐证材料",
)
TARGET_RATIO = 1.5  # issue 13: full CLI ingest ≤ 1.5 × the bare calamine read
TARGET_PEAK_MB = 600.0
TARGET_UNIT_SECONDS = 1.5  # a 2,000-row unit ledger, CLI process start included
UNIT_ROWS = 2_000


# --- the workbook --------------------------------------------------------------


def workbook_path(rows: int) -> Path:
    return OUT / f"全省问题台账_{MONTH.year}年{MONTH.month}月_{rows}行.xlsx"


def generate(path: Path, rows: int, seed: int = 100_000) -> None:
    """A realistic roll-up ledger of `rows` problems, in the template's 14 columns."""
    import xlsxwriter

    sys.path.insert(0, str(ROOT))
    from rectlens import domain
    from rectlens.demo import EVIDENCE, OPEN_ENDED, PROJECT_CODES, PROJECT_WEIGHTS, SOURCE_WEIGHTS, UNITS, ProblemTexts

    rng = random.Random(seed)
    texts = {unit.name: ProblemTexts(unit, rng) for unit in UNITS}
    counters = {(unit.name, project): 0 for unit in UNITS for project in domain.PROJECTS}
    sources, source_weights = list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values())
    start, end = dt.date(2025, 4, 1), dt.date(2026, 10, 31)
    span = (end - start).days

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(SHEET)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, f"全省整改整治问题台账汇总（{MONTH.year}年{MONTH.month}月）", title)
    sheet.write_row(1, 0, HEADER, head)
    for row in range(2, rows + 2):
        unit = rng.choice(UNITS)
        project = rng.choices(domain.PROJECTS, weights=PROJECT_WEIGHTS)[0]
        counters[(unit.name, project)] += 1
        county = rng.choice(unit.counties)
        unit_texts = texts[unit.name]
        responsible, place = unit_texts.responsible(project, county)
        found = start + dt.timedelta(days=rng.randint(0, span - 30))
        done = found + dt.timedelta(days=rng.randint(7, 300))
        finished = done <= end
        status = domain.STATUS_DONE if finished else rng.choice((domain.STATUS_ONGOING, domain.STATUS_ONGOING, domain.STATUS_NOT_STARTED))
        values: list[object] = [
            f"{unit.abbr}-{PROJECT_CODES[project]}-{counters[(unit.name, project)]:05d}",
            unit.name,
            county,
            responsible,
            domain.PROJECT_SHORT[project],
            rng.choices(sources, weights=source_weights)[0],
            unit_texts.description(project, place, county),
            rng.choice(domain.ROOT_CAUSES),
            unit_texts.measures(project, responsible, county, place, found),
        ]
        sheet.write_row(row, 0, values)
        sheet.write_datetime(row, 9, dt.datetime(found.year, found.month, found.day), date)
        if rng.random() < 0.1:
            sheet.write_string(row, 10, rng.choice(OPEN_ENDED))
        else:
            deadline = done + dt.timedelta(days=rng.randint(5, 60))
            sheet.write_datetime(row, 10, dt.datetime(deadline.year, deadline.month, deadline.day), date)
        sheet.write_string(row, 11, status)
        if finished:
            sheet.write_datetime(row, 12, dt.datetime(done.year, done.month, done.day), date)
            if rng.random() < 0.97:
                sheet.write_string(row, 13, "、".join(rng.sample(EVIDENCE[project], rng.randint(1, 2))))
    book.close()


# --- one measurement, in a child process ------------------------------------------


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, path: Path, profile: bool = False, stages: bool = False) -> dict[str, object]:
    if kind == "calamine":
        from python_calamine import CalamineWorkbook

        started, cpu = time.perf_counter(), time.process_time()
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "cpu": time.process_time() - cpu, "rows": len(rows), "peak_mb": _peak_mb()}
    if kind == "fastexcel":
        import fastexcel

        started, cpu = time.perf_counter(), time.process_time()
        batch = fastexcel.read_excel(str(path)).load_sheet(SHEET, header_row=1, eager=True)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "cpu": time.process_time() - cpu, "rows": batch.num_rows, "peak_mb": _peak_mb()}
    if kind == "openpyxl":
        import pandas as pd

        started, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_excel(path, sheet_name=SHEET, engine="openpyxl", header=1)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "cpu": time.process_time() - cpu, "rows": len(frame), "peak_mb": _peak_mb()}
    if kind == "ingest":
        return _child_ingest(path, profile, stages)
    raise ValueError(kind)


def _child_ingest(path: Path, profile: bool, stages_wanted: bool) -> dict[str, object]:
    import tempfile

    sys.path.insert(0, str(ROOT))
    import tqdm  # noqa: F401  (the CLI imports its progress bar when a command starts: an import, loaded first like the rest)

    from rectlens import cli
    from rectlens.access.roles import cli_operator
    from rectlens.demo import REGIONS_FILE, UNITS, write_region_master
    from rectlens.ingest.service import replace_region_master
    from rectlens.storage.database import connect

    scratch = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=OUT))
    db = scratch / "rectlens.duckdb"
    write_region_master(scratch)
    count, problems, _notices = replace_region_master(db, (scratch / REGIONS_FILE).read_bytes(), REGIONS_FILE, actor=cli_operator())
    assert count == len(UNITS) and not problems
    stages = _time_stages() if stages_wanted else None
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(sys.stderr):  # the child's stdout is its JSON result
        exit_code = cli.main(["ingest", str(path), "--db", str(db)])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
    if exit_code != 0:
        raise SystemExit(f"the CLI refused the benchmark workbook (exit {exit_code})")
    with connect(db) as con:
        (stored,) = con.execute("SELECT count(*) FROM ledger_items").fetchone() or (0,)
    result: dict[str, object] = {"seconds": seconds, "cpu": cpu, "rows": stored, "peak_mb": _peak_mb()}
    if profiler is not None:
        result["profile"] = _profile_lines(profiler)
    if stages is not None:
        result["stages"] = stages
    for leftover in sorted(scratch.iterdir()):
        leftover.unlink()
    scratch.rmdir()
    return result


def _time_stages() -> dict[str, float]:
    """Wrap the ingest's main steps with timers (inclusive seconds, unprofiled); returns the live totals."""
    import functools

    from rectlens import domain
    from rectlens.ingest import service, sheets, workbook

    totals: dict[str, float] = {}

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    reader = sheets._SheetReader
    steps: list[tuple[str, object, str]] = [
        ("validate_workbook (whole)", service, "validate_workbook"),
        ("  open_workbook: zip checks (each member inflated once), reader open", workbook, "open_workbook"),
        ("  read_grid: cells into Arrow text columns, merged fill", workbook, "read_grid"),
        ("  find_header: every layout", workbook, "find_header"),
        ("  parse_sheet (whole)", workbook, "parse_sheet"),
        ("    _SheetReader.data_rows: blank/合计/footnote rows", reader, "data_rows"),
        ("    _SheetReader.parse_column: typed cells", reader, "parse_column"),
        ("    _SheetReader._match_regions: 地区, 县区", reader, "_match_regions"),
        ("    _SheetReader._resolve_months", reader, "_resolve_months"),
        ("    _SheetReader._extras", reader, "_extras"),
        ("store_validated: DuckDB transaction", service, "store_validated"),
    ]
    steps.insert(-1, ("    check_ledger: unique ids, completion dates", sheets.CROSS_CHECKS, domain.LEDGER))
    for label, owner, name in steps:
        if isinstance(owner, dict) and name in owner:
            owner[name] = timed(label, owner[name])
        elif hasattr(owner, name):
            setattr(owner, name, timed(label, getattr(owner, name)))
        else:
            continue
        totals[label] = 0.0  # printed in this order
    return totals


def _profile_lines(profiler: object, limit: int = 30) -> list[str]:
    """Cumulative seconds of the product's own functions, largest first."""
    import pstats

    stats = pstats.Stats(profiler)  # type: ignore[arg-type]
    rows = []
    for (file_name, line, function), (_cc, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "/rectlens/" in file_name:
            where = file_name.split("/rectlens/", 1)[1]
            rows.append((cumulative, own, calls, f"rectlens/{where}:{line} {function}"))
    rows.sort(reverse=True)
    return [f"{cum:7.2f} s cumulative {own:6.2f} s own {calls:>9} calls  {name}" for cum, own, calls, name in rows[:limit]]


# --- the run -----------------------------------------------------------------------


def cli_process(path: Path, repeat: int) -> float:
    """`python -m rectlens ingest` of `path` into a fresh database: wall time of the whole process
    (interpreter start, imports, read, validate, store), best of `repeat`; the region master is loaded first."""
    import shutil
    import tempfile

    sys.path.insert(0, str(ROOT))
    from rectlens.access.roles import cli_operator
    from rectlens.demo import REGIONS_FILE, write_region_master
    from rectlens.ingest.service import replace_region_master

    scratch = Path(tempfile.mkdtemp(prefix="bench-cli-", dir=OUT))
    write_region_master(scratch)
    template = scratch / "regions.duckdb"
    replace_region_master(template, (scratch / REGIONS_FILE).read_bytes(), REGIONS_FILE, actor=cli_operator())
    best = float("inf")
    for attempt in range(repeat):
        db = scratch / f"run{attempt}.duckdb"
        shutil.copyfile(template, db)
        started = time.perf_counter()
        command = [sys.executable, "-m", "rectlens", "ingest", str(path), "--db", str(db)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"「{path.name}」 was refused:\n" + done.stderr[-2000:])
        best = min(best, seconds)
    shutil.rmtree(scratch)
    return best


def calamine_process(path: Path, repeat: int) -> float:
    """A process that only reads the sheet with python-calamine (start and import included), best of `repeat`."""
    script = (
        "import sys; from python_calamine import CalamineWorkbook; "
        "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name(sys.argv[2]).to_python()"
    )
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", script, str(path), SHEET], check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - started)
    return best


def _run_child(kind: str, path: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", kind, "--file", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: float(result[name]) for name in ("seconds", "cpu", "rows", "peak_mb")}


def measure_all(kinds: list[str], path: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Best of `repeat` per kind, the kinds taking turns (a, b, c, d, a, b, ...) so that a busy moment of the
    machine falls on all of them alike; the peak is the highest of the runs."""
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for kind in kinds:
            result = _run_child(kind, path)
            peak = max(result["peak_mb"], best.get(kind, {}).get("peak_mb", 0.0))
            if kind not in best or result["seconds"] < best[kind]["seconds"]:
                best[kind] = result
            best[kind]["peak_mb"] = peak
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true", help="write the workbook again even if it exists")
    parser.add_argument("--profile", action="store_true", help="also profile one ingest and print where its time goes")
    parser.add_argument("--stages", action="store_true", help="also time the ingest's main steps in one more run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, Path(args.file), args.profile, args.stages), ensure_ascii=False))
        return 0

    path = workbook_path(args.rows)
    if args.regenerate or not path.exists():
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    print(f"workbook: {path.relative_to(ROOT)}, {args.rows:,} rows x {len(HEADER)} columns, {path.stat().st_size / 1e6:.1f} MB")

    labels = {
        "calamine": "(a) python-calamine to_python()",
        "openpyxl": '(b) pandas.read_excel(engine="openpyxl")',
        "ingest": "(c) product CLI ingest (read, validate, store)",
        "fastexcel": "(d) fastexcel load_sheet into Arrow",
    }
    results = measure_all(list(labels), path, args.repeat)
    base = results["calamine"]["seconds"]
    print(f"\n{'measurement':<52}{'seconds':>9}{'× (a)':>8}{'cpu s':>8}{'peak MB':>9}{'rows':>9}   (best of {args.repeat})")
    for kind, label in labels.items():
        r = results[kind]
        print(f"{label:<52}{r['seconds']:>9.2f}{r['seconds'] / base:>8.2f}{r['cpu']:>8.2f}{r['peak_mb']:>9.0f}{r['rows']:>9.0f}")
    ratio = results["ingest"]["seconds"] / base
    peak = max(r["peak_mb"] for r in results.values())
    print(f"\ntarget (c) ≤ {TARGET_RATIO:.1f} × (a): {'met' if ratio <= TARGET_RATIO else 'MISSED'} ({ratio:.2f} ×)")
    print(f"target peak < {TARGET_PEAK_MB:.0f} MB: {'met' if peak < TARGET_PEAK_MB else 'MISSED'} ({peak:.0f} MB)")
    unit_path = workbook_path(UNIT_ROWS)
    if args.regenerate or not unit_path.exists():
        generate(unit_path, UNIT_ROWS, seed=2_000)
    unit = cli_process(unit_path, args.repeat)
    verdict = "met" if unit < TARGET_UNIT_SECONDS else "MISSED"
    print(f"(e) CLI ingest of a {UNIT_ROWS:,}-row ledger, process start included: {unit:.2f} s")
    print(f"target (e) < {TARGET_UNIT_SECONDS} s: {verdict} ({unit:.2f} s)")
    whole_cli, whole_read = cli_process(path, args.repeat), calamine_process(path, args.repeat)
    print(
        f"(f) whole processes, start and imports included: CLI ingest of the {args.rows:,}-row ledger {whole_cli:.2f} s, "
        f"a process doing only (a) {whole_read:.2f} s ({whole_cli / whole_read:.2f} ×)"
    )

    if args.stages:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "ingest", "--file", str(path), "--stages"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\nsteps of one ingest ({result['seconds']:.2f} s, no profiler; inclusive seconds, indented = part of the line above):")
        for label, seconds in result["stages"].items():
            print(f"  {seconds:7.2f} s  {label}")
    if args.profile:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "ingest", "--file", str(path), "--profile"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\nprofile of one ingest ({result['seconds']:.2f} s under cProfile), rectlens functions by cumulative time:")
        for line in result["profile"]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
