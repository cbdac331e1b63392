"""This browser session's state, by name: pages call these functions, never raw session keys.

Every key this app keeps in ``st.session_state`` is listed in ``Key`` (one browser session
each, never shared between visitors). The fictional demo is the same for everyone, so its
Workspace and Hybrid are cached in ``musicrec.ui.cache``; a person's own data lives only here.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import streamlit as st

from musicrec.config import DEFAULT_COUNTING, CountingRule

if TYPE_CHECKING:
    import pandas as pd

    from musicrec.history import FileReport, IngestResult
    from musicrec.hybrid import Hybrid
    from musicrec.spotify import SpotifySession
    from musicrec.workspace import Workspace


class Key:
    """Every session-state key of the app (widget keys are the widgets' own)."""

    SID = "sid"
    """Random id of this session (scopes like/dislike feedback)."""
    SOURCE = "source"
    """``DEMO`` or ``UPLOAD``: which data the pages show."""
    UPLOADED = "uploaded"
    """IngestResult of the files loaded (and Spotify imports) in this session, or None."""
    CATALOG = "catalog"
    """CATALOG frame chosen in this session, or None (the demo has its own)."""
    CATALOG_NAME = "catalog_name"
    """Display name of that catalog."""
    COMMUNITY = "community"
    """INTERACTIONS that came with the catalog (its playlists), or None."""
    RULE = "rule"
    """The CountingRule in force."""
    WORKSPACE_KEY = "workspace_key"
    """What the cached Workspace of the upload was built from (upload, catalog, rule)."""
    WORKSPACE = "workspace"
    """The Workspace of the upload."""
    HYBRID = "hybrid"
    """The Hybrid fitted on that Workspace."""
    LAST_REPORT = "last_report"
    """Per-file reports of the last "Load these files"."""
    QUALITY = "quality"
    """(what was measured, EvaluationResult) of the last Model quality run."""
    SPOTIFY = "spotify"
    """The connected SpotifySession (its token lives only here)."""
    SPOTIFY_ERROR = "spotify_error"
    """A Spotify log-in error to show once on Your data."""


DEMO = "demo"
UPLOAD = "upload"


def _ss() -> Any:
    return st.session_state


def init_state() -> None:
    """Give this browser session its defaults (idempotent)."""
    ss = _ss()
    ss.setdefault(Key.SID, secrets.token_hex(8))
    ss.setdefault(Key.SOURCE, DEMO)
    ss.setdefault(Key.UPLOADED, None)
    ss.setdefault(Key.CATALOG, None)
    ss.setdefault(Key.CATALOG_NAME, None)
    ss.setdefault(Key.COMMUNITY, None)
    ss.setdefault(Key.RULE, DEFAULT_COUNTING)


def session_id() -> str:
    """This session's random id (feedback rows are scoped by it)."""
    return _ss()[Key.SID]


def rule() -> CountingRule:
    """The counting rule in force."""
    return _ss().get(Key.RULE, DEFAULT_COUNTING)


def set_rule(new: CountingRule) -> None:
    """Change the counting rule (the Workspace and model follow on next use)."""
    if new != rule():
        _ss()[Key.RULE] = new


# --- which data -------------------------------------------------------------------------


def uploaded() -> IngestResult | None:
    """What this session loaded (files and Spotify imports), or None."""
    return _ss().get(Key.UPLOADED)


def has_upload() -> bool:
    """True when this session loaded any plays or library rows."""
    up = uploaded()
    return up is not None and (not up.plays.empty or not up.library.empty)


def is_demo() -> bool:
    """True when the pages show the fictional demo (nothing loaded, or the person chose it)."""
    return _ss().get(Key.SOURCE) != UPLOAD or not has_upload()


def use_demo() -> None:
    """Show the fictional demo (the upload is kept)."""
    _ss()[Key.SOURCE] = DEMO


def use_upload() -> None:
    """Show this session's own data again."""
    _ss()[Key.SOURCE] = UPLOAD


def source_label() -> str:
    """ "Your data" or "Demo (fictional)"."""
    return "Demo (fictional)" if is_demo() else "Your data"


def set_upload(result: IngestResult | None) -> None:
    """Keep ``result`` as this session's data and switch to it (the Workspace is rebuilt on use)."""
    ss = _ss()
    ss[Key.UPLOADED] = result
    ss[Key.SOURCE] = UPLOAD
    for key in (Key.WORKSPACE, Key.WORKSPACE_KEY, Key.HYBRID):
        ss.pop(key, None)


def upload_summary() -> str:
    """What this session's upload holds, in words (plays and their dates, library rows, files)."""
    t = uploaded().totals()
    plays = (
        f"{t['plays']:,} plays ({t['first'][:10]} to {t['last'][:10]})"
        if t["plays"]
        else "no plays"
    )
    library = f" and {t['library']:,} liked or playlist tracks" if t["library"] else ""
    return f"{plays}{library} from {t['files']} file(s)"


def set_catalog(
    catalog: pd.DataFrame | None, name: str | None, community: pd.DataFrame | None = None
) -> None:
    """Use ``catalog`` (and the community it came with) for this session's data."""
    ss = _ss()
    ss[Key.CATALOG] = catalog
    ss[Key.CATALOG_NAME] = name
    ss[Key.COMMUNITY] = community


def catalog_name() -> str | None:
    """Display name of the catalog chosen in this session, or None."""
    return _ss().get(Key.CATALOG_NAME)


def raw_plays() -> pd.DataFrame:
    """All plays of the current source before the counting rule (for skip rates)."""
    if is_demo():
        from musicrec.ui.cache import demo_data

        return demo_data().plays
    return uploaded().plays


def evaluation_inputs() -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(raw plays, catalog, community) of the current source, for the Model quality page."""
    if is_demo():
        from musicrec.ui.cache import demo_data

        data = demo_data()
        return data.plays, data.catalog, data.community
    ss = _ss()
    return uploaded().plays, ss.get(Key.CATALOG), ss.get(Key.COMMUNITY)


def workspace() -> Workspace:
    """The Workspace of the current source (built once per upload/catalog/rule change)."""
    if is_demo():
        from musicrec.ui.cache import demo_workspace

        return demo_workspace(rule())
    ss = _ss()
    up = uploaded()
    key = (id(up), ss.get(Key.CATALOG_NAME), rule())
    if ss.get(Key.WORKSPACE_KEY) != key:
        from musicrec.workspace import build_workspace

        with st.spinner("Matching your plays to the catalog…"):
            ws = build_workspace(
                up.plays,
                ss.get(Key.CATALOG),
                community=ss.get(Key.COMMUNITY),
                library=up.library,
                rule=rule(),
            )
        ss[Key.WORKSPACE] = ws
        ss[Key.WORKSPACE_KEY] = key
        ss.pop(Key.HYBRID, None)
    return ss[Key.WORKSPACE]


def hybrid() -> Hybrid:
    """The fitted Hybrid of the current source."""
    if is_demo():
        from musicrec.ui.cache import demo_hybrid

        return demo_hybrid(rule())
    ws = workspace()
    ss = _ss()
    if Key.HYBRID not in ss:
        from musicrec.hybrid import Hybrid

        with st.spinner("Training the recommender on your data…"):
            ss[Key.HYBRID] = Hybrid().fit(ws)
    return ss[Key.HYBRID]


# --- page results -----------------------------------------------------------------------


def last_report() -> list[FileReport] | None:
    """Per-file reports of the last "Load these files", or None."""
    return _ss().get(Key.LAST_REPORT)


def set_last_report(reports: list[FileReport]) -> None:
    """Keep the per-file reports of a load for the Your data page."""
    _ss()[Key.LAST_REPORT] = reports


def _quality_key() -> tuple:
    return (source_label(), len(raw_plays()), catalog_name())


def quality_result() -> Any | None:
    """The last Model quality result, if it was measured on the data shown now."""
    stored = _ss().get(Key.QUALITY)
    return stored[1] if stored is not None and stored[0] == _quality_key() else None


def set_quality_result(result: Any) -> None:
    """Keep a Model quality result for the data shown now."""
    _ss()[Key.QUALITY] = (_quality_key(), result)


# --- Spotify ----------------------------------------------------------------------------


def spotify_session() -> SpotifySession | None:
    """The connected SpotifySession of this session, or None."""
    return _ss().get(Key.SPOTIFY)


def set_spotify_session(session: SpotifySession | None) -> None:
    """Keep (or, with None, forget) this session's SpotifySession."""
    if session is None:
        _ss().pop(Key.SPOTIFY, None)
    else:
        _ss()[Key.SPOTIFY] = session


def set_spotify_error(message: str) -> None:
    """A Spotify log-in error to show once on Your data."""
    _ss()[Key.SPOTIFY_ERROR] = message


def pop_spotify_error() -> str | None:
    """The pending Spotify log-in error (shown once), or None."""
    return _ss().pop(Key.SPOTIFY_ERROR, None)
