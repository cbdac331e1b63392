"""Spotify log-in safety: no log line carries a secret; a log-in state works only in its browser."""

from __future__ import annotations

import base64
import logging
import urllib.parse

import pytest

from musicrec.spotify import (
    BROWSER_COOKIE,
    QUIET_LOGGERS,
    PendingLogins,
    SpotifySession,
    browser_key,
    quiet_http_logs,
)
from tests.test_spotify import config, login

pytestmark = pytest.mark.usefixtures(
    "no_token_cache"
)  # fixtures `fake`, `no_token_cache`: conftest


def test_token_exchange_and_calls_log_no_secret_even_at_debug(fake, caplog):
    # Someone turns everything up to DEBUG: the root logger and each HTTP-stack logger by name.
    caplog.set_level(logging.DEBUG)
    for name in QUIET_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    session = login(fake, "alice")  # authorize URL, code, token exchange
    session.profile()  # a bearer-token call
    session._auth.refresh_access_token("refresh-alice")  # a refresh-token call
    secrets = [
        "secret",  # the client secret
        base64.b64encode(b"cid:secret").decode(),  # the Basic authorization header
        "code-alice",
        "refresh-alice",
        *fake.tokens,  # every bearer token handed out
    ]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records) + caplog.text
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    assert fake.tokens  # the exchange really happened


def test_warnings_still_pass_with_credentials_redacted(caplog):
    quiet_http_logs()
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("spotipy.client")
    log.warning("headers %s", {"Authorization": "Bearer tok123", "x": 1})
    log.error("body code=abc&refresh_token=zzz client_secret: 's3cr3t'")
    log.debug("RESULTS: %s", {"access_token": "hidden"})
    messages = [r.getMessage() for r in caplog.records if r.name == "spotipy.client"]
    assert len(messages) == 2  # the DEBUG line is dropped
    joined = " ".join(messages)
    for secret in ("tok123", "abc", "zzz", "s3cr3t", "hidden"):
        assert secret not in joined
    assert "Authorization': '[redacted]" in joined and "code=[redacted]" in joined


def test_installing_twice_adds_one_filter():
    quiet_http_logs()
    quiet_http_logs()
    for name in QUIET_LOGGERS:
        assert len(logging.getLogger(name).filters) == 1


# --- OAuth state bound to the browser that started the log-in -------------------------------


def xsrf_cookie(token: bytes, mask: bytes) -> str:
    """Streamlit's XSRF cookie as a browser holds it: ``2|mask|masked token|timestamp``."""
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(token))
    return f"2|{mask.hex()}|{masked.hex()}|1764633600"


ALICE = {BROWSER_COOKIE: xsrf_cookie(b"alice-browser-token-0123456789ab", b"\x01\x02\x03\x04")}
MALLORY = {BROWSER_COOKIE: xsrf_cookie(b"mallory-browser-token-0123456789", b"\x09\x08\x07\x06")}


def test_browser_key_is_stable_across_masks_and_differs_between_browsers():
    token = b"alice-browser-token-0123456789ab"
    remasked = {BROWSER_COOKIE: xsrf_cookie(token, b"\xaa\xbb\xcc\xdd")}
    assert browser_key(ALICE) == browser_key(remasked) != ""
    assert browser_key(ALICE) != browser_key(MALLORY)
    assert browser_key({}) == ""
    assert "alice" not in browser_key(ALICE)  # hashed, not the cookie itself
    assert browser_key({BROWSER_COOKIE: "2|zz|zz|1"}) not in ("", browser_key(ALICE))


def test_state_from_another_browser_is_refused_and_single_use(fake):
    pending = PendingLogins()
    # Mallory starts a log-in in her own browser and gets a code for her own account...
    state = pending.issue(browser_key(MALLORY), session="mallory-session")
    fake.next_login = "bob"
    session = SpotifySession(config(fake))
    url = session.authorize_url(state)
    code = "code-bob"
    assert urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["state"] == [state]
    # ...and sends Alice the link back to the app: Alice's browser redeems it.
    assert pending.redeem(state, browser_key(ALICE)) is False
    # The state still works in the browser it was issued to, once.
    assert pending.redeem(state, browser_key(MALLORY)) is True
    session.exchange(code, state, expected_state=state)
    assert session.connected
    assert pending.redeem(state, browser_key(MALLORY)) is False
    assert pending.redeem(None, browser_key(MALLORY)) is False
    assert pending.redeem("made-up", browser_key(MALLORY)) is False


def test_two_sessions_get_their_own_states_and_renders_do_not_pile_up():
    pending = PendingLogins()
    a = browser_key(ALICE)
    first = pending.issue(a, session="alice-tab-1")
    assert all(pending.issue(a, session="alice-tab-1") == first for _ in range(200))  # re-renders
    other = pending.issue(browser_key(MALLORY), session="mallory-tab")
    assert other != first and len(pending) == 2
    assert pending.redeem(other, a) is False and pending.redeem(first, a) is True
    again = pending.issue(a, session="alice-tab-1")  # after use, a fresh one
    assert again != first and len(pending) == 2


def test_pending_states_expire_and_are_bounded():
    now = [1000.0]
    pending = PendingLogins(ttl_s=600, max_pending=50, clock=lambda: now[0])
    old = pending.issue(browser_key(ALICE), session="s")
    now[0] += 601
    assert pending.redeem(old, browser_key(ALICE)) is False  # expired
    assert len(pending) == 0
    for i in range(500):
        pending.issue(browser_key({BROWSER_COOKIE: f"cookie-{i}"}), session=f"s{i}")
    assert len(pending) == 50  # the oldest were dropped
    newest = pending.issue(browser_key({BROWSER_COOKIE: "cookie-499"}), session="s499")
    assert pending.redeem(newest, browser_key({BROWSER_COOKIE: "cookie-499"})) is True


def test_one_session_id_in_two_browsers_keeps_two_states():
    # Run locally every session shares one id: each browser still keeps its own pending state.
    pending = PendingLogins()
    a = pending.issue(browser_key(ALICE), session="local")
    m = pending.issue(browser_key(MALLORY), session="local")
    assert a != m and pending.issue(browser_key(ALICE), session="local") == a
    assert pending.redeem(a, browser_key(ALICE)) and pending.redeem(m, browser_key(MALLORY))
