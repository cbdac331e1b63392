"""Sound data in the app: the free catalogs in one click, catalog uploads, the match report, the
Mood page's provenance, the MusicBrainz opt-in and the builder's control-reach caption.

Pages call:
    catalog_section()            the "Track catalog" section of Your data
    match_report_section()       the "Match report" section of Your data
    catalog_offer(where)         "Your listening has no sound data yet — get the free catalogs"
    sound_view(ws)               the sound estimate of every play (cached), for the Mood page
    musicbrainz_panel(ws)        the opt-in lookup of artist genres
    control_reach_caption(...)   how much of the builder's pool mood/activity can act on

Downloads go to the person's own cache folder (``catalog_sources.cache_dir(session)`` when the
app is served, so one visitor's downloads are not another's) and no server path is ever shown.
Every message that may hold a file or artist name is escaped (``widgets.plain``) or ``st.text``.
The component keeps its session data under ``state.Key.CATALOG_PANEL``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from musicrec import catalog_sources as cs
from musicrec import schema as S
from musicrec import sound
from musicrec.errors import CatalogError
from musicrec.ui import cache, sessions, state
from musicrec.ui.widgets import plain, table

if TYPE_CHECKING:
    from musicrec.hybrid import Hybrid
    from musicrec.ui.widgets import PlaylistSettings
    from musicrec.workspace import Workspace

CATALOG_TYPES = ["csv", "tsv", "txt", "gz", "parquet", "zip"]
"""What the catalog upload accepts (``musicrec.catalog.CATALOG_SUFFIXES``)."""
MUSICBRAINZ_ARTISTS = 200
"""Artists asked about: the ones covering most listening time (two requests each, 1 per second)."""


def _panel() -> dict[str, Any]:
    return st.session_state.setdefault(state.Key.CATALOG_PANEL, {})


def person_catalog_dir() -> Path:
    """This person's catalog cache: their own folder when served, the user's cache otherwise."""
    return cs.cache_dir(state.session_id()) if state.is_served() else cs.cache_dir()


# --- getting catalogs ---------------------------------------------------------------------------


def _use(load: Any, name: str, community: pd.DataFrame | None = None) -> None:
    state.set_catalog(load.catalog, name, community)
    dropped = sum(p.conflicts for p in load.parts)
    why = (
        f" Where catalogs disagreed the first listed won; {dropped:,} "
        + (
            "row whose id names another song in an earlier catalog was"
            if dropped == 1
            else "rows whose id names another song in an earlier catalog were"
        )
        + " left out."
        if dropped
        else ""
    )
    _panel()["note"] = f"Catalog in use: {name} ({len(load.catalog):,} tracks).{why}"
    _panel()["skipped"] = [f"{p.name}: {p.note}" for p in load.parts if p.note]


def get_free_catalogs(keys: list[str] | None = None) -> bool:
    """Download (what is not cached yet), combine and use the offered catalogs, with progress.

    Returns True when the catalogs are in use; a failure is shown as plain text.
    """
    directory = person_catalog_dir()
    if state.is_served():
        cs.prune_people()  # folders of sessions that ended a day ago
    bar = st.progress(0.0, text="Starting the download…")

    def step(done: int, total: int, name: str) -> None:
        frac = min(done / total, 1.0) if total else 1.0
        bar.progress(frac, text=f"{plain(name)}: {done / 1e6:.1f} of {total / 1e6:.0f} MB")

    try:
        cs.fetch_sources(keys, directory=directory, progress=step)
        bar.progress(1.0, text="Combining the catalogs…")
        load = cs.load_sources(keys, directory=directory)
    except CatalogError as exc:
        bar.empty()
        st.error(plain(f"Could not get the catalogs: {exc}"))
        return False
    bar.empty()
    _use(load, cs.combined_name(load))
    return True


def catalog_offer(where: str) -> None:
    """Right after an upload without sound data: propose the free catalogs (one click)."""
    if state.is_demo():
        return
    directory = person_catalog_dir()
    got = cs.offer(state.workspace().plays, directory)
    if got.show:
        st.info(got.message, icon="🎧")
        clicked = st.button("Get the free catalogs", key=f"offer_get_{where}", type="primary")
        if clicked and get_free_catalogs():
            st.rerun()
    elif state.catalog_name() is None and cs.cached_catalogs(directory):
        st.info("Your listening has no sound data yet: the free catalogs are downloaded already.")
        if st.button("Use the free catalogs", key=f"offer_use_{where}", type="primary"):
            try:
                load = cs.load_sources(directory=directory)
            except CatalogError as exc:
                st.error(plain(str(exc)))
                return
            _use(load, cs.combined_name(load))
            st.rerun()


def _free_tab() -> None:
    directory = person_catalog_dir()
    reg = cs.registry_table(directory)
    table(reg.drop(columns=["key"]).rename(columns={"download_mb": "download (MB)"}),
          key="free_catalogs")  # fmt: skip
    st.caption(
        "Every file is pinned by its SHA-256 fingerprint. Where two catalogs hold the same track, "
        "the one listed first wins; the later ones only fill its gaps (a missing feature, genre "
        "or year)."
    )
    names = dict(zip(reg["catalog"], reg["key"], strict=True))
    chosen = st.multiselect("Catalogs", list(names), default=list(names), key="free_pick")
    size = sum(mb for mb, n, d in zip(reg["download_mb"], reg["catalog"], reg["downloaded"],
                                      strict=True) if n in chosen and not d)  # fmt: skip
    label = f"Get the free catalogs ({size:.0f} MB)" if size else "Use these catalogs"
    clicked = bool(chosen) and st.button(label, key="free_get", type="primary")
    if clicked and get_free_catalogs([names[n] for n in chosen]):
        st.rerun()


def _upload_tab() -> None:
    from musicrec.catalog import catalog_playlists, read_catalog

    files = st.file_uploader("Catalog files (CSV, TSV, Parquet, gzip or a zip of them)",
                             type=CATALOG_TYPES, accept_multiple_files=True, key="catalog_file")  # fmt: skip
    if files and st.button("Use this catalog", key="use_catalog"):
        sources = [(f.name, f.getvalue()) for f in files]
        try:
            load = state.fit_apart(read_catalog, sources)  # when served, in the worker process
            community = catalog_playlists(sources)
        except CatalogError as exc:
            st.error(plain(str(exc)))
            return
        name = files[0].name if len(files) == 1 else f"{len(files)} files ({files[0].name}, …)"
        _use(load, name, community)
        st.rerun()


def _url_tab() -> None:
    url = st.text_input("Public CSV/Parquet URL", key="catalog_url")
    sha = st.text_input("SHA-256 (optional)", key="catalog_sha")
    if url and st.button("Download", key="download_catalog"):
        bar = st.progress(0.0, text="Downloading…")
        try:
            path = cs.fetch_catalog(url, sha256=sha or None, directory=person_catalog_dir(),
                                    progress=lambda d, t: bar.progress(min(d / t, 1.0) if t else 0.5,
                                                                       text=f"{d / 1e6:.1f} MB"))  # fmt: skip
            from musicrec.catalog import read_catalog

            _use(read_catalog([path]), cs.display_name(path))
        except CatalogError as exc:
            bar.empty()
            st.error(plain(str(exc)))
            return
        st.rerun()


def _cached_tab() -> None:
    directory = person_catalog_dir()
    cached = cs.cached_catalogs(directory)
    if not cached:
        st.caption("Nothing downloaded before: the catalogs you download are kept here.")
        return
    shown = {cs.display_name(p): p for p in cached}
    pick = st.multiselect("Downloaded catalogs", list(shown), key="cached_pick")
    if pick and st.button("Use them", key="use_cached"):
        from musicrec.catalog import read_catalog

        try:
            load = read_catalog([shown[n] for n in pick])
        except CatalogError:
            st.error("These downloads could not be read; get them again.")
            return
        _use(load, pick[0] if len(pick) == 1 else f"{len(pick)} catalogs: {', '.join(pick)}")
        st.rerun()


def catalog_section() -> None:
    """The "Track catalog" section: the free catalogs, an upload, a URL (not when served), and
    the ones downloaded before; then the catalog in use."""
    st.header("Track catalog")
    st.markdown(
        "Spotify no longer gives new apps audio features, so moods and sound come from public "
        "track catalogs, joined to your plays by track id, then by name, with artist-level "
        "fallbacks. Get the free ones in one click, or load your own."
    )
    if note := _panel().pop("note", None):
        st.success(plain(note))
    for skipped in _panel().pop("skipped", []):  # a file of the catalog that gave no tracks
        st.warning(plain(skipped))
    names = ["The free catalogs", "Upload a catalog", "Downloaded before"]
    if not state.is_served():  # a served app never fetches an address a visitor types
        names.insert(2, "Download from a URL")
    # keyed: the tab a person picked stays picked when an element above appears in a rerun
    # (an upload's rerun showed the first tab again and hid "Use this catalog": bench_load)
    tabs = dict(zip(names, st.tabs(names, key="catalog_tabs"), strict=True))
    with tabs["The free catalogs"]:
        _free_tab()
    with tabs["Upload a catalog"]:
        _upload_tab()
    if "Download from a URL" in tabs:
        with tabs["Download from a URL"]:
            _url_tab()
    with tabs["Downloaded before"]:
        _cached_tab()
    name = state.catalog_name()
    st.caption(f"Catalog in use: **{plain(name)}**" if name
               else "No catalog chosen: your plays have no audio features yet.")  # fmt: skip


MATCH_WORDS = {
    S.MATCH_URI: "same Spotify track id",
    S.MATCH_NAME: "same title and artist",
    S.MATCH_FUZZY: "nearly the same title and artist",
    S.MATCH_ARTIST: "its artist's average sound",
    S.MATCH_GENRE: "its genre's average sound",
    S.MATCH_NONE: "not found",
}
"""How a play was joined to the catalog, in plain words (``musicrec.schema.MATCH_METHODS``)."""


def match_report_section() -> None:
    """The "Match report": how each play was joined to the catalog (share of listening time);
    a sentence instead while no catalog is chosen (every play would read "not found")."""
    from musicrec.matching import match_report
    from musicrec.ui import charts

    if state.is_demo():
        return
    st.header("Match report")
    if state.catalog_name() is None:
        st.caption("Once you choose a catalog above, this shows how your plays were found in it.")
        return
    rep = match_report(state.workspace().plays)
    rep = rep.assign(method=rep["method"].map(MATCH_WORDS).fillna(rep["method"]))
    charts.bars(rep, "share_time", "method", "How your plays were found",
                key="match_chart", value_title="share of listening time", value_format=".0%",
                height=300)  # fmt: skip
    table(rep.rename(columns={"method": "found by", "share_plays": "share of plays",
                              "share_time": "share of time"}), key="match_table")  # fmt: skip


# --- the sound of every play (Mood page) ----------------------------------------------------------


@dataclass(frozen=True)
class SoundView:
    """What the Mood page shows of the sound estimates."""

    items: pd.DataFrame
    """ITEMS with every level's estimate (``sound.mood_items``)."""
    measured_items: pd.DataFrame
    """ITEMS with measured features only."""
    statement: str
    """E.g. "Mood of 81% of your listening time: 44% measured, 37% from the artist."."""
    measured_statement: str
    """The same, measured features only."""


