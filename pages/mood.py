"""Mood: your listening over the eight moods, on the valence x energy circle, by hour and month."""

import plotly.express as px
import streamlit as st

from musicrec import mood_stats, ui

st.title("Mood")
ws = ui.workspace()
if ui.require_plays(ws):
    plays, share = mood_stats.with_features(ws.plays, ws.items)
    if plays.empty:
        ui.empty_state(
            "Your plays have no audio features yet: choose a track catalog on “Your data”."
        )
    else:
        moods = mood_stats.item_moods(
            ws.items, plays["item_id"]
        )  # once per page, played items only
        st.caption(f"{share:.0%} of your plays have audio features (track, artist or genre level).")
        c1, c2 = st.columns(2)
        with c1:
            dist = mood_stats.mood_distribution(plays, ws.items, moods)
            ui.chart(px.bar(dist, x="mood", y="share", text_auto=".0%", title="Your moods"),
                     key="mood_dist")  # fmt: skip
        with c2:
            pts = mood_stats.circumplex_points(plays, ws.items, moods=moods)
            fig = px.scatter(pts, x="valence", y="energy", size="plays", color="mood", hover_data=["track", "artist"],
                             title="Valence x energy circumplex", range_x=[0, 1], range_y=[0, 1])  # fmt: skip
            fig.add_hline(y=0.5, line_dash="dot", opacity=0.4)
            fig.add_vline(x=0.5, line_dash="dot", opacity=0.4)
            ui.chart(fig, key="circumplex")
        hourly = mood_stats.mood_by(plays, ws.items, "hour", moods)
        ui.chart(px.area(hourly, x="hour", y="share", color="mood", title="Mood by hour of day (UTC)"),
                 key="mood_hour")  # fmt: skip
        monthly = mood_stats.mood_by(plays, ws.items, "month", moods)
        ui.chart(px.area(monthly, x="month", y="share", color="mood", title="Mood by month"),
                 key="mood_month")  # fmt: skip
        st.subheader("Title sentiment (VADER)")
        st.caption(
            "Sentiment of the words in titles: a weak signal (VADER reads “Smells Like Teen Spirit” as positive)."
        )
        st.dataframe(mood_stats.title_sentiment(ws.items, ws.plays["item_id"]), hide_index=True,
                     key="sentiment")  # fmt: skip
