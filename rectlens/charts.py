"""Every chart of the product, in one visual language.

One plotly template (CJK font stack, Chinese number formats) and one
colour per meaning, from the Okabe-Ito palette, which stays distinguishable
with colour-vision deficiencies. Meaning is never carried by red versus
green alone: severity also has a marker shape and a label.
"""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from rectlens import domain
from rectlens.quality.report import ScaleFunnel
from rectlens.stats import Z_95, Funnel

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# One colour per meaning (Okabe-Ito).
REPORTED = "#0072B2"  # blue: what units report
VERIFIED = "#E69F00"  # orange: what checks support
GAP = "#D55E00"  # vermillion: the difference
BROADER = "#009E73"  # bluish green: the broader estimate from all checks, beside the random one
SCHEDULE = "#555555"  # grey: the schedule (序时进度)
NEUTRAL = "#999999"
SEVERITY_COLOURS = {"high": "#D55E00", "medium": "#E69F00", "low": "#56B4E9"}
SEVERITY_SYMBOLS = {"high": "diamond", "medium": "triangle-up", "low": "circle"}
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
GAP_SCALE = [[0.0, "#FFF5EB"], [0.35, "#FDBE85"], [0.7, "#F16913"], [1.0, "#8C2D04"]]

TEMPLATE_NAME = "rectlens"


def _register_template() -> None:
    template = go.layout.Template()
    template.layout = go.Layout(
        font={"family": FONT_FAMILY, "size": 15, "color": "#222222"},
        title={"font": {"size": 20}, "x": 0.01, "xanchor": "left"},
        colorway=[REPORTED, VERIFIED, "#009E73", "#CC79A7", "#56B4E9", GAP, "#F0E442", "#000000"],
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}},
        # legend under the plot: a title and a legend never compete for the top line
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        xaxis={"gridcolor": "#E5E5E5", "zerolinecolor": "#CCCCCC", "automargin": True},
        yaxis={"gridcolor": "#E5E5E5", "zerolinecolor": "#CCCCCC", "automargin": True},
        margin={"l": 10, "r": 20, "t": 60, "b": 90},
        separators=".,",
    )
    pio.templates[TEMPLATE_NAME] = template


_register_template()


