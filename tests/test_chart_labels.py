"""Unit names and warning reasons from workbooks are drawn literally in every chart.

plotly reads <a>, <b>, <br>, <span> … in labels, titles and hover texts, so a
unit named `<a href=…>` would otherwise become a link on the chart.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from rectlens import charts, domain

HOSTILE = "<a href='http://evil.example'>江城市</a>&<b>"
ESCAPED = "&lt;a href='http://evil.example'&gt;江城市&lt;/a&gt;&amp;&lt;b&gt;"


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": [HOSTILE, "临河市"],
            "gap": [0.1, 0.2],
            "reported_rate": [0.9, 0.8],
            "verified_rate": [0.8, None],
            "verified_low": [0.7, None],
            "verified_high": [0.9, None],
            "pass_rate": [0.85, None],
            "pass_low": [0.55, None],
            "pass_high": [0.96, None],
            "total": [10, 12],
            "completed": [9, 8],
            "passed": [8, 0],
            "checked": [10, 0],
            "random_verified_rate": [0.85, None],
            "random_verified_low": [0.75, None],
            "random_verified_high": [0.9, None],
            "random_pass_rate": [0.9, None],
            "random_pass_low": [0.6, None],
            "random_pass_high": [0.98, None],
            "random_passed": [9, 0],
            "random_checked": [10, 0],
        }
    )


def _cells() -> pd.DataFrame:
    return _units().assign(project=domain.PROJECTS[0])


def _scores() -> pd.DataFrame:
    return pd.DataFrame({"region": [HOSTILE, "临河市"], "score": [5, 2], "high": [1, 0], "medium": [1, 1], "low": [0, 0]})


def _markers() -> pd.DataFrame:
    return pd.DataFrame({"code": ["JUMP"], "month": [dt.date(2026, 10, 1)], "region": [HOSTILE], "project": [None], "reason": [HOSTILE]})


def _series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": [dt.date(2026, 9, 1), dt.date(2026, 10, 1)],
            "schedule_rate": [0.5, 0.6],
            "reported_rate": [0.4, 0.8],
            "verified_rate": [0.3, 0.7],
            "verified_low": [0.2, 0.6],
            "verified_high": [0.4, 0.8],
        }
    )


FIGURES = {
    "dumbbell": lambda: charts.dumbbell(_units(), f"标题 {HOSTILE}", f"范围 {HOSTILE}"),
    "heatmap": lambda: charts.gap_heatmap(_cells(), "差距", HOSTILE),
    "funnel": lambda: charts.funnel_plot(_units(), None, "漏斗图", HOSTILE),
    "dumbbell_both": lambda: charts.dumbbell(_units(), "标题", HOSTILE, estimate=charts.RANDOM, beside=charts.ALL),
    "heatmap_random": lambda: charts.gap_heatmap(_cells(), "差距", HOSTILE, estimate=charts.RANDOM),
    "funnel_random": lambda: charts.funnel_plot(_units(), None, "漏斗图", HOSTILE, estimate=charts.RANDOM),
    "ranking": lambda: charts.ranking_bars(_units(), "reported_rate", "排名", "报告完成率"),
    "risk": lambda: charts.risk_bars(_scores(), {"high": 3, "medium": 2, "low": 1}, "风险分"),
    "trend": lambda: charts.trend_chart(_series(), _markers(), "趋势", HOSTILE),
    "stand_alone": lambda: charts.stand_alone(charts.ranking_bars(_units(), "reported_rate", "排名", "完成率"), HOSTILE, HOSTILE),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_hostile_unit_name_is_drawn_as_text(name: str) -> None:
    spec = json.dumps(FIGURES[name]().to_plotly_json(), ensure_ascii=False, default=str)
    assert "<a href" not in spec and "</a>" not in spec and "&<b>" not in spec
    assert ESCAPED in spec  # still there, as entities plotly shows literally


def test_the_charts_own_markup_survives() -> None:
    figure = charts.stand_alone(charts.dumbbell(_units(), "标题", None), "简报标题", "数据来源")
    assert figure.layout.title.text == "<b>简报标题</b>"
    assert "<br>" in figure.data[2].hovertemplate
