"""A Spotify log-in link works only in the browser that started it (two real browser contexts).

The attack: Mallory starts a log-in in her browser, authorises her own Spotify account, and
sends Alice the link back to the app (``/?code=…&state=…``). Opened in Alice's browser it must
not connect Alice's session to Mallory's account.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import start_server, stop_server
from tests.browser.helpers import goto_page, wait_idle
from tests.fake_spotify import FakeSpotify

pytestmark = pytest.mark.browser


@pytest.fixture()
def spotify_app(tmp_path: Path, monkeypatch):
    """The app served with Spotify configured against the fake Spotify on 127.0.0.1."""
    with FakeSpotify() as fake:
        monkeypatch.setenv("SPOTIPY_CLIENT_ID", "cid")
        monkeypatch.setenv("SPOTIPY_CLIENT_SECRET", "secret")
        monkeypatch.setenv("MUSICREC_SPOTIFY_ACCOUNTS_URL", fake.accounts_url)
        monkeypatch.setenv("MUSICREC_SPOTIFY_API_URL", fake.api_url)
        proc, url = start_server(tmp_path)
        try:
            yield fake, url
        finally:
            stop_server(proc)


def _connect_state(page, url: str | None = None) -> str:
    """The state in the Connect Spotify link (opening the app first when ``url`` is given)."""
    if url:
        page.goto(url)
        wait_idle(page)
    else:
        goto_page(page, "Home")
    goto_page(page, "Your data")
    link = page.get_by_role("link", name="Connect Spotify")
    link.wait_for(timeout=60_000)
    href = link.get_attribute("href") or ""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(href).query))["state"]


def _return_from_spotify(page, url: str, user: str, state: str) -> None:
    page.goto(f"{url}/?{urllib.parse.urlencode({'code': f'code-{user}', 'state': state})}")
    wait_idle(page)
    goto_page(page, "Your data")


def test_login_link_from_another_browser_is_refused(browser: Browser, spotify_app):
    fake, url = spotify_app
    mallory = browser.new_context().new_page()
    alice = browser.new_context().new_page()
    state = _connect_state(mallory, url)
    assert _connect_state(mallory) == state  # coming back to the page keeps one state
    _connect_state(alice, url)  # Alice has the app open too (her own browser cookie)
    _return_from_spotify(alice, url, "mallory", state)  # the crafted link, in Alice's browser
    expect(alice.get_by_test_id("stAlert").filter(has_text="another browser")).to_be_visible(
        timeout=60_000
    )
    assert alice.get_by_role("button", name="Import from Spotify").count() == 0
    assert not fake.tokens  # no code was exchanged for Alice
    # In the browser that started it, the same state still completes the log-in, once.
    _return_from_spotify(mallory, url, "mallory", state)
    expect(mallory.get_by_role("button", name="Import from Spotify")).to_be_visible(timeout=60_000)
    assert len(fake.tokens) == 1
