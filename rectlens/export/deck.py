"""The briefing slide deck (python-pptx): a title slide, one slide per chart, a warnings table, and a table
per LQAS round of the month when there is one.

Each chart slide shows the chart's PNG with its header band (title and
source line) cropped away: the slide carries the title as real, editable
text and the source line as a footer, so nothing is said twice. The key
numbers behind each chart go into the slide's notes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.text.text import _Run
from pptx.util import Emu, Inches, Pt

from rectlens import charts
from rectlens.export.briefing import Briefing, Chart, LqasRound, lqas_rounds, quality_table, top_warnings
from rectlens.export.images import png_size

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 x 7.5 in: PowerPoint's 16:9
MARGIN = Inches(0.45)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.8)
BODY_TOP = Inches(1.15)
FOOTER_TOP, FOOTER_HEIGHT = Inches(7.0), Inches(0.35)
FONT = "Microsoft YaHei"  # 微软雅黑 on the office's Windows machines; other systems substitute a CJK font
INK, GREY, ACCENT = RGBColor(0x11, 0x11, 0x11), RGBColor(0x66, 0x66, 0x66), RGBColor.from_string(charts.REPORTED.lstrip("#"))
HEADER_FILL = RGBColor(0xF2, 0xF2, 0xF2)
SEVERITY_INK = {severity: RGBColor.from_string(colour.lstrip("#")) for severity, colour in charts.SEVERITY_COLOURS.items()}
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5
TABLE_WIDTHS = (0.9, 1.5, 1.2, 1.9, 6.93)  # inches: 等级, 预警, 地区, 整治项目, 原因
TABLE_FONT = 12  # points


def _style(run: _Run, size: float, *, bold: bool = False, colour: RGBColor = INK) -> None:
    """Size, weight, colour and a CJK-capable typeface for both Latin and East Asian text."""
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour
    run.font.name = FONT
    properties = run._r.get_or_add_rPr()
    east_asian = properties.find(qn("a:ea"))
    if east_asian is None:
        east_asian = properties.makeelement(qn("a:ea"), {})
        properties.append(east_asian)
    east_asian.set("typeface", FONT)


def _write(frame, lines: Sequence[str], size: float, *, bold: bool = False, colour: RGBColor = INK, align=PP_ALIGN.LEFT) -> None:  # type: ignore[no-untyped-def]
    frame.clear()
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        _style(run, size, bold=bold, colour=colour)


def _title(slide: Slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, TITLE_TOP, SLIDE_WIDTH - 2 * MARGIN, TITLE_HEIGHT
    title.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _write(title.text_frame, [text], 28, bold=True)


def _footer(slide: Slide, text: str, page: int) -> None:
    box = slide.shapes.add_textbox(MARGIN, FOOTER_TOP, SLIDE_WIDTH - 2 * MARGIN - Inches(1.0), FOOTER_HEIGHT)
    _write(box.text_frame, [text], 11, colour=GREY)
    number = slide.shapes.add_textbox(SLIDE_WIDTH - MARGIN - Inches(1.0), FOOTER_TOP, Inches(1.0), FOOTER_HEIGHT)
    _write(number.text_frame, [str(page)], 11, colour=GREY, align=PP_ALIGN.RIGHT)


def _notes(slide: Slide, lines: Sequence[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _title_slide(deck: Presentation, briefing: Briefing, headline: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = Inches(0.9), Inches(2.2), SLIDE_WIDTH - Inches(1.8), Inches(1.3)
    _write(title.text_frame, [briefing.heading], 40, bold=True)
    bar = slide.shapes.add_shape(1, Inches(0.9), Inches(3.6), Inches(1.6), Inches(0.08))  # 1 = rectangle
    bar.fill.solid()
    bar.fill.fore_color.rgb = ACCENT
    bar.line.fill.background()
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.9), Inches(3.9), SLIDE_WIDTH - Inches(1.8), Inches(2.0)
    subtitle.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    _write(subtitle.text_frame, [headline, briefing.source], 18, colour=GREY)
    _notes(slide, [briefing.heading, headline, briefing.source])


def _chart_slide(deck: Presentation, chart: Chart, image: bytes, source: str, page: int) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    _title(slide, chart.title)
    width_px, height_px = png_size(image)
    crop_top = charts.HEADER_PX / (chart.figure.layout.height or charts.BRIEF_HEIGHT)
    aspect = width_px / (height_px * (1 - crop_top))
    box_width, box_height = SLIDE_WIDTH - 2 * MARGIN, FOOTER_TOP - BODY_TOP - Inches(0.1)
    width = min(box_width, int(box_height * aspect))
    height = int(width / aspect)
    left = int((SLIDE_WIDTH - width) / 2)
    picture = slide.shapes.add_picture(io.BytesIO(image), Emu(left), BODY_TOP, Emu(width), Emu(height))
    picture.crop_top = crop_top
    picture.name = chart.key
    picture._element.nvPicPr.cNvPr.set("descr", chart.title)  # alt text
    _footer(slide, source, page)
    _notes(slide, chart.notes)


def _warnings_slide(deck: Presentation, briefing: Briefing, page: int) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    flags = briefing.report.flags
    table = top_warnings(briefing)
    shown = f"，列出最严重的 {len(table)} 条" if len(flags) > len(table) else ""
    _title(slide, f"主要预警（{briefing.month_text}，共 {len(flags)} 条{shown}）")
    _footer(slide, briefing.source, page)
    if table.empty:
        box = slide.shapes.add_textbox(MARGIN, BODY_TOP, SLIDE_WIDTH - 2 * MARGIN, Inches(1))
        _write(box.text_frame, ["本月暂无预警"], 24, colour=GREY)
        _notes(slide, ["本月暂无预警。"])
        return
    heights = [_row_height(["原因"])] + [_row_height(record) for record in table.itertuples(index=False)]
    while len(heights) > 2 and sum(heights) > FOOTER_TOP - BODY_TOP - Inches(0.1):
        heights.pop()  # keep the table clear of the footer
    table = table.head(len(heights) - 1)
    rows, columns = len(table) + 1, len(table.columns)
    shape = slide.shapes.add_table(rows, columns, MARGIN, BODY_TOP, SLIDE_WIDTH - 2 * MARGIN, sum(heights))
    grid = shape.table
    grid.first_row = True
    for index, inches in enumerate(TABLE_WIDTHS):
        grid.columns[index].width = Inches(inches)
    for index, height in enumerate(heights):
        grid.rows[index].height = height
    severities = list(flags.head(len(table))["severity"])
    for column, name in enumerate(table.columns):
        _cell(grid.cell(0, column), name, bold=True, fill=HEADER_FILL)
    for row, record in enumerate(table.itertuples(index=False), start=1):
        for column, value in enumerate(record):
            colour = SEVERITY_INK.get(severities[row - 1], INK) if column == 0 else INK
            _cell(grid.cell(row, column), str(value), colour=colour)
    _notes(slide, _all_warnings(flags))


QUALITY_WIDTHS = (1.3, 1.3, 1.3, 1.3, 5.4, 1.83)  # inches: 地区, 措施雷同, 描述笼统, 查摆不全, 主要来源, 自查自纠


def _quality_slide(deck: Presentation, briefing: Briefing, page: int) -> None:
    """清单质量: the three list-quality warnings per unit and where the problems come from."""
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    full = quality_table(briefing)
    table = full
    flagged = briefing.quality.flags["region"].nunique() if not briefing.quality.flags.empty else 0
    _title(slide, f"问题清单质量（{briefing.month_text}，{flagged} 个地区有清单质量预警）")
    _footer(slide, briefing.source, page)
    heights = [_row_height(list(table.columns))] + [_row_height(record) for record in table.itertuples(index=False)]
    while len(heights) > 2 and sum(heights) > FOOTER_TOP - BODY_TOP - Inches(0.6):
        heights.pop()
    table = table.head(len(heights) - 1)
    shape = slide.shapes.add_table(len(table) + 1, len(table.columns), MARGIN, BODY_TOP, SLIDE_WIDTH - 2 * MARGIN, sum(heights))
    grid = shape.table
    grid.first_row = True
    for index, inches in enumerate(QUALITY_WIDTHS):
        grid.columns[index].width = Inches(inches)
    for index, height in enumerate(heights):
        grid.rows[index].height = height
    for column, name in enumerate(table.columns):
        _cell(grid.cell(0, column), name, bold=True, fill=HEADER_FILL)
    for row, record in enumerate(table.itertuples(index=False), start=1):
        for column, value in enumerate(record):
            _cell(grid.cell(row, column), str(value), bold=row == 1, fill=HEADER_FILL if row == 1 else None)
    note = slide.shapes.add_textbox(MARGIN, BODY_TOP + sum(heights) + Inches(0.1), SLIDE_WIDTH - 2 * MARGIN, Inches(0.4))
    _write(
        note.text_frame,
        ["措施雷同：与其他地区的整改措施高度相似；描述笼统：问题描述未填写或只有套话；查摆不全：问题数不足按规模推算数的一半。"],
        11,
        colour=GREY,
    )
    _notes(slide, [" | ".join(map(str, record)) for record in full.itertuples(index=False)])


LQAS_WIDTHS = (2.4, 1.5, 1.5, 1.5, 1.5, 1.8)  # inches: 地区, 应查 n, 已核查, 通过, 判定数 d, 判定
LQAS_INK = {"未达标": SEVERITY_INK["high"], "待完成": GREY, "样本过少": GREY}
LQAS_ROW = Pt(TABLE_FONT * 1.3 + 6)


def _lqas_slide(deck: Presentation, briefing: Briefing, found: LqasRound, page: int) -> None:
    """One LQAS round: per unit n, checked, passed, d and 达标 / 未达标 / 待完成; the rules under the table."""
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    _title(slide, found.title)
    _footer(slide, briefing.source, page)
    table, rules = found.table, list(found.rules)
    text_width = (SLIDE_WIDTH - 2 * MARGIN) / 914_400  # inches
    lines = [f"判定规则：{rule}" for rule in rules[:3]]
    rule_height = Pt(12 * 1.3 * (sum(_text_lines(line, text_width, 12) for line in lines) + 1)) + Inches(0.1)
    room = FOOTER_TOP - BODY_TOP - rule_height - Inches(0.15)
    rows = min(len(table), max(1, int(room / LQAS_ROW) - 1))
    shown = table.head(rows)
    width = Inches(sum(LQAS_WIDTHS))
    shape = slide.shapes.add_table(rows + 1, len(shown.columns), MARGIN, BODY_TOP, width, LQAS_ROW * (rows + 1))
    grid = shape.table
    grid.first_row = True
    for index, inches in enumerate(LQAS_WIDTHS):
        grid.columns[index].width = Inches(inches)
    for index in range(rows + 1):
        grid.rows[index].height = LQAS_ROW
    for column, name in enumerate(shown.columns):
        _cell(grid.cell(0, column), name, bold=True, fill=HEADER_FILL)
    for row, record in enumerate(shown.itertuples(index=False), start=1):
        status = str(record[-1])
        for column, value in enumerate(record):
            last = column == len(record) - 1
            _cell(grid.cell(row, column), str(value), bold=last and status == "未达标", colour=LQAS_INK.get(status, INK) if last else INK)
    if rows < len(table):
        lines.append(f"（另有 {len(table) - rows} 个地区见备注）")
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP + LQAS_ROW * (rows + 1) + Inches(0.12), SLIDE_WIDTH - 2 * MARGIN, rule_height)
    _write(box.text_frame, lines, 12, colour=GREY)
    _notes(slide, found.notes)


def _text_lines(text: str, width: float, size: float) -> int:
    """Lines a text needs in a column `width` inches wide at `size` points (CJK 1 em, other characters about half)."""
    ems = sum(1.0 if ord(char) > 0x2E7F else 0.55 for char in text)
    per_line = max(1.0, (width - 0.12) * 72 / size)
    return max(1, math.ceil(ems / per_line))


def _row_height(values: Sequence[object]) -> int:
    lines = max(_text_lines(str(value), width, TABLE_FONT) for value, width in zip(values, TABLE_WIDTHS[-len(values) :], strict=False))
    return int(Pt(TABLE_FONT * 1.3 * lines + 9))


def _cell(cell, text: str, *, bold: bool = False, colour: RGBColor = INK, fill: RGBColor | None = None) -> None:  # type: ignore[no-untyped-def]
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill or RGBColor(0xFF, 0xFF, 0xFF)
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    _write(cell.text_frame, [text], TABLE_FONT, bold=bold, colour=colour)


def _all_warnings(flags: pd.DataFrame) -> list[str]:
    lines = [f"本月预警共 {len(flags)} 条："]
    for number, record in enumerate(flags.to_dict("records"), start=1):
        project = charts.short_project(record["project"]) if isinstance(record["project"], str) else "整体"
        lines.append(
            f"{number}. {charts.severity_badge(record['severity'])}｜{record['name']}｜{record['region']} · {project}：{record['reason']}"
        )
    return lines


def build(briefing: Briefing, chart_list: Sequence[Chart], images: Sequence[bytes], headline: str) -> bytes:
    """The .pptx bytes: title slide, one slide per chart (with `images[i]`), the warnings table, one slide per
    LQAS round of the month, list quality."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    deck.core_properties.title = briefing.heading
    deck.core_properties.author = charts.SOURCE_NAME
    _title_slide(deck, briefing, headline)
    for page, (chart, image) in enumerate(zip(chart_list, images, strict=True), start=2):
        _chart_slide(deck, chart, image, briefing.source, page)
    _warnings_slide(deck, briefing, len(chart_list) + 2)
    rounds = lqas_rounds(briefing)
    for page, found in enumerate(rounds, start=len(chart_list) + 3):
        _lqas_slide(deck, briefing, found, page)
    _quality_slide(deck, briefing, len(chart_list) + 3 + len(rounds))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
