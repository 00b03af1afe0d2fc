"""The briefing exports: slide deck (python-pptx), chart PNGs (kaleido) and the `brief` command."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from brief_data import MONTH, build_scenario
from builders import XS, Item, Lens, shared_lens
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from rectlens import charts
from rectlens.export import brief, briefing, images
from rectlens.flags import pct

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHART_TITLES = [
    "各地区报告完成率与核实完成率（2026年10月）",
    "各整治项目报告完成率与核实完成率（2026年10月）",
    "各地区核实完成率排名（2026年10月）",
    "全省完成率逐月走势（截至2026年10月）",
    "报告与核实差距：地区 × 整治项目（2026年10月）",
    "各地区预警风险评分（2026年10月）",
]


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with shared_lens(tmp_path_factory, "brief") as lens:
        build_scenario(lens)
        yield lens.path


@pytest.fixture(scope="module")
def files(brief_db: Path, tmp_path_factory: pytest.TempPathFactory) -> brief.BriefFiles:
    settings = tmp_path_factory.mktemp("settings") / "none.toml"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECTLENS_SETTINGS", str(settings))
        return brief.export(brief_db, MONTH, with_warnings_png=True)


@pytest.fixture(scope="module")
def deck(files: brief.BriefFiles) -> Presentation:
    return Presentation(io.BytesIO(files.deck))


def notes(slide) -> str:  # type: ignore[no-untyped-def]
    return slide.notes_slide.notes_text_frame.text


def test_deck_has_a_title_slide_six_chart_slides_and_a_warnings_slide(deck: Presentation) -> None:
    slides = list(deck.slides)
    assert len(slides) == 9
    assert slides[0].shapes.title.text == "2026年10月整改整治工作进展"
    assert [slide.shapes.title.text for slide in slides[1:7]] == CHART_TITLES
    assert slides[7].shapes.title.text.startswith("主要预警（2026年10月，共 ")
    assert slides[8].shapes.title.text.startswith("问题清单质量（2026年10月，")
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9


def test_every_chart_slide_shows_its_chart_at_presentation_resolution(deck: Presentation) -> None:
    for slide in list(deck.slides)[1:7]:
        pictures = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1, slide.shapes.title.text
        blob = pictures[0].image.blob
        assert len(blob) > 20_000  # a drawn chart, not an empty canvas
        width, height = images.png_size(blob)
        assert width >= 1920 and height >= 1080
        # the header band (title, source) is cropped away: the slide says it in text instead
        assert pictures[0].crop_top == pytest.approx(charts.HEADER_PX / (height / images.SCALE), abs=1e-4)
        footer = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        assert "数据来源：整改透视" in footer and "截至" in footer


def test_unit_slide_notes_hold_the_numbers_of_the_metrics_command(deck: Presentation, brief_db: Path, cli_main) -> None:  # type: ignore[no-untyped-def]
    result = cli_main("metrics", "--month", "2026-10", "--by", "region", "--format", "json", "--db", brief_db)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert {row["region"] for row in rows} == {"江城市", "山阳市", "白河", "青石市"}
    text = notes(deck.slides[1])
    for row in rows:
        line = next(line for line in text.splitlines() if line.startswith(f"{row['region']}："))
        assert f"报告完成率 {pct(row['reported_rate'])}（{row['completed']}/{row['total']} 项）" in line
        if row["checked"]:
            assert f"核实完成率 {pct(row['verified_rate'])}" in line
            assert f"95%区间 {pct(row['verified_low'])}–{pct(row['verified_high'])}" in line
            assert f"抽查 {row['checked']} 项通过 {row['passed']} 项" in line
        else:
            assert "暂无抽查" in line


def test_project_and_ranking_notes_hold_the_numbers_of_the_metrics_command(deck: Presentation, brief_db: Path, cli_main) -> None:  # type: ignore[no-untyped-def]
    projects = json.loads(cli_main("metrics", "--month", "2026-10", "--by", "project", "--format", "json", "--db", brief_db).out)
    text = notes(deck.slides[2])
    for row in projects:
        assert (
            f"{charts.short_project(row['project'])}：报告完成率 {pct(row['reported_rate'])}（{row['completed']}/{row['total']} 项）"
            in text
        )
    units = json.loads(cli_main("metrics", "--month", "2026-10", "--by", "region", "--format", "json", "--db", brief_db).out)
    ranking = notes(deck.slides[3])
    best = max((row for row in units if row["verified_rate"] is not None), key=lambda row: row["verified_rate"])
    assert f"1. {best['region']}：核实完成率 {pct(best['verified_rate'])}" in ranking
    assert "白河：暂无抽查，不参与排名" in ranking


def test_warnings_slide_lists_the_warnings_of_the_flags_command(deck: Presentation, brief_db: Path, cli_main) -> None:  # type: ignore[no-untyped-def]
    flags = json.loads(cli_main("flags", "--month", "2026-10", "--format", "json", "--db", brief_db).out)
    assert {(flag["code"], flag["region"]) for flag in flags} >= {("GAP", "江城市"), ("OVERDUE", "白河")}
    slide = deck.slides[7]
    assert f"共 {len(flags)} 条" in slide.shapes.title.text
    tables = [shape.table for shape in slide.shapes if shape.has_table]
    assert len(tables) == 1
    cells = [[cell.text for cell in row.cells] for row in tables[0].rows]
    assert cells[0] == ["等级", "预警", "地区", "整治项目", "原因"]
    assert len(cells) == min(len(flags), briefing.TOP_WARNINGS) + 1
    shown_reasons = {row[4] for row in cells[1:]}
    assert {flag["reason"] for flag in flags[: len(cells) - 1]} == shown_reasons
    for flag in flags:  # every warning, not only those on the slide, is in the notes
        assert flag["reason"] in notes(slide)


def test_chart_png_is_at_least_1920_pixels_wide(files: brief.BriefFiles) -> None:
    """Kept as tests/artifacts/brief_chart_units.png: look at it to check the Chinese text."""
    name, data = files.pngs[0]
    assert name == f"01_{CHART_TITLES[0]}.png"
    width, height = images.png_size(data)
    assert width >= 1920 and (width, height) == (1920, 1080)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "brief_chart_units.png").write_bytes(data)
    (ARTIFACTS / "brief_warnings_table.png").write_bytes(files.pngs[-1][1])


def test_stand_alone_charts_carry_title_month_as_of_time_and_source(files: brief.BriefFiles) -> None:
    for chart in files.charts:
        layout = chart.figure.layout
        assert "2026年10月" in layout.title.text
        assert layout.title.subtitle.text.startswith("数据来源：整改透视，截至 ")
        assert layout.title.yref == "container"  # in the figure, so PNG exports carry it too
        assert layout.margin.t == charts.HEADER_PX


def test_renderer_serves_several_threads_without_mixing_up_results(files: brief.BriefFiles) -> None:
    heights = [540, 600, 660, 720]
    results: dict[int, tuple[int, int]] = {}

    def render(height: int) -> None:
        results[height] = images.png_size(images.png(files.charts[0].figure, height=height, scale=1))

    threads = [threading.Thread(target=render, args=(height,)) for height in heights]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == {height: (960, height) for height in heights}


def test_a_reused_tab_renders_exactly_what_kaleido_renders_with_a_fresh_page(files: brief.BriefFiles) -> None:
    """The renderer skips kaleido's reload after each figure: nothing may carry over from one figure to the next."""
    import kaleido

    first, second = files.charts[0].figure, files.charts[3].figure
    ours = [images.png(figure) for figure in (first, second, first)]
    theirs = kaleido.calc_fig_sync(  # a one-off browser of kaleido's own
        first.to_dict(),
        opts={"format": "png", "width": charts.BRIEF_WIDTH, "height": charts.BRIEF_HEIGHT, "scale": images.SCALE},
        kopts={"mathjax": False, "path": images.browser_path()},
    )
    assert ours[0] == ours[2] == theirs
    assert ours[1] != ours[0]


