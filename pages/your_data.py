"""Your data: upload exports, get or choose a catalog, see how much of the listening has audio features."""

import streamlit as st

from musicrec import ui

ui.through_the_app()  # first: a page's own address on a fresh server
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
    result = ui.read_uploads([(f.name, f.getvalue()) for f in files], ui.progress_callback(bar))
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
        files = "1 file" if len(bad) == 1 else f"{len(bad)} files"
        st.warning(f"{files} could not be read; the others loaded.")
    ui.table(ui.format_report(report), key="report_table")
if ui.has_upload():
    st.success(f"Loaded {ui.upload_summary()}.")
    ui.catalog_offer("upload")
elif not report:
    ui.empty_state(
        "No history loaded yet: the other pages show the fictional demo until you load yours.",
        page=None,
    )
ui.podcast_section()

st.header("Your clock")
st.caption(
    "Exports store times in UTC. Every hour and weekday here (listening clock, mood by hour, "
    "habits, the playlist's time) is shown in your own time zone; it starts at your browser's."
)
ui.timezone_picker("your_data")
ui.zone_periods_section()

ui.spotify_panel()

ui.catalog_section()
if not ui.is_demo():
    ui.musicbrainz_panel(ui.workspace())
ui.match_report_section()

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
