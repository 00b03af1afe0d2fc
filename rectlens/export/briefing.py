"""The briefing (简报) of one month: its data, its six charts and the key numbers behind each.

Everything comes from one `month_report` (plus the monthly trend), read in
one go; the database is closed again before any chart is drawn or rendered.
The briefing page, the PNG files and the slide deck all use these charts,
so what a leader sees on screen is exactly what goes into the deck.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from rectlens import charts, demo, planner, risk, sql, views
from rectlens.flags import pct
from rectlens.metrics import NoData
from rectlens.quality import report as quality
from rectlens.quality.report import QualityReport, quality_report
from rectlens.report import MonthReport, month_report
from rectlens.storage.database import connect

TREND_MONTHS = 12
TOP_WARNINGS = 10
WARNING_COLUMNS = {"severity": "等级", "name": "预警", "region": "地区", "project": "整治项目", "reason": "原因"}


@dataclass(frozen=True)
class Briefing:
    """One month's briefing data; plain data (picklable, cacheable)."""

    month: dt.date
    as_of: dt.datetime | None
    demo: bool
    report: MonthReport
    trend: pd.DataFrame
    unit_count: int
    quality: QualityReport
    lqas: pd.DataFrame = field(default_factory=pd.DataFrame)  # planner.round_results of the month (empty: no round)

    @property
    def month_text(self) -> str:
        return charts.month_text(self.month)

    @property
    def heading(self) -> str:
        return f"{self.month_text}整改整治工作进展"

    @property
    def source(self) -> str:
        return charts.source_line(self.as_of, self.demo)

    @property
    def province(self) -> pd.Series | None:
        table = self.report.level("province")
        return None if table.empty else table.iloc[0]

    @property
    def units(self) -> pd.DataFrame:
        return self.report.level("region").reset_index(drop=True)

    @property
    def projects(self) -> pd.DataFrame:
        """Project rows with the short project name in `region` (the charts' label column)."""
        table = self.report.level("project").reset_index(drop=True)
        return table.assign(region=table["project"].map(charts.short_project))

    @property
    def cells(self) -> pd.DataFrame:
        return self.report.level("region,project").reset_index(drop=True)

    @property
    def scores(self) -> pd.DataFrame:
        """Risk score of every unit that reported, 0 for units without warnings."""
        scores = risk.unit_scores(self.report.flags)
        quiet = sorted(set(self.units["region"]) - set(scores["region"]))
        if not quiet:
            return scores
        zero = pd.DataFrame({"region": quiet, "score": 0, "high": 0, "medium": 0, "low": 0, "warnings": 0, "rank": len(scores) + 1})
        return pd.concat([scores, zero], ignore_index=True) if not scores.empty else zero


@dataclass(frozen=True)
class Chart:
    key: str  # ASCII, for widget keys
    title: str  # with the month
    figure: go.Figure  # stand-alone: title, month, as-of time and source inside
    notes: tuple[str, ...]  # the key numbers, for slide notes

    def file_name(self, index: int) -> str:
        return f"{index:02d}_{self.title}.png"


def data_as_of(db_path: Path | str) -> dt.datetime | None:
    with connect(db_path) as con:
        found = sql.rows(con, "data_as_of")
    return found[0][0] if found else None


def load(db_path: Path | str, month: dt.date) -> Briefing:
    """Read everything the briefing shows; raises `NoData` when nothing was reported for `month`."""
    report = month_report(db_path, month)
    if report.level("province").empty:
        raise NoData(month)
    trend = views.trend(db_path, views.Filters(month=month), months=TREND_MONTHS)
    return Briefing(
        month=month,
        as_of=data_as_of(db_path),
        demo=demo.is_demo(db_path),
        report=report,
        trend=trend,
        unit_count=len(report.level("region")),
        quality=quality_report(db_path, month),
        lqas=planner.round_results(db_path, month),
    )


# --- list quality (清单质量) -----------------------------------------------------

