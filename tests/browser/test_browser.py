"""The first-time user's path in a real browser (Playwright + Debian's Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from musicrec.hybrid import HybridConfig
from tests.browser.helpers import goto_page, slider, track_list, wait_idle

pytestmark = pytest.mark.browser
PAGES = ["Home", "Your data", "Taste profile", "Mood", "Playlist builder", "Model quality"]


def test_first_time_path_on_the_demo(page: Page, streamlit_url: str, artifacts: Path):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(streamlit_url)
    wait_idle(page)
    expect(page.get_by_text("You are looking at the built-in demo")).to_be_visible(timeout=60_000)
    for name in PAGES:
        goto_page(page, name)
        page.wait_for_timeout(700)
        page.screenshot(
            path=str(artifacts / f"{name.lower().replace(' ', '_')}_1280.png"), full_page=True
        )
    goto_page(page, "Playlist builder")
    expect(page.get_by_text(" · ").first).to_be_visible()
    before = track_list(page)
    assert len(before) == HybridConfig().k
    thumb = slider(page, "Valence")
    thumb.focus()
    for _ in range(8):
        thumb.press("ArrowLeft")
    wait_idle(page)
    page.wait_for_timeout(500)
    after = track_list(page)
    assert len(after) == HybridConfig().k and after != before


def test_narrow_window(page: Page, streamlit_url: str, artifacts: Path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(streamlit_url)
    wait_idle(page)
    expect(page.get_by_role("heading", name="musicrec")).to_be_visible(timeout=60_000)
    page.screenshot(path=str(artifacts / "home_390.png"), full_page=True)
    page.goto(f"{streamlit_url}/playlist")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Playlist builder")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(700)
    page.screenshot(path=str(artifacts / "playlist_390.png"), full_page=True)
    assert len(track_list(page)) == HybridConfig().k


def _upload(page: Page, files: list[Path]) -> None:
    goto_page(page, "Your data")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(
        [str(f) for f in files]
    )
    page.get_by_role("button", name="Load these files").click()
    # "Loaded N plays", not the "No history loaded yet" shown before (has_text ignores case)
    loaded = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"^Loaded \d"))
    expect(loaded).to_be_visible(timeout=90_000)
    wait_idle(page)


def test_two_sessions_never_see_each_others_data_or_feedback(
    browser: Browser, streamlit_url: str, tmp_path: Path, artifacts: Path
):
    history = tmp_path / "StreamingHistory_music_0.json"
    rows = [
        f'{{"endTime": "2024-03-{1 + i % 28:02d} {8 + i % 12:02d}:{i % 60:02d}", "artistName": "Private Band {i % 7}", '
        f'"trackName": "Secret Song {i % 40}", "msPlayed": 200000}}'
        for i in range(400)
    ]
    history.write_text("[" + ",".join(rows) + "]")
    alice = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    bob = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    for p in (alice, bob):
        p.goto(streamlit_url)
        wait_idle(p)
    _upload(alice, [history])
    goto_page(alice, "Taste profile")
    expect(alice.get_by_text("Private Band").first).to_be_visible(timeout=60_000)
    alice.screenshot(path=str(artifacts / "alice_taste.png"), full_page=True)
    goto_page(bob, "Taste profile")
    expect(bob.get_by_text("Plays").first).to_be_visible()
    assert bob.get_by_text("Private Band").count() == 0
    # feedback: Bob dislikes his top demo track; Alice (back on the demo) still gets it
    goto_page(bob, "Playlist builder")
    bob_first = track_list(bob)[0]
    bob.locator(".mr-row").first.get_by_role("button", name="Never again").click()
    wait_idle(bob)
    bob.wait_for_timeout(500)
    assert track_list(bob)[0] != bob_first
    alice.get_by_role("button", name="Back to the demo").first.click()
    expect(alice.get_by_test_id("stSidebar").get_by_text("Demo (fictional)")).to_be_visible(
        timeout=60_000
    )
    wait_idle(alice)
    goto_page(alice, "Playlist builder")
    slider(alice, "Valence").wait_for()
    alice.wait_for_timeout(500)
    assert bob_first in track_list(alice)


def test_upload_a_real_history(page: Page, streamlit_url: str, shared_data: Path, artifacts: Path):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(streamlit_url)
    wait_idle(page)
    files = sorted((shared_data / "spotify-account-history" / "enzoscapinelli").glob("*.json"))
    _upload(page, files)
    expect(page.get_by_test_id("stAlert").filter(has_text="Loaded 17,852 plays")).to_be_visible(
        timeout=60_000
    )
    page.screenshot(path=str(artifacts / "your_data_uploaded.png"), full_page=True)
    goto_page(page, "Playlist builder")
    page.wait_for_timeout(500)
    assert len(track_list(page)) == HybridConfig().k
    # account data has no Spotify ids: every row links to a Spotify search for it instead
    links = page.locator('.mr-row a[href^="https://open.spotify.com/search/"]')
    assert links.count() == HybridConfig().k
