"""简报: one month on one 16:9 screen, ready for screenshots; exports to PNG, slides and Excel."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from rectlens import charts
from rectlens.export import briefing
from rectlens.metrics import NoData
from rectlens.ui import brief_exports, chrome, data, filters, presentation

GRID_CHART_HEIGHT = 450  # presentation mode: two rows of charts under the heading fill a 1920 x 1080 screen


def show(chart: briefing.Chart, in_grid: bool) -> None:
    """A stand-alone chart: in the 16:9 grid, or full width at the size it is exported; its camera button saves 1920 px."""
    height = chart.figure.layout.height or charts.BRIEF_HEIGHT
    shown = go.Figure(chart.figure).update_layout(height=max(GRID_CHART_HEIGHT, height - 90)) if in_grid else chart.figure
    config = charts.plot_config(chart.title)
    config["toImageButtonOptions"] = {**config["toImageButtonOptions"], "width": charts.BRIEF_WIDTH, "height": height}
    st.plotly_chart(shown, theme=None, config=config, key=f"brief_{chart.key}")


# Before drawing anything: started on its own (a fresh server's first link), the page must hand over to
# dashboard.py and its sign-in gate, or the month filter (which months hold data) shows to anyone.
chrome._through_entry_point()
heading = st.container()
with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
    with presentation.controls("filters", width=320):
        chosen = filters.filter_bar(("month",))
    presenting = presentation.toggle()  # outside the hidden controls: it ends presentation mode

if chosen is None:  # nothing reported yet: filter_bar has said so
    with heading:
        chrome.page_header("简报")
else:
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
        brief_exports.chart_downloads(panels)
        brief_exports.material(chosen.month, month_brief)
