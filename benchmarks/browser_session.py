"""The launch both browser benchmarks share: a Streamlit server on 127.0.0.1 and one page of
Debian's Chromium (Playwright) on the app, plus how they read the playlist in the DOM."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402

LIST_JS = """() => Array.from(document.querySelectorAll('.mr-line'))
  .flatMap(e => e.innerText.split('\\n')).filter(t => /^\\d+\\. .+ · /.test(t)).join('|')"""
"""The playlist's track lines ("1. Title · Artist"), joined: it changes when the list does."""


@contextlib.contextmanager
def app_page(width: int = 1280, height: int = 1000) -> Iterator[tuple[object, str]]:
    """(page, url): the app served from a fresh temporary data folder, one browser page at
    ``width`` x ``height`` not yet opened on it. Server and browser stop on exit."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    yield browser.new_page(viewport={"width": width, "height": height}), url
                finally:
                    browser.close()
        finally:
            stop_server(proc)


def wait_for_new_list(
    page: object, before: str, timeout: float = 60_000, raf: bool = False
) -> None:
    """Wait until the playlist's lines differ from ``before`` and are not empty."""
    page.wait_for_function(
        f"prev => ({LIST_JS})() !== prev && ({LIST_JS})().length > 0",
        arg=before,
        timeout=timeout,
        **({"polling": "raf"} if raf else {}),
    )
