"""Home: what musicrec does, where the data comes from, the counting rule."""

import streamlit as st

from musicrec import ui
from musicrec.demo import DEMO_LABEL

ui.through_the_app()  # first: a page's own address on a fresh server
st.title("musicrec")
st.markdown(
    "See what you really listen to (your top artists for any period, your listening clock, your moods) "
    "and get playlists that fit the moment, each track with the reason it was picked. "
    "Everything runs on this machine, from your own Spotify or Last.fm export."
)
rule = ui.rule()
c1, c2 = st.columns(2)
with c1:
    st.subheader("Where the data comes from")
    if ui.is_demo():
        st.info(f"You are looking at the built-in demo. {DEMO_LABEL}.", icon="🧪")
        if st.button("Bring your own history", type="primary", key="home_upload"):
            st.switch_page("pages/your_data.py")
    else:
        st.success(f"Your upload: {ui.upload_summary()}.")
        if st.button("Back to the demo", key="home_demo"):
            ui.use_demo()
            st.rerun()
with c2:
    st.subheader("Counting rule")
    podcasts = "included" if rule.include_podcasts else "kept out of music stats"
    st.markdown(
        f"A play counts when at least **{rule.min_ms_played // 1000} s** were played; podcasts, audiobooks and videos are "
        f"**{podcasts}**. Change it in the sidebar."
    )
st.subheader("What you can do")
st.markdown(
    "- **Your data**: drop in `my_spotify_data.zip`, streaming-history JSON files or a Last.fm CSV.\n"
    "- **Taste profile**: a Wrapped for any period, listening clock, eras, forgotten favourites.\n"
    "- **Mood**: your listening on the valence x energy circle, by hour and month.\n"
    "- **Playlist builder**: sliders for mood, activity and time; like or dislike to re-rank; export.\n"
    "- **Model quality**: how well each engine predicts *your* listening, measured on your data."
)
