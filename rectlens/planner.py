"""抽查计划: which completed items to check next, in the three kinds of plan of the SPEC.

Candidates are the items 已完成 in month M's snapshot with no check dated on
or after their 完成日期 (queries/planner_candidates.sql), within a scope
(zone, unit, project). From them:

- 重点核查 (targeted): ranked by risk — the warnings of the item's unit x
  project, its shrunk pass rate, the item's own signs (no evidence, closed in
  the last days of a month, odd dates) — but spread: the ranking is walked in
  passes, each taking at most `targeted_cap` items of a unit x project, so a
  unit x project gets more than the cap only once every other one with
  candidates has given its share.
- 随机抽查 (simple random): every candidate equally likely, the same seed
  giving the same draw; these checks estimate a unit's true pass rate.
- 批质量保证抽样 (LQAS): per unit, n candidates at random (all of them when a
  unit has fewer), with the decision rule of `rectlens.lqas`. Downloading the
  plan registers it as a round, so that once its checks come back each unit
  is classified 达标 / 未达标 / 待完成 (`round_results`).

Every plan downloads as a 核查结果 sheet with 抽样方式 filled in; once the
inspectors type in 核查日期 and 核查结论 it uploads as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from rectlens import charts, config, domain, lqas, risk, sql, stats
from rectlens.access import audit
from rectlens.access.permissions import require_recorded
from rectlens.access.roles import PLAN, Actor
from rectlens.cells import set_value
from rectlens.metrics import staged, staged_frame
from rectlens.report import MonthReport, month_report
from rectlens.storage.database import retry_conflicts, transaction

TARGETED, RANDOM, LQAS = "targeted", "random", "lqas"
MODES: tuple[str, ...] = (TARGETED, RANDOM, LQAS)
MODE_LABELS = {TARGETED: "重点核查", RANDOM: "随机抽查", LQAS: "批质量保证抽样"}
SAMPLING = {TARGETED: domain.SAMPLING_TARGETED, RANDOM: domain.SAMPLING_RANDOM, LQAS: domain.SAMPLING_RANDOM}
DEFAULT_SIZE, DEFAULT_SEED = 30, 2026

ITEM_WEIGHTS = {"no_evidence": 2.0, "month_end_rush": 1.5, "odd_date": 1.0, "completed_this_month": 0.5}
SIGN_LABELS = {
    "no_evidence": "无佐证材料",
    "month_end_rush": "月末最后几天销号",
    "odd_date": "日期异常",
    "completed_this_month": "本月新销号",
}
# What a plan lists, in this order (the sheet's 备注 carries the reasons of a targeted plan).
PLAN_COLUMNS = ("region", "zone", "item_id", "project", "county", "description", "completed_date", "priority", "reasons")


@dataclass(frozen=True)
class Scope:
    """Which candidates a plan draws from: all, a zone, a unit; all projects or one."""

    zone: str | None = None
    region: str | None = None
    project: str | None = None

    def text(self) -> str:
        """'全省', '南片', '青岚市 · 微腐败' …"""
        parts = [self.region or self.zone or "全省"]
        if self.project:
            parts.append(domain.PROJECT_SHORT.get(self.project, self.project))
        return " · ".join(parts)

    def select(self, items: pd.DataFrame) -> pd.DataFrame:
        chosen = items
        if self.zone:
            chosen = chosen[chosen["zone"] == self.zone]
        if self.region:
            chosen = chosen[chosen["region"] == self.region]
        if self.project:
            chosen = chosen[chosen["project"] == self.project]
        return chosen.reset_index(drop=True)


@dataclass(frozen=True)
class Plan:
    month: dt.date
    mode: str
    items: pd.DataFrame  # PLAN_COLUMNS, in plan order
    size: int  # asked for: all items (targeted, random) or per unit (LQAS)
    seed: int | None
    scope: Scope
    candidates: int  # how many items the plan was drawn from
    design: config.PlannerSettings = field(default_factory=config.PlannerSettings)
    pool: tuple[tuple[str, int], ...] = ()  # candidates per unit

    @property
    def sampling(self) -> str:
        return SAMPLING[self.mode]

    @property
    def label(self) -> str:
        return MODE_LABELS[self.mode]

    def units(self) -> pd.DataFrame:
        """LQAS: per unit, its candidates, the n drawn, the decision rule d and the rule in words."""
        drawn = self.items.groupby("region", sort=False).size()
        pool = dict(self.pool)
        rows = []
        for region, n in drawn.items():
            unit_rule = rule_for(int(n), self.design)
            rows.append(
                {
                    "region": region,
                    "candidates": pool.get(str(region), int(n)),
                    "n": int(n),
                    "d": unit_rule.d,
                    "meets_design": unit_rule.meets_design,
                    "rule": unit_rule.text(),
                }
            )
        return pd.DataFrame(rows, columns=["region", "candidates", "n", "d", "meets_design", "rule"])

    def file_name(self) -> str:
        return f"抽查计划_{self.label}_{self.month.year}-{self.month.month:02d}.xlsx"

    def export_text(self) -> str:
        """What the audit log names: '抽查计划（批质量保证抽样，2026年10月，全省，57 项）'."""
        return f"抽查计划（{self.label}，{charts.month_text(self.month)}，{self.scope.text()}，{len(self.items)} 项）"


def candidates(db_path: Path | str, month: dt.date) -> pd.DataFrame:
    """Completed items of the month not checked since their completion."""
    params = {"month": month, **config.thresholds()}
    return staged_frame(db_path, "planner_candidates", params)


# --- ranking (重点核查) ----------------------------------------------------------------


def prioritise(items: pd.DataFrame, report: MonthReport) -> pd.DataFrame:
    """Candidates with a risk `priority` and the reasons for it, highest first."""
    if items.empty:
        return items.assign(priority=pd.Series(dtype=float), reasons=pd.Series(dtype=str))
    flags = report.flags
    scores = risk.unit_project_scores(flags) if not flags.empty else pd.DataFrame(columns=["region", "project", "score"])
    cells = report.level("region,project")[["region", "project", "passed", "checked"]].copy()
    cells["shrunk_pass_rate"] = stats.shrunk_rate(cells["passed"], cells["checked"])
    table = items.merge(scores[["region", "project", "score"]], on=["region", "project"], how="left").merge(
        cells[["region", "project", "shrunk_pass_rate"]], on=["region", "project"], how="left"
    )
    table["score"] = table["score"].fillna(0)
    # Unknown pass rate (nothing checked yet) counts as the middle of the road.
    doubt = 1 - table["shrunk_pass_rate"].fillna(0.5)
    table["priority"] = 1 + table["score"] + 4 * doubt
    for sign, weight in ITEM_WEIGHTS.items():
        table["priority"] += weight * table[sign].fillna(False).astype(float)
    names = _warning_names(flags)
    table["reasons"] = [_reasons(record, names) for record in table.to_dict("records")]
    return table.sort_values(["priority", "region", "item_id"], ascending=[False, True, True], ignore_index=True)


def _warning_names(flags: pd.DataFrame) -> dict[tuple[str, str | None], list[str]]:
    """(unit, project or None for the whole unit) -> the names of its warnings, in severity order."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for record in flags.to_dict("records") if not flags.empty else []:
        project = record["project"] if isinstance(record["project"], str) else None
        names = found.setdefault((record["region"], project), [])
        if record["name"] not in names:
            names.append(record["name"])
    return found


