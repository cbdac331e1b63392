"""Real browser: own data is tuned in the background right after loading, unasked.

AppTest cannot run the progress fragment's timer, nor the app frame after a page switch; here
nothing but navigation is clicked after loading: the app frame starts the measurement, the
Model quality page's progress fragment polls and reruns the app when it ends, the page shows
where the builder starts, and the builder's sliders start there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import goto_page, wait_idle
from tests.test_builder_weights import _history


@pytest.fixture()
def own_machine_url(tmp_path: Path):
    """The app as a person runs it on their own machine (not served: a served app tunes only
    when asked, on Model quality)."""
    proc, url = start_server(tmp_path, env={"MUSICREC_SERVED": "0"})
    yield url
    stop_server(proc)


def test_builder_starts_at_weights_tuned_in_the_background(
    page: Page, own_machine_url: str, tmp_path: Path
):
    history = tmp_path / "StreamingHistory0.json"
    history.write_bytes(_history())
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(own_machine_url)
    wait_idle(page)
    goto_page(page, "Your data")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files([str(history)])
    page.get_by_role("button", name="Load these files").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Loaded 1,200 plays")).to_be_visible()
    wait_idle(page)
    # measuring started right after loading: Model quality shows it when it ends, unasked
    goto_page(page, "Model quality")
    heading = page.get_by_role("heading", name="Where the playlist builder starts")
    expect(heading).to_be_visible(timeout=300_000)
    goto_page(page, "Playlist builder")
    page.get_by_text("Blend and variety").click()
    expect(page.get_by_text("The sliders start at the weights tuned on this data")).to_be_visible()
    expect(page.get_by_role("button", name="Reset to tuned")).to_be_enabled()
