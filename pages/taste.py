"""Taste profile: a Wrapped for any period, listening clock, eras, sound, rediscovery, artist tiers."""

import streamlit as st

from musicrec import clock, taste, ui
from musicrec.ui import charts

ui.through_the_app()  # first: a page's own address on a fresh server
st.title("Taste profile")
ws = ui.workspace()
if ui.require_plays(ws):
    tz = ws.timezone
    plays = ws.local_plays()  # the listener's own days and hours
    start, end = ui.period_picker(plays)
    sel = taste.filter_period(plays, start, end)
    stats = taste.period_stats(plays, ui.raw_plays(), start, end)
    cols = st.columns(6)
    cols[0].metric("Plays", f"{stats['plays']:,}")
    cols[1].metric("Hours", f"{stats['hours']:,.0f}")
    cols[2].metric("Artists", f"{stats['artists']:,}")
    cols[3].metric("Diversity", f"{stats['diversity']:.2f}",
                   help="Artist entropy, 0 = one artist, 1 = perfectly spread")  # fmt: skip
    cols[4].metric("Discovery", "—" if stats["discovery_rate"] is None else f"{stats['discovery_rate']:.0%}",
                   help="Share of plays by artists you had not played before this period")  # fmt: skip
    skip = stats["skip_rate"]
    cols[5].metric("Skip rate", "—" if skip is None else f"{skip:.0%}",
                   help="Share of plays marked skipped (where known)")  # fmt: skip
    if sel.empty:
        ui.empty_state("No plays in this period.", page=None)
    else:
        by = st.radio("Rank by", ["plays", "minutes"], horizontal=True, key="taste_by")
        t1, t2, t3, t4 = st.tabs(["Artists", "Tracks", "Albums", "Genres"])
        with t1:
            top = taste.top_artists(sel, 15, by)
            charts.bars(top, by, "artist", f"Top artists by {by}", key="top_artists")
        with t2:
            ui.table(taste.top_tracks_linked(sel, 25, by), key="top_tracks")
        with t3:
            albums = taste.top_albums(sel, 25, by)
            if albums.empty:
                st.caption("No album names in these plays: Spotify's account data leaves them "
                           "out; the extended streaming history has them.")  # fmt: skip
            else:
                ui.table(albums, key="top_albums")
        with t4:
            genres = taste.top_genres(sel, ws.items, 15)
            if genres.empty:
                st.caption("No genres: choose a catalog on “Your data”.")
            else:
                charts.bars(genres, "plays", "genre", "Top genres by plays", key="top_genres")
        c1, c2 = st.columns(2)
        with c1:
            grid = taste.listening_clock(sel)
            charts.heatmap(grid, f"hour of day ({clock.label(tz)})",
                           "Listening clock", key="clock")  # fmt: skip
        with c2:
            prof = taste.feature_profile(sel, ws.items)
            if prof.empty:
                st.subheader("Your sound vs the catalog")
                st.caption("Choose a track catalog on “Your data” to see how your music sounds.")
            else:
                charts.grouped_bars(prof, "feature", ["you", "catalog"], "Your sound vs the catalog",
                                    key="profile")  # fmt: skip
        era = taste.eras(sel, other=False, start=start, end=end)
        charts.stacked_area(era, "month", "plays", "artist", key="eras", title="Eras: your top 8 artists",
                            x_title=f"plays per whole month ({clock.label(tz)})")  # fmt: skip
        c3, c4 = st.columns(2)
        with c3:
            st.subheader("Forgotten favourites")
            ff = taste.forgotten_favourites(*taste.until(plays, end))
            if len(ff):
                ui.table(ff, key="forgotten")
            else:
                st.caption("Nothing forgotten yet.")
        with c4:
            st.subheader("On this day")
            otd = taste.on_this_day(plays, end)
            if len(otd):
                ui.table(otd, key="on_this_day")
            else:
                st.caption("Nothing on this day in earlier years.")
    st.subheader("Artists by preference")
    st.caption("In the period above: core (top 5%), regular, occasional, tried.")
    tiers = taste.artist_tiers(sel, ws.items)
    query = st.text_input("Search an artist", key="artist_search")
    shown = taste.search_artists(tiers, query) if query else tiers.head(30)
    if len(shown):
        ui.table(shown, key="tiers")
    else:
        st.caption(f"No artist matches “{ui.plain(query)}”.")
