"""This browser session's state, by name: pages call these functions, never raw session keys.

Every key this app keeps in ``st.session_state`` is listed in ``Key`` (one browser session
each, never shared between visitors). The fictional demo is the same for everyone, so its
Workspace and Hybrid are cached in ``musicrec.ui.cache``; a person's own data lives only here.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from musicrec import clock
from musicrec import schema as S
from musicrec.config import DEFAULT_COUNTING, CountingRule

if TYPE_CHECKING:
    import pandas as pd

    from musicrec.history import FileReport, IngestResult
    from musicrec.hybrid import Hybrid
    from musicrec.spotify import SpotifySession
    from musicrec.workspace import Workspace

T = TypeVar("T")


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
    """The Workspace of the upload (its uncatalogued items with their plays' sound estimate)."""
    SOUND_KEY = "sound_key"
    """What the sound estimates of the Workspace's uncatalogued items were made from
    (WORKSPACE_KEY, the genre evidence)."""
    HYBRID = "hybrid"
    """The Hybrid fitted on that Workspace (the one with sound estimates)."""
    LAST_REPORT = "last_report"
    """Per-file reports of the last "Load these files"."""
    QUALITY = "quality"
    """(what was measured, EvaluationResult) of the last Model quality run."""
    SPOTIFY = "spotify"
    """The connected SpotifySession (its token lives only here)."""
    SPOTIFY_ERROR = "spotify_error"
    """A Spotify log-in error to show once on Your data."""
    TIMEZONE = "timezone"
    """The IANA zone the person chose in the sidebar (absent: the default, see ``timezone``)."""
    RESTORED = "restored"
    """True once this session looked for data kept on this machine (``musicrec.local_data``)."""
    KEEP_ERROR = "keep_error"
    """Why the data could not be kept on this machine (shown once on Your data)."""
    CATALOG_PANEL = "catalog_panel"
    """The catalog panel's own state (``musicrec.ui.catalog_panel``): sound estimates of the
    Workspace shown, a note to show once, the MusicBrainz lookup running for this session."""
    ZONE_PERIODS = "zone_periods"
    """Periods of the upload the person reads in another zone: ((start ISO, end ISO, zone), ...)."""
    ZONE_PROPOSAL = "zone_proposal"
    """(id of the upload, ``history.zones.propose_zones`` of it): computed once per upload."""


DEMO = "demo"
UPLOAD = "upload"
LOCAL_ID = "local"
"""The feedback id on a person's own machine (served: a random id per session)."""
DEMO_TIMEZONE = "UTC"
"""The fictional demo listener lives in UTC: their rhythms are generated on a UTC clock."""


def _ss() -> Any:
    return st.session_state


def app_secrets() -> dict | None:
    """Streamlit secrets as a dict, or None when there are none (or they do not parse)."""
    try:
        return dict(st.secrets) if len(st.secrets) else None
    except Exception:  # no secrets.toml, or one that does not parse: no secrets
        return None


def is_served() -> bool:
    """True when the app is served to several people: nothing personal is kept between sessions
    (``MUSICREC_SERVED=1`` or ``[musicrec] served = true`` in secrets; see ``local_data.served``)."""
    from musicrec.local_data import served

    return served(app_secrets())


def fit_apart(
    fn: Callable[..., T],
    *args: Any,
    progress: Callable[[float, str], None] | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)``: when served, in the server's worker process (``musicrec.apart``:
    one person's fit does not hold up the others' reruns), else here. ``progress`` is passed on
    as ``fn``'s own ``progress=`` only here: a callback cannot follow the fit to the worker, whose
    bar keeps the text it had until the fit is done."""
    if is_served():
        from musicrec import apart

        return apart.run(fn, *args, **kwargs)
    if progress is not None:
        kwargs["progress"] = progress
    return fn(*args, **kwargs)


def init_state() -> None:
    """Give this browser session its defaults, and on a person's own machine the data they kept
    (idempotent: the kept data is read once per session); starts the server's cycle sweeper."""
    from musicrec.ui.cache import start_cycle_sweeper

    start_cycle_sweeper()
    ss = _ss()
    served = is_served()
    ss.setdefault(Key.SID, secrets.token_hex(8) if served else LOCAL_ID)
    ss.setdefault(Key.SOURCE, DEMO)
    ss.setdefault(Key.UPLOADED, None)
    ss.setdefault(Key.CATALOG, None)
    ss.setdefault(Key.CATALOG_NAME, None)
    ss.setdefault(Key.COMMUNITY, None)
    ss.setdefault(Key.RULE, DEFAULT_COUNTING)
    if not served and not ss.get(Key.RESTORED):
        ss[Key.RESTORED] = True
        _restore()