def month_text(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def short_project(name: str | None) -> str:
    return domain.PROJECT_SHORT.get(name or "", name or "全部项目")


def plot_config(file_name: str) -> dict[str, object]:
    """Camera button: a PNG at twice the size, named in Chinese."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": file_name},
    }


def plain(text: object) -> str:
    """Text from a workbook as plotly shows it literally: plotly reads <a>, <b>, <br>, <span> … in every
    label, title and hover text, and decodes entities, so &, < and > go in as entities."""
    return html.escape(str(text), quote=False)


# Trace attributes that carry labels drawn on the figure (category axes, point texts, hover texts).
_LABEL_ATTRIBUTES = ("x", "y", "text", "hovertext")


def literal_labels(figure: go.Figure) -> go.Figure:
    """Every string a trace draws, escaped with `plain` (the figure's own markup lives in templates and titles)."""
    for trace in figure.data:
        for name in _LABEL_ATTRIBUTES:
            values = getattr(trace, name, None)
            if isinstance(values, str):
                trace[name] = plain(values)
            elif isinstance(values, tuple | list | np.ndarray) and any(isinstance(value, str) for value in values):
                trace[name] = [plain(value) if isinstance(value, str) else value for value in values]
    return figure


def _base(title: str, height: int, subtitle: str | None = None) -> go.Figure:
    """An empty figure in the template; `subtitle` (e.g. the scope '2026年10月 · 全省') goes on a second, smaller line,
    so that a narrow column (a tablet) does not cut the title off."""
    figure = go.Figure()
    heading: dict[str, object] = {"text": plain(title)}
    if subtitle:
        heading["subtitle"] = {"text": plain(subtitle), "font": {"size": 14, "color": "#555555"}}
    figure.update_layout(template=TEMPLATE_NAME, title=heading, height=height)
    if subtitle:
        figure.update_layout(margin={"t": 76})
    return figure


# The two estimates of the verified rate: from the random draws only (the honest one) and from all checks.
RANDOM, ALL = "random", "all"
ESTIMATE_LABELS = {RANDOM: "随机抽查", ALL: "全部抽查"}
_ESTIMATE_COLUMNS = {
    RANDOM: {
        "rate": "random_verified_rate",
        "low": "random_verified_low",
        "high": "random_verified_high",
        "passed": "random_passed",
        "checked": "random_checked",
        "pass_rate": "random_pass_rate",
        "pass_low": "random_pass_low",
        "pass_high": "random_pass_high",
    },
    ALL: {
        "rate": "verified_rate",
        "low": "verified_low",
        "high": "verified_high",
        "passed": "passed",
        "checked": "checked",
        "pass_rate": "pass_rate",
        "pass_low": "pass_low",
        "pass_high": "pass_high",
    },
}


def estimate_columns(estimate: str) -> dict[str, str]:
    """The metric columns of an estimate: rate, low, high, passed, checked, pass_rate, pass_low, pass_high."""
    return _ESTIMATE_COLUMNS[estimate]


def _percent_axis(figure: go.Figure, axis: str = "x", upper: float = 1.0) -> None:
    settings = {"tickformat": ".0%", "range": [0, upper * 1.02], "title": None}
    if axis == "x":
        figure.update_xaxes(**settings)
    else:
        figure.update_yaxes(**settings)


def dumbbell(units: pd.DataFrame, title: str, subtitle: str | None = None, *, estimate: str = ALL, beside: str | None = None) -> go.Figure:
    """Reported versus verified completion per unit, sorted by gap (largest on top).

    `estimate` (all checks, or the random draws only) is drawn as a diamond with its 95% interval and the
    gap bar; `beside`, the other estimate, as a hollow diamond next to it where a unit has it.
    """
    main = estimate_columns(estimate)
    table = units.copy()
    table["sort_gap"] = (table["reported_rate"] - table[main["rate"]]).fillna(-1)
    table = table.sort_values(["sort_gap", "region"], ascending=[True, False])
    figure = _base(title, max(360, 34 * len(table) + 140), subtitle)
    checked = table[table[main["rate"]].notna()]
    label = ESTIMATE_LABELS[estimate]
    # The gap bars as one line trace broken by None between units: one shape per unit would cost
    # plotly a validation pass over all shapes for each one added (a quarter of a second for 20 units).
    gap_x: list[float | None] = []
    gap_y: list[str | None] = []
    for record in checked.to_dict("records"):
        gap_x += [record[main["rate"]], record["reported_rate"], None]
        gap_y += [record["region"], record["region"], None]
    figure.add_trace(go.Scatter(x=gap_x, y=gap_y, mode="lines", line={"color": GAP, "width": 3}, showlegend=False, hoverinfo="skip"))
    figure.add_trace(
        go.Scatter(
            x=checked[main["low"]].tolist(),
            y=checked["region"].tolist(),
            mode="markers",
            showlegend=False,
            marker={"size": 0.1, "color": VERIFIED},
            hoverinfo="skip",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (checked[main["high"]] - checked[main["low"]]).tolist(),
                "color": VERIFIED,
                "thickness": 1.5,
                "width": 0,
            },
        )
    )
    figure.add_trace(
        go.Scatter(
            x=table["reported_rate"],
            y=table["region"],
            mode="markers",
            name="报告完成率",
            marker={"size": 13, "color": REPORTED, "symbol": "circle"},
            customdata=table[["total", "completed"]],
            hovertemplate="%{y}<br>报告完成率 %{x:.1%}<br>已完成 %{customdata[1]} / %{customdata[0]} 项<extra></extra>",
        )
    )
    if beside is not None:
        other = estimate_columns(beside)
        shown = table[table[other["rate"]].notna()]
        if not shown.empty:
            figure.add_trace(
                go.Scatter(
                    x=shown[other["rate"]],
                    y=shown["region"],
                    mode="markers",
                    name=f"核实完成率（{ESTIMATE_LABELS[beside]}）",
                    marker={"size": 11, "color": BROADER, "symbol": "diamond-open", "line": {"width": 2}},
                    customdata=shown[[other["passed"], other["checked"]]],
                    hovertemplate=(
                        f"%{{y}}<br>核实完成率（{ESTIMATE_LABELS[beside]}） %{{x:.1%}}"
                        "<br>抽查通过 %{customdata[0]} / %{customdata[1]} 项<extra></extra>"
                    ),
                )
            )
    figure.add_trace(
        go.Scatter(
            x=checked[main["rate"]],
            y=checked["region"],
            mode="markers",
            name=f"核实完成率（{label}，含95%区间）" if beside is not None or estimate == RANDOM else "核实完成率（含95%区间）",
            marker={"size": 13, "color": VERIFIED, "symbol": "diamond"},
            customdata=checked[[main["passed"], main["checked"], main["low"], main["high"]]],
            hovertemplate=(
                f"%{{y}}<br>核实完成率（{label}） %{{x:.1%}}（%{{customdata[2]:.1%}}–%{{customdata[3]:.1%}}）"
                f"<br>{label}通过 %{{customdata[0]}} / %{{customdata[1]}} 项<extra></extra>"
            ),
        )
    )
    unchecked = table[table[main["rate"]].isna()]
    if beside is not None:
        unchecked = unchecked[unchecked[estimate_columns(beside)["rate"]].isna()]
    if not unchecked.empty:
        figure.add_trace(
            go.Scatter(
                x=[0.0] * len(unchecked),
                y=unchecked["region"],
                mode="text",
                text=["暂无抽查"] * len(unchecked),
                textposition="middle right",
                showlegend=False,
                textfont={"color": NEUTRAL, "size": 13},
                hoverinfo="skip",
            )
        )
    _percent_axis(figure, "x")
    figure.update_yaxes(title=None, type="category")
    return literal_labels(figure)


def gap_heatmap(cells: pd.DataFrame, title: str, subtitle: str | None = None, *, estimate: str = ALL) -> go.Figure:
    """Gap (reported minus verified, by `estimate`) per unit x project; blank where nothing was checked."""
    columns = estimate_columns(estimate)
    cells = cells.assign(project_short=cells["project"].map(short_project), shown_gap=cells["reported_rate"] - cells[columns["rate"]])
    grid = cells.pivot_table(index="region", columns="project_short", values="shown_gap", aggfunc="first", dropna=False)
    checked = cells.pivot_table(index="region", columns="project_short", values=columns["checked"], aggfunc="first", fill_value=0)
    order = [domain.PROJECT_SHORT[p] for p in domain.PROJECTS if domain.PROJECT_SHORT[p] in grid.columns]
    grid, checked = grid.reindex(columns=order), checked.reindex(columns=order, fill_value=0)
    empty = "无随机抽查" if estimate == RANDOM else "无抽查"
    text = [[(empty if pd.isna(value) else f"{value:.0%}") for value in row] for row in grid.to_numpy()]
    figure = _base(title, max(340, 36 * len(grid) + 150), subtitle)
    figure.add_trace(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(grid.columns),
            y=list(grid.index),
            text=text,
            texttemplate="%{text}",
            customdata=checked.reindex(grid.index).to_numpy(),
            colorscale=GAP_SCALE,
            zmin=0,
            zmax=max(0.3, float(grid.max().max() or 0)),
            colorbar={"title": {"text": "差距"}, "tickformat": ".0%"},
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}<br>报告与核实差距 %{z:.1%}<br>" + ESTIMATE_LABELS[estimate] + " %{customdata} 项<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(side="top", title=None)
    return literal_labels(figure)


def funnel_plot(units: pd.DataFrame, model: Funnel | None, title: str, subtitle: str | None = None, *, estimate: str = ALL) -> go.Figure:
    """Pass rate against number checked (all checks, or the random draws only), with 95% and 99.8% control
    limits around the overall rate of the units shown (the province, or the zone / project chosen)."""
    columns = estimate_columns(estimate)
    figure = _base(title, 520, subtitle)
    units = units.assign(
        checked=units[columns["checked"]],
        passed=units[columns["passed"]],
        pass_rate=units[columns["pass_rate"]],
        pass_low=units[columns["pass_low"]],
        pass_high=units[columns["pass_high"]],
    )
    checked_units = units[units["checked"] > 0]
    if model is not None and not checked_units.empty:
        curve = model.curve(int(checked_units["checked"].max() * 1.1) + 1)
        _control_limits(figure, curve, "checked")
        figure.add_hline(
            y=model.target, line={"color": NEUTRAL, "width": 1}, annotation_text=f"总体 {model.target:.1%}", annotation_position="top right"
        )
    # Name only the units outside the 95% limits: labelling every point makes an unreadable cluster.
    if model is not None and not checked_units.empty:
        low, high = model.limits(checked_units["checked"].to_numpy(), Z_95)
        rates = checked_units["pass_rate"].to_numpy()
        outside = list((rates < low) | (rates > high))
    else:
        outside = [False] * len(checked_units)
    figure.add_trace(
        go.Scatter(
            x=checked_units["checked"],
            y=checked_units["pass_rate"],
            mode="markers",
            name="各地区",
            hovertext=checked_units["region"],
            marker={"size": 11, "color": VERIFIED, "line": {"color": "#333333", "width": 1}},
            customdata=checked_units[["passed", "pass_low", "pass_high"]],
            hovertemplate=(
                "%{hovertext}<br>抽查 %{x} 项，通过 %{customdata[0]} 项<br>通过率 %{y:.1%}"
                "（95%区间 %{customdata[1]:.1%}–%{customdata[2]:.1%}）<extra></extra>"
            ),
        )
    )
    _name_points(figure, checked_units.loc[pd.Series(outside, index=checked_units.index, dtype=bool)])
    figure.update_xaxes(title={"text": "随机抽查数（项）" if estimate == RANDOM else "抽查数（项）"}, rangemode="tozero")
    # an axis title under the plot: the legend goes to the figure's foot, clear of it
    figure.update_layout(legend={"yref": "container", "y": 0, "yanchor": "bottom"}, margin={"b": 100})
    figure.update_yaxes(title={"text": "随机抽查通过率" if estimate == RANDOM else "抽查通过率"}, tickformat=".0%", range=[0, 1.05])
    return literal_labels(figure)


def _control_limits(figure: go.Figure, curve: pd.DataFrame, x: str) -> None:
    """The 99.8% (dotted) and 95% (dashed) control-limit lines of a funnel plot, one legend entry each."""
    for low, high, name, dash in (("low_998", "high_998", "99.8% 控制限", "dot"), ("low_95", "high_95", "95% 控制限", "dash")):
        for column, show in ((low, True), (high, False)):
            figure.add_trace(
                go.Scatter(
                    x=curve[x],
                    y=curve[column],
                    mode="lines",
                    name=name,
                    showlegend=show,
                    legendgroup=name,
                    line={"color": SCHEDULE, "dash": dash, "width": 1.5},
                    hoverinfo="skip",
                )
            )


def _name_points(figure: go.Figure, units: pd.DataFrame) -> None:
    """Name units beside their points: from the highest rate down, above and below in turn, so that two
    units with close rates print apart; on a white ground, so that a control-limit line does not strike through."""
    for turn, record in enumerate(units.sort_values("pass_rate", ascending=False).to_dict("records")):
        figure.add_annotation(
            x=record["checked"],
            y=record["pass_rate"],
            text=plain(record["region"]),
            showarrow=False,
            xanchor="right",
            xshift=-9,
            yshift=11 if turn % 2 == 0 else -11,
            font={"size": 13, "color": "#222222"},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )


def _marker_texts(chosen: pd.DataFrame) -> list[tuple[dt.date, str]]:
    """One hover text per month: every unit (and project) whose warning fired then, with its reason."""
    found: dict[dt.date, list[str]] = {}
    for record in chosen.to_dict("records"):
        project = record.get("project")
        parts = (record.get("region"), short_project(project) if isinstance(project, str) else None)
        where = " · ".join(plain(part) for part in parts if part)
        found.setdefault(record["month"], []).append(f"{where}：{plain(record['reason'])}" if where else plain(record["reason"]))
    return [(month, "<br>".join(lines[:6] + ([f"另有 {len(lines) - 6} 条"] if len(lines) > 6 else []))) for month, lines in found.items()]


def trend_chart(series: pd.DataFrame, markers: pd.DataFrame, title: str, subtitle: str | None = None) -> go.Figure:
    """Monthly reported, verified and schedule rates; JUMP/RUSH markers on the reported line.

    A marker stands for every warning of its kind in that month within the scope; its hover text
    names the units. `markers` needs `code`, `month` and `reason`, and may have `region` and `project`.
    """
    series = series.sort_values("month")
    months = [month_text(m) for m in series["month"]]
    figure = _base(title, 460, subtitle)
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["schedule_rate"],
            name="序时进度",
            mode="lines",
            line={"color": SCHEDULE, "dash": "dash", "width": 2},
            hovertemplate="%{x} 序时进度 %{y:.1%}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["reported_rate"],
            name="报告完成率",
            mode="lines+markers",
            line={"color": REPORTED, "width": 3},
            marker={"symbol": "circle", "size": 8},
            hovertemplate="%{x} 报告完成率 %{y:.1%}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["verified_rate"],
            name="核实完成率",
            mode="lines+markers",
            line={"color": VERIFIED, "width": 3},
            marker={"symbol": "diamond", "size": 9},
            connectgaps=False,
            hovertemplate="%{x} 核实完成率 %{y:.1%}<extra></extra>",
        )
    )
    if not markers.empty:
        lookup = dict(zip(series["month"], series["reported_rate"], strict=False))
        for code, label, symbol in (("JUMP", "突击整改", "star"), ("RUSH", "集中销号", "x")):
            chosen = markers[markers["code"] == code]
            if chosen.empty:
                continue
            texts = _marker_texts(chosen)
            figure.add_trace(
                go.Scatter(
                    x=[month_text(month) for month, _text in texts],
                    y=[lookup.get(month) for month, _text in texts],
                    mode="markers",
                    name=label,
                    text=[text for _month, text in texts],
                    marker={"symbol": symbol, "size": 18, "color": GAP, "line": {"color": "#222222", "width": 1}},
                    hovertemplate="%{x} " + label + "<br>%{text}<extra></extra>",
                )
            )
    figure.update_yaxes(tickformat=".0%", range=[0, 1.05], title=None)
    figure.update_xaxes(title=None, type="category", tickvals=months, ticktext=short_month_ticks(list(series["month"])))
    return figure