SELF_FOUND_NOTABLE = 0.5  # a unit whose list is at least this much 自查自纠 is listed even without a warning
QUALITY_COLUMNS = ("地区", "措施雷同", "描述笼统", "查摆不全", "主要问题来源（占比）", "自查自纠占比")


def _quality_count(code: str, count: int) -> str:
    if code == "FEW_PROBLEMS":
        return "是" if count else "—"
    return f"{count} 个项目" if count else "—"


def quality_table(briefing: Briefing, sources_shown: int = 3) -> pd.DataFrame:
    """Per unit with a list-quality warning or a list mostly from 自查自纠 (and the province first): the three warnings' counts (projects
    with BOILERPLATE, with VAGUE; FEW_PROBLEMS or not) and the source mix (largest sources, share of 自查自纠)."""
    found = briefing.quality
    counts = quality.warning_counts(found.flags).set_index("region")
    shares = quality.mix_shares(found.mix, "source", quality.SOURCE_CLASSES)
    own_found = shares[(shares["source"] == "自查自纠") & (shares["share"] >= SELF_FOUND_NOTABLE)]
    listed = sorted(set(counts.index) | set(own_found["region"]) - {quality.PROVINCE})
    rows = []
    for region in [quality.PROVINCE, *listed]:
        mix = shares[shares["region"] == region].sort_values("share", ascending=False)
        top = "、".join(f"{name} {share * 100:.0f}%" for name, share in zip(mix["source"], mix["share"], strict=True) if share > 0)
        own = mix.loc[mix["source"] == "自查自纠", "share"]
        if region == quality.PROVINCE:
            counted = counts.sum()
        else:
            counted = counts.loc[region] if region in counts.index else pd.Series(0, index=list(quality.QUALITY_CODES))
        rows.append(
            (
                region,
                *(_quality_count(code, int(counted[code])) for code in quality.QUALITY_CODES),
                "、".join(top.split("、")[:sources_shown]),
                f"{float(own.iloc[0]) * 100:.0f}%" if not own.empty else "0%",
            )
        )
    table = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    if not counts.empty:
        table.loc[0, "查摆不全"] = f"{int(counts['FEW_PROBLEMS'].sum())} 个地区"
    return table


# --- key numbers -----------------------------------------------------------


def _points(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value * 100:.1f} 个百分点"


def rates_text(row: pd.Series) -> str:
    """'报告完成率 80.7%（2641/3274 项），核实完成率 72.4%（95%区间 70.8%–73.7%，抽查 1090 项通过 978 项）'."""
    reported = f"报告完成率 {pct(row['reported_rate'])}（{row['completed']}/{row['total']} 项）"
    if row["checked"] == 0:
        return f"{reported}，暂无抽查"
    return (
        f"{reported}，核实完成率 {pct(row['verified_rate'])}"
        f"（95%区间 {pct(row['verified_low'])}–{pct(row['verified_high'])}，"
        f"抽查 {row['checked']} 项通过 {row['passed']} 项），差距 {_points(row['gap'])}"
    )


def headline(briefing: Briefing) -> str:
    """The month in one sentence (title slide, page heading)."""
    province = briefing.province
    if province is None:
        return ""
    flags = briefing.report.flags
    high = int((flags["severity"] == "high").sum()) if not flags.empty else 0
    return f"全省{briefing.unit_count}个地区：{rates_text(province)}；预警 {len(flags)} 条（高等级 {high} 条）。"


def key_figures(briefing: Briefing) -> str:
    """The month's key numbers in one line of Markdown (under the page heading)."""
    row = briefing.province
    if row is None:
        return ""
    flags = briefing.report.flags
    high = int((flags["severity"] == "high").sum()) if not flags.empty else 0
    parts = [f"{briefing.unit_count} 个地区", f"报告完成率 **{pct(row['reported_rate'])}**"]
    if row["checked"] > 0:
        parts.append(f"核实完成率 **{pct(row['verified_rate'])}**（95%区间 {pct(row['verified_low'])}–{pct(row['verified_high'])}）")
        parts.append(f"抽查 {row['checked']} 项、通过 {row['passed']} 项")
    parts.append(f"预警 **{len(flags)}** 条（高等级 {high} 条）")
    return " · ".join(parts)


