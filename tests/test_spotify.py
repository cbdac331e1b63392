"""Connect Spotify end to end against a fake Spotify served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.spotify import (
    AuthExpired,
    NotAllowListed,
    NotConfigured,
    RateLimited,
    SpotifyConfig,
    SpotifySession,
    SpotifyUnavailable,
    StateMismatch,
    new_state,
)
from tests.fake_spotify import FakeSpotify

pytestmark = pytest.mark.usefixtures(
    "no_token_cache"
)  # fixtures `fake`, `no_token_cache`: conftest


def config(fake: FakeSpotify) -> SpotifyConfig:
    return SpotifyConfig(client_id="cid", client_secret="secret", redirect_uri="http://127.0.0.1:8501/",
                         accounts_url=fake.accounts_url, api_url=fake.api_url, timeout=3)  # fmt: skip


def login(fake: FakeSpotify, user: str = "alice") -> SpotifySession:
    """The OAuth round trip: authorize URL -> (fake) Spotify redirects back with code+state -> exchange."""
    fake.next_login = user
    session = SpotifySession(config(fake))
    state = new_state()
    url = session.authorize_url(state)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
    assert (
        q["state"] == state
        and q["redirect_uri"] == "http://127.0.0.1:8501/"
        and q["response_type"] == "code"
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    try:
        opener.open(url)
    except urllib.error.HTTPError as exc:
        back = exc.headers["Location"]
    ret = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(back).query))
    session.exchange(ret["code"], ret["state"], expected_state=state)
    assert session.connected
    return session


def test_config_from_env_and_secrets(monkeypatch):
    monkeypatch.delenv("SPOTIPY_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTIPY_CLIENT_SECRET", raising=False)
    with pytest.raises(NotConfigured, match="SPOTIPY_CLIENT_ID"):
        SpotifyConfig.from_env()
    cfg = SpotifyConfig.from_env(
        {"SPOTIPY_CLIENT_ID": "a", "SPOTIPY_CLIENT_SECRET": "s3cr3t-value"}
    )
    assert cfg.redirect_uri == "http://127.0.0.1:8501/" and "s3cr3t-value" not in repr(cfg)


def test_oauth_round_trip_and_wrong_state(fake):
    session = login(fake)
    assert session.profile()["id"] == "alice"
    other = SpotifySession(config(fake))
    with pytest.raises(StateMismatch):
        other.exchange("code-alice", "forged", expected_state=new_state())
    assert not other.connected


def test_import_everything_into_plays_and_library(fake):
    session = login(fake)
    steps = []
    plays, library = session.import_all(progress=lambda f, m: steps.append(f))
    assert len(plays) == 50 and list(plays.columns) == list(S.PLAYS_COLUMNS)
    assert set(plays[S.SOURCE]) == {"spotify-api:recently-played"}
    by_kind = library.groupby([S.LIB_KIND, S.SOURCE]).size().to_dict()
    assert by_kind[("liked", "spotify-api:saved-tracks")] == 120  # three pages of 50
    assert by_kind[("playlist", "spotify-api:playlist-items")] == 75  # own playlist only, two pages
    assert (
        by_kind[("top", "spotify-api:top-tracks")] == 30
        and by_kind[("top", "spotify-api:top-artists")] == 15
    )
    assert "Not mine" not in set(library[S.PLAYLIST].dropna())
    assert steps[-1] == 1.0
    assert not any(path.endswith("/tracks") and "playlists" in path for _, path in fake.calls)


def test_save_playlist_in_chunks_and_report_the_rest(fake):
    session = login(fake)
    recs = pd.DataFrame({S.TRACK: [f"t{i}" for i in range(233)], S.ARTIST: "a",
                         S.TRACK_URI: [f"spotify:track:{i:022d}" for i in range(230)] + [pd.NA, "musicrec:track:x", "local"]})  # fmt: skip
    result = session.save_playlist("Evening", recs)
    assert result.added == 230 and result.skipped == ["a - t230", "a - t231", "a - t232"]
    created = fake.users["alice"].created[0]
    assert created["public"] is False and len(created["items"]) == 230
    posts = [p for m, p in fake.calls if m == "POST" and p.endswith("/items")]
    assert len(posts) == 3


def test_429_with_a_two_hour_retry_after_fails_fast(fake):
    session = login(fake)
    fake.fail["/v1/me/tracks"] = (
        429,
        {"Retry-After": 7200},
        {"error": {"status": 429, "message": "Too many requests"}},
    )
    start = time.monotonic()
    with pytest.raises(RateLimited, match="120 min") as info:
        session.import_all()
    assert time.monotonic() - start < 5 and info.value.retry_after == 7200


def test_403_not_on_the_allow_list(fake):
    session = login(fake)
    fake.fail["/v1/me"] = (
        403,
        {},
        {"error": {"status": 403, "message": "User not registered in the Developer Dashboard"}},
    )
    with pytest.raises(NotAllowListed, match="allow-list"):
        session.profile()


def test_expired_and_revoked_tokens_send_back_to_log_in(fake):
    session = login(fake)
    fake.tokens.clear()  # Spotify forgot the access token: 401
    with pytest.raises(AuthExpired):
        session.profile()
    assert not session.connected
    session = login(fake)
    session._cache.token_info["expires_at"] = int(time.time()) - 10  # force a refresh
    fake.refresh_invalid = True
    with pytest.raises(AuthExpired, match="expired or was revoked"):
        session.profile()
    assert not session.connected


def test_network_errors(fake):
    session = login(fake)
    fake.drop.add("/v1/me")
    with pytest.raises(SpotifyUnavailable, match="uploaded data still works"):
        session.profile()
    cfg = SpotifyConfig(
        client_id="c",
        client_secret="s",
        accounts_url="http://127.0.0.1:9",
        api_url="http://127.0.0.1:9/v1/",
        timeout=2,
    )
    with pytest.raises(SpotifyUnavailable):
        SpotifySession(cfg).exchange("code-alice", "s", expected_state="s")


def test_two_sessions_at_once_never_mix_data(fake):
    alice, bob = login(fake, "alice"), login(fake, "bob")
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda s: s.import_all(), [alice, bob])
    assert set(a[0][S.ARTIST].str.split().str[0]) == {"alice"}
    assert set(b[0][S.ARTIST].str.split().str[0]) == {"bob"}
    alice.disconnect()
    assert not alice.connected and bob.connected and bob.profile()["id"] == "bob"


def test_no_token_in_the_environment_or_files(fake, tmp_path):
    session = login(fake)
    session.import_all()
    token = next(iter(fake.tokens))
    assert token not in os.environ.values()
    assert not any(
        token.encode() in p.read_bytes() for p in Path(tmp_path).rglob("*") if p.is_file()
    )


# --- the app's Spotify panel (AppTest, the fake Spotify over HTTP) -----------------------------


def _app_login(fake: FakeSpotify, user: str, monkeypatch):
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=120).run()
    at.switch_page("pages/your_data.py").run()
    url = at.get("link_button")[0].proto.url
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))["state"]
    fake.next_login = user
    # the browser would follow Spotify's redirect back to the app: a new session with ?code&state
    back = AppTest.from_file(app, default_timeout=120)
    back.query_params["code"] = f"code-{user}"
    back.query_params["state"] = state
    back.run()
    assert "code" not in back.query_params and "state" not in back.query_params
    back.switch_page("pages/your_data.py").run()
    return back


@pytest.fixture()
def spotify_env(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", "cid")
    monkeypatch.setenv("SPOTIPY_CLIENT_SECRET", "secret")
    monkeypatch.setenv("MUSICREC_SPOTIFY_ACCOUNTS_URL", fake.accounts_url)
    monkeypatch.setenv("MUSICREC_SPOTIFY_API_URL", fake.api_url)
    monkeypatch.setenv("MUSICREC_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    monkeypatch.setenv("MUSICREC_SERVED", "1")  # Alice and Bob at once: the app is served
    return fake


def test_app_connect_import_disconnect_and_two_sessions(spotify_env, monkeypatch):
    alice = _app_login(spotify_env, "alice", monkeypatch)
    alice.button(key="spotify_import").click().run()
    assert not alice.exception, alice.exception
    assert alice.session_state["source"] == "upload"
    assert (alice.session_state["uploaded"].plays[S.ARTIST].str.startswith("alice")).all()
    bob = _app_login(spotify_env, "bob", monkeypatch)
    assert bob.session_state["uploaded"] is None  # Bob sees nothing of Alice's
    bob.button(key="spotify_import").click().run()
    assert (bob.session_state["uploaded"].plays[S.ARTIST].str.startswith("bob")).all()
    alice.button(key="spotify_disconnect").click().run()
    assert alice.session_state["uploaded"].plays.empty and "spotify" not in alice.session_state


def test_app_rejects_a_forged_state(spotify_env):
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=120)
    at.query_params["code"] = "code-alice"
    at.query_params["state"] = "forged"
    at.run()
    assert "spotify" not in at.session_state
    at.switch_page("pages/your_data.py").run()
    assert any("started in another browser" in e.value for e in at.error)


def test_app_saves_the_list_to_spotify_under_its_title(spotify_env, monkeypatch):
    from musicrec.prompt import parse

    alice = _app_login(spotify_env, "alice", monkeypatch)
    alice.button(key="spotify_import").click().run()
    alice.switch_page("pages/playlist.py").run()
    assert not alice.exception, alice.exception
    alice.text_input(key="pl_prompt").input("mellow sunday morning").run()
    alice.button(key="spotify_save").click().run()
    assert not alice.exception, alice.exception
    created = spotify_env.users["alice"].created
    assert [p["name"] for p in created] == [parse("mellow sunday morning").title]
    assert created[0]["name"] != "musicrec playlist" and created[0]["public"] is False