def short_month_ticks(months: list[dt.date]) -> list[str]:
    """'2025年11月', '12月', '2026年1月', '2月', …: the year only where it starts or changes, so that
    twelve months fit under a chart on a tablet without the labels running into each other."""
    return [month_text(m) if i == 0 or m.month == 1 else f"{m.month}月" for i, m in enumerate(months)]


def ranking_bars(units: pd.DataFrame, value: str, title: str, label: str) -> go.Figure:
    """Horizontal bars of a rate per unit (best on top), with the Wilson interval when given."""
    table = units.sort_values(value, ascending=True, na_position="first")
    figure = _base(title, max(340, 30 * len(table) + 140))
    error = None
    if {"pass_low", "pass_high"} <= set(table.columns) and value == "pass_rate":
        error = {
            "type": "data",
            "symmetric": False,
            "array": (table["pass_high"] - table["pass_rate"]).tolist(),
            "arrayminus": (table["pass_rate"] - table["pass_low"]).tolist(),
            "color": "#333333",
            "thickness": 1.2,
        }
    figure.add_trace(
        go.Bar(
            x=table[value],
            y=table["region"],
            orientation="h",
            marker={"color": VERIFIED},
            name=label,
            error_x=error,
            texttemplate="%{x:.1%}",
            textposition="inside",
            hovertemplate="%{y} " + label + " %{x:.1%}<extra></extra>",
        )
    )
    _percent_axis(figure, "x")
    figure.update_yaxes(title=None, type="category")
    return literal_labels(figure)


