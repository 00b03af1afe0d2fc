"""The leaders' pages (总览, 地区对比, 趋势, 预警, 问题台账) under AppTest, on a database built from real workbooks.

Every number a page shows is checked against the `metrics` / `flags` command's output for the
same month, formatted as the page formats it (tiles with one decimal, tables in percent points).
Filters come in through the URL's query parameters, as a shared link would bring them; the link
shows the sign-in form first, and a leader's account signs in on it and lands on the linked page.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import numpy as np
import pytest
from builders import SHORT, WF, WG, shared_lens
from leader_data import LATEST, UNITS, ZONES, build_leader_scenario
from signin_helpers import LEADER_LI, as_shown, open_link, sign_in
from streamlit.testing.v1 import AppTest

from rectlens import charts
from rectlens.cli import main as cli_main
from rectlens.flags import FLAG_NAMES, pct

Z_95 = 1.959963984540054
PAGES = {
    "overview": "pages/overview.py",
    "regions": "pages/regions.py",
    "trends": "pages/trends.py",
    "warnings": "pages/warnings.py",
    "items": "pages/items.py",
}


@pytest.fixture(scope="module")
def scenario_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_lens(tmp_path_factory, "leaders") as lens:
        build_leader_scenario(lens)
        yield lens.path


class Cli:
    """`python -m rectlens metrics|flags … --format json` on the scenario (in-process, cached per call)."""

    def __init__(self, db: Path) -> None:
        self.db = db

    @cache  # noqa: B019 - one object per module, read-only database
    def run(self, *args: str) -> list[dict[str, Any]]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli_main([*args, "--format", "json", "--db", str(self.db)])
        assert code == 0, args
        return json.loads(out.getvalue())

    def metrics(self, month: str, by: str = "region,project") -> list[dict[str, Any]]:
        return self.run("metrics", "--month", month, "--by", by)

    def flags(self, month: str) -> list[dict[str, Any]]:
        return self.run("flags", "--month", month)


@pytest.fixture(scope="module")
def cli(scenario_db: Path) -> Cli:
    return Cli(scenario_db)


@pytest.fixture
def open_page(scenario_db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """`open_page("regions", month="2026-09", zone="中片")`: a link to a page with that URL query, opened and signed in
    on by a leader."""
    monkeypatch.setenv("RECTLENS_DB", str(scenario_db))

    def open_(page: str, **query: str) -> AppTest:
        # the link's page from the first run on, as a browser opening the URL
        at = open_link(PAGES[page] if page != "overview" else None, **query)
        assert not at.metric and not at.dataframe and not at.get("plotly_chart")  # nothing of the page before signing in
        sign_in(at, scenario_db, LEADER_LI)
        return at

    return open_


# --- what the CLI says, rolled up as the pages roll up ----------------------------------------


def wilson(passed: int, checked: int) -> tuple[float, float]:
    """The 95% Wilson score interval, written out here independently of queries/macros.sql."""
    p, n = passed / checked, checked
    centre = p + Z_95**2 / (2 * n)
    spread = Z_95 * math.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + Z_95**2 / n)), min(1.0, (centre + spread) / (1 + Z_95**2 / n))


def rolled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts summed and rates recomputed from the sums (never averaged), as the specification says."""
    keys = ("total", "completed", "checked", "passed", "random_checked", "random_passed", "ledger_total", "due", "overdue")
    sums = {key: sum(row[key] for row in rows) for key in keys}
    reported = sums["completed"] / sums["total"]
    result: dict[str, Any] = {**sums, "reported_rate": reported, "schedule_rate": sums["due"] / sums["ledger_total"]}
    if sums["checked"]:
        low, high = wilson(sums["passed"], sums["checked"])
        pass_rate = sums["passed"] / sums["checked"]
        result |= {
            "pass_rate": pass_rate,
            "verified_rate": reported * pass_rate,
            "verified_low": reported * low,
            "verified_high": reported * high,
        }
    else:
        result |= {"pass_rate": None, "verified_rate": None, "verified_low": None, "verified_high": None}
    if sums["random_checked"]:
        low, high = wilson(sums["random_passed"], sums["random_checked"])
        rate = sums["random_passed"] / sums["random_checked"]
        result |= {"random_verified_rate": reported * rate, "random_verified_low": reported * low, "random_verified_high": reported * high}
    else:
        result |= {"random_verified_rate": None, "random_verified_low": None, "random_verified_high": None}
    return result


