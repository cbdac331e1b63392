"""Everything Streamlit: the only musicrec module that imports it.

Holds the cache wrappers, the per-session state model and shared widgets.

Session state (one browser session each, never shared):
    sid            random id of this session (scopes like/dislike feedback)
    source         "demo" or "upload" (which data the pages show)
    uploaded       IngestResult of the files uploaded in this session
    catalog        CATALOG frame chosen in this session (or None: demo catalog / none)
    catalog_name   its display name
    rule           CountingRule in force
    workspace_key, workspace, hybrid   the built Workspace and fitted Hybrid of the upload

The fictional demo is the same for everyone, so its Workspace and Hybrid are cached
with ``st.cache_resource``; uploads live only in ``st.session_state``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from musicrec import schema as S
from musicrec.config import DEFAULT_COUNTING, CountingRule
from musicrec.workspace import Workspace

if TYPE_CHECKING:  # plotly is imported by the pages that draw, not on the first page's path
    import plotly.graph_objects as go

DEMO = "demo"
UPLOAD = "upload"
PALETTE = [
    "#1DB954",
    "#4C78A8",
    "#F58518",
    "#E45756",
    "#72B7B2",
    "#EECA3B",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
]


# --- cached pure work -------------------------------------------------------------------


@st.cache_resource(show_spinner="Generating the fictional demo…")
def demo_data():
    from musicrec.demo import generate

    return generate()


@st.cache_resource(show_spinner="Preparing the demo…")
def demo_workspace(rule: CountingRule) -> Workspace:
    from musicrec.workspace import build_workspace

    data = demo_data()
    return build_workspace(
        data.plays, data.catalog, community=data.community, library=data.library, rule=rule
    )


@st.cache_resource(show_spinner="Training the recommender on the demo…")
def demo_hybrid(rule: CountingRule):
    """The demo's fitted Hybrid: loaded from models/ when a matching file exists, else fitted and saved."""
    from musicrec.errors import ModelFileError
    from musicrec.hybrid import Hybrid
    from musicrec.persistence import fingerprint, load_model, save_model

    ws = demo_workspace(rule)
    fp = fingerprint(ws.items[[S.ITEM_ID]], ws.plays[[S.TS, S.ITEM_ID]])
    try:
        return load_model("demo-hybrid", config=rule, data_fingerprint=fp)
    except ModelFileError:
        model = Hybrid().fit(ws)
        with contextlib.suppress(
            OSError
        ):  # a read-only install still works, it just fits again next start
            save_model(model, "demo-hybrid", config=rule, data_fingerprint=fp)
        return model


# --- session state ----------------------------------------------------------------------


def init_state() -> None:
    """Give this browser session its defaults (idempotent)."""
    ss = st.session_state
    ss.setdefault("sid", secrets.token_hex(8))
    ss.setdefault("source", DEMO)
    ss.setdefault("uploaded", None)
    ss.setdefault("catalog", None)
    ss.setdefault("catalog_name", None)
    ss.setdefault("rule", DEFAULT_COUNTING)


def use_demo() -> None:
    st.session_state["source"] = DEMO


def has_upload() -> bool:
    up = st.session_state.get("uploaded")
    return up is not None and (not up.plays.empty or not up.library.empty)


def source_label() -> str:
    if st.session_state.get("source") == UPLOAD and has_upload():
        return "Your data"
    return "Demo (fictional)"


def raw_plays() -> pd.DataFrame:
    """All plays of the current source before the counting rule (for skip rates)."""
    if st.session_state.get("source") == UPLOAD and has_upload():
        return st.session_state["uploaded"].plays
    return demo_data().plays


def _upload_key(rule: CountingRule) -> tuple:
    up = st.session_state["uploaded"]
    return (id(up), st.session_state.get("catalog_name"), rule)


def workspace() -> Workspace:
    """The Workspace of the current source (built once per upload/catalog/rule change)."""
    rule = st.session_state.get("rule", DEFAULT_COUNTING)
    if st.session_state.get("source") != UPLOAD or not has_upload():
        return demo_workspace(rule)
    key = _upload_key(rule)
    if st.session_state.get("workspace_key") != key:
        from musicrec.workspace import build_workspace

        up = st.session_state["uploaded"]
        catalog = st.session_state.get("catalog")
        community = st.session_state.get("community")
        with st.spinner("Matching your plays to the catalog…"):
            ws = build_workspace(
                up.plays, catalog, community=community, library=up.library, rule=rule
            )
        st.session_state["workspace"] = ws
        st.session_state["workspace_key"] = key
        st.session_state.pop("hybrid", None)
    return st.session_state["workspace"]


