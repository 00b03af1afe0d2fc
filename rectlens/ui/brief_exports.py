"""The 简报 page's export panel: one-click chart PNGs, and the deck, PNG zip and workbook with progress.

A chart PNG is rendered when its button is clicked (Streamlit calls the
function on a worker thread). The deck is made in the session's own script
run, with a progress bar, from the briefing the page already holds: the
database is not opened while images are rendered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

from rectlens.export import brief, images
from rectlens.export.briefing import Briefing, Chart
from rectlens.storage import uploads
from rectlens.ui import data, signin

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATE_KEY = "brief_files"
PER_ROW = 4


def chart_downloads(panels: Sequence[Chart]) -> None:
    """One download button per chart: a 1920 x 1080 PNG, rendered on click."""
    st.caption("图片为 1920×1080 像素 PNG，标题、月份、数据截至时间和来源都在图内，可直接粘贴到幻灯片。")
    columns = st.columns(PER_ROW)
    for index, chart in enumerate(panels):
        columns[index % PER_ROW].download_button(
            chart.title.split("（")[0],
            data=lambda figure=chart.figure: images.png(figure),
            file_name=f"{chart.title}.png",
            mime="image/png",
            icon=":material/image:",
            on_click=signin.record_export,
            args=(f"简报图片「{chart.title}」",),
            key=f"png_{chart.key}",
            width="stretch",
        )


def material(month: dt.date, briefing: Briefing) -> None:
    """The 生成 button with its progress, then the deck, PNG zip and workbook downloads."""
    version = (month, data.load(uploads.content_version))  # not the file's version: recording a download must keep the files
    if st.button("生成幻灯片、全部图片和 Excel", type="primary", icon=":material/slideshow:", key="brief_export"):
        with st.status("正在生成简报材料…", expanded=True) as status:
            bar = st.progress(0.0, text="读取数据")
            try:
                files = brief.export(
                    data.db_path(),
                    month,
                    loaded=briefing,
                    with_warnings_png=True,
                    on_step=lambda done, total, label: bar.progress(done / total, text=label),
                )
            except images.RenderError as exc:
                status.update(label="生成失败", state="error")
                st.error(str(exc))
            else:
                st.session_state[STATE_KEY] = (version, files)
                status.update(label="简报材料已生成，请点击下方按钮下载", state="complete", expanded=False)
    made = st.session_state.get(STATE_KEY)
    if not made or made[0] != version:
        return
    files: brief.BriefFiles = made[1]
    downloads = (
        ("下载幻灯片（.pptx）", files.deck, f"{files.stem}.pptx", PPTX),
        ("下载全部图片（.zip）", files.png_zip(), f"{files.stem}_图片.zip", "application/zip"),
        ("下载指标和预警（.xlsx）", files.workbook, f"{files.stem}_指标与预警.xlsx", XLSX),
    )
    for column, (label, payload, name, mime) in zip(st.columns(len(downloads)), downloads, strict=True):
        column.download_button(
            label, payload, name, mime, icon=":material/download:", width="stretch",
            on_click=signin.record_export, args=(f"简报「{name}」",),
        )
