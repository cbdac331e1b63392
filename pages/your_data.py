"""Your data: upload exports, choose a catalog, see how much of the listening has audio features."""

import plotly.express as px
import streamlit as st

from musicrec import ui
from musicrec.catalog import (
    CatalogError,
    cached_catalogs,
    catalog_playlists,
    fetch_catalog,
    load_catalog,
)
from musicrec.catalog_sources import display_name
from musicrec.history import load_uploads
from musicrec.matching import match_report

st.title("Your data")
st.markdown(
    "Drop in your Spotify export (`my_spotify_data.zip`, `StreamingHistory*.json`, `Streaming_History_Audio_*.json`, "
    "`endsong_*.json`, `YourLibrary.json`, `Playlist*.json`) or a Last.fm scrobble CSV. Formats are recognised by "
    "their content; a broken file is reported and the others still load. Nothing leaves this machine."
)
files = st.file_uploader("History files or the whole zip", accept_multiple_files=True, key="history_files",
                         type=["json", "csv", "zip", "txt"])  # fmt: skip
if files and st.button("Load these files", type="primary", key="load_files"):
    bar = st.progress(0.0, text="Reading…")
    result = load_uploads(
        [(f.name, f.getvalue()) for f in files], progress=ui.progress_callback(bar)
    )
    bar.empty()
    ui.set_last_report(result.reports)
    if result.plays.empty and result.library.empty:
        st.error("None of these files held listening history. See the report below.")
    else:
        ui.set_upload(result)
        ui.workspace()  # match now, while the person waits for the upload anyway
        st.rerun()  # the sidebar (drawn before this page) says "Your data" at once
with st.expander("A CSV in another shape? Map its columns"):
    mapped = st.file_uploader("CSV of plays", type=["csv", "tsv", "txt"], key="map_file")
    if mapped is not None and (choice := ui.mapping_form(mapped.getvalue(), mapped.name)):
        ui.load_mapped(mapped.name, mapped.getvalue(), *choice)
report = ui.last_report()
if report:
    bad = [r for r in report if r.error]
    if bad:
        st.warning(f"{len(bad)} file(s) could not be read; the others loaded.")
    ui.table(ui.format_report(report), key="report_table")
if ui.has_upload():
    st.success(f"Loaded {ui.upload_summary()}.")
elif not report:
    ui.empty_state(
        "No history loaded yet: the other pages show the fictional demo until you load yours.",
        page=None,
    )

st.header("Your clock")
st.caption(
    "Exports store times in UTC. Every hour and weekday here (listening clock, mood by hour, "
    "habits, the playlist's time) is shown in your own time zone; it starts at your browser's."
)
ui.timezone_picker("your_data")

ui.spotify_panel()

st.header("Track catalog")
st.markdown(
    "Spotify no longer gives new apps audio features, so moods and sound come from a public track catalog "
    "(CSV or Parquet: TidyTuesday `spotify_songs`, the 114k Spotify Tracks Dataset, …), joined to your plays "
    "by track id, then by name, with artist- and genre-level fallbacks."
)
tab_up, tab_url, tab_cached = st.tabs(
    ["Upload a catalog", "Download from a URL", "Downloaded before"]
)
with tab_up:
    cat_file = st.file_uploader("Catalog file", type=["csv", "gz", "parquet"], key="catalog_file")
    if cat_file is not None and st.button("Use this catalog", key="use_catalog"):
        try:
            source = [(cat_file.name, cat_file.getvalue())]
            ui.set_catalog(load_catalog(source), cat_file.name, catalog_playlists(source))
        except CatalogError as exc:
            st.error(ui.plain(exc))
with tab_url:
    url = st.text_input("Public CSV/Parquet URL", key="catalog_url")
    sha = st.text_input("SHA-256 (optional)", key="catalog_sha")
    if url and st.button("Download", key="download_catalog"):
        bar = st.progress(0.0, text="Downloading…")
        try:
            path = fetch_catalog(
                url,
                sha256=sha or None,
                progress=lambda d, t: bar.progress(d / t if t else 0.5, text=f"{d / 1e6:.1f} MB"),
            )
            ui.set_catalog(load_catalog([path]), path.name)
            st.success(f"Downloaded and cached: {ui.plain(display_name(path))}")
        except CatalogError as exc:
            st.error(ui.plain(exc))
with tab_cached:
    cached = cached_catalogs()
    if not cached:
        st.caption("No catalog downloaded yet.")
    else:
        pick = st.selectbox("Cached catalog", [p.name for p in cached], key="cached_pick")
        if st.button("Use it", key="use_cached"):
            path = next(p for p in cached if p.name == pick)
            ui.set_catalog(load_catalog([path]), path.name)
name = ui.catalog_name()
st.caption(
    f"Catalog in use: **{ui.plain(name)}**"
    if name
    else "No catalog chosen: your plays have no audio features yet."
)

if not ui.is_demo():
    st.header("Match report")
    rep = match_report(ui.workspace().plays)
    ui.chart(px.bar(rep, x="method", y="share_time", text_auto=".0%", title="Share of listening time by match method",
                    labels={"share_time": "share of listening time", "method": "how it matched"}), key="match_chart")  # fmt: skip
    ui.table(rep, key="match_table")

st.header("Kept on this machine")
if ui.is_served():
    st.caption("This app is shared: nothing you load is kept after you close the page.")
else:
    if err := ui.pop_keep_error():
        st.warning(ui.plain(err))
    kept = ui.kept_files()
    if kept:
        st.markdown(
            f"So that a refresh or a restart shows your data again, these files are kept in "
            f"`{ui.kept_where()}`. Data imported from Spotify is never kept."
        )
        st.dataframe(ui.kept_table(kept), hide_index=True, key="kept_table")
    else:
        st.caption("Nothing of yours is kept on this machine yet.")
    if st.button(
        "Forget my data",
        key="forget_data",
        help="Deletes your kept history, catalog choice and likes",
    ):
        ui.forget_my_data()
        st.rerun()
