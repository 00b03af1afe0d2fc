"""Paper-rectification warnings (预警): one named query per code, one reason template each.

Thresholds come from the settings file (`config.thresholds()`); each query
returns the unit, project, month, severity and the numbers behind its
reason sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from rectlens import config, sql
from rectlens.metrics import analysis, previous_month
from rectlens.quality import stage

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
FLAG_COLUMNS = ("code", "severity", "region", "project", "month", "reason")


def pct(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def _gap(f: dict[str, Any], t: dict[str, Any]) -> str:
    return (
        f"已完成 {f['completed']} 项，抽查 {f['checked']} 项仅 {f['passed']} 项通过，通过率 {pct(f['pass_rate'])}，"
        f"95% 置信上限 {pct(f['pass_high'])} 低于 {pct(t['gap_pass_high'])}"
    )


def _jump(f: dict[str, Any], t: dict[str, Any]) -> str:
    return (
        f"报告完成率由上月 {pct(f['previous'])} 升至 {pct(f['current'])}，一个月上升 {f['rise'] * 100:.1f} 个百分点"
        f"（阈值 {t['jump_rise'] * 100:.0f} 个百分点）"
    )


def _mismatch(f: dict[str, Any], t: dict[str, Any]) -> str:
    parts = []
    if f["differs_from_ledger"]:
        parts.append(
            f"汇总表填报问题 {f['total']} 项、已完成 {f['completed']} 项，"
            f"台账实际为 {f['ledger_total']} 项、已完成 {f['ledger_completed']} 项"
        )
    if f["rate_differs"]:
        parts.append(f"填报完成率 {pct(f['stated_rate'])}，按其数字计算应为 {pct(f['counted_rate'])}")
    return "；".join(parts)


def _mismatch_total(f: dict[str, Any], t: dict[str, Any]) -> str:
    parts = []
    if f["stated_total"] is not None and f["stated_total"] != f["rows_total"]:
        parts.append(f"合计行问题总数 {f['stated_total']}，各行相加为 {f['rows_total']}")
    if f["stated_completed"] is not None and f["stated_completed"] != f["rows_completed"]:
        parts.append(f"合计行已完成 {f['stated_completed']}，各行相加为 {f['rows_completed']}")
    if (
        f["stated_rate"] is not None
        and f["rows_rate"] is not None
        and abs(f["stated_rate"] - f["rows_rate"]) > t["mismatch_rate_tolerance"]
    ):
        parts.append(f"合计行完成率 {pct(f['stated_rate'])}，按各行合计应为 {pct(f['rows_rate'])}")
    return "汇总表合计行与各行不符：" + "；".join(parts)


def _no_evidence(f: dict[str, Any], t: dict[str, Any]) -> str:
    return f"已完成 {f['done']} 项中有 {f['without']} 项（{pct(f['share'])}）没有佐证材料"


def _shrink(f: dict[str, Any], t: dict[str, Any]) -> str:
    examples = str(f["examples"]).split("、")
    shown = "、".join(examples[:5]) + ("等" if len(examples) > 5 else "")
    return f"上月台账中的 {f['missing']} 个问题在本月台账中消失（{shown}）"


def _date(f: dict[str, Any], t: dict[str, Any]) -> str:
    parts = []
    if f["after_month"]:
        parts.append(f"{f['after_month']} 项完成日期晚于报送月份月底")
    if f["before_found"]:
        parts.append(f"{f['before_found']} 项完成日期早于发现日期")
    return "、".join(parts) + f"（{f['examples']}）"


def _rush(f: dict[str, Any], t: dict[str, Any]) -> str:
    return f"本月销号 {f['completed_in_month']} 项，其中 {f['last_days']} 项（{pct(f['share'])}）集中在月末最后 {f['days']} 天"


def _stale(f: dict[str, Any], t: dict[str, Any]) -> str:
    return f"本月台账与上月完全相同（{f['items']} 个问题的编号、状态和完成日期均未变化），仍有 {f['open_items']} 项未完成"


def _missing(f: dict[str, Any], t: dict[str, Any]) -> str:
    return f"本月未报送问题台账（已有 {f['sent_units']} 个地区报送）"


def _relapse(f: dict[str, Any], t: dict[str, Any]) -> str:
    return f"{f['items']} 个问题最近一次核查结论为问题反弹（{f['examples']}）"


def _low_satisfaction(f: dict[str, Any], t: dict[str, Any]) -> str:
    sample = f"，样本 {f['sample_size']} 人" if f["sample_size"] is not None else ""
    return f"报告完成率 {pct(f['reported_rate'])}，群众满意度仅 {pct(f['satisfaction'])}{sample}"


def _overdue(f: dict[str, Any], t: dict[str, Any]) -> str:
    return f"{f['overdue']} 个问题已过整改时限仍未完成，占台账 {f['ledger_total']} 项的 {pct(f['share'])}"


def _slow(f: dict[str, Any], t: dict[str, Any]) -> str:
    return (
        f"报告完成率 {pct(f['reported_rate'])}，低于序时进度 {pct(f['schedule_rate'])}"
        f"（{f['due']}/{f['ledger_total']} 项已到期）超过 {t['slow_margin'] * 100:.0f} 个百分点"
    )


def _boilerplate(f: dict[str, Any], t: dict[str, Any]) -> str:
    examples = str(f["examples"]).split("、")
    shown = "、".join(examples[:3]) + ("等" if len(examples) > 3 else "")
    return (
        f"可比对的整改措施 {f['qualifying']} 项中有 {f['copied']} 项（{pct(f['share'])}）与其他地区的措施雷同"
        f"（字符三元组相似度不低于 {t['measure_alike_jaccard'] * 100:.0f}%，涉及 {shown}）"
    )


def _vague(f: dict[str, Any], t: dict[str, Any]) -> str:
    return (
        f"{f['items']} 个问题中有 {f['vague']} 项（{pct(f['share'])}）问题描述笼统："
        f"未填写，或去掉“存在”“不到位”等套话后不足 {t['vague_min_chars']} 个字"
    )


def _few_problems(f: dict[str, Any], t: dict[str, Any]) -> str:
    return (
        f"规模 {f['scale']:,.0f}，按其他 {f['other_units']} 个地区每万规模 {f['others_rate'] * 10000:.1f} 个问题推算"
        f"应查摆约 {f['expected']:.1f} 个，台账仅 {f['ledger_total']} 个（{pct(f['share'])}，"
        f"不足推算数的 {t['few_problems_below_share'] * 100:.0f}%）"
    )


@dataclass(frozen=True)
class FlagKind:
    code: str
    name: str
    query: str
    reason: Callable[[dict[str, Any], dict[str, Any]], str]
    item_quality: bool = False  # reads the staged per-item list-quality facts (rectlens.quality.stage)


FLAG_KINDS: tuple[FlagKind, ...] = (
    FlagKind("GAP", "纸面整改风险", "flag_gap", _gap),
    FlagKind("JUMP", "突击整改", "flag_jump", _jump),
    FlagKind("MISMATCH", "数字不一致", "flag_mismatch", _mismatch),
    FlagKind("MISMATCH", "数字不一致", "flag_mismatch_total", _mismatch_total),
    FlagKind("NO_EVIDENCE", "佐证缺失", "flag_no_evidence", _no_evidence),
    FlagKind("SHRINK", "清单缩水", "flag_shrink", _shrink),
    FlagKind("DATE", "日期异常", "flag_date", _date),
    FlagKind("RUSH", "集中销号", "flag_rush", _rush),
    FlagKind("STALE", "数据未更新", "flag_stale", _stale),
    FlagKind("MISSING", "未报送", "flag_missing", _missing),
    FlagKind("RELAPSE", "问题反弹", "flag_relapse", _relapse),
    FlagKind("LOW_SATISFACTION", "群众评价偏低", "flag_low_satisfaction", _low_satisfaction),
    FlagKind("OVERDUE", "逾期未完成", "flag_overdue", _overdue),
    FlagKind("SLOW", "进度滞后", "flag_slow", _slow),
    FlagKind("BOILERPLATE", "措施雷同", "flag_boilerplate", _boilerplate, item_quality=True),
    FlagKind("VAGUE", "描述笼统", "flag_vague", _vague, item_quality=True),
    FlagKind("FEW_PROBLEMS", "查摆不全", "flag_few_problems", _few_problems),
)
FLAG_NAMES: dict[str, str] = {kind.code: kind.name for kind in FLAG_KINDS}
FLAG_KEY = ("code", "region", "project", "month")

# The one place where two rows for one (code, unit, project, month) are merged rather than refused.
# A code served by several queries may have them meet on one key; the warning then fires once, at the
# most severe of their severities (its reason is that row's). Today the two MISMATCH queries never meet:
# the row check concerns a unit x project, the 合计 check the whole unit (no project). Severity upgrades
# (GAP, JUMP when GAP fires too, MISMATCH, OVERDUE) are decided inside each query, one row per key.
MERGED_ACROSS_QUERIES = frozenset({"MISMATCH"})


class DuplicateWarning(RuntimeError):
    """A flag query returned two rows for one (code, unit, project, month): a bug, never hidden by dropping one."""


def evaluate(con: duckdb.DuckDBPyConnection, month: dt.date, codes: Collection[str] | None = None) -> pd.DataFrame:
    """All warnings of `month` (or only those of `codes`) on an analysis connection covering the previous month too."""
    thresholds = config.thresholds()
    params = {"month": month, "prev_month": previous_month(month), **thresholds}
    found: list[dict[str, Any]] = []
    chosen = [kind for kind in FLAG_KINDS if codes is None or kind.code in codes]
    if any(kind.item_quality for kind in chosen):
        stage.stage(con, month)
    for kind in chosen:
        for record in sql.frame(con, kind.query, params).to_dict("records"):
            facts = record["facts"]
            found.append(
                {
                    "query": kind.query,
                    "code": kind.code,
                    "name": kind.name,
                    "severity": record["severity"],
                    "region": record["region"],
                    "project": record["project"] if isinstance(record["project"], str) else None,
                    "month": pd.Timestamp(record["month"]).date(),
                    "reason": kind.reason(facts, thresholds),
                    "facts": facts,
                }
            )
    table = pd.DataFrame(found, columns=[*FLAG_COLUMNS, "name", "facts", "query"])
    if table.empty:
        return table.drop(columns="query")
    table["severity_rank"] = table["severity"].map(SEVERITY_ORDER)
    table = _once_per_key(table)
    table = table.sort_values(["severity_rank", "code", "region", "project"], na_position="first")
    return table.drop(columns=["severity_rank", "query"]).reset_index(drop=True)


def _once_per_key(table: pd.DataFrame) -> pd.DataFrame:
    """At most one warning per (code, unit, project, month), as the spec says.

    Two rows of one query for a key, or rows of two queries of a code not in MERGED_ACROSS_QUERIES,
    raise DuplicateWarning. Rows of the queries of a merged code keep the most severe (first by query
    order among equals).
    """
    keys = list(FLAG_KEY)
    key_columns = table[keys].astype(object).where(table[keys].notna(), None)  # NaN and None: the same "no project"
    same_query = key_columns.assign(query=table["query"]).duplicated(keep=False)
    merged = table["code"].isin(MERGED_ACROSS_QUERIES)
    clash = same_query | (key_columns.duplicated(keep=False) & ~merged)
    if clash.any():
        rows = table.loc[clash, [*keys, "query", "severity"]]
        listed = "; ".join(
            f"{r.code} ({r.region}, {r.project or 'whole unit'}, {r.month:%Y-%m}) from {r.query} [{r.severity}]"
            for r in rows.itertuples(index=False)
        )
        raise DuplicateWarning(f"warnings fired more than once for one (code, unit, project, month): {listed}")
    most_severe_first = table.sort_values("severity_rank", kind="stable")  # stable: query order among equals
    return most_severe_first[~key_columns.loc[most_severe_first.index].duplicated(keep="first")]


def flags(db_path: Path | str, month: dt.date) -> pd.DataFrame:
    with analysis(db_path, previous_month(month), month) as con:
        return evaluate(con, month)


EVIDENCE_QUERIES: dict[str, tuple[str, ...]] = {
    "GAP": ("flag_rows_checks",),
    "RELAPSE": ("flag_rows_checks",),
    "JUMP": ("flag_rows_summary", "flag_rows_items"),
    "MISMATCH": ("flag_rows_summary", "flag_rows_items"),
    "LOW_SATISFACTION": ("flag_rows_summary",),
    "NO_EVIDENCE": ("flag_rows_items",),
    "DATE": ("flag_rows_items",),
    "RUSH": ("flag_rows_items",),
    "STALE": ("flag_rows_items",),
    "OVERDUE": ("flag_rows_items",),
    "SLOW": ("flag_rows_items",),
    "SHRINK": ("flag_rows_items",),
    "MISSING": (),
    "BOILERPLATE": ("flag_rows_boilerplate",),
    "VAGUE": ("flag_rows_vague",),
    "FEW_PROBLEMS": ("flag_rows_few_problems",),
}
EVIDENCE_LABELS = {
    "flag_rows_checks": "核查记录",
    "flag_rows_summary": "汇总表与评议",
    "flag_rows_items": "台账问题",
    "flag_rows_boilerplate": "雷同的整改措施",
    "flag_rows_vague": "笼统的问题描述",
    "flag_rows_few_problems": "各地区规模与问题数",
}
ITEM_QUALITY_CODES = frozenset(kind.code for kind in FLAG_KINDS if kind.item_quality)


def rows_behind(db_path: Path | str, code: str, region: str, project: str | None, month: dt.date) -> dict[str, pd.DataFrame]:
    """The stored rows a warning rests on, each with its file, sheet and Excel row."""
    params = {
        "code": code,
        "region": region,
        "project": project,
        "month": month,
        "prev_month": previous_month(month),
        **config.thresholds(),
    }
    with analysis(db_path, month, month) as con:
        if code in ITEM_QUALITY_CODES:
            stage.stage(con, month)
        return {EVIDENCE_LABELS[name]: sql.frame(con, name, params) for name in EVIDENCE_QUERIES[code]}
