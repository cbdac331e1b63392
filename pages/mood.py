"""Mood: your listening over the eight moods, on the valence x energy circle, by hour and month."""

import streamlit as st

from musicrec import clock, mood_stats, ui
from musicrec.ui import charts

ui.through_the_app()  # first: a page's own address on a fresh server
st.title("Mood")
ws = ui.workspace()
if ui.require_plays(ws):
    tz = ws.timezone
    ui.catalog_offer("mood")
    view = ui.sound_view(ws)
    measured = st.toggle("Measured features only", key="mood_measured",
                         help="Only the tracks' own audio features, no estimate from the artist")  # fmt: skip
    st.text(view.measured_statement if measured else view.statement)
    items = view.measured_items if measured else view.items
    plays, _ = mood_stats.with_features(ws.local_plays(), items)
    if plays.empty:
        ui.empty_state(
            "Your plays have no audio features yet: get the free track catalogs above, or choose "
            "one on “Your data”."
        )
    else:
        moods = mood_stats.item_moods(items, plays["item_id"])  # once per page, played items only
        c1, c2 = st.columns(2)
        with c1:
            dist = mood_stats.mood_distribution(plays, items, moods)
            charts.mood_bars(dist, "Your moods", key="mood_dist")
        with c2:
            pts = mood_stats.circumplex_points(plays, items, moods=moods)
            charts.mood_plane(pts, "Happy or sad (valence) by calm or intense (energy)",
                              key="circumplex")  # fmt: skip
        hourly = mood_stats.mood_by(plays, items, "hour", moods)
        charts.mood_areas(hourly, "hour", f"hour of day ({clock.label(tz)})",
                          "Mood by hour of day", key="mood_hour", every_x=range(24))  # fmt: skip
        monthly = mood_stats.mood_by(plays, items, "month", moods)
        charts.mood_areas(monthly, "month", "month", "Mood by month", key="mood_month")
        words = mood_stats.words_by_month(ws.local_plays(), items)
        charts.line(words, "month", "sentiment", "The mood of your titles' words",
                    key="words_month", y_title="gloomy (−1) to bright (+1)", y_range=(-1, 1),
                    height=300)  # fmt: skip
        st.caption(
            "Each title's words scored from −1 (gloomy) to +1 (bright) by VADER, a word-sentiment "
            "tool; a weak signal on its own (it reads “Smells Like Teen Spirit” as bright)."
        )