def _musicbrainz_cache() -> Any:
    from musicrec import musicbrainz as mb

    user = state.session_id() if state.is_served() else None
    return mb.MusicBrainzCache(mb.cache_path(user))


def sound_evidence() -> pd.DataFrame | None:
    """This person's extra genre evidence (their MusicBrainz answers), or None."""
    from musicrec import musicbrainz as mb

    ev = mb.evidence(_musicbrainz_cache())
    return ev if len(ev) else None


def with_sound(ws: Workspace, evidence: pd.DataFrame | None) -> Workspace:
    """``sound.with_sound`` with the server's SoundModel of ``ws``'s catalog, with progress."""
    if S.IN_CATALOG not in ws.items or not ws.items[S.IN_CATALOG].astype(bool).any():
        return ws  # no catalog: nothing to estimate from
    bar = st.progress(0.0, text="Estimating the sound of your plays…")
    model = cache.sound_model(sound.catalog_from_items(ws.items), evidence,
                              progress=lambda f, t: bar.progress(0.9 * f, text=t))  # fmt: skip
    bar.progress(0.95, text="Estimating the sound of every play…")
    out = state.fit_apart(sound.with_sound, ws, model)  # ~150 ms of the 30k catalog: when served,
    bar.empty()  # in the worker (the workspace and the model cross as ~17 MB of pickles, ~30 ms)
    return out