def test_png_zip_holds_every_chart_and_the_warnings_table(files: brief.BriefFiles) -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(files.png_zip())) as archive:
        names = archive.namelist()
    assert names == [f"{i:02d}_{title}.png" for i, title in enumerate(CHART_TITLES, start=1)] + ["07_主要预警（2026年10月）.png"]


def test_brief_command_writes_deck_pngs_and_workbook(brief_db: Path, tmp_path: Path, cli: Callable) -> None:  # type: ignore[type-arg]
    out, png_dir, workbook = tmp_path / "简报.pptx", tmp_path / "图片", tmp_path / "指标.xlsx"
    result = cli("brief", "--month", "2026-10", "--out", out, "--png-dir", png_dir, "--excel", workbook, "--db", brief_db, timeout=180)
    assert result.code == 0, result.err
    assert "幻灯片 9 页" in result.out
    assert len(Presentation(str(out)).slides) == 9
    pngs = sorted(png_dir.glob("*.png"))
    assert len(pngs) == 7
    assert all(images.png_size(path.read_bytes())[0] >= 1920 for path in pngs)
    assert workbook.read_bytes()[:2] == b"PK"


def test_brief_command_refuses_a_month_without_data(brief_db: Path, tmp_path: Path, cli_main) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "简报.pptx"
    result = cli_main("brief", "--month", "2025-01", "--out", out, "--db", brief_db)
    assert result.code == 2
    assert "2025-01 没有任何地区的问题台账或汇总数据" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_a_month_without_checks_or_warnings_still_makes_a_complete_deck(tmp_path: Path) -> None:
    lens = Lens(tmp_path / "quiet.duckdb", units=[("江城市", "南片")])
    lens.ledger("江城市", "2026-10", [Item.completed("JC-001", "2026-10-05"), Item("JC-002", XS)])
    files = brief.export(lens.path, MONTH, with_warnings_png=True)
    deck = Presentation(io.BytesIO(files.deck))
    assert len(deck.slides) == 9
    assert "暂无抽查" in notes(deck.slides[1])
    assert "本月暂无预警" in notes(deck.slides[6])
    assert deck.slides[7].shapes.title.text == "主要预警（2026年10月，共 0 条）"
    assert not any(shape.has_table for shape in deck.slides[7].shapes)
    quality = deck.slides[8]
    assert quality.shapes.title.text == "问题清单质量（2026年10月，0 个地区有清单质量预警）"
    (table,) = [shape.table for shape in quality.shapes if shape.has_table]
    assert [cell.text for cell in table.rows[1].cells][:4] == ["全省", "—", "—", "—"]
    assert all(images.png_size(data)[0] == 1920 for _, data in files.pngs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-13", "--out", "x.pptx"), "月份「2026-13」格式不对"),
        (("--month", "2026-10", "--out", "简报.txt"), "应以 .pptx 结尾"),
        (("--month", "2026-10", "--out", "没有这个文件夹/简报.pptx"), "不存在"),
    ],
)
def test_brief_command_explains_bad_arguments(brief_db: Path, tmp_path: Path, cli_main, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    args = tuple(str(tmp_path / a) if a.endswith((".pptx", ".txt")) else a for a in args)
    result = cli_main("brief", *args, "--db", brief_db)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_an_lqas_round_of_the_month_gets_a_slide_with_each_units_result(tmp_path: Path, cli: Callable) -> None:  # type: ignore[type-arg]
    from actors import INSPECTOR_ACTOR
    from builders import Check

    from rectlens import planner

    lens = Lens(tmp_path / "round.duckdb", units=[("江城市", "南片"), ("山阳市", "北片"), ("白河", "中片")])
    lens.ledger("江城市", "2026-10", [Item.completed(f"J{i:02d}", "2026-10-03") for i in range(20)])
    lens.ledger("山阳市", "2026-10", [Item.completed(f"S{i:02d}", "2026-10-03") for i in range(20)])
    lens.ledger("白河", "2026-10", [Item.completed(f"B{i:02d}", "2026-10-03") for i in range(20)])
    plan = planner.make_plan(lens.path, MONTH, planner.LQAS, seed=1)
    assert planner.record_download(lens.path, INSPECTOR_ACTOR, plan) == 1
    drawn = {region: list(plan.items.loc[plan.items["region"] == region, "item_id"]) for region in ("江城市", "山阳市", "白河")}
    lens.checks(
        *(Check(item, "江城市", "2026-10-25", "整改到位") for item in drawn["江城市"]),  # 19 of 19: 达标
        *(
            Check(item, "山阳市", "2026-10-25", "整改到位" if k < 12 else "虚假整改") for k, item in enumerate(drawn["山阳市"])
        ),  # 12: 未达标
        *(Check(item, "白河", "2026-10-25", "整改到位") for item in drawn["白河"][:10]),  # 10 of 19 checked: 待完成
    )
    out = tmp_path / "简报.pptx"
    result = cli("brief", "--month", "2026-10", "--out", out, "--db", lens.path, timeout=180)
    assert result.code == 0, result.err
    assert "幻灯片 10 页" in result.out
    deck = Presentation(str(out))
    assert len(deck.slides) == 10  # the LQAS slide before list quality
    slide = deck.slides[8]
    assert slide.shapes.title.text == "批质量保证抽样判定结果（2026年10月，第 1 轮）"
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells == [
        ["地区", "应查 n", "已核查", "通过", "判定数 d", "判定"],
        ["江城市", "19", "19", "19", "13", "达标"],
        ["山阳市", "19", "19", "12", "13", "未达标"],
        ["白河", "19", "10", "10", "13", "待完成"],
    ]
    texts = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert "判定规则：抽 19 项，通过不少于 13 项为达标" in texts and "数据来源：整改透视" in texts
    assert "山阳市：未达标，已核查 19/19 项、通过 12 项" in notes(slide)
    # everything on the slide stays above its footer
    footer = min(shape.top for shape in slide.shapes if shape.has_text_frame and "数据来源" in shape.text_frame.text)
    assert all(shape.top + shape.height <= footer for shape in slide.shapes if shape.has_table or "判定规则" in getattr(shape, "text", ""))
