"""PNG images of plotly figures, rendered by one long-lived kaleido browser.

kaleido 1.x drives an installed Chromium; starting it takes a second or
more, rendering on a warm browser about a quarter of a second. One renderer
per process is kept alive: its own event-loop thread owns a `kaleido.Kaleido`
with a few tabs, and callers from any thread (the command line, several
Streamlit sessions) submit figures to it and wait with a timeout.

kaleido's own `start_sync_server` does the same but is not safe to call
from several threads at once (results can be handed to the wrong caller)
and waits forever if the browser dies; this wrapper adds a timeout and
starts a fresh browser after a failure. MathJax is off: no CDN is reachable.

kaleido reloads a tab's page after every figure, which takes longer than
drawing the figure; the PNGs are byte-identical without it (tested), so
a tab is reloaded only every RELOAD_EVERY figures.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import struct
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import kaleido
import plotly.graph_objects as go

from rectlens.charts import BRIEF_HEIGHT, BRIEF_WIDTH

SCALE = 2  # 960 x 540 CSS pixels -> 1920 x 1080 pixels
TABS = 2  # figures rendered at the same time
START_SECONDS = 60.0
RENDER_SECONDS = 60.0
RELOAD_EVERY = 50  # figures per tab between page reloads
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RenderError(RuntimeError):
    """A figure could not be rendered (no browser, browser crashed, timeout); the message is Chinese."""


def browser_path() -> str | None:
    """BROWSER_PATH (kaleido's own variable), RECTLENS_CHROMIUM, or Debian's Chromium."""
    for name in ("BROWSER_PATH", "RECTLENS_CHROMIUM"):
        if os.environ.get(name):
            return os.environ[name]
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


class _ReusingKaleido(kaleido.Kaleido):
    """kaleido.Kaleido that reloads a tab after every RELOAD_EVERY figures instead of after each one."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._renders_since_reload: dict[int, int] = {}

    async def _return_kaleido_tab(self, tab: Any) -> None:  # overrides kaleido 1.5's per-figure reload
        count = self._renders_since_reload.get(id(tab), 0) + 1
        if count >= RELOAD_EVERY:
            await tab.reload()
            count = 0
        self._renders_since_reload[id(tab)] = count
        await self.tabs_ready.put(tab)


class _Renderer:
    """A kaleido browser on its own event loop, shared by every thread of the process."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-renderer", daemon=True)
        self._thread.start()
        try:
            self._kaleido = self._submit(self._open()).result(timeout=START_SECONDS)
        except BaseException:
            self._stop_loop()
            raise

    def _submit(self, coroutine: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _open(self) -> Any:
        path = browser_path()
        options: dict[str, Any] = {"path": path} if path else {}
        browser = _ReusingKaleido(n=TABS, mathjax=False, timeout=RENDER_SECONDS, **options)
        await browser.open()
        return browser

    def render(self, figure: dict[str, Any], opts: dict[str, Any]) -> Future[bytes]:
        return self._submit(self._kaleido.calc_fig(figure, opts=opts))

    def alive(self) -> bool:
        return self._thread.is_alive()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a broken browser: nothing more to do
            self._submit(self._kaleido.close()).result(timeout=10)
        self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def _get_renderer() -> _Renderer:
    global _renderer
    with _renderer_lock:
        if _renderer is None or not _renderer.alive():
            try:
                _renderer = _Renderer()
            except Exception as exc:
                raise RenderError(f"无法启动 Chromium 生成图片（{browser_path() or '未找到 chromium'}）：{exc}") from exc
        return _renderer


def _discard(broken: _Renderer) -> None:
    """Drop a renderer that failed, so that the next call starts a fresh browser."""
    global _renderer
    with _renderer_lock:
        if _renderer is broken:
            _renderer = None
    broken.close()


def shutdown() -> None:
    """Close the browser (at interpreter exit, or in tests)."""
    global _renderer
    with _renderer_lock:
        renderer, _renderer = _renderer, None
    if renderer is not None:
        renderer.close()


atexit.register(shutdown)


def warm_up() -> None:
    """Start the browser now rather than on the first export."""
    _get_renderer()


def _size(figure: go.Figure, width: int | None, height: int | None) -> tuple[int, int]:
    return width or figure.layout.width or BRIEF_WIDTH, height or figure.layout.height or BRIEF_HEIGHT


def pngs(
    figures: Sequence[go.Figure],
    *,
    width: int | None = None,
    height: int | None = None,
    scale: int = SCALE,
    on_done: Callable[[int], None] | None = None,
) -> list[bytes]:
    """PNG bytes of each figure (rendered TABS at a time), in order; `on_done(i)` as each one finishes.

    Sizes are in CSS pixels (default: the figure's own height, 960 wide); the PNG is `scale` times larger.
    """
    renderer = _get_renderer()
    futures = []
    for figure in figures:
        figure_width, figure_height = _size(figure, width, height)
        opts = {"format": "png", "width": figure_width, "height": figure_height, "scale": scale}
        futures.append(renderer.render(figure.to_dict(), opts))
    results: list[bytes] = []
    try:
        for index, future in enumerate(futures):
            results.append(future.result(timeout=RENDER_SECONDS * len(futures)))
            if on_done is not None:
                on_done(index)
    except FutureTimeout as exc:
        _discard(renderer)
        raise RenderError(f"生成图片超时（超过 {RENDER_SECONDS * len(futures):.0f} 秒），请稍后重试") from exc
    except Exception as exc:
        _discard(renderer)
        raise RenderError(f"生成图片失败：{exc}") from exc
    return results


def png(figure: go.Figure, *, width: int | None = None, height: int | None = None, scale: int = SCALE) -> bytes:
    """PNG bytes of one figure; see `pngs`."""
    return pngs([figure], width=width, height=height, scale=scale)[0]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header (IHDR)."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
