"""The finished feel, in a real browser at phone and desktop widths (issue 17's checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import track_list, wait_idle

pytestmark = pytest.mark.browser

# text wider than its button (cut with "…"): scrollWidth beyond clientWidth
CLIPPED = """() => [...document.querySelectorAll('[data-testid="stMain"] button')]
    .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.innerText.trim() || b.getAttribute('aria-label') || b.title)"""
ROWS = """() => [...document.querySelectorAll('[class*="st-key-row_"]')].map(r => ({
    text: r.innerText,
    like: r.querySelectorAll('.stElementContainer[class*="st-key-like_"]').length,
    dislike: r.querySelectorAll('.stElementContainer[class*="st-key-dislike_"]').length,
    links: [...r.querySelectorAll('a')].map(a => a.href)}))"""


@pytest.mark.parametrize("width", [390, 1280])
def test_builder_fits_links_every_row_and_asks_no_other_host(
    browser: Browser, streamlit_url: str, artifacts: Path, width: int
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((streamlit_url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(streamlit_url)
    wait_idle(page)
    expect(page.get_by_role("heading", name="musicrec")).to_be_visible(timeout=60_000)
    assert page.get_by_text("Deploy", exact=True).count() == 0
    if width < 640:  # on a phone the sidebar starts closed
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Playlist builder").click()
    expect(page.get_by_role("heading", name="Playlist builder")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(700)
    rows = page.evaluate(ROWS)
    assert len(rows) == len(track_list(page)) > 0
    assert all(r["like"] == 1 and r["dislike"] == 1 for r in rows)
    # demo tracks are fictional: no link to Spotify (real rows: see test_upload_a_real_history)
    assert all(r["links"] == [] for r in rows)
    assert page.evaluate(CLIPPED) == []
    page.screenshot(path=str(artifacts / f"playlist_rows_{width}.png"), full_page=True)
    assert outside == [], outside
    context.close()
