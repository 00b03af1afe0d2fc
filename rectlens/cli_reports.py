"""Report sub-commands: `metrics` and `flags` (CSV or JSON on stdout) and the `brief` slide deck."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
from pptx import Presentation

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
KEY_COLUMNS = ("region", "project", "month")


def _clean(value: Any) -> Any:
    """JSON/CSV-friendly scalars: no NaN, dates as YYYY-MM, numpy types unwrapped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def write_table(records: list[dict[str, Any]], columns: list[str], fmt: str) -> None:
    rows = [{column: _clean(record.get(column)) for column in columns} for record in records]
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})


def _month_label(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def metrics_records(table: pd.DataFrame, by: str) -> list[dict[str, Any]]:
    from rectlens.metrics import METRIC_COLUMNS

    grouped = set(by.split(","))
    records = []
    for record in table.to_dict("records"):
        row = {
            "region": record["region"] if "region" in grouped else None,
            "project": record["project"] if "project" in grouped else None,
            "month": _month_label(record["month"]),
        }
        row.update({column: record[column] for column in METRIC_COLUMNS})
        records.append(row)
    return records


def cmd_metrics(args: argparse.Namespace) -> int:
    from rectlens.cli import UsageError
    from rectlens.metrics import METRIC_COLUMNS, NoData, metrics

    try:
        table = metrics(args.db, args.month, args.by)
    except NoData:
        raise UsageError(f"{_month_label(args.month)} 没有任何地区的问题台账或汇总数据；请检查月份，或先导入该月数据") from None
    write_table(metrics_records(table, args.by), [*KEY_COLUMNS, *METRIC_COLUMNS], args.format)
    return 0


def cmd_flags(args: argparse.Namespace) -> int:
    from rectlens.cli import UsageError
    from rectlens.flags import FLAG_COLUMNS, flags
    from rectlens.metrics import months_with_data

    if args.month not in months_with_data(args.db):
        raise UsageError(f"{_month_label(args.month)} 没有任何地区的问题台账或汇总数据；请检查月份，或先导入该月数据")
    table = flags(args.db, args.month)
    records = [{**record, "month": _month_label(record["month"])} for record in table.to_dict("records")]
    write_table(records, list(FLAG_COLUMNS), args.format)
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """The month's briefing deck (and optionally the chart PNGs and the Excel workbook)."""
    from pathlib import Path

    from tqdm import tqdm

    from rectlens.cli import UsageError
    from rectlens.export import brief
    from rectlens.export.images import RenderError
    from rectlens.metrics import NoData

    out = Path(args.out)
    if out.suffix.lower() != ".pptx":
        raise UsageError(f"输出文件「{out}」应以 .pptx 结尾")
    targets = [out.parent] + ([Path(args.excel).parent] if args.excel else [])
    for folder in targets:
        if not folder.is_dir():
            raise UsageError(f"输出文件夹「{folder}」不存在")
    with_pngs = args.png_dir is not None
    with tqdm(total=brief.steps(with_pngs), desc="生成简报", unit="步", file=sys.stderr, disable=None) as bar:

        def on_step(done: int, total: int, label: str) -> None:
            bar.set_postfix_str(label, refresh=False)
            bar.update(done - bar.n)

        try:
            files = brief.export(args.db, args.month, with_warnings_png=with_pngs, on_step=on_step)
        except NoData:
            raise UsageError(f"{_month_label(args.month)} 没有任何地区的问题台账或汇总数据；请检查月份，或先导入该月数据") from None
        except RenderError as exc:
            raise UsageError(str(exc)) from None
    try:
        out.write_bytes(files.deck)
        written = [out]
        if args.excel:
            Path(args.excel).write_bytes(files.workbook)
            written.append(Path(args.excel))
        if with_pngs:
            written += files.write_pngs(Path(args.png_dir))
    except OSError as exc:
        raise UsageError(f"无法写入文件：{exc.strerror or exc}（{exc.filename}）") from None
    slides = len(Presentation(io.BytesIO(files.deck)).slides)
    print(f"{files.stem}：幻灯片 {slides} 页 → {out}")
    for path in written[1:]:
        print(f"  {path}")
    return 0


def register(add: AddCommand) -> None:
    from rectlens.cli import _month

    metrics = add("metrics", cmd_metrics, "输出某月的完成率、核查通过率与核实完成率指标")
    metrics.add_argument("--month", type=_month, required=True, help="报送月份 YYYY-MM")
    metrics.add_argument(
        "--by",
        default="region,project",
        choices=["region,project", "project,region", "region", "project", "zone", "zone,project"],
        help="分组方式（默认 region,project）",
    )
    metrics.add_argument("--format", choices=["csv", "json"], default="csv")

    flags = add("flags", cmd_flags, "输出某月的预警")
    flags.add_argument("--month", type=_month, required=True, help="报送月份 YYYY-MM")
    flags.add_argument("--format", choices=["csv", "json"], default="csv")

    brief = add("brief", cmd_brief, "生成某月的简报幻灯片（.pptx），可同时导出图表 PNG 和 Excel")
    brief.add_argument("--month", type=_month, required=True, help="报送月份 YYYY-MM")
    brief.add_argument("--out", required=True, metavar="FILE.pptx", help="幻灯片输出文件")
    brief.add_argument("--png-dir", metavar="DIR", help="把每张图表另存为 1920×1080 PNG 的文件夹（不存在则创建）")
    brief.add_argument("--excel", metavar="FILE.xlsx", help="同时导出该月指标和预警的 Excel 文件")
