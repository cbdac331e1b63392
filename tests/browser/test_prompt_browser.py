"""The prompt in a real browser: type, press Enter, see the new list and the chips."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import goto_page, slider, track_list, wait_idle

pytestmark = pytest.mark.browser


def test_typing_a_prompt_and_enter_shows_the_list_and_chips(
    page: Page, streamlit_url: str, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(streamlit_url)
    wait_idle(page)
    goto_page(page, "Playlist builder")
    before = track_list(page)
    assert before
    box = page.get_by_role("textbox", name="Say the moment in words")
    box.fill("sad rainy night, 90s, 20 songs")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("sad rainy 90s night")).to_be_visible(timeout=60_000)
    chip = page.get_by_text("90s → released 1990-1999", exact=True)
    expect(chip).to_be_visible(timeout=60_000)
    expect(page.get_by_text("sad → valence 0.15, energy 0.30", exact=True)).to_be_visible()
    after = track_list(page)
    assert len(after) == 20 and after != before
    # the sliders moved to what the prompt set
    expect(slider(page, "Valence")).to_have_attribute("aria-valuetext", "0.22")
    page.screenshot(path=str(artifacts / "prompt_1280.png"), full_page=True)
    # a chip taken off reads the rest again
    chip.click()
    wait_idle(page)
    expect(page.get_by_text("sad rainy night", exact=True)).to_be_visible(timeout=60_000)
    expect(chip).to_have_count(0)
    assert len(track_list(page)) == 20


def test_prompt_at_390px(page: Page, streamlit_url: str, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(streamlit_url)
    wait_idle(page)
    goto_page(page, "Playlist builder")
    page.set_viewport_size({"width": 390, "height": 844})
    wait_idle(page)
    box = page.get_by_role("textbox", name="Say the moment in words")
    box.wait_for(timeout=90_000)
    box.fill("chill lofi for studying")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("lofi → genre lofi", exact=True)).to_be_visible(timeout=60_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    page.screenshot(path=str(artifacts / "prompt_390.png"), full_page=True)
