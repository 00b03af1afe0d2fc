"""清单质量 under AppTest: the page's warnings and counts are the `flags` command's, text shows as typed."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import WG, XS, Item, shared_lens
from signin_helpers import LEADER_LI, as_shown, open_signed_in
from test_pages_leaders_apptest import values

from rectlens.cli import main as cli_main

OCT = "2026-10"
UNITS = (("江城市", "南片", 1000), ("山阳市", "北片", 1000), ("白河", "中片", 2000), ("青石市", "中片", 3000))
# copied from 山阳市 by 江城市, with markdown typed into the text: it must show as typed
COPIED = [f"[照搬](http://example.com) 召开专题会议研究部署第{n}批整改任务清单并逐项销号" for n in "一二三"]


def items(prefix: str, count: int, project: str = WG, **options: Any) -> list[Item]:
    return [Item(f"{prefix}{n}", project, **options) for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def quality_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_lens(tmp_path_factory, "quality") as lens:
        from builders import Lens

        lens = Lens(lens.path, units=UNITS)
        lens.ledger("山阳市", OCT, [Item(f"S{n}", WG, measures=text) for n, text in enumerate(COPIED, 1)] + items("SX", 7, XS))
        lens.ledger("江城市", OCT, [Item(f"J{n}", WG, measures=text) for n, text in enumerate(COPIED, 1)])  # 3 of 10 expected
        lens.ledger("白河", OCT, items("B", 16, XS, description="作风不实问题") + items("BB", 4, WG))  # vague
        lens.ledger("青石市", OCT, items("Q", 30, XS))
        yield lens.path


def cli_flags(db: Path) -> list[dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["flags", "--month", OCT, "--format", "json", "--db", str(db)]) == 0
    return [row for row in json.loads(out.getvalue()) if row["code"] in ("BOILERPLATE", "VAGUE", "FEW_PROBLEMS")]


def test_page_shows_the_cli_warnings_and_counts(quality_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTLENS_DB", str(quality_db))
    at = open_signed_in(quality_db, LEADER_LI, "pages/quality.py", month="2026年10月")
    assert not at.exception
    expected = cli_flags(quality_db)
    assert {(row["code"], row["region"]) for row in expected} == {
        ("FEW_PROBLEMS", "江城市"),
        ("BOILERPLATE", "江城市"),
        ("BOILERPLATE", "山阳市"),
        ("VAGUE", "白河"),
    }
    tiles = {metric.label: metric.value for metric in at.metric}
    copied = sum(int(re.search(r"中有 (\d+) 项", row["reason"]).group(1)) for row in expected if row["code"] == "BOILERPLATE")
    vague = sum(int(re.search(r"中有 (\d+) 项", row["reason"]).group(1)) for row in expected if row["code"] == "VAGUE")
    assert tiles == {"查摆不全": "1 个地区", "措施雷同": f"{copied} 项", "描述笼统": f"{vague} 项"}
    shown_reasons = [as_shown(caption.value) for caption in at.caption]
    for row in expected:
        assert row["reason"] in shown_reasons
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    titles = ["问题数与规模（漏斗图）", "措施雷同与描述笼统的占比", "问题来源构成", "根源类别构成"]
    assert [chart["layout"]["title"]["text"] for chart in charts] == titles
    funnel = charts[0]
    few = next(trace for trace in funnel["data"] if trace.get("name") == "查摆不全")
    assert few["hovertext"] == ["江城市"] and values(few, "y") == [pytest.approx(30.0)]  # 3 problems per 1,000 = 30 per 10,000
    (table,) = at.dataframe
    frame = table.value
    assert set(frame["整改措施（原文）"]) == set(COPIED)  # as typed, markdown and all
    assert set(frame["雷同涉及的地区"]) == {"山阳市、江城市"}


def test_a_project_filter_narrows_the_shares(quality_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTLENS_DB", str(quality_db))
    at = open_signed_in(quality_db, LEADER_LI, "pages/quality.py", month="2026年10月", project="形式主义官僚主义")
    assert not at.exception
    tiles = {metric.label: metric.value for metric in at.metric}
    assert tiles["措施雷同"] == "0 项" and tiles["描述笼统"] == "16 项"


def test_the_deck_gains_a_list_quality_slide(quality_db: Path) -> None:
    import datetime as dt

    from pptx import Presentation

    from rectlens.export import brief

    deck = Presentation(io.BytesIO(brief.export(quality_db, dt.date(2026, 10, 1)).deck))
    slide = deck.slides[len(deck.slides) - 1]
    assert slide.shapes.title.text == "问题清单质量（2026年10月，3 个地区有清单质量预警）"
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    rows = [[cell.text for cell in row.cells][:4] for row in table.rows]
    assert rows == [
        ["地区", "措施雷同", "描述笼统", "查摆不全"],
        ["全省", "2 个项目", "1 个项目", "1 个地区"],
        ["山阳市", "1 个项目", "—", "—"],
        ["江城市", "1 个项目", "—", "是"],
        ["白河", "—", "1 个项目", "—"],
    ]