def _restore() -> None:
    from musicrec.local_data import LocalData

    kept = LocalData()
    history = kept.load_history()
    if history is not None and (not history.plays.empty or not history.library.empty):
        _ss()[Key.UPLOADED] = history
        _ss()[Key.SOURCE] = UPLOAD
    catalog, name, community = kept.load_catalog()
    if catalog is not None:
        _ss().update({Key.CATALOG: catalog, Key.CATALOG_NAME: name, Key.COMMUNITY: community})
    choices = kept.load_choices()
    _ss()[Key.RULE] = dataclasses.replace(
        rule(),
        music_artists=tuple(choices["music_artists"]),
        show_artists=tuple(choices["show_artists"]),
    )
    _ss()[Key.ZONE_PERIODS] = tuple(tuple(p) for p in choices["zone_periods"])


def _keep_choices() -> None:
    """Keep the person's choices (artists moved, zones per period) with their data."""
    r = rule()
    choices = {"music_artists": list(r.music_artists), "show_artists": list(r.show_artists),
               "zone_periods": [list(p) for p in zone_periods()]}  # fmt: skip
    _keep("your choices", lambda kept: kept.save_choices(choices))


def _keep(action: str, save) -> None:
    """Run ``save(LocalData())`` on a person's own machine; a failure is told, never raised."""
    if is_served():
        return
    from musicrec.local_data import LocalData

    try:
        save(LocalData())
    except (OSError, ValueError) as exc:  # a full disk or a read-only home: the session still works
        _ss()[Key.KEEP_ERROR] = f"Could not keep {action} on this machine: {exc}"


def kept_files() -> list[tuple[str, int]]:
    """What is kept on this machine for this person: (file, bytes); empty when served."""
    if is_served():
        return []
    from musicrec.local_data import LocalData

    return LocalData().listing()


def kept_where() -> str:
    """The folder that keeps this person's data."""
    from musicrec.local_data import data_dir

    return str(data_dir())


def pop_keep_error() -> str | None:
    """Why the data could not be kept (shown once), or None."""
    return _ss().pop(Key.KEEP_ERROR, None)


def forget_my_data() -> None:
    """Delete everything kept for this person (history, catalog choice, feedback) and show the demo."""
    from musicrec.local_data import LocalData
    from musicrec.ui.cache import feedback_store

    if not is_served():
        LocalData().forget()
    feedback_store().forget(session_id())
    from musicrec.ui import catalog_panel

    catalog_panel.forget()  # the MusicBrainz answers about this person's artists
    ss = _ss()
    for key in (Key.WORKSPACE, Key.WORKSPACE_KEY, Key.SOUND_KEY, Key.HYBRID, Key.LAST_REPORT,
                Key.QUALITY):  # fmt: skip
        ss.pop(key, None)
    ss.update({Key.UPLOADED: None, Key.CATALOG: None, Key.CATALOG_NAME: None,
               Key.COMMUNITY: None, Key.SOURCE: DEMO, Key.ZONE_PERIODS: (),
               Key.RULE: dataclasses.replace(rule(), music_artists=(), show_artists=())})  # fmt: skip