def _by_gap(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(sort_gap=table["gap"].fillna(-1)).sort_values(["sort_gap", "region"], ascending=[False, True])


def _dumbbell_notes(briefing: Briefing, table: pd.DataFrame, scope: str) -> tuple[str, ...]:
    lines = [headline(briefing), f"各{scope}（按报告与核实差距从大到小）："]
    lines += [f"{row['region']}：{rates_text(row)}" for _, row in _by_gap(table).iterrows()]
    return tuple(lines)


def _ranking_notes(table: pd.DataFrame) -> tuple[str, ...]:
    ranked = table.sort_values(["verified_rate", "region"], ascending=[False, True], na_position="last")
    lines = ["核实完成率 = 报告完成率 × 抽查通过率。排名："]
    for position, (_, row) in enumerate(ranked.iterrows(), start=1):
        if pd.isna(row["verified_rate"]):
            lines.append(f"{row['region']}：暂无抽查，不参与排名（报告完成率 {pct(row['reported_rate'])}）")
        else:
            lines.append(
                f"{position}. {row['region']}：核实完成率 {pct(row['verified_rate'])}，"
                f"抽查通过率 {pct(row['pass_rate'])}（{row['passed']}/{row['checked']} 项）"
            )
    return tuple(lines)


def _trend_notes(trend: pd.DataFrame) -> tuple[str, ...]:
    lines = ["全省逐月："]
    for _, row in trend.sort_values("month").iterrows():
        lines.append(
            f"{charts.month_text(row['month'])}：报告完成率 {pct(row['reported_rate'])}，"
            f"核实完成率 {pct(row['verified_rate'])}，序时进度 {pct(row['schedule_rate'])}，逾期未完成 {row['overdue']} 项"
        )
    return tuple(lines)


def _heatmap_notes(cells: pd.DataFrame) -> tuple[str, ...]:
    checked = _by_gap(cells[cells["checked"] > 0])
    lines = ["报告与核实差距最大的地区 × 整治项目："]
    for _, row in checked.head(10).iterrows():
        lines.append(
            f"{row['region']} · {charts.short_project(row['project'])}：差距 {_points(row['gap'])}"
            f"（报告 {pct(row['reported_rate'])}，核实 {pct(row['verified_rate'])}，抽查 {row['checked']} 项通过 {row['passed']} 项）"
        )
    unchecked = cells[cells["checked"] == 0]
    if not unchecked.empty:
        lines.append(f"另有 {len(unchecked)} 个地区 × 项目本月暂无抽查。")
    return tuple(lines)


def _risk_notes(scores: pd.DataFrame) -> tuple[str, ...]:
    flagged = scores[scores["score"] > 0]
    if flagged.empty:
        return ("本月暂无预警。",)
    lines = ["预警风险评分（高 / 中 / 低等级预警条数）："]
    for _, row in flagged.iterrows():
        lines.append(f"第 {row['rank']} 名 {row['region']}：{row['score']} 分（高 {row['high']} · 中 {row['medium']} · 低 {row['low']}）")
    quiet = scores.loc[scores["score"] == 0, "region"]
    if not quiet.empty:
        lines.append(f"本月无预警：{'、'.join(quiet)}")
    return tuple(lines)


# --- charts ----------------------------------------------------------------


def chart_list(briefing: Briefing) -> list[Chart]:
    """The six briefing charts, stand-alone, in deck order."""
    month = briefing.month_text
    note = briefing.source
    units, projects, cells, scores = briefing.units, briefing.projects, briefing.cells, briefing.scores
    found: list[Chart] = []

    def add(key: str, title: str, figure: go.Figure, notes: tuple[str, ...], height: int = charts.BRIEF_HEIGHT) -> None:
        found.append(Chart(key, title, charts.stand_alone(figure, title, note, height=height), notes))

    title = f"各地区报告完成率与核实完成率（{month}）"
    add("units", title, charts.dumbbell(units, title), _dumbbell_notes(briefing, units, "地区"), _rows_height(len(units)))
    title = f"各整治项目报告完成率与核实完成率（{month}）"
    add("projects", title, charts.dumbbell(projects, title), _dumbbell_notes(briefing, projects, "整治项目"))
    title = f"各地区核实完成率排名（{month}）"
    ranking = charts.ranking_bars(units, "verified_rate", title, "核实完成率")
    if units["verified_rate"].isna().all():
        charts.empty_note(ranking, "本月暂无抽查，无法计算核实完成率")
    ranking.update_traces(textposition="outside", cliponaxis=False, textfont={"size": 14})  # legible at any bar height
    add("ranking", title, ranking, _ranking_notes(units), _rows_height(len(units)))
    title = f"全省完成率逐月走势（截至{month}）"
    add("trend", title, _trend_figure(briefing.trend, title), _trend_notes(briefing.trend))
    title = f"报告与核实差距：地区 × 整治项目（{month}）"
    heatmap = charts.gap_heatmap(cells, title).update_xaxes(side="bottom")  # keep the header band for the title
    if cells["gap"].isna().all():
        charts.empty_note(heatmap, "本月暂无抽查，无法比较报告与核实")
    add("heatmap", title, heatmap, _heatmap_notes(cells), _rows_height(cells["region"].nunique()))
    title = f"各地区预警风险评分（{month}）"
    risk_chart = charts.risk_bars(scores, risk.weights(), title)
    if not (scores["score"] > 0).any():
        charts.empty_note(risk_chart, "本月暂无预警")
    add("risk", title, risk_chart, _risk_notes(scores), _rows_height(len(scores)))
    return found


def _trend_figure(trend: pd.DataFrame, title: str) -> go.Figure:
    """The trend chart with short, level month labels and the latest rates written at the line ends."""
    figure = charts.trend_chart(trend, pd.DataFrame(columns=["code", "month", "reason"]), title)
    series = trend.sort_values("month").reset_index(drop=True)
    labels = [charts.month_text(m) for m in series["month"]]
    short = [f"{m.month}月<br>{m.year}年" if i == 0 or m.month == 1 else f"{m.month}月" for i, m in enumerate(series["month"])]
    figure.update_xaxes(tickmode="array", tickvals=labels, ticktext=short, tickangle=0)
    if not series.empty:
        last = series.iloc[-1]
        for column, colour in (("reported_rate", charts.REPORTED), ("verified_rate", charts.VERIFIED)):
            if pd.notna(last[column]):
                figure.add_annotation(
                    x=labels[-1],
                    y=last[column],
                    text=f"<b>{pct(last[column])}</b>",
                    showarrow=False,
                    xanchor="left",
                    xshift=10,
                    font={"color": colour},
                )
    figure.update_layout(margin={"r": 80})
    return figure


def _rows_height(rows: int) -> int:
    """16:9 up to about 14 rows; taller when more units must stay legible."""
    return max(charts.BRIEF_HEIGHT, 26 * rows + 200)


def top_warnings(briefing: Briefing, limit: int = TOP_WARNINGS) -> pd.DataFrame:
    """The most severe warnings of the month with Chinese column names (flags are sorted by severity)."""
    flags = briefing.report.flags
    if flags.empty:
        return pd.DataFrame(columns=list(WARNING_COLUMNS.values()))
    shown = flags.head(limit).assign(
        severity=flags["severity"].map(charts.severity_badge),
        project=flags["project"].map(lambda p: charts.short_project(p) if isinstance(p, str) else "（整体）"),
    )
    return shown[list(WARNING_COLUMNS)].rename(columns=WARNING_COLUMNS).reset_index(drop=True)


SCREEN_ORDER = ("units", "trend", "ranking", "warnings", "projects", "risk", "heatmap")


def screen_charts(briefing: Briefing) -> list[Chart]:
    """The charts of the briefing page in screen order: the six charts and the top-warnings table."""
    found = {chart.key: chart for chart in chart_list(briefing)}
    title = f"主要预警（{briefing.month_text}）"
    found["warnings"] = Chart("warnings", title, warnings_figure(briefing), ())
    return [found[key] for key in SCREEN_ORDER]


def warnings_figure(briefing: Briefing, limit: int = 6, height: int = charts.BRIEF_HEIGHT) -> go.Figure:
    """The top warnings as a stand-alone table figure (for the page and its PNG)."""
    table = top_warnings(briefing, limit)
    total = len(briefing.report.flags)
    title = f"主要预警（{briefing.month_text}，共 {total} 条）"
    colours = [charts.SEVERITY_COLOURS.get(s, charts.NEUTRAL) for s in briefing.report.flags.head(limit)["severity"]]
    figure = go.Figure(
        go.Table(
            columnwidth=[62, 118, 74, 128, 420],
            header={
                "values": [f"<b>{name}</b>" for name in table.columns],
                "fill": {"color": "#F2F2F2"},
                "align": "left",
                "font": {"size": 15, "color": "#222222"},
                "height": 34,
                "line": {"color": "#DDDDDD"},
            },
            cells={
                "values": [[charts.plain(v) if isinstance(v, str) else v for v in table[column]] for column in table.columns],
                "align": "left",
                "font": {"size": 14, "color": [colours, "#222222", "#222222", "#222222", "#333333"]},
                "height": 30,
                "fill": {"color": "white"},
                "line": {"color": "#EEEEEE"},
            },
        )
    )
    figure.update_layout(template=charts.TEMPLATE_NAME, margin={"b": 10})
    if total == 0:
        figure.add_annotation(text="本月暂无预警", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 18})
    return charts.stand_alone(figure, title, briefing.source, height=height)