def _reasons(record: dict[str, object], names: dict[tuple[str, str | None], list[str]]) -> str:
    parts = [label for sign, label in SIGN_LABELS.items() if record.get(sign)]
    region = str(record["region"])
    warned = names.get((region, str(record["project"])), []) + [n for n in names.get((region, None), []) if n not in parts]
    if warned:
        parts.append("该地区该项目预警：" + "、".join(dict.fromkeys(warned)))
    rate = record.get("shrunk_pass_rate")
    if isinstance(rate, float) and rate == rate:
        parts.append(f"校正通过率 {rate * 100:.0f}%")
    return "；".join(parts) or "无特别风险"


def spread(ranked: pd.DataFrame, size: int, cap: int) -> pd.DataFrame:
    """The first `size` items of a ranking taken in passes of at most `cap` per unit x project.

    An item's pass is its place within its unit x project divided by the cap: the whole first
    pass (every unit x project's top `cap`) comes before any item of the second, and so on;
    within a pass the ranking decides.
    """
    if ranked.empty or size <= 0:
        return ranked.iloc[0:0]
    if cap < 1:
        raise ValueError("cap must be at least 1")
    place = ranked.groupby(["region", "project"], sort=False).cumcount()
    order = ranked.assign(_pass=place // cap, _rank=range(len(ranked))).sort_values(["_pass", "_rank"], kind="stable")
    return order.head(size).drop(columns=["_pass", "_rank"]).reset_index(drop=True)


# --- random draws (随机抽查, LQAS) -----------------------------------------------------------


def random_sample(items: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """A simple random sample (same seed, same draw), in the candidates' order."""
    if items.empty or size <= 0:
        return items.iloc[0:0]
    positions = sorted(random.Random(seed).sample(range(len(items)), min(size, len(items))))
    return items.iloc[positions].reset_index(drop=True)


def lqas_sample(items: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Per unit, n of its candidates at random (all when it has fewer). Each unit's draw depends only on
    the seed, the unit and its own candidates, so adding a unit to the scope leaves the others' draws alone."""
    drawn = [
        random_sample(unit_items.sort_values("item_id").reset_index(drop=True), n, _unit_seed(seed, str(region)))
        for region, unit_items in items.groupby("region", sort=False)
    ]
    drawn = [frame for frame in drawn if not frame.empty]
    return pd.concat(drawn, ignore_index=True) if drawn else items.iloc[0:0]


def _unit_seed(seed: int, region: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{region}".encode()).digest()[:8], "big")


def rule_for(n: int, design: config.PlannerSettings) -> lqas.Rule:
    return lqas.rule(n, design.lqas_p_high, design.lqas_p_low, design.lqas_alpha, design.lqas_beta)


# --- a plan ---------------------------------------------------------------------------------


def build_plan(
    items: pd.DataFrame,
    report: MonthReport,
    mode: str,
    *,
    size: int = DEFAULT_SIZE,
    n: int | None = None,
    seed: int = DEFAULT_SEED,
    scope: Scope | None = None,
    design: config.PlannerSettings | None = None,
) -> Plan:
    """A plan of `mode` from the month's candidates (`candidates()`) and its report.

    targeted and random take `size` items in all; LQAS takes `n` per unit (default from the settings).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
    scope = scope or Scope()
    design = design or config.planner()
    chosen = scope.select(items)
    if mode == TARGETED:
        drawn = spread(prioritise(chosen, report), size, design.targeted_cap)
    else:
        ranked = prioritise(chosen, report)  # the same reasons beside a random draw: what an inspector may look out for
        ranked = ranked.sort_values(["region", "project", "item_id"], ignore_index=True)  # a draw must not depend on risk
        if mode == RANDOM:
            drawn = random_sample(ranked, size, seed)
        else:
            size = n if n is not None else design.lqas_n
            if size < 1:
                raise ValueError("n must be at least 1")
            drawn = lqas_sample(ranked, size, seed)
        # shown unit by unit in the region master's order (the draw above does not depend on it)
        drawn = drawn.sort_values("unit_order", kind="stable", na_position="last") if "unit_order" in drawn else drawn
    plan_items = drawn.reindex(columns=list(PLAN_COLUMNS)).reset_index(drop=True)
    pool = tuple((str(region), int(count)) for region, count in chosen.groupby("region", sort=False).size().items())
    return Plan(report.month, mode, plan_items, size, None if mode == TARGETED else seed, scope, len(chosen), design, pool)


def make_plan(db_path: Path | str, month: dt.date, mode: str, **options: object) -> Plan:
    """`build_plan` on the database's candidates and report of `month`."""
    return build_plan(candidates(db_path, month), month_report(db_path, month), mode, **options)  # type: ignore[arg-type]


# --- the 核查结果 sheet -------------------------------------------------------------------------

SHEET_NOTE = "填写核查日期、核查方式、核查结论和核查人后，在“数据上传”页上传本表；尚未核查的行请删去后再上传。"


def check_sheet(plan: Plan | pd.DataFrame, sampling: str | None = None) -> bytes:
    """The plan as a 核查结果 workbook: staff fill in date, method and result, then upload it."""
    items = plan.items if isinstance(plan, Plan) else plan
    sampling = plan.sampling if isinstance(plan, Plan) else sampling
    if sampling is None:
        raise ValueError("a plan frame needs its 抽样方式")
    layout = domain.CHECKS_LAYOUT
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = layout.title
    sheet.append([column.title for column in layout.columns])
    required = {column.field for column in layout.columns if column.required}
    for number, column in enumerate(layout.columns, start=1):
        cell = sheet.cell(1, number)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F8D7A9" if column.field in required else "DCE6F2")
    for row_number, record in enumerate(items.to_dict("records"), start=2):
        reasons = record.get("reasons") if sampling == domain.SAMPLING_TARGETED else None
        row = {"item_id": record["item_id"], "region": record["region"], "sampling": sampling, "note": reasons or None}
        for column_number, column in enumerate(layout.columns, start=1):
            # uploaded text (a 问题编号 such as "=cmd|…") is written as text, never as a formula
            target = sheet.cell(row_number, column_number)
            set_value(target, row.get(column.field))
            if column.field == "check_date":
                target.number_format = "yyyy-mm-dd"
    last = max(len(items) + 1, 2)
    columns = {column.field: index for index, column in enumerate(layout.columns, start=1)}
    for field_name, options in (("result", domain.CHECK_RESULTS), ("sampling", (domain.SAMPLING_RANDOM, domain.SAMPLING_TARGETED))):
        letter = sheet.cell(1, columns[field_name]).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    for cells in sheet.columns:
        sheet.column_dimensions[cells[0].column_letter].width = 16
    sheet.column_dimensions[sheet.cell(1, columns["note"]).column_letter].width = 48
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    lines = [plan.export_text() if isinstance(plan, Plan) else "抽查计划", SHEET_NOTE]
    if isinstance(plan, Plan) and plan.mode == LQAS:
        lines.append("本表为批质量保证抽样（LQAS）：请按表逐项随机抽查，不要替换或增加事项，抽样方式保持“随机抽查”。")
        lines += [f"{r.region}：{r.rule}" for r in plan.units().itertuples()]
    for number, line in enumerate(lines, start=1):
        set_value(guide.cell(number, 1), line)
    guide.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- rounds (LQAS) ------------------------------------------------------------------------------


def _fingerprint(plan: Plan) -> str:
    design = plan.design
    content = {
        "month": plan.month.isoformat(),
        "n": plan.size,
        "seed": plan.seed,
        "design": [design.lqas_p_high, design.lqas_p_low, design.lqas_alpha, design.lqas_beta],
        "items": sorted([str(r), str(i)] for r, i in zip(plan.items["region"], plan.items["item_id"], strict=True)),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@retry_conflicts
def register_round(db_path: Path | str, actor: Actor, plan: Plan) -> tuple[int, bool]:
    """Store an LQAS plan as a round (a write: 制定抽查计划); (round number, whether it is new).

    The same plan registered again is the same round.
    """
    if plan.mode != LQAS:
        raise ValueError("only an LQAS plan is registered as a round")
    target = f"批质量保证抽样 {charts.month_text(plan.month)}（{plan.scope.text()}）"
    require_recorded(db_path, actor, PLAN, "plan", target)
    if plan.items.empty:
        raise ValueError("an empty plan is no round")
    fingerprint = _fingerprint(plan)
    design = plan.design
    with transaction(db_path) as con:
        found = sql.rows(con, "lqas_round_by_fingerprint", {"fingerprint": fingerprint})
        if found:
            return int(found[0][0]), False
        params = {
            "month": plan.month,
            "sample_size": plan.size,
            "p_high": design.lqas_p_high,
            "p_low": design.lqas_p_low,
            "alpha": design.lqas_alpha,
            "beta": design.lqas_beta,
            "seed": plan.seed,
            "scope": plan.scope.text(),
            "fingerprint": fingerprint,
            "created_by": actor.label,
            "created_at": audit.now(),
        }
        round_id = int(sql.rows(con, "lqas_next_round_id")[0][0])
        sql.execute(con, "lqas_round_insert", {**params, "round_id": round_id})
        drawn = pd.DataFrame(
            {
                "position": range(1, len(plan.items) + 1),
                "region": plan.items["region"].astype(str),
                "item_id": plan.items["item_id"].astype(str),
                "project": plan.items["project"].astype(str),
                "completed_date": pd.to_datetime(plan.items["completed_date"]),
            }
        )
        con.register("incoming_round_items", drawn)
        try:
            sql.execute(con, "lqas_round_items_insert", {"round_id": round_id})
        finally:
            con.unregister("incoming_round_items")
        units = plan.units()
        detail = f"第 {round_id} 轮：{len(units)} 个地区、{len(plan.items)} 项，每个地区抽 {plan.size} 项，随机种子 {plan.seed}"
        audit.append(con, actor, "plan", audit.OK, target, detail)
    return round_id, True


def record_download(db_path: Path | str, actor: Actor, plan: Plan) -> int | None:
    """A plan's sheet was downloaded or written: an LQAS plan becomes a round, and the export is audited.

    Returns the round number of an LQAS plan.
    """
    require_recorded(db_path, actor, PLAN, "plan", plan.export_text())
    round_id = register_round(db_path, actor, plan)[0] if plan.mode == LQAS and not plan.items.empty else None
    audit.record_export(db_path, actor, plan.export_text() + (f"，第 {round_id} 轮" if round_id else ""))
    return round_id


RESULT_COLUMNS = [
    "round_id",
    "month",
    "scope",
    "created_by",
    "created_at",
    "zone",
    "region",
    "planned",
    "checked",
    "passed",
    "d",
    "status",
    "rule",
]


def rule_groups(table: pd.DataFrame) -> list[tuple[list[str], str]]:
    """The decision rules of a plan's or round's units, each once, with the units it applies to."""
    groups: dict[str, list[str]] = {}
    for region, unit_rule in zip(table["region"], table["rule"], strict=True):
        groups.setdefault(str(unit_rule), []).append(str(region))
    return [(units, unit_rule) for unit_rule, units in groups.items()]


def round_results(db_path: Path | str, month: dt.date) -> pd.DataFrame:
    """Every LQAS round of `month`, per unit: planned n, checked, passed, d, 达标 / 未达标 / 待完成 and the rule."""
    with staged(db_path) as con:
        table = sql.frame(con, "lqas_results", {"month": month})
    if table.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    rules = [
        lqas.rule(int(r.planned), float(r.p_high), float(r.p_low), float(r.alpha), float(r.beta)) for r in table.itertuples(index=False)
    ]
    table["d"] = [unit_rule.d for unit_rule in rules]
    table["rule"] = [unit_rule.text() for unit_rule in rules]
    table["status"] = [
        lqas.classify(int(r.planned), int(r.checked), int(r.passed), unit_rule)
        for r, unit_rule in zip(table.itertuples(index=False), rules, strict=True)
    ]
    for column in ("planned", "checked", "passed", "round_id"):
        table[column] = table[column].astype("int64")
    table["month"] = pd.to_datetime(table["month"]).dt.date
    return table[RESULT_COLUMNS]