def through_the_app() -> None:
    """Run this page inside the app's frame (``app.py``): every page calls it first.

    A page's own address (``/playlist``) as the first request a freshly started server gets
    (a bookmark, or the tab reloading itself after ``streamlit run`` restarted) ran the page
    file on its own: Streamlit starts in its ``pages/`` folder mode until ``st.navigation``
    has run once, so there was no session set up and the page stopped on a ``KeyError``, for
    every such visitor until one came through the home page. This turns that mode off (what
    the first ``st.navigation`` does) and reruns, so ``app.py`` runs and shows the page asked
    for. ``PagesManager`` is Streamlit's internal; a later Streamlit that drops the flag loses
    only this repair."""
    if Key.SID in _ss():
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def session_id() -> str:
    """This session's random id (feedback rows are scoped by it)."""
    return _ss()[Key.SID]


def rule() -> CountingRule:
    """The counting rule in force."""
    return _ss().get(Key.RULE, DEFAULT_COUNTING)


def set_rule(new: CountingRule) -> None:
    """Change the counting rule (the Workspace and model follow on next use); artists moved
    between music and shows are kept with the person's data."""
    old = rule()
    if new != old:
        _ss()[Key.RULE] = new
        if (new.music_artists, new.show_artists) != (old.music_artists, old.show_artists):
            _keep_choices()


def move_artist(artist: str, to: str) -> None:
    """Count ``artist`` as music (``to="music"``) or set it apart as a show (``"podcast"``),
    on every page (``history.move_artist``)."""
    from musicrec.history import move_artist as moved

    set_rule(moved(rule(), artist, to=to))


def browser_timezone() -> str | None:
    """The visitor's browser time zone (IANA name), when the browser said it."""
    try:
        return st.context.timezone
    except (AttributeError, RuntimeError):  # outside a browser session (bare mode)
        return None


def timezone() -> str:
    """The listener's zone: the one chosen in the sidebar, else the browser's for their own data
    (the demo's listener lives in ``DEMO_TIMEZONE``); always a known IANA name."""
    return _zone(demo=is_demo())


def _zone(demo: bool) -> str:
    chosen = _ss().get(Key.TIMEZONE)
    if chosen:
        zone = clock.resolve(chosen)
    else:
        zone = DEMO_TIMEZONE if demo else clock.resolve(browser_timezone())
    periods = () if demo else zone_periods()
    return clock.Zones(zone, periods) if periods else zone


def zone_periods() -> tuple[tuple[str, str, str], ...]:
    """The periods of the upload read in another zone: (start ISO, end ISO, zone), as accepted."""
    return tuple(_ss().get(Key.ZONE_PERIODS, ()))


def set_zone_period(start: str, end: str, zone: str, use: bool) -> None:
    """Read the plays from ``start`` to ``end`` (UTC ISO times) in ``zone`` (``use``), or stop."""
    period = (start, end, zone)
    rest = tuple(p for p in zone_periods() if p[:2] != (start, end))
    _ss()[Key.ZONE_PERIODS] = (*rest, period) if use and clock.is_timezone(zone) else rest
    _keep_choices()


def zone_proposal() -> pd.DataFrame | None:
    """``history.zones.propose_zones`` of the upload (once per upload), or None without one."""
    up = uploaded()
    if up is None or up.plays.empty:
        return None
    stored = _ss().get(Key.ZONE_PROPOSAL)
    if stored is None or stored[0] != id(up):
        from musicrec.history.zones import propose_zones

        stored = (id(up), propose_zones(up.plays))
        _ss()[Key.ZONE_PROPOSAL] = stored
    return stored[1]


