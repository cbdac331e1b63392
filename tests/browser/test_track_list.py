"""The builder's list in a real Chromium: its buttons act on their own row, and titles from an
upload are shown as text (musicrec/ui/track_list.py draws them in the page's DOM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import goto_page, track_list, wait_idle
from tests.browser.test_browser import _upload

pytestmark = pytest.mark.browser

HOSTILE = ["<img src=x onerror=\"document.title='pwned'\">", "![x](http://127.0.0.1:9/p.png)",
           "[link](javascript:alert(1))", ":red[colour] **bold**", "<b>bold</b> & co"]  # fmt: skip


def _title(line: str) -> str:
    return line.split(". ", 1)[1].rsplit(" · ", 1)[0]


def test_like_marks_its_row_and_dislike_takes_it_off(browser: Browser, streamlit_url: str):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(streamlit_url)
    wait_idle(page)
    goto_page(page, "Playlist builder")
    page.locator(".mr-row").first.wait_for()
    first = _title(track_list(page)[0])
    page.locator(".mr-row").first.get_by_role("button", name="Never again").click()
    wait_idle(page)
    expect(page.locator(".mr-row .mr-title").first).not_to_contain_text(first)
    assert first not in [_title(t) for t in track_list(page)]

    second = _title(track_list(page)[1])
    page.locator(".mr-row").nth(1).get_by_role("button", name="More like this").click()
    wait_idle(page)
    liked = page.locator(".mr-row").filter(has=page.get_by_role("img", name="liked"))
    expect(liked).to_have_count(1)
    expect(liked.locator(".mr-title")).to_contain_text(second)
    expect(liked.get_by_role("button", name="More like this")).to_have_attribute(
        "aria-pressed", "true"
    )
    # the new list keeps the keyboard's place: the same button on the same row
    assert page.evaluate("document.activeElement.closest('.mr-row').dataset.rank") == "2"
    assert page.evaluate("document.activeElement.className") == "mr-like"
    liked.get_by_role("button", name="More like this").click()  # pressed again: undone
    wait_idle(page)
    expect(page.get_by_role("img", name="liked")).to_have_count(0)
    page.context.close()


def test_titles_from_an_upload_are_shown_as_text(
    browser: Browser, streamlit_url: str, tmp_path: Path
):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "127.0.0.1:9" in r.url else None)
    page.goto(streamlit_url)
    wait_idle(page)
    recs = [
        {"endTime": f"2024-03-{1 + i % 20:02d} {10 + i % 9}:{i % 60:02d}", "artistName": HOSTILE[(i + 1) % 5],
         "trackName": HOSTILE[i % 5], "msPlayed": 200_000}
        for i in range(60)
    ]  # fmt: skip
    history = tmp_path / "StreamingHistory_music_0.json"
    history.write_text(json.dumps(recs))
    _upload(page, [history])
    goto_page(page, "Playlist builder")
    page.locator(".mr-row").first.wait_for()
    titles = page.locator(".mr-title").all_inner_texts()
    assert titles and {t.split(". ", 1)[1] for t in titles} <= set(HOSTILE)
    assert page.locator(".mr-row img, .mr-row b, .mr-row a[href^='javascript']").count() == 0
    assert page.title() != "pwned" and asked == []
    page.context.close()
