"""Spotify in the app: the log-in return, the connect / import / disconnect panel, "Save to Spotify".

The token lives only in this session's state (``state.spotify_session``). The shared
``st.cache_resource`` dict below holds nothing but pending OAuth states (random strings with
a creation time), because the redirect back from Spotify starts a new session. What an
import adds and a disconnect removes is decided in ``musicrec.spotify_import``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from musicrec.ui import state
from musicrec.ui.widgets import plain, progress_callback

if TYPE_CHECKING:
    import pandas as pd

    from musicrec.spotify import PendingLogins, SpotifyConfig

_STATE_TTL_S = 600


@st.cache_resource
def _pending_logins() -> PendingLogins:
    """Log-in states waiting for Spotify's redirect back, server-wide, each bound to its browser."""
    from musicrec.spotify import PendingLogins

    return PendingLogins(ttl_s=_STATE_TTL_S)


def _browser() -> str:
    """This browser, as ``musicrec.spotify.browser_key`` names it (from its cookie)."""
    from musicrec.spotify import browser_key

    return browser_key(st.context.cookies)


def _spotify_config() -> SpotifyConfig | None:
    from musicrec.spotify import NotConfigured, SpotifyConfig

    try:
        return SpotifyConfig.from_env(state.app_secrets())
    except NotConfigured:
        return None


def handle_spotify_return() -> None:
    """On the redirect back from Spotify: check state, exchange the code, clean the URL."""
    from musicrec.errors import SpotifyError
    from musicrec.spotify import SpotifySession

    params = st.query_params
    if "code" not in params and "error" not in params:
        return
    code, oauth_state = params.get("code"), params.get("state")
    redeemed = code is not None and _pending_logins().redeem(oauth_state, _browser())
    for key in ("code", "state", "error"):
        params.pop(key, None)
    config = _spotify_config()
    if config is None or code is None:
        state.set_spotify_error("Spotify log-in was cancelled or is not configured.")
        return
    if not redeemed:
        state.set_spotify_error(
            "This Spotify log-in link expired, was used already or was started in another "
            "browser: connect again from this browser."
        )
        return
    session = SpotifySession(config)
    try:
        session.exchange(code, oauth_state, expected_state=oauth_state)
    except SpotifyError as exc:
        state.set_spotify_error(str(exc))
        return
    state.set_spotify_session(session)


def _import(session) -> None:
    from musicrec.errors import SpotifyError
    from musicrec.spotify_import import merge_import

    with st.status("Importing from Spotify…", expanded=True) as status:
        bar = st.progress(0.0)
        try:
            plays, library = session.import_all(progress=progress_callback(bar))
        except SpotifyError as exc:
            status.update(label="Import failed", state="error")
            st.error(plain(exc))  # it may quote Spotify's own words: never Markdown
            return
        status.update(
            label=f"Imported {len(plays)} plays and {len(library)} library rows", state="complete"
        )
    state.set_upload(merge_import(state.uploaded(), plays, library))


def spotify_panel() -> None:
    """Connect / import / disconnect, on the Your data page."""
    from musicrec.spotify import SpotifySession
    from musicrec.spotify_import import without_spotify

    st.header("Spotify account")
    st.caption(
        "Connecting imports your last 50 plays, your top tracks and artists, saved tracks and your own playlists. "
        "Only the data export holds your full history. Data imported from Spotify serves only your own profile "
        "and playlists, is never used to train a shared model, and is deleted from this session when you disconnect."
    )
    if err := state.pop_spotify_error():
        st.error(plain(err))
    config = _spotify_config()
    if config is None:
        st.info(
            "Logging in with Spotify is not set up here. Your data export above works without it.",
            icon=":material/link_off:",
        )
        return
    session = state.spotify_session()
    if session is None or not session.connected:
        oauth_state = _pending_logins().issue(_browser(), session=state.session_id())
        st.link_button("Connect Spotify", SpotifySession(config).authorize_url(oauth_state))
        return
    c1, c2 = st.columns(2)
    if c1.button("Import from Spotify", key="spotify_import"):
        _import(session)
    if c2.button("Disconnect", key="spotify_disconnect"):
        session.disconnect()
        state.set_spotify_session(None)
        if state.uploaded() is not None:
            state.set_upload(without_spotify(state.uploaded()))
        st.rerun()


def save_to_spotify_button(recs: pd.DataFrame, title: str = "") -> None:
    """ "Save to Spotify" for the playlist builder, when connected: a new private playlist
    named ``title`` (the list's title, as the exports are), "musicrec playlist" without one."""
    from musicrec.errors import SpotifyError

    session = state.spotify_session()
    if session is None or not session.connected or recs.empty:
        return
    if st.button("Save to Spotify", key="spotify_save"):
        try:
            result = session.save_playlist((title.strip() or "musicrec playlist")[:100], recs)
        except SpotifyError as exc:
            st.error(plain(exc))
            return
        msg = f"Saved {result.added} tracks to a new private playlist."
        if result.skipped:
            more = "…" if len(result.skipped) > 5 else ""
            names = ", ".join(plain(s) for s in result.skipped[:5])
            msg += f" Not on Spotify, so not added: {names}{more}."
        st.success(msg)
