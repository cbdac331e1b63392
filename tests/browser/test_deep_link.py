"""A page's own address as the first request a freshly started server gets (a bookmark, or
the tab reloading itself after `streamlit run` restarted): the page is shown inside the app,
with its sidebar, instead of stopping on a `KeyError` (Streamlit ran the page file on its own
in its `pages/` folder mode). Real server, real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import wait_idle


@pytest.mark.parametrize(("path", "heading"), [("playlist", "Playlist builder"), ("mood", "Mood")])
def test_a_page_address_first_on_a_fresh_server_shows_the_page(browser, tmp_path, path, heading):
    proc, url = start_server(tmp_path)
    try:
        page = browser.new_page()
        page.goto(f"{url}/{path}")
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=120_000)
        wait_idle(page)
        assert page.get_by_test_id("stException").count() == 0
        assert page.url.endswith(f"/{path}")
        nav = page.get_by_test_id("stSidebarNav")  # the app's own navigation, not the folder's
        expect(nav.get_by_role("link", name="Playlist builder")).to_be_visible()
        expect(page.get_by_text("Data: Demo (fictional)")).to_be_visible()
        page.close()
    finally:
        stop_server(proc)
    assert "KeyError" not in (tmp_path / "streamlit.log").read_text()
