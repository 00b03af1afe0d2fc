"""Report sub-commands: `metrics` and `flags` (CSV or JSON on stdout), the `brief` slide deck and the `plan` spot-check plan."""

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
    from pptx import Presentation  # here, not at the top: every other sub-command would pay for importing it

    slides = len(Presentation(io.BytesIO(files.deck)).slides)
    print(f"{files.stem}：幻灯片 {slides} 页 → {out}")
    for path in written[1:]:
        print(f"  {path}")
    return 0


PLAN_COLUMNS = ("region", "zone", "project", "item_id", "county", "completed_date", "sampling", "priority", "reasons", "n", "d")


def plan_records(plan: Any) -> list[dict[str, Any]]:
    """One row per planned item; LQAS rows carry their unit's n and d, targeted rows their priority and reasons."""
    from rectlens import planner

    rules = plan.units().set_index("region") if plan.mode == planner.LQAS else None
    records = []
    for record in plan.items.to_dict("records"):
        day = record["completed_date"]
        day = None if pd.isna(day) else pd.Timestamp(day).date()
        row = {
            "region": record["region"],
            "zone": record["zone"],
            "project": record["project"],
            "item_id": record["item_id"],
            "county": record["county"],
            "completed_date": day.isoformat() if day is not None else None,
            "sampling": plan.sampling,
            "priority": round(float(record["priority"]), 2) if plan.mode == planner.TARGETED else None,
            "reasons": record["reasons"] if plan.mode == planner.TARGETED else None,
            "n": int(rules.loc[record["region"], "n"]) if rules is not None else None,
            "d": int(rules.loc[record["region"], "d"]) if rules is not None else None,
        }
        records.append(row)
    return records


def cmd_plan(args: argparse.Namespace) -> int:
    """A spot-check plan of the month: CSV / JSON on stdout, or the 核查结果 workbook with --out."""
    from pathlib import Path

    from rectlens import planner
    from rectlens.access.roles import cli_operator
    from rectlens.cli import UsageError
    from rectlens.metrics import months_with_data

    if args.month not in months_with_data(args.db):
        raise UsageError(f"{_month_label(args.month)} 没有任何地区的问题台账或汇总数据；请检查月份，或先导入该月数据")
    if args.n is not None and args.n < 1:
        raise UsageError(f"--n 应为正整数，而不是 {args.n}")
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.suffix.lower() != ".xlsx":
            raise UsageError(f"输出文件「{out}」应以 .xlsx 结尾")
        if not out.parent.is_dir():
            raise UsageError(f"输出文件夹「{out.parent}」不存在")
    options: dict[str, Any] = {"seed": args.seed}
    if args.mode == planner.LQAS:
        options["n"] = args.n
    elif args.n is not None:
        options["size"] = args.n
    plan = planner.make_plan(args.db, args.month, args.mode, **options)
    if plan.mode == planner.LQAS:
        asked = planner.rule_for(plan.size, plan.design)
        if not asked.meets_design:
            print(f"提示：每个地区抽 {plan.size} 项时，{asked.text()}", file=sys.stderr)
        for unit in plan.units().itertuples():
            if unit.n < plan.size:
                print(f"提示：{unit.region}只有 {unit.n} 项待抽查，已全部列入；{unit.rule}", file=sys.stderr)
    if plan.items.empty:
        print(f"{_month_label(args.month)} 没有待抽查的问题（已完成、且完成后尚未被抽查）", file=sys.stderr)
        if out is not None:
            raise UsageError("计划为空，未写出文件")
    if out is None:
        write_table(plan_records(plan), list(PLAN_COLUMNS), args.format)
        return 0
    data = planner.check_sheet(plan)
    round_id = planner.record_download(args.db, cli_operator(), plan)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"无法写入文件：{exc.strerror or exc}（{exc.filename}）") from None
    registered = f"，已登记为第 {round_id} 轮" if round_id else ""
    print(f"{plan.export_text()}{registered} → {out}")
    if plan.mode == planner.LQAS:
        for unit in plan.units().itertuples():
            print(f"  {unit.region}：{unit.rule}")
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

    plan = add("plan", cmd_plan, "制定某月的抽查计划：重点核查、随机抽查或批质量保证抽样（LQAS）")
    plan.add_argument("--month", type=_month, required=True, help="报送月份 YYYY-MM")
    plan.add_argument(
        "--mode", choices=["targeted", "random", "lqas"], required=True, help="targeted 重点核查｜random 随机抽查｜lqas 批质量保证抽样"
    )
    plan.add_argument("--n", type=int, help="抽查数量：targeted / random 为总数（默认 30），lqas 为每个地区的数量（默认取设置，19）")
    plan.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）：同一种子抽到同一批问题")
    plan.add_argument(
        "--out", metavar="FILE.xlsx", help="写出核查结果表（填好后可直接上传）；lqas 计划同时登记为抽查轮次。不给时在标准输出打印计划"
    )
    plan.add_argument("--format", choices=["csv", "json"], default="csv", help="不给 --out 时的输出格式")