def sound_view(ws: Workspace) -> SoundView:
    """The sound estimate of every play of ``ws`` and its provenance, with progress while the
    sound model is fitted (once per catalog for the server, ``cache.sound_model``) and kept for
    this Workspace in this session."""
    ev = sound_evidence()
    ev_key = 0 if ev is None else len(ev)
    stored = _panel().get("sound")
    if stored is not None and stored[0] is ws and stored[1] == ev_key:
        return stored[2]
    bar = st.progress(0.0, text="Estimating the sound of your plays…")
    model = cache.sound_model(sound.catalog_from_items(ws.items), ev,
                              progress=lambda f, t: bar.progress(0.9 * f, text=t))  # fmt: skip
    bar.progress(0.95, text="Estimating the sound of every play…")
    est = sound.estimate_plays(ws.plays, model)
    bar.empty()
    view = SoundView(
        items=sound.mood_items(ws.items, ws.plays, est),
        measured_items=sound.mood_items(ws.items, ws.plays, est, measured_only=True),
        statement=sound.provenance(ws.plays, est),
        measured_statement=sound.provenance(ws.plays, est, measured_only=True),
    )
    _panel()["sound"] = (ws, ev_key, view)
    return view


# --- MusicBrainz (opt-in) -----------------------------------------------------------------------