def hybrid():
    """The fitted Hybrid of the current source."""
    rule = st.session_state.get("rule", DEFAULT_COUNTING)
    if st.session_state.get("source") != UPLOAD or not has_upload():
        return demo_hybrid(rule)
    ws = workspace()
    if "hybrid" not in st.session_state:
        from musicrec.hybrid import Hybrid

        with st.spinner("Training the recommender on your data…"):
            st.session_state["hybrid"] = Hybrid().fit(ws)
    return st.session_state["hybrid"]


def upload_summary() -> str:
    """What this session's upload holds, in words (plays and their dates, library rows, files)."""
    t = st.session_state["uploaded"].totals()
    plays = (
        f"{t['plays']:,} plays ({t['first'][:10]} to {t['last'][:10]})"
        if t["plays"]
        else "no plays"
    )
    library = f" and {t['library']:,} liked or playlist tracks" if t["library"] else ""
    return f"{plays}{library} from {t['files']} file(s)"


def set_upload(result) -> None:
    """Keep an IngestResult as this session's data and switch to it."""
    st.session_state["uploaded"] = result
    st.session_state["source"] = UPLOAD
    for key in ("workspace", "workspace_key", "hybrid"):
        st.session_state.pop(key, None)


def set_catalog(
    catalog: pd.DataFrame | None, name: str | None, community: pd.DataFrame | None = None
) -> None:
    st.session_state["catalog"] = catalog
    st.session_state["catalog_name"] = name
    st.session_state["community"] = community


# --- shared widgets ---------------------------------------------------------------------


def sidebar() -> None:
    """Data source badge and the counting rule, on every page."""
    with st.sidebar:
        label = source_label()
        st.markdown(f"**Data:** {label}")
        if label.startswith("Demo"):
            st.caption("Fictional catalog and listener generated by musicrec.")
            if has_upload() and st.button("Show my data", key="sidebar_mine"):
                st.session_state["source"] = UPLOAD
                st.rerun()
        elif st.button("Back to the demo", key="sidebar_demo"):
            use_demo()
            st.rerun()
        with st.expander("Counting rule"):
            rule = st.session_state["rule"]
            secs = st.slider(
                "Count a play after (seconds)",
                0,
                120,
                rule.min_ms_played // 1000,
                5,
                key="rule_secs",
            )
            pods = st.checkbox(
                "Include podcasts and audiobooks", rule.include_podcasts, key="rule_pods"
            )
            new = dataclasses.replace(rule, min_ms_played=secs * 1000, include_podcasts=pods)
            if new != rule:
                st.session_state["rule"] = new


def empty_state(
    message: str, action: str = "Open “Your data”", page: str | None = "pages/your_data.py"
) -> None:
    """A friendly empty state with a way forward."""
    st.info(message, icon="ℹ️")
    if page and st.button(action, key=f"empty_{page}"):
        st.switch_page(page)


def require_plays(ws: Workspace) -> bool:
    """Show an empty state and return False when there is nothing to show."""
    if ws.plays.empty:
        empty_state(
            "No plays count yet: upload your history on “Your data”, or lower the counting rule in the sidebar."
        )
        return False
    return True


def chart(fig: go.Figure, key: str, height: int = 380) -> None:
    """Plotly chart with readable, theme-neutral styling."""
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=40), font=dict(size=13),
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0), colorway=PALETTE,
    )  # fmt: skip
    st.plotly_chart(fig, key=key, width="stretch", theme="streamlit")


def progress_callback(bar) -> Callable[[float, str], None]:
    """Adapter: progress(fraction, text) -> st.progress bar."""

    def update(fraction: float, text: str = "") -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return update


def feedback_store():
    """The SQLite feedback store (one per database path; rows are scoped by session id)."""
    from musicrec.feedback import default_path

    return _feedback_store(str(default_path()))


@st.cache_resource
def _feedback_store(path: str):
    from pathlib import Path

    from musicrec.feedback import FeedbackStore

    return FeedbackStore(Path(path))


def format_report(reports: list) -> pd.DataFrame:
    """Per-file report as a table: file, format, records, kept, status."""
    return pd.DataFrame(
        {
            "file": [r.path for r in reports],
            "format": [r.format or "—" for r in reports],
            "records": [r.records for r in reports],
            "rows kept": [r.kept for r in reports],
            "status": [f"❌ {r.error}" if r.error else "✅" for r in reports],
        }
    )


# --- Spotify ----------------------------------------------------------------------------
# The token lives only in st.session_state["spotify"] (a SpotifySession). The shared
# st.cache_resource dict below holds nothing but pending OAuth states (random strings
# with a creation time), because the redirect back from Spotify starts a new session.

_STATE_TTL_S = 600


@st.cache_resource
def _pending_states() -> dict[str, float]:
    return {}