def set_timezone(name: str) -> None:
    """Use the zone ``name`` for every hour and weekday (unknown names mean UTC)."""
    _ss()[Key.TIMEZONE] = clock.resolve(name)


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
    """Keep ``result`` as this session's data and switch to it (the Workspace is rebuilt on use).

    On a person's own machine it is also written to the data folder (without rows from the
    Spotify API), so a refresh or a restart shows it again.
    """
    ss = _ss()
    ss[Key.UPLOADED] = result
    ss[Key.SOURCE] = UPLOAD
    for key in (Key.WORKSPACE, Key.WORKSPACE_KEY, Key.SOUND_KEY, Key.HYBRID):
        ss.pop(key, None)
    _keep("your history", lambda kept: kept.save_history(result))


def read_uploads(
    files: list[tuple[str, bytes]], progress: Callable[[float, str], None]
) -> IngestResult:
    """``history.load_uploads`` of (name, bytes) pairs with ``progress``; when served, in the
    worker process (``fit_apart``), where the bar cannot follow: it says "Reading…" until done."""
    from musicrec.history import load_uploads

    return fit_apart(load_uploads, files, progress=progress)


def load_mapped(name: str, data: bytes, mapping: dict[str, str], zone: str) -> None:
    """Load a CSV with a column mapping (times written in ``zone``) as this session's data."""
    from musicrec.history import load_generic_csv

    result = load_generic_csv(name, data, mapping)
    set_last_report(result.reports)
    if result.plays.empty:
        return
    set_upload(dataclasses.replace(result, plays=clock.from_wall_clock(result.plays, zone)))
    st.rerun()


def upload_summary() -> str:
    """What this session's upload holds, in words: the plays that count (the same number the
    Taste page shows, from the one load report), their dates, library rows, files, and what
    was set apart and why."""
    from musicrec import taste
    from musicrec.history import load_report

    up = uploaded()
    report = load_report(up, rule())
    counted = _upload_workspace().plays
    if len(counted):
        first, last = taste.date_span(counted)
        plays = f"{_count(report.plays, 'play', 'plays')} ({first} to {last})"
    else:
        plays = "no plays that count" if len(up.plays) else "no plays"
    tracks = _count(report.library, "liked or playlist track", "liked or playlist tracks")
    library = f" and {tracks}" if report.library else ""
    videos = bool((up.plays[S.KIND] == S.KIND_VIDEO).any()) if len(up.plays) else False
    shows = "podcast, audiobook or video" if videos else "podcast or audiobook"
    short = f"shorter than {rule().min_ms_played // 1000} s"
    words = {"podcast": (f"{shows} play", f"{shows} plays"), "short": (short, short),
             "unknown": ("unknown track", "unknown tracks"),
             "duplicate": ("repeated play", "repeated plays"),
             "bad": ("record with unreadable values", "records with unreadable values")}  # fmt: skip
    parts = [_count(n, *words.get(k, (k, k))) for k, n in report.set_apart.items() if n]
    aside = f"; set apart: {', '.join(parts)}" if parts else ""
    return f"{plays}{library} from {_count(report.files, 'file', 'files')}{aside}"


def _count(n: int, one: str, many: str) -> str:
    """``n`` with the word for one or for many: "1 file", "2 files"."""
    return f"{n:,} {one if n == 1 else many}"


def set_catalog(
    catalog: pd.DataFrame | None, name: str | None, community: pd.DataFrame | None = None
) -> None:
    """Use ``catalog`` (and the community it came with) for this session's data."""
    ss = _ss()
    ss[Key.CATALOG] = catalog
    ss[Key.CATALOG_NAME] = name
    ss[Key.COMMUNITY] = community
    _keep("the catalog choice", lambda kept: kept.save_catalog(catalog, name, community))


def catalog_name() -> str | None:
    """Display name of the catalog chosen in this session, or None."""
    return _ss().get(Key.CATALOG_NAME)


