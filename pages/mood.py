"""Mood: your listening over the eight moods, on the valence x energy circle, by hour and month."""

import plotly.express as px
import streamlit as st

from musicrec import ui
from musicrec.engines import mood

st.title("Mood")
ws = ui.workspace()
if ui.require_plays(ws):
    with_features = ws.items.set_index("item_id")["valence"].reindex(ws.plays["item_id"]).notna()
    if not with_features.any():
        ui.empty_state(
            "Your plays have no audio features yet: choose a track catalog on “Your data”."
        )
    else:
        plays = ws.plays[with_features.to_numpy()]
        moods = mood.item_moods(ws.items, plays["item_id"])  # once per page, only the played items
        st.caption(
            f"{with_features.mean():.0%} of your plays have audio features (track, artist or genre level)."
        )
        c1, c2 = st.columns(2)
        with c1:
            dist = mood.mood_distribution(plays, ws.items, moods)
            ui.chart(
                px.bar(dist, x="mood", y="share", text_auto=".0%", title="Your moods"),
                key="mood_dist",
            )
        with c2:
            pts = mood.circumplex_points(plays, ws.items, moods=moods)
            fig = px.scatter(pts, x="valence", y="energy", size="plays", color="mood", hover_data=["track", "artist"],
                             title="Valence x energy circumplex", range_x=[0, 1], range_y=[0, 1])  # fmt: skip
            fig.add_hline(y=0.5, line_dash="dot", opacity=0.4)
            fig.add_vline(x=0.5, line_dash="dot", opacity=0.4)
            ui.chart(fig, key="circumplex")
        hourly = mood.mood_by(plays, ws.items, "hour", moods)
        ui.chart(
            px.area(hourly, x="hour", y="share", color="mood", title="Mood by hour of day (UTC)"),
            key="mood_hour",
        )
        monthly = mood.mood_by(plays, ws.items, "month", moods)
        ui.chart(
            px.area(monthly, x="month", y="share", color="mood", title="Mood by month"),
            key="mood_month",
        )
        st.subheader("Title sentiment (VADER)")
        st.caption(
            "Sentiment of the words in titles: a weak signal (VADER reads “Smells Like Teen Spirit” as positive)."
        )
        st.dataframe(
            mood.title_sentiment(ws.items, ws.plays["item_id"]), hide_index=True, key="sentiment"
        )
