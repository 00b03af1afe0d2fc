"""One month's briefing material in one call: the slide deck, the chart PNGs and the Excel workbook.

The steps are reported to `on_step(done, total, label)` so that the command
line can show a progress bar and the page a progress indicator. The
database is read first and closed again before any image is rendered.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rectlens.export import briefing as briefing_data
from rectlens.export import deck, excel, images
from rectlens.export.briefing import Briefing, Chart

OnStep = Callable[[int, int, str], None]
CHART_COUNT = 6
WARNINGS_PNG = "主要预警"


@dataclass(frozen=True)
class BriefFiles:
    briefing: Briefing
    charts: tuple[Chart, ...]
    pngs: tuple[tuple[str, bytes], ...]  # (file name, PNG bytes), in deck order
    deck: bytes
    workbook: bytes

    @property
    def stem(self) -> str:
        """'2026年10月整改整治工作进展' (without a suffix)."""
        return self.briefing.heading

    def png_zip(self) -> bytes:
        """All chart PNGs in one zip file (stored, not compressed: PNG is compressed already)."""
        import io

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in self.pngs:
                archive.writestr(name, data)
        return out.getvalue()

    def write_pngs(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in self.pngs:
            path = directory / name
            path.write_bytes(data)
            written.append(path)
        return written


def steps(with_warnings_png: bool) -> int:
    """How many steps `export` reports: read, each image, deck, workbook."""
    return 1 + CHART_COUNT + (1 if with_warnings_png else 0) + 2


def export(
    db_path: Path | str,
    month: dt.date,
    *,
    with_warnings_png: bool = False,
    loaded: Briefing | None = None,
    on_step: OnStep | None = None,
) -> BriefFiles:
    """Deck, PNGs and workbook of `month`; raises `NoData` when nothing was reported for it.

    `loaded` skips reading the database when the caller already holds the month's briefing.
    """
    total = steps(with_warnings_png)
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if on_step is not None:
            on_step(done, total, label)

    briefing = loaded if loaded is not None else briefing_data.load(db_path, month)
    step("已读取数据")
    chart_list = briefing_data.chart_list(briefing)
    figures = [chart.figure for chart in chart_list]
    names = [chart.file_name(index) for index, chart in enumerate(chart_list, start=1)]
    if with_warnings_png:
        figures.append(briefing_data.warnings_figure(briefing))
        names.append(f"{len(names) + 1:02d}_{WARNINGS_PNG}（{briefing.month_text}）.png")
    rendered = images.pngs(figures, on_done=lambda index: step(f"已生成图片：{names[index][3:-4]}"))
    slides = deck.build(briefing, chart_list, rendered[:CHART_COUNT], briefing_data.headline(briefing))
    step("已生成幻灯片")
    workbook = excel.workbook(briefing)
    step("已生成 Excel")
    return BriefFiles(briefing, tuple(chart_list), tuple(zip(names, rendered, strict=True)), slides, workbook)
