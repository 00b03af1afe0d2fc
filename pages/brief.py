"""简报: one month on one 16:9 screen, ready for screenshots; exports to PNG, slides and Excel."""

from __future__ import annotations

import streamlit as st

from rectlens import charts
from rectlens.export import brief, briefing, images
from rectlens.metrics import NoData
from rectlens.storage.database import data_version
from rectlens.ui import chrome, data, filters, presentation

GRID_CHART_HEIGHT = 450  # presentation mode: two rows of charts under the heading fill a 1920 x 1080 screen
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show(chart: briefing.Chart, in_grid: bool) -> None:
    """A stand-alone chart: in the 16:9 grid, or full width at the size it is exported; its camera button saves 1920 px."""
    height = chart.figure.layout.height or charts.BRIEF_HEIGHT
    shown = charts.go.Figure(chart.figure).update_layout(height=max(GRID_CHART_HEIGHT, height - 90)) if in_grid else chart.figure
    config = charts.plot_config(chart.title)
    config["toImageButtonOptions"] = {**config["toImageButtonOptions"], "width": charts.BRIEF_WIDTH, "height": height}
    st.plotly_chart(shown, theme=None, config=config, key=f"brief_{chart.key}")


heading = st.container()
with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
    with presentation.controls("filters", width=320):
        chosen = filters.filter_bar(("month",))
    presenting = presentation.toggle()  # outside the hidden controls: it ends presentation mode

if chosen is not None:
    try:
        month_brief = data.load(briefing.load, chosen.month)
    except NoData:
        with heading:
            chrome.page_header("简报")
        st.info(f"{charts.month_text(chosen.month)}没有任何地区报送问题台账或汇总。", icon=":material/info:")
        st.stop()
    panels = briefing.screen_charts(month_brief)
    with heading:
        chrome.page_header(month_brief.heading)
        st.markdown(f"{briefing.key_figures(month_brief)}　:gray[{month_brief.source}]")

    if presenting:  # 16:9: the four key charts fill the first screen, the others follow below
        for row in (panels[0:2], panels[2:4], panels[4:6], panels[6:]):
            for column, chart in zip(st.columns(2, gap="medium"), row, strict=False):
                with column:
                    show(chart, in_grid=True)
    else:
        st.caption("每张图都与导出的图片一致；打开“演示模式”，四张主要图表以 16:9 铺满一屏，便于投屏和截图。")
        for chart in panels:
            show(chart, in_grid=False)

    with presentation.controls("exports"):
        st.subheader("导出", anchor=False)
        st.caption("图片为 1920×1080 像素 PNG，标题、月份、数据截至时间和来源都在图内，可直接粘贴到幻灯片。")
        png_columns = st.columns(4)
        for index, chart in enumerate(panels):
            png_columns[index % 4].download_button(
                chart.title.split("（")[0],
                data=lambda figure=chart.figure: images.png(figure),  # rendered on click, outside the script run
                file_name=f"{chart.title}.png",
                mime="image/png",
                icon=":material/image:",
                on_click="ignore",
                key=f"png_{chart.key}",
                width="stretch",
            )
        version = (chosen.month, data_version(data.db_path()))
        if st.button("生成幻灯片、全部图片和 Excel", type="primary", icon=":material/slideshow:", key="brief_export"):
            with st.status("正在生成简报材料…", expanded=True) as status:
                bar = st.progress(0.0, text="读取数据")
                try:
                    files = brief.export(
                        data.db_path(),
                        chosen.month,
                        loaded=month_brief,
                        with_warnings_png=True,
                        on_step=lambda done, total, label: bar.progress(done / total, text=label),
                    )
                except images.RenderError as exc:
                    status.update(label="生成失败", state="error")
                    st.error(str(exc))
                else:
                    st.session_state["brief_files"] = (version, files)
                    status.update(label="简报材料已生成，请点击下方按钮下载", state="complete", expanded=False)
        made = st.session_state.get("brief_files")
        if made and made[0] == version:
            files = made[1]
            deck_column, zip_column, excel_column = st.columns(3)
            deck_column.download_button(
                "下载幻灯片（.pptx）",
                files.deck,
                f"{files.stem}.pptx",
                PPTX,
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
            )
            zip_column.download_button(
                "下载全部图片（.zip）",
                files.png_zip(),
                f"{files.stem}_图片.zip",
                "application/zip",
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
            )
            excel_column.download_button(
                "下载指标和预警（.xlsx）",
                files.workbook,
                f"{files.stem}_指标与预警.xlsx",
                XLSX,
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
            )