# --- LQAS rounds --------------------------------------------------------------------

LQAS_COLUMNS = {"region": "地区", "planned": "应查 n", "checked": "已核查", "passed": "通过", "d": "判定数 d", "status": "判定"}


@dataclass(frozen=True)
class LqasRound:
    """One LQAS round of the month as the deck shows it."""

    title: str
    table: pd.DataFrame  # Chinese headers, one row per unit
    rules: tuple[str, ...]  # the decision rules of its units, each once (most units share one)
    notes: tuple[str, ...]


def lqas_rounds(briefing: Briefing) -> list[LqasRound]:
    """Per LQAS round of the month: its title, its table, its rules and the lines for the slide's notes."""
    found = []
    for round_id, table in briefing.lqas.groupby("round_id", sort=True) if not briefing.lqas.empty else []:
        counts = table["status"].value_counts()
        summary = "、".join(f"{status} {int(counts[status])} 个" for status in ("达标", "未达标", "待完成", "样本过少") if status in counts)
        first = table.iloc[0]
        notes = [
            f"第 {round_id} 轮批质量保证抽样（LQAS）：{first['scope']}，{first['created_by']} 登记；{summary}。",
            "只计抽样方式为“随机抽查”的核查结果；一个地区的 n 项未全部核查前为待完成。",
        ]
        notes += [
            f"{row['region']}：{row['status']}，已核查 {row['checked']}/{row['planned']} 项、通过 {row['passed']} 项；{row['rule']}"
            for row in table.to_dict("records")
        ]
        found.append(
            LqasRound(
                title=f"批质量保证抽样判定结果（{briefing.month_text}，第 {round_id} 轮）",
                table=table[list(LQAS_COLUMNS)].rename(columns=LQAS_COLUMNS).reset_index(drop=True),
                rules=tuple(dict.fromkeys(table["rule"])),
                notes=tuple(notes),
            )
        )
    return found