def severity_badge(severity: str) -> str:
    return {"high": "▲ 高", "medium": "● 中", "low": "○ 低"}.get(severity, severity)


# --- Stand-alone figures (briefing page, PNG and slide exports) -------------

SOURCE_NAME = "整改透视"
# Briefing figures are laid out for 16:9 at 960 x 540 CSS pixels (1920 x 1080 at scale 2).
BRIEF_WIDTH, BRIEF_HEIGHT = 960, 540
# The header band above the plot holds only the title and its note line, so a slide can
# crop it away and show the title as real text instead.
HEADER_PX = 92


def source_line(as_of: dt.datetime | None, demo: bool = False) -> str:
    """'数据来源：整改透视，截至 2026年11月29日 16:59' (marked 示例数据 for the demo data set)."""
    source = f"数据来源：{SOURCE_NAME}" + ("（示例数据）" if demo else "")
    if as_of is None:
        return source
    return f"{source}，截至 {as_of.year}年{as_of.month}月{as_of.day}日 {as_of:%H:%M}"


def empty_note(figure: go.Figure, text: str) -> go.Figure:
    """Say in the middle of the plot why it is empty (e.g. no spot checks this month)."""
    figure.add_annotation(
        text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 18, "color": NEUTRAL}, bgcolor="white"
    )
    return figure