def tiles(at: AppTest) -> dict[str, tuple[str, str]]:
    """label -> (value, delta) of the 总览 tiles."""
    return {metric.label: (metric.value, metric.proto.delta) for metric in at.metric}


def figure(at: AppTest, index: int) -> dict[str, Any]:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def values(trace: dict[str, Any], key: str) -> list[Any]:
    """A trace's data array, whether plotly wrote it as a list or as a typed array ({'dtype', 'bdata'})."""
    data = trace[key]
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        return array.reshape([int(n) for n in str(data.get("shape", len(array))).split(",")]).tolist()
    return list(data)


def percent_points(value: float | None) -> float | None:
    return None if value is None else value * 100


def close(shown: object, expected: float | None) -> bool:
    if expected is None:
        return shown is None or (isinstance(shown, float) and math.isnan(shown))
    return isinstance(shown, int | float) and abs(float(shown) - expected) < 1e-9


def level_rows(rows: list[dict[str, Any]], **keys: str) -> list[dict[str, Any]]:
    return [row for row in rows if all(row[key] == value for key, value in keys.items())]


# --- 总览 -----------------------------------------------------------------------------------------


def test_overview_tiles_equal_the_commands_for_the_latest_month(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("overview")
    assert at.selectbox(key="month").value == "2026-10"
    province = rolled(cli.metrics("2026-10", "region"))
    high = sorted({flag["region"] for flag in cli.flags("2026-10") if flag["severity"] == "high"})
    assert high == ["江城市", "白河"]
    sent = {row["region"] for row in cli.metrics("2026-10", "region")}
    assert tiles(at) == {
        "报告完成率": (pct(province["reported_rate"]), ""),
        "随机抽查": (
            pct(province["random_verified_rate"]),
            f"95%区间 {province['random_verified_low'] * 100:.1f}–{pct(province['random_verified_high'])}",
        ),
        "全部抽查": (
            pct(province["verified_rate"]),
            f"95%区间 {province['verified_low'] * 100:.1f}–{pct(province['verified_high'])}",
        ),
        "高风险预警单位": (f"{len(high)} 个", ""),
        "本月报送": (f"{len(sent)} / {len(UNITS)}", ""),
    }
    assert tiles(at)["本月报送"][0] == "3 / 4"  # 青石市 sent nothing for October
    assert "江城市、白河" in next(m.proto.help for m in at.metric if m.label == "高风险预警单位")


def test_overview_dumbbell_plots_every_units_reported_and_verified_rate(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("overview")
    spec = figure(at, 0)
    assert spec["layout"]["title"]["text"] == "各地区报告与核实完成率（随机抽查）"  # every check here is a random draw
    assert spec["layout"]["title"]["subtitle"]["text"] == "2026年10月 · 全省"
    traces = {trace.get("name"): trace for trace in spec["data"]}
    by_unit = {row["region"]: row for row in cli.metrics("2026-10", "region")}
    reported = dict(zip(values(traces["报告完成率"], "y"), values(traces["报告完成率"], "x"), strict=True))
    assert reported == pytest.approx({region: row["reported_rate"] for region, row in by_unit.items()})
    diamonds = traces["核实完成率（随机抽查，含95%区间）"]
    verified = dict(zip(values(diamonds, "y"), values(diamonds, "x"), strict=True))
    assert verified == pytest.approx({region: row["random_verified_rate"] for region, row in by_unit.items() if row["random_checked"]})
    assert "核实完成率（全部抽查）" not in traces  # the same figures: drawn once
    assert "白河" not in verified  # never checked: shown as 暂无抽查 instead of a diamond
    assert any(trace.get("text") == ["暂无抽查"] and values(trace, "y") == ["白河"] for trace in spec["data"])
    # sorted by gap, the largest on top (plotly draws the last category at the top)
    assert values(traces["报告完成率"], "y")[-1] == max(by_unit, key=lambda r: by_unit[r]["gap"] if by_unit[r]["gap"] is not None else -1)


def test_overview_heatmap_shows_each_cells_gap(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("overview")
    spec = figure(at, 1)
    heatmap = spec["data"][0]
    shown = {
        (region, project): value
        for region, row in zip(values(heatmap, "y"), values(heatmap, "z"), strict=True)
        for project, value in zip(values(heatmap, "x"), row, strict=True)
    }
    for row in cli.metrics("2026-10"):
        random_gap = None if row["random_verified_rate"] is None else row["reported_rate"] - row["random_verified_rate"]
        assert close(shown[(row["region"], SHORT[row["project"]])], random_gap), row


def test_overview_lists_the_top_warnings_with_links_to_their_detail(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("overview")
    flags = cli.flags("2026-10")
    links = at.get("page_link")
    assert len(links) == 8 and {link.value for link in links} == {"查看依据"}
    for link, flag in zip(links, flags, strict=False):
        query = {key: values[0] for key, values in parse_qs(link.proto.query_string).items()}
        project = SHORT.get(flag["project"] or "", "")
        assert link.proto.page == "warnings"
        assert query == {"month": "2026年10月", "flag": f"{flag['code']}|{flag['region']}|{project}"}
    headings = [md.value for md in at.markdown if md.value.startswith("**")]
    assert headings[0] == f"**{charts.severity_badge(flags[0]['severity'])}｜{FLAG_NAMES[flags[0]['code']]}**  \n江城市 · 微腐败"
    assert f"另有 {len(flags) - 8} 条预警" in at.caption[-1].value


def test_overview_filtered_by_zone_and_project_in_the_url(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("overview", zone="南片", project="微腐败")
    assert [box.value for box in at.selectbox] == ["2026-10", "南片", "微腐败"]
    (row,) = level_rows(cli.metrics("2026-10"), region="江城市", project=WF)
    assert tiles(at)["报告完成率"][0] == pct(row["reported_rate"])
    assert tiles(at)["全部抽查"] == (
        pct(row["verified_rate"]),
        f"95%区间 {row['verified_low'] * 100:.1f}–{pct(row['verified_high'])}",
    )
    assert tiles(at)["随机抽查"][0] == pct(row["random_verified_rate"])
    assert tiles(at)["高风险预警单位"][0] == "1 个"  # JUMP of 江城市 · 微腐败 is high (GAP fires too)
    assert tiles(at)["本月报送"][0] == "1 / 1"
    assert figure(at, 0)["layout"]["title"]["subtitle"]["text"] == "2026年10月 · 南片 · 微腐败"
    (reported,) = [trace for trace in figure(at, 0)["data"] if trace.get("name") == "报告完成率"]
    assert values(reported, "y") == ["江城市"]


@pytest.mark.parametrize("month", ["2026-09", "2026年9月"])  # as written by hand or a script, and as the page writes it
def test_overview_of_an_earlier_month_from_the_url(open_page: Callable[..., AppTest], cli: Cli, month: str) -> None:
    at = open_page("overview", month=month)
    assert at.selectbox(key="month").value == "2026-09"
    province = rolled(cli.metrics("2026-09", "region"))
    assert tiles(at)["报告完成率"][0] == pct(province["reported_rate"])
    assert tiles(at)["全部抽查"][0] == pct(province["verified_rate"])  # only 青石市 was checked in September
    assert tiles(at)["随机抽查"][0] == pct(province["random_verified_rate"])
    assert tiles(at)["本月报送"][0] == "4 / 4"


# --- 地区对比 -----------------------------------------------------------------------------------


def ranking(at: AppTest) -> dict[str, dict[str, Any]]:
    table = at.dataframe[0].value
    return {record["地区"]: record for record in table.to_dict("records")}


def test_regions_ranking_equals_the_metrics_command(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("regions")
    shown = ranking(at)
    expected = {row["region"]: row for row in cli.metrics("2026-10", "region")}
    assert set(shown) == set(expected)
    for region, row in expected.items():
        record = shown[region]
        assert record["片区"] == ZONES[region]
        assert close(record["报告完成率"], percent_points(row["reported_rate"])), region
        # every check of this scenario is a random draw: the page ranks by the random estimate alone
        assert record["随机抽查数"] == row["random_checked"]
        assert close(record["随机抽查通过率"], percent_points(row["random_pass_rate"])), region
        assert close(record["核实完成率（随机抽查）"], percent_points(row["random_verified_rate"])), region
        low, high = row["random_pass_low"], row["random_pass_high"]
        assert record["随机95%区间"] == ("—" if low is None else f"{low * 100:.1f}%–{high * 100:.1f}%")
        assert "全部抽查数" not in record
    assert shown["白河"]["样本情况"] == "暂无抽查" and shown["白河"]["漏斗图位置"] == "暂无抽查"
    assert shown["江城市"]["样本情况"] == "样本充足"
    assert math.isnan(shown["白河"]["排名"])  # unranked without checks
    assert {shown["江城市"]["排名"], shown["山阳市"]["排名"]} == {1, 2}
    assert shown["山阳市"]["排名"] == 1  # 5 of 5 passed beats 8 of 14
    assert any("白河" in md.value and "暂无抽查" in md.value for md in at.markdown)


def test_regions_funnel_plots_each_checked_unit(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("regions")
    spec = figure(at, 0)
    (points,) = [trace for trace in spec["data"] if trace.get("name") == "各地区"]
    checked = {row["region"]: row for row in cli.metrics("2026-10", "region") if row["random_checked"]}
    assert dict(zip(values(points, "hovertext"), zip(values(points, "x"), values(points, "y"), strict=True), strict=True)) == pytest.approx(
        {region: (row["random_checked"], row["random_pass_rate"]) for region, row in checked.items()}
    )
    assert spec["layout"]["title"]["text"] == "随机抽查通过率漏斗图"
    assert {trace.get("name") for trace in spec["data"]} >= {"95% 控制限", "99.8% 控制限"}


def test_regions_filtered_by_month_and_zone_in_the_url(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("regions", month="2026-09", zone="中片")
    assert [box.value for box in at.selectbox] == ["2026-09", "中片", "全部项目"]
    shown = ranking(at)
    expected = {row["region"]: row for row in cli.metrics("2026-09", "region") if ZONES[row["region"]] == "中片"}
    assert set(shown) == {"白河", "青石市"} == set(expected)
    for region, row in expected.items():
        assert close(shown[region]["报告完成率"], percent_points(row["reported_rate"]))
        assert shown[region]["随机抽查数"] == row["random_checked"]
    assert shown["青石市"]["样本情况"] == "抽查不足5项"
    assert figure(at, 0)["layout"]["title"]["subtitle"]["text"] == "2026年9月 · 中片"


def test_regions_of_a_scope_where_nobody_was_checked(open_page: Callable[..., AppTest]) -> None:
    at = open_page("regions", zone="中片")  # October: only 白河 reported, and it was never checked
    assert list(ranking(at)) == ["白河"]
    (points,) = [trace for trace in figure(at, 0)["data"] if trace.get("name") == "各地区"]
    assert values(points, "x") == []
    assert any(md.value.startswith("- **白河**：暂无抽查") for md in at.markdown)


def test_filters_stay_when_moving_to_another_page(open_page: Callable[..., AppTest]) -> None:
    at = open_page("overview", month="2026年9月", zone="中片")
    at.query_params.clear()  # a menu link carries no query parameters
    at.switch_page(PAGES["trends"]).run()
    assert [box.value for box in at.selectbox] == ["2026-09", "中片", "全部地区", "全部项目"]
    assert figure(at, 0)["layout"]["title"]["subtitle"]["text"] == "中片，截至2026年9月"
    at.query_params.clear()
    at.switch_page(PAGES["regions"]).run()
    assert [box.value for box in at.selectbox] == ["2026-09", "中片", "全部项目"]
    at.selectbox(key="zone").select("全部片区").run()  # back to the default on the page itself: it stays there
    assert [box.value for box in at.selectbox] == ["2026-09", "全部片区", "全部项目"]
    assert set(ranking(at)) == set(UNITS)


# --- 趋势 ----------------------------------------------------------------------------------------

TREND_COLUMNS = {
    "问题总数": "total",
    "已完成": "completed",
    "报告完成率": "reported_rate",
    "抽查数": "checked",
    "通过数": "passed",
    "核实完成率": "verified_rate",
    "序时进度": "schedule_rate",
    "逾期未完成": "overdue",
}
PERCENT = {"reported_rate", "verified_rate", "schedule_rate"}


def assert_trend_row(record: dict[str, Any], expected: dict[str, Any]) -> None:
    for column, key in TREND_COLUMNS.items():
        value = expected[key]
        assert close(record[column], percent_points(value) if key in PERCENT else value), (record["月份"], column)


def test_trends_table_equals_the_metrics_command_month_by_month(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("trends")
    table = at.dataframe[0].value
    assert table["月份"].tolist() == ["2026年8月", "2026年9月", "2026年10月"]
    for record, month in zip(table.to_dict("records"), ("2026-08", "2026-09", "2026-10"), strict=True):
        assert_trend_row(record, rolled(cli.metrics(month, "region")))


def test_trends_mark_jump_and_rush_and_name_the_units(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("trends")
    spec = figure(at, 0)
    traces = {trace.get("name"): trace for trace in spec["data"]}
    jumps = {flag["month"] for month in ("2026-09", "2026-10") for flag in cli.flags(month) if flag["code"] == "JUMP"}
    assert traces["突击整改"]["x"] == [charts.month_text(LATEST.replace(month=int(m[5:]))) for m in sorted(jumps)]
    assert traces["集中销号"]["x"] == ["2026年10月"]
    assert "江城市 · 违规吃喝：本月销号 10 项" in traces["集中销号"]["text"][0]
    october = traces["突击整改"]["text"][-1]
    assert "江城市 · 微腐败" in october and "江城市 · 违规吃喝" in october and "山阳市 · 微腐败" in october
    assert spec["layout"]["xaxis"]["ticktext"] == ["2026年8月", "9月", "10月"]


def test_trends_of_one_unit_and_project_from_the_url(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("trends", zone="南片", unit="江城市", project="微腐败")
    assert [box.value for box in at.selectbox] == ["2026-10", "南片", "江城市", "微腐败"]
    table = at.dataframe[0].value
    for record, month in zip(table.to_dict("records"), ("2026-08", "2026-09", "2026-10"), strict=True):
        (row,) = level_rows(cli.metrics(month), region="江城市", project=WF)
        assert_trend_row(record, row)
    traces = {trace.get("name"): trace for trace in figure(at, 0)["data"]}
    assert traces["突击整改"]["x"] == ["2026年10月"]
    assert "集中销号" not in traces  # the rush was in 违规吃喝
    assert figure(at, 0)["layout"]["title"]["subtitle"]["text"] == "江城市 · 微腐败，截至2026年10月"


# --- 预警 ----------------------------------------------------------------------------------------


def expected_warning_rows(flags: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            charts.severity_badge(flag["severity"]),
            FLAG_NAMES[flag["code"]],
            ZONES[flag["region"]],
            flag["region"],
            SHORT[flag["project"]] if flag["project"] else "（整体）",
            flag["reason"],
        ]
        for flag in flags
    ]


def test_warnings_table_equals_the_flags_command(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("warnings")
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["等级", "预警", "片区", "地区", "整治项目", "原因"]
    assert table.values.tolist() == expected_warning_rows(cli.flags("2026-10"))
    assert f"共 {len(cli.flags('2026-10'))} 条预警" in at.caption[0].value


def test_warnings_filtered_by_type_and_by_zone(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("warnings", zone="北片")
    assert at.dataframe[0].value.values.tolist() == expected_warning_rows([f for f in cli.flags("2026-10") if f["region"] == "山阳市"])
    at = open_page("warnings", month="2026-09")
    at.multiselect(key="codes").select("OVERDUE").run()
    assert at.dataframe[0].value.values.tolist() == expected_warning_rows([f for f in cli.flags("2026-09") if f["code"] == "OVERDUE"])


def test_a_warning_opened_from_its_link_shows_the_rows_and_cells_behind_it(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("warnings", month="2026年10月", flag="GAP|江城市|微腐败")
    (gap,) = [f for f in cli.flags("2026-10") if f["code"] == "GAP"]
    assert at.subheader[0].value == "● 中｜纸面整改风险：江城市 · 微腐败"
    assert gap["reason"] in [as_shown(md.value) for md in at.markdown]  # shown as written (markdown escaped)
    rows = at.dataframe[1].value
    # the scenario's checks workbook lists 江城市's checks in this order from Excel row 3 (title, header above)
    order = [f"JC-{n:03d}" for n in (*range(6), *range(12, 20))]
    assert sorted(rows["问题编号"]) == [f"JC-{n:03d}" for n in range(12, 20)]
    assert {rows["问题编号"][i]: rows["行号"][i] for i in range(len(rows))} == {item: 3 + order.index(item) for item in rows["问题编号"]}
    assert set(rows["工作表"]) == {"核查结果"} and rows["文件"].str.startswith("核查").all()
    assert rows.loc[rows["判定"] == "未通过", "核查结论"].tolist() == ["虚假整改"] * 5
    assert {"问题编号", "整改状态", "完成日期", "核查日期", "核查结论", "判定", "文件", "工作表", "行号"} <= set(rows.columns)
    assert not any(column.isascii() for column in rows.columns)  # Chinese headers only


def test_risk_scores_explain_themselves_in_chinese(open_page: Callable[..., AppTest]) -> None:
    at = open_page("warnings")
    labels = [expander.label for expander in at.expander]
    # 白河: four OVERDUE (high, 3 points each), two SLOW and one STALE (medium, 2 each)
    assert labels[0] == "第 1 名　白河　18 分（高 4 · 中 3 · 低 0）"
    parts = [frame.value for frame in at.dataframe[1:]]
    assert len(parts) == len(labels) == 4
    for frame in parts:
        assert set(frame["等级"]) <= {"▲ 高", "● 中", "○ 低"}
        assert frame["整治项目"].notna().all()
    (missing,) = [frame for frame in parts if "未报送" in frame["预警"].tolist()]
    assert missing["整治项目"].tolist() == ["（整体）"]  # 青石市's MISSING concerns the whole unit


# --- 问题台账 -------------------------------------------------------------------------------------


def test_items_of_one_unit_and_status_from_the_url(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("items", unit="江城市", status="已完成")
    table = at.dataframe[0].value
    (row,) = level_rows(cli.metrics("2026-10", "region"), region="江城市")
    assert len(table) == row["ledger_completed"] == 21
    assert set(table["地区"]) == {"江城市"} and set(table["整改状态"]) == {"已完成"}
    assert f"{row['ledger_completed']} 个问题" in at.caption[0].value
    assert sorted(table["问题编号"]) == sorted(f"JC-{n:03d}" for n in (*range(12), *range(12, 21)))
    first = table.set_index("问题编号").loc["JC-000"]
    assert first["整治项目"] == SHORT[WG] and str(first["完成日期"]) == "2026-08-10" and str(first["整改时限"]) == "None"


def test_items_search_and_whole_month_count(open_page: Callable[..., AppTest], cli: Cli) -> None:
    at = open_page("items")
    total = sum(row["ledger_total"] for row in cli.metrics("2026-10", "region"))
    assert len(at.dataframe[0].value) == total
    at.text_input(key="q").input("JC-01").run()
    assert sorted(at.dataframe[0].value["问题编号"]) == [f"JC-{n:03d}" for n in range(10, 20)]
    overdue = at.dataframe[0].value
    assert set(overdue["逾期"]) == {""}
    at = open_page("items", unit="白河")
    assert (at.dataframe[0].value["逾期"] == "逾期").sum() == level_rows(cli.metrics("2026-10", "region"), region="白河")[0]["overdue"]


# --- both estimates: random draws and targeted checks -----------------------------------------------


@pytest.fixture(scope="module")
def stratified_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """江城市: 6 random draws pass, 4 targeted checks fail; 山阳市: 3 of 5 random draws pass, 2 targeted pass; 白河 random only."""
    from builders import Check, Item

    with shared_lens(tmp_path_factory, "stratified_pages") as lens:
        lens.ledger("江城市", "2026-10", [Item.completed(f"J{i}", "2026-10-02") for i in range(10)])
        lens.ledger("山阳市", "2026-10", [Item.completed(f"S{i}", "2026-10-02") for i in range(7)])
        lens.ledger("白河", "2026-10", [Item.completed(f"B{i}", "2026-10-02") for i in range(3)])
        lens.checks(
            *(Check(f"J{i}", "江城市", "2026-10-20", "整改到位") for i in range(6)),
            *(Check(f"J{i}", "江城市", "2026-10-20", "虚假整改", sampling="重点核查") for i in range(6, 10)),
            *(Check(f"S{i}", "山阳市", "2026-10-20", "整改到位" if i < 3 else "未整改到位") for i in range(5)),
            *(Check(f"S{i}", "山阳市", "2026-10-20", "整改到位", sampling="重点核查") for i in range(5, 7)),
            *(Check(f"B{i}", "白河", "2026-10-20", "整改到位") for i in range(3)),
        )
        yield lens.path


@pytest.fixture
def open_stratified(stratified_db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("RECTLENS_DB", str(stratified_db))

    def open_(page: str, **query: str) -> AppTest:
        return sign_in(open_link(PAGES[page] if page != "overview" else None, **query), stratified_db, LEADER_LI)

    return open_


def test_overview_shows_the_random_estimate_beside_all_checks_and_says_why_they_differ(
    open_stratified: Callable[..., AppTest], stratified_db: Path
) -> None:
    at = open_stratified("overview")
    by_unit = {row["region"]: row for row in Cli(stratified_db).metrics("2026-10", "region")}
    province = rolled(list(by_unit.values()))
    # 20 items, all reported done; random draws: 6 + 3 + 3 = 12 of 6 + 5 + 3 = 14 pass; all checks: 12 + 2 = 14 of 20
    assert (province["random_checked"], province["random_passed"], province["checked"], province["passed"]) == (14, 12, 20, 14)
    shown = tiles(at)
    assert shown["随机抽查"][0] == pct(12 / 14) and shown["全部抽查"][0] == pct(14 / 20)
    captions = " ".join(caption.value for caption in at.caption)
    assert "以随机抽查为准" in captions and "重点核查" in captions and "复查" in captions
    spec = figure(at, 0)
    assert spec["layout"]["title"]["text"] == "各地区报告与核实完成率（随机抽查）"
    traces = {trace.get("name"): trace for trace in spec["data"]}
    main = dict(
        zip(values(traces["核实完成率（随机抽查，含95%区间）"], "y"), values(traces["核实完成率（随机抽查，含95%区间）"], "x"), strict=True)
    )
    broad = dict(zip(values(traces["核实完成率（全部抽查）"], "y"), values(traces["核实完成率（全部抽查）"], "x"), strict=True))
    assert main == pytest.approx({region: row["random_verified_rate"] for region, row in by_unit.items()})
    assert broad == pytest.approx({region: row["verified_rate"] for region, row in by_unit.items()})
    assert main["江城市"] == pytest.approx(1.0) and broad["江城市"] == pytest.approx(0.6)  # checked hard, not worse
    assert figure(at, 1)["layout"]["title"]["text"] == "报告与核实差距（随机抽查）：地区 × 整治项目"


def test_regions_rank_by_the_random_estimate_and_list_all_checks_beside_it(
    open_stratified: Callable[..., AppTest], stratified_db: Path
) -> None:
    at = open_stratified("regions")
    expected = {row["region"]: row for row in Cli(stratified_db).metrics("2026-10", "region")}
    shown = ranking(at)
    assert list(next(iter(shown.values())))[:9] == [
        "排名",
        "地区",
        "片区",
        "报告完成率",
        "随机抽查数",
        "随机抽查通过率",
        "随机95%区间",
        "核实完成率（随机抽查）",
        "校正通过率",
    ]
    for region, row in expected.items():
        record = shown[region]
        assert (record["随机抽查数"], record["全部抽查数"]) == (row["random_checked"], row["checked"])
        assert close(record["随机抽查通过率"], percent_points(row["random_pass_rate"]))
        assert close(record["全部抽查通过率"], percent_points(row["pass_rate"]))
        assert close(record["核实完成率（全部抽查）"], percent_points(row["verified_rate"]))
    assert shown["江城市"]["排名"] == 1  # 6 of 6 random draws passed; its failed targeted checks do not rank it down
    assert figure(at, 0)["layout"]["title"]["text"] == "随机抽查通过率漏斗图"
    assert any("以随机抽查为准" in caption.value for caption in at.caption)