def _spotify_config():
    from musicrec.spotify import NotConfigured, SpotifyConfig

    try:
        secrets_ = dict(st.secrets) if _has_secrets() else None
        return SpotifyConfig.from_env(secrets_)
    except NotConfigured:
        return None


def _has_secrets() -> bool:
    try:
        return len(st.secrets) > 0
    except Exception:
        return False


def handle_spotify_return() -> None:
    """On the redirect back from Spotify: check state, exchange the code, clean the URL."""
    import time

    from musicrec.errors import SpotifyError
    from musicrec.spotify import SpotifySession

    params = st.query_params
    if "code" not in params and "error" not in params:
        return
    code, state = params.get("code"), params.get("state")
    pending = _pending_states()
    issued = pending.pop(state or "", None)
    for key in ("code", "state", "error"):
        params.pop(key, None)
    config = _spotify_config()
    if config is None or code is None:
        st.session_state["spotify_error"] = "Spotify log-in was cancelled or is not configured."
        return
    if issued is None or time.time() - issued > _STATE_TTL_S:
        st.session_state["spotify_error"] = (
            "The Spotify log-in link expired or was not issued here: connect again."
        )
        return
    session = SpotifySession(config)
    try:
        session.exchange(code, state, expected_state=state)
    except SpotifyError as exc:
        st.session_state["spotify_error"] = str(exc)
        return
    st.session_state["spotify"] = session


def spotify_panel() -> None:
    """Connect / import / disconnect, on the Your data page."""
    import time

    from musicrec.errors import SpotifyError
    from musicrec.history import IngestResult
    from musicrec.spotify import SOURCE_PREFIX, SpotifySession, new_state

    st.header("Spotify account")
    st.caption(
        "Connecting imports your last 50 plays, your top tracks and artists, saved tracks and your own playlists. "
        "Only the data export holds your full history. Data imported from Spotify serves only your own profile "
        "and playlists, is never used to train a shared model, and is deleted from this session when you disconnect."
    )
    if err := st.session_state.pop("spotify_error", None):
        st.error(err)
    config = _spotify_config()
    if config is None:
        st.info(
            "Spotify is not set up on this server (see “Connect Spotify” in the README).", icon="🔌"
        )
        return
    session = st.session_state.get("spotify")
    if session is None or not session.connected:
        state = new_state()
        _pending_states()[state] = time.time()
        st.link_button("Connect Spotify", SpotifySession(config).authorize_url(state))
        return
    c1, c2 = st.columns(2)
    if c1.button("Import from Spotify", key="spotify_import"):
        with st.status("Importing from Spotify…", expanded=True) as status:
            bar = st.progress(0.0)
            try:
                plays, library = session.import_all(progress=progress_callback(bar))
            except SpotifyError as exc:
                status.update(label="Import failed", state="error")
                st.error(str(exc))
                return
            status.update(
                label=f"Imported {len(plays)} plays and {len(library)} library rows",
                state="complete",
            )
        up = st.session_state.get("uploaded") or IngestResult()
        merged_plays = pd.concat([up.plays, plays], ignore_index=True) if len(up.plays) else plays
        merged_lib = (
            pd.concat([up.library, library], ignore_index=True) if len(up.library) else library
        )
        set_upload(IngestResult(plays=merged_plays, library=merged_lib, reports=up.reports))
    if c2.button("Disconnect", key="spotify_disconnect"):
        session.disconnect()
        st.session_state.pop("spotify", None)
        up = st.session_state.get("uploaded")
        if up is not None:
            keep_p = ~up.plays[S.SOURCE].astype(str).str.startswith(SOURCE_PREFIX)
            keep_l = (
                ~up.library[S.SOURCE].astype(str).str.startswith(SOURCE_PREFIX)
                if len(up.library)
                else []
            )
            set_upload(
                IngestResult(
                    plays=up.plays[keep_p],
                    library=up.library[keep_l] if len(up.library) else up.library,
                    reports=up.reports,
                )
            )
        st.rerun()


def save_to_spotify_button(recs: pd.DataFrame) -> None:
    """ "Save to Spotify" for the playlist builder, when connected."""
    from musicrec.errors import SpotifyError

    session = st.session_state.get("spotify")
    if session is None or not session.connected or recs.empty:
        return
    if st.button("Save to Spotify", key="spotify_save"):
        try:
            result = session.save_playlist("musicrec playlist", recs)
        except SpotifyError as exc:
            st.error(str(exc))
            return
        msg = f"Saved {result.added} tracks to a new private playlist."
        if result.skipped:
            msg += f" Not on Spotify, so not added: {', '.join(result.skipped[:5])}{'…' if len(result.skipped) > 5 else ''}."
        st.success(msg)