def stand_alone(figure: go.Figure, title: str, note: str, height: int = BRIEF_HEIGHT, font_size: int = 16) -> go.Figure:
    """A copy of `figure` that carries its title and a note line (scope, as-of time, source) inside it.

    Title and note sit in a fixed header band of HEADER_PX pixels anchored to the
    figure's top edge, so a screenshot or PNG of the figure stands alone.
    """
    framed = go.Figure(figure)
    right = max(framed.layout.margin.r or 0, 28)  # a chart may need room on the right for end labels
    framed.update_layout(
        height=height,
        font={"size": font_size},
        title={
            "text": f"<b>{plain(title)}</b>",
            "subtitle": {"text": plain(note), "font": {"size": font_size - 2, "color": "#555555"}},
            "font": {"size": font_size + 8, "color": "#111111"},
            "x": 0.012,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 14},
            "automargin": False,
        },
        margin={"t": HEADER_PX, "l": 16, "r": right, "b": 24},
        # the legend at the foot of the figure, whatever the plot's tick labels need
        legend={"yref": "container", "y": 0, "yanchor": "bottom", "x": 0.012, "xref": "container", "traceorder": "normal"},
        modebar={"remove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]},
    )
    return framed


def risk_bars(scores: pd.DataFrame, points: dict[str, int], title: str) -> go.Figure:
    """Risk score per unit (highest on top), stacked by severity; `points` per warning of each severity."""
    table = scores.sort_values(["score", "region"], ascending=[True, False])
    figure = _base(title, max(340, 30 * len(table) + 140))
    for severity in ("high", "medium", "low"):
        counts = table[severity].astype(int)
        figure.add_trace(
            go.Bar(
                x=counts * points[severity],
                y=table["region"],
                orientation="h",
                name=f"{SEVERITY_LABELS[severity]}等级预警",
                marker={"color": SEVERITY_COLOURS[severity], "line": {"color": "white", "width": 1}},
                customdata=counts,
                hovertemplate="%{y} " + SEVERITY_LABELS[severity] + "等级预警 %{customdata} 条，计 %{x} 分<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=table["score"],
            y=table["region"],
            mode="text",
            text=[f"{score} 分" for score in table["score"]],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    upper = float(table["score"].max()) if not table.empty else 0.0
    figure.update_layout(barmode="stack")
    rule = "、".join(f"{SEVERITY_LABELS[s]} {points[s]} 分" for s in ("high", "medium", "low"))
    figure.update_xaxes(
        title={"text": f"风险评分（每条预警：{rule}）"}, range=[0, upper * 1.15 + 1], tickmode="linear", dtick=max(1, round(upper / 5))
    )
    figure.update_yaxes(title=None, type="category")
    return literal_labels(figure)


# Classes of a mix (问题来源, 根源类别): Okabe-Ito first, then Tol's muted colours, grey for 其他 / 未填写.
MIX_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#882255",
    "#44AA99",
    "#999933",
    "#BBBBBB",
    "#DDDDDD",
)


def scale_funnel_plot(funnel: ScaleFunnel | None, marked: set[str], title: str, subtitle: str | None = None) -> go.Figure:
    """Problems per 10,000 of 规模 against 规模, with Poisson control limits around the overall rate;
    the units in `marked` (FEW_PROBLEMS) drawn as diamonds and named."""
    figure = _base(title, 520, subtitle)
    if funnel is None:
        return empty_note(figure, "至少需要两个填写了规模的地区")
    _control_limits(figure, funnel.curve(), "scale")
    overall = funnel.rate * 10_000
    figure.add_hline(y=overall, line={"color": NEUTRAL, "width": 1}, annotation_text=f"总体 {overall:.1f}", annotation_position="top right")
    units = funnel.units
    for flagged, name, colour, symbol in ((False, "各地区", REPORTED, "circle"), (True, "查摆不全", GAP, "diamond")):
        chosen = units[units["region"].isin(marked) == flagged]
        if chosen.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=chosen["scale"],
                y=chosen["per_scale"],
                mode="markers",
                name=name,
                hovertext=chosen["region"],
                marker={"size": 12, "color": colour, "symbol": symbol, "line": {"color": "#333333", "width": 1}},
                customdata=chosen[["ledger_total", "expected"]],
                hovertemplate="%{hovertext}<br>规模 %{x:,.0f}，问题 %{customdata[0]} 个（按总体应约 %{customdata[1]:.0f} 个）"
                "<br>每万规模 %{y:.1f} 个<extra></extra>",
            )
        )
    # named: the marked units and those beyond the 99.8% limits (naming every point makes a cluster unreadable)
    named = units[units["region"].isin(marked) | units["outside_998"]]
    for turn, record in enumerate(named.sort_values("per_scale").to_dict("records")):
        figure.add_annotation(
            x=record["scale"],
            y=record["per_scale"],
            text=plain(record["region"]),
            showarrow=False,
            xanchor="left",
            xshift=9,
            yshift=10 if turn % 2 == 0 else -10,
            font={"size": 13, "color": "#222222"},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
    figure.update_xaxes(title={"text": "规模（如党员干部数）"}, tickformat=",.0f")
    figure.update_yaxes(title={"text": "每万规模问题数"}, rangemode="tozero")
    figure.update_layout(legend={"yref": "container", "y": 0, "yanchor": "bottom"}, margin={"b": 100})
    return literal_labels(figure)


def share_bars(units: pd.DataFrame, title: str, subtitle: str | None = None) -> go.Figure:
    """Per unit, side by side: the share of measures alike to another unit's and of vague descriptions."""
    table = units.sort_values("region", ascending=False)
    figure = _base(title, max(360, 34 * len(table) + 160), subtitle)
    for column, name, colour, counts in (
        ("copied_share", "措施雷同占比", GAP, ("copied", "qualifying")),
        ("vague_share", "描述笼统占比", SEVERITY_COLOURS["low"], ("vague", "items")),
    ):
        figure.add_trace(
            go.Bar(
                x=table[column].fillna(0),
                y=table["region"],
                orientation="h",
                name=name,
                marker={"color": colour},
                customdata=table[list(counts)],
                texttemplate="%{x:.0%}",
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y} " + name + " %{x:.1%}（%{customdata[0]}/%{customdata[1]}）<extra></extra>",
            )
        )
    upper = max(0.25, float(table[["copied_share", "vague_share"]].max().max() or 0) * 1.15)
    figure.update_layout(
        barmode="group", legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"}, margin={"b": 90}
    )
    _percent_axis(figure, "x", min(upper, 1.0))
    figure.update_yaxes(title=None, type="category")
    return literal_labels(figure)


