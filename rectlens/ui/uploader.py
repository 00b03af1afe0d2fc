"""A file uploader that speaks Chinese, and the cached template download.

Streamlit 1.67 draws its uploader's own texts in English ("Upload",
"200MB per file", "Drag and drop files here") and has no setting to change
them. `file_uploader` wraps `st.file_uploader` in a keyed container and
injects CSS scoped to that container's class (`st-key-…`): each English text
node is shrunk to zero size and a Chinese text takes its place through
`::after`, so layout, focus and drag-and-drop stay Streamlit's own. The
limit shown is the product's (`rectlens/settings.toml` upload.max_file_mb),
which is also passed to the widget and set as `server.maxUploadSize` in
.streamlit/config.toml, so the browser refuses exactly what the reader would.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from rectlens import config, template

TEXT_SIZE = "0.875rem"  # Streamlit's own size for these texts (14 px)


def limit_mb() -> int:
    """The largest accepted file, in whole megabytes (Streamlit's unit)."""
    return max(1, config.limits().max_file_bytes // (1024 * 1024))


def texts() -> dict[str, str]:
    """The Chinese texts shown in place of Streamlit's English ones."""
    return {
        "button": "选择文件",
        "instructions": f"或把文件拖到这里 · 可一次选多个 · .xlsx / .xls · 单个文件不超过 {limit_mb()} MB",
        "drop": "松开鼠标即可上传",
        "too_large": f"超过 {limit_mb()} MB，未上传",
        "input_hint": "按回车键确认",
        "stop": "停止",
    }


def _css(key: str) -> str:
    scope = f".st-key-{key}"
    zone = f"{scope} [data-testid='stFileUploaderDropzone']"
    said = texts()

    def replace(selector: str, text: str, extra: str = "") -> str:
        return f'{selector} {{ font-size: 0 !important; }}\n{selector}::after {{ content: "{text}"; font-size: {TEXT_SIZE}; {extra} }}'

    rules = [
        replace(f"{zone} button [data-testid='stMarkdownContainer'] p", said["button"]),
        replace(f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] span", said["instructions"]),
        # shown while a file is dragged over the zone: a direct child of the zone right after its input
        replace(f"{zone} [data-testid='stFileUploaderDropzoneInput'] + div > span", said["drop"], "font-weight: 600;"),
        # a file the browser refused (too large): its size line says why
        replace(f"{scope} [data-testid='stFileChip'][aria-invalid='true'] [data-testid='stFileChipName'] + div", said["too_large"]),
        # its tooltip is drawn outside the uploader, so this rule cannot be scoped (the page has no other)
        replace("[data-testid='stTooltipErrorContent']", said["too_large"]),
    ]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def page_css() -> str:
    """Two more English texts this page shows, treated the same way, for the whole page: "Press Enter
    to apply" under a text input being edited, and the "Stop" button of the running indicator that a
    long check of a big workbook brings up."""
    rules = (
        ("[data-testid='InputInstructions']", texts()["input_hint"], "0.75rem"),
        ("[data-testid='stStatusWidget'] button", texts()["stop"], TEXT_SIZE),
    )
    css = [
        f'{selector} {{ font-size: 0 !important; }} {selector}::after {{ content: "{text}"; font-size: {size}; }}'
        for selector, text, size in rules
    ]
    return "<style>\n" + "\n".join(css) + "\n</style>"


def file_uploader(label: str, key: str, help: str | None = None) -> Sequence[UploadedFile]:
    """`st.file_uploader` for several workbooks at once, with Chinese texts and the product's size limit."""
    with st.container(key=f"{key}_zone"):
        st.html(_css(f"{key}_zone"))
        files = st.file_uploader(label, accept_multiple_files=True, key=key, help=help, max_upload_size=limit_mb())
    return files or []


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    """月度报送模板.xlsx (built once per server: it only changes with the code)."""
    return template.build()


def template_button() -> None:
    st.download_button(
        "下载模板",
        data=template_bytes(),
        file_name=template.FILE_NAME,
        mime=template.MIME,
        icon=":material/download:",
        on_click="ignore",
        type="primary",
        key="download_template",
    )