class _Lookup:
    """One background MusicBrainz run for this session: progress, a stop switch and the report."""

    def __init__(self, names: list[str]) -> None:
        from musicrec import musicbrainz as mb

        self.names = names
        self.done, self.total = 0, len(names)
        self.report: Any = None
        self.stop = threading.Event()
        sessions.when_this_session_ends(self.stop.set)  # a closed tab stops asking MusicBrainz
        cache_, config = _musicbrainz_cache(), mb.config_from_env()
        self.thread = threading.Thread(target=self._run, args=(cache_, config), daemon=True)
        self.thread.start()

    def _run(self, cache_: Any, config: Any) -> None:
        from musicrec import musicbrainz as mb

        def step(done: int, total: int, _name: str) -> None:
            self.done, self.total = done, total

        self.report = mb.fetch_artists(self.names, cache_, config, progress=step, stop=self.stop)

    @property
    def running(self) -> bool:
        return self.thread.is_alive()


@st.fragment(run_every=1.0)
def _lookup_progress() -> None:
    run: _Lookup | None = _panel().get("lookup")
    if run is None:
        return
    if not run.running:
        st.rerun()  # the whole page: the progress stops polling and the estimate uses the answers
    frac = run.done / run.total if run.total else 0.0
    st.progress(frac, text=f"Asked about {run.done} of {run.total} artists…")
    if st.button("Stop", key="mb_stop"):
        run.stop.set()


def musicbrainz_panel(ws: Workspace) -> None:
    """The opt-in lookup of artist genres and tags on MusicBrainz, in the background."""
    from musicrec import musicbrainz as mb

    with st.expander("Genres from MusicBrainz (optional)"):
        st.markdown(
            "MusicBrainz, the open music encyclopedia, knows the genres of many artists no "
            f"catalog holds. If you allow it, the app asks musicbrainz.org about the "
            f"{MUSICBRAINZ_ARTISTS} artists you listen to most. **Only their names leave this "
            "machine**, at most one request per second, as MusicBrainz asks; the answers are kept "
            "on this machine, so a stopped lookup continues where it left off."
        )
        run: _Lookup | None = _panel().get("lookup")
        if run is not None and run.running:
            _lookup_progress()
            return
        if run is not None and run.report is not None:
            st.text(run.report.summary())
        cache_ = _musicbrainz_cache()
        st.caption(
            f"{mb.coverage_of(cache_, ws.plays):.0%} of your listening time has an artist with "
            "genres from MusicBrainz."
        )
        if st.button("Look up my artists on MusicBrainz", key="mb_start"):
            names = mb.artists_by_listening(ws.plays, MUSICBRAINZ_ARTISTS)
            _panel()["lookup"] = _Lookup(names)
            st.rerun()


def forget() -> None:
    """Forget this person's MusicBrainz answers and the panel's session data ("Forget my data")."""
    run = _panel().get("lookup")
    if run is not None:
        run.stop.set()
    _musicbrainz_cache().path.unlink(missing_ok=True)
    st.session_state.pop(state.Key.CATALOG_PANEL, None)


# --- the builder ------------------------------------------------------------------------------


def control_reach_caption(ws: Workspace, model: Hybrid, settings: PlaylistSettings) -> None:
    """One caption: how much of the candidate pool the mood and activity controls can act on
    (and, when none of it has sound data, that they change nothing and why)."""
    heard = pd.Series(model.heard_, dtype=bool) if hasattr(model, "heard_") else None
    reach = sound.control_reach(ws.items, heard, settings.config.exclude_heard)
    st.caption(reach.message())