def raw_plays() -> pd.DataFrame:
    """All plays of the current source before the counting rule (for skip rates), with ``ts``
    in the listener's zone."""
    if is_demo():
        from musicrec.ui.cache import demo_data

        return clock.localize(demo_data().plays, timezone())
    from musicrec.history.counting import kinds_under_rule

    plays = uploaded().plays  # the person's moves between music and shows count here too
    plays = plays.assign(**{S.KIND: kinds_under_rule(plays, rule())}) if len(plays) else plays
    return clock.localize(plays, timezone())


def evaluation_inputs() -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(raw plays in the listener's zone, catalog, community) of the current source, for the
    Model quality page."""
    if is_demo():
        from musicrec.ui.cache import demo_data

        data = demo_data()
        return raw_plays(), data.catalog, data.community
    ss = _ss()
    return raw_plays(), ss.get(Key.CATALOG), ss.get(Key.COMMUNITY)


def workspace() -> Workspace:
    """The Workspace of the current source (built once per upload/catalog/rule/zone change).

    It carries the listener's zone (``timezone``), so every hour and weekday the engines
    learn and the pages show (``Workspace.local_plays``) is on the listener's own clock.
    """
    if is_demo():
        from musicrec.ui.cache import demo_workspace

        return demo_workspace(rule(), timezone())
    return _upload_workspace()


def _upload_workspace() -> Workspace:
    ss = _ss()
    up = uploaded()
    zone = _zone(demo=False)
    key = (id(up), ss.get(Key.CATALOG_NAME), rule(), clock.zone_key(zone))
    if ss.get(Key.WORKSPACE_KEY) != key:
        from musicrec.workspace import build_workspace

        with st.spinner("Matching your plays to the catalog…"):
            ws = fit_apart(
                build_workspace,
                up.plays,
                ss.get(Key.CATALOG),
                community=ss.get(Key.COMMUNITY),
                library=up.library,
                rule=rule(),
                timezone=zone,
            )
        ss[Key.WORKSPACE] = ws
        ss[Key.WORKSPACE_KEY] = key
        ss.pop(Key.HYBRID, None)
    return _with_sound()


def _with_sound() -> Workspace:
    """The upload's Workspace with its uncatalogued items' sound estimates (``sound.with_sound``),
    made once per Workspace and genre evidence and kept in its place (one items frame per
    person), so the builder's controls act on what the Mood page shows."""
    from musicrec.ui import catalog_panel

    ss = _ss()
    evidence = catalog_panel.sound_evidence()
    key = (ss[Key.WORKSPACE_KEY], 0 if evidence is None else len(evidence))
    if ss.get(Key.SOUND_KEY) != key:
        ss[Key.WORKSPACE] = catalog_panel.with_sound(ss[Key.WORKSPACE], evidence)
        ss[Key.SOUND_KEY] = key
        ss.pop(Key.HYBRID, None)
    return ss[Key.WORKSPACE]


def hybrid() -> Hybrid:
    """The fitted Hybrid of the current source."""
    if is_demo():
        from musicrec.ui.cache import demo_hybrid

        return demo_hybrid(rule(), timezone())
    ws = workspace()
    ss = _ss()
    if Key.HYBRID not in ss:
        from musicrec.hybrid import Hybrid

        with st.spinner("Training the recommender on your data…"):
            ss[Key.HYBRID] = fit_apart(Hybrid().fit, ws)
    return ss[Key.HYBRID]


# --- page results -----------------------------------------------------------------------


def last_report() -> list[FileReport] | None:
    """Per-file reports of the last "Load these files", or None."""
    return _ss().get(Key.LAST_REPORT)


def set_last_report(reports: list[FileReport]) -> None:
    """Keep the per-file reports of a load for the Your data page."""
    _ss()[Key.LAST_REPORT] = reports


def _quality_key() -> tuple:
    """What a Model quality result was measured on: the data, its catalog, zone and rule."""
    tz = timezone()
    return (source_label(), len(raw_plays()), catalog_name(),
            clock.zone_key(tz) if getattr(tz, "periods", ()) else str(tz), rule())  # fmt: skip


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
