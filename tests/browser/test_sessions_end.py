"""A served app ends a visitor's session once the browser is gone for the session TTL
(musicrec.ui.sessions): Streamlit 1.67 alone keeps it, uploads and all, until the next
visitor leaves. Real server, real Chromium; the server's log says what the reaper ended."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import wait_idle


@pytest.fixture()
def short_ttl_server(tmp_path):
    proc, url = start_server(tmp_path, "--server.disconnectedSessionTTL=4")
    yield url, tmp_path / "streamlit.log"
    stop_server(proc)


def _ended(log) -> list[str]:
    return [line for line in log.read_text().splitlines() if "musicrec: ended" in line]


def test_a_closed_browser_session_is_ended_after_the_ttl(browser, short_ttl_server):
    url, log = short_ttl_server
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(url)
    page.get_by_role("heading", name="musicrec").first.wait_for(timeout=120_000)
    wait_idle(page)
    time.sleep(8)  # open for longer than the TTL: a live session is never ended
    assert _ended(log) == []
    ctx.close()
    deadline = time.monotonic() + 120
    while not _ended(log) and time.monotonic() < deadline:
        time.sleep(1)
    assert _ended(log) and "ended 1 session(s)" in _ended(log)[0]
    assert "(0 followed)" in _ended(log)[0]
    again = browser.new_page()  # the server still serves the next visitor
    again.goto(url)
    again.get_by_role("heading", name="musicrec").first.wait_for(timeout=120_000)
    again.close()
