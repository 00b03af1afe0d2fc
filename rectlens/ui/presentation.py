"""演示模式 (presentation mode): the screen shows only the content, for projecting and screenshots.

The mode is a toggle bound to the `present` query parameter, so a link can
open a page directly in presentation mode. While it is on, injected CSS
hides the sidebar, Streamlit's header and toolbar, the chart tool bars and
every container created by `controls()`; the toggle itself moves to the
top-right corner and shows only while the pointer is over it.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

Width = int | Literal["stretch", "content"]
PARAM = "present"
CONTROLS_KEY = "presentation_controls"
TOGGLE_KEY = "presentation_toggle"

_HIDDEN = (
    "[data-testid='stSidebar']",
    "[data-testid='stSidebarCollapsedControl']",
    "[data-testid='stExpandSidebarButton']",
    "[data-testid='stHeader']",
    "[data-testid='stToolbar']",
    "[data-testid='stDecoration']",
    "[data-testid='stStatusWidget']",
    ".modebar-container",
    f"[class*='st-key-{CONTROLS_KEY}']",
)

PRESENTATION_CSS = f"""
<style>
{", ".join(_HIDDEN)} {{ display: none !important; }}
[data-testid='stMainBlockContainer'] {{ padding: 1rem 2rem 0.5rem 2rem !important; max-width: 100% !important; }}
.st-key-{TOGGLE_KEY} {{ position: fixed; top: 0.4rem; right: 1rem; z-index: 999990; width: auto !important;
    opacity: 0; transition: opacity 0.2s; background: white; padding: 0.2rem 0.6rem; border-radius: 0.4rem; }}
.st-key-{TOGGLE_KEY}:hover {{ opacity: 1; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.2); }}
</style>
"""


def toggle() -> bool:
    """The 演示模式 toggle (kept in the URL as ?present=…); True while presentation mode is on."""
    with st.container(key=TOGGLE_KEY):
        active = st.toggle(
            "演示模式",
            key=PARAM,
            bind="query-params",
            help="只显示简报内容：隐藏页面菜单、工具栏和所有控件，便于投屏和截图。把指针移到右上角可退出。",
        )
    if active:
        st.html(PRESENTATION_CSS)
    return bool(active)


def controls(name: str, width: Width = "stretch") -> DeltaGenerator:
    """A container for widgets or exports (`name` unique on the page): shown normally, hidden in presentation mode.

    Keep `toggle()` outside such a container: it must stay reachable to end presentation mode.
    """
    return st.container(key=f"{CONTROLS_KEY}_{name}", width=width)
