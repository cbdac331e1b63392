"""Real browser: own data is tuned in the background, and the builder moves to it by itself.

AppTest cannot run the progress fragment's timer; here nothing is clicked after opening the
builder: the fragment polls, the app reruns when the measurement ends, and the sliders start
at the tuned weights (the Model quality page then shows the same measurement, unasked).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import goto_page, wait_idle
from tests.test_builder_weights import _history


def test_builder_starts_at_weights_tuned_in_the_background(
    page: Page, streamlit_url: str, tmp_path: Path
):
    history = tmp_path / "StreamingHistory0.json"
    history.write_bytes(_history())
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(streamlit_url)
    wait_idle(page)
    goto_page(page, "Your data")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files([str(history)])
    page.get_by_role("button", name="Load these files").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Loaded 1,200 plays")).to_be_visible()
    wait_idle(page)
    goto_page(page, "Playlist builder")
    page.get_by_text("Blend and variety").click()
    tuned = page.get_by_text("The sliders start at the weights tuned on this data")
    expect(tuned).to_be_visible(timeout=300_000)  # no click: the fragment's timer got it
    expect(page.get_by_role("button", name="Reset to tuned")).to_be_enabled()
    goto_page(page, "Model quality")
    expect(page.get_by_role("heading", name="Where the playlist builder starts")).to_be_visible()
