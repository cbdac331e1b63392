"""Mood: your listening over the eight moods, on the valence x energy circle, by hour and month."""

import plotly.express as px
import streamlit as st

from musicrec import clock, mood_stats, ui

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
            ui.chart(px.bar(dist, x="mood", y="share", color="mood", text_auto=".0%", title="Your moods",
                            color_discrete_map=ui.MOOD_COLORS),
                     key="mood_dist")  # fmt: skip
        with c2:
            pts = mood_stats.circumplex_points(plays, items, moods=moods)
            fig = px.scatter(pts, x="valence", y="energy", size="plays", color="mood", hover_data=["track", "artist"], color_discrete_map=ui.MOOD_COLORS,
                             title="Happy or sad (valence) by calm or intense (energy)", range_x=[0, 1], range_y=[0, 1])  # fmt: skip
            fig.add_hline(y=0.5, line_dash="dot", opacity=0.4)
            fig.add_vline(x=0.5, line_dash="dot", opacity=0.4)
            ui.chart(fig, key="circumplex")
        hourly = mood_stats.mood_by(plays, items, "hour", moods)
        ui.chart(px.area(hourly, x="hour", y="share", color="mood", color_discrete_map=ui.MOOD_COLORS, title=f"Mood by hour of day ({clock.label(tz)})"),
                 key="mood_hour")  # fmt: skip
        monthly = mood_stats.mood_by(plays, items, "month", moods)
        ui.chart(px.area(monthly, x="month", y="share", color="mood", color_discrete_map=ui.MOOD_COLORS, title="Mood by month"),
                 key="mood_month")  # fmt: skip
        words = mood_stats.words_by_month(ws.local_plays(), items)
        fig = px.line(words, x="month", y="sentiment", markers=True, range_y=[-1, 1],
                      title="The mood of the words in your titles, by month")  # fmt: skip
        fig.add_hline(y=0, line_dash="dot", opacity=0.4)
        ui.chart(fig, key="words_month", height=300)
        st.caption(
            "Each title's words scored from −1 (gloomy) to +1 (bright) by VADER, a word-sentiment "
            "tool; a weak signal on its own (it reads “Smells Like Teen Spirit” as bright)."
        )