def mix_bars(shares: pd.DataFrame, by: str, classes: tuple[str, ...], title: str, subtitle: str | None = None) -> go.Figure:
    """100% stacked bars of a mix per unit, the province's (全省) on top for comparison."""
    units = [name for name in shares["region"].drop_duplicates() if name != "全省"]
    order = ["全省", *sorted(units)] if "全省" in set(shares["region"]) else sorted(units)
    figure = _base(title, max(380, 32 * len(order) + 190), subtitle)
    present = [name for name in classes if name in set(shares[by])]
    for position, name in enumerate(present):
        chosen = shares[shares[by] == name].set_index("region").reindex(order)
        figure.add_trace(
            go.Bar(
                x=chosen["share"].fillna(0),
                y=order,
                orientation="h",
                name=name,
                marker={"color": MIX_COLOURS[classes.index(name) % len(MIX_COLOURS)]},
                customdata=chosen["items"].fillna(0),
                hovertemplate="%{y} " + plain(name) + " %{x:.1%}（%{customdata:.0f} 项）<extra></extra>",
                legendrank=position,
            )
        )
    figure.update_layout(
        barmode="stack",
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "traceorder": "normal"},
        margin={"b": 110},
    )
    _percent_axis(figure, "x")
    figure.update_yaxes(title=None, type="category", categoryorder="array", categoryarray=list(reversed(order)))
    return literal_labels(figure)
