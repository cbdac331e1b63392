"""Playlist builder: sliders regenerate the list live; like/dislike re-ranks; export."""

import datetime as dt

import streamlit as st

from musicrec import ui
from musicrec.engines.base import ACTIVITIES, MOODS, Request
from musicrec.export import spotify_url, to_csv, to_json, to_m3u
from musicrec.hybrid import BlendWeights, HybridConfig

st.title("Playlist builder")
ws = ui.workspace()
if ws.items.empty:
    ui.empty_state(
        "There is nothing to recommend yet: load your history (and a catalog) on “Your data”."
    )
    st.stop()
model = ui.hybrid()
store = ui.feedback_store()
sid = st.session_state["sid"]
now = dt.datetime.now()
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _feedback(item_id: str, value: int) -> None:
    store.record(sid, item_id, value)


@st.fragment
def builder() -> None:
    controls, listing = st.columns([1, 2.2])
    with controls:
        preset = st.selectbox("Mood", ["custom (use the sliders)", *MOODS], key="pl_mood")
        custom = preset.startswith("custom")
        valence = st.slider(
            "Valence (sad → happy)", 0.0, 1.0, 0.6, 0.05, key="pl_valence", disabled=not custom
        )
        energy = st.slider(
            "Energy (calm → intense)", 0.0, 1.0, 0.5, 0.05, key="pl_energy", disabled=not custom
        )
        activity = st.selectbox("Activity", ["any", *ACTIVITIES], key="pl_activity")
        hour = st.slider("Hour of day", 0, 23, now.hour, key="pl_hour")
        weekday = st.selectbox("Day", WEEKDAYS, index=now.weekday(), key="pl_weekday")
        with st.expander("Blend and variety"):
            w = BlendWeights()
            weights = BlendWeights(
                collaborative=st.slider(
                    "People like you", 0.0, 2.0, w.collaborative, 0.1, key="w_collab"
                ),
                co_listening=st.slider(
                    "Your sessions", 0.0, 2.0, w.co_listening, 0.1, key="w_colisten"
                ),
                content=st.slider(
                    "Sounds like your favourites", 0.0, 2.0, w.content, 0.1, key="w_content"
                ),
                mood=st.slider("Mood", 0.0, 2.0, w.mood, 0.1, key="w_mood"),
                context=st.slider("Activity and time", 0.0, 2.0, w.context, 0.1, key="w_context"),
            )
            diversity = st.slider("Variety", 0.0, 1.0, 0.3, 0.05, key="pl_diversity")
            novelty = st.slider("Familiar → new", 0.0, 1.0, 0.5, 0.05, key="pl_novelty")
            length = st.slider("Length", 5, 50, 20, key="pl_length")
            exclude = st.checkbox("Only tracks I have never played", key="pl_exclude")
    request = Request(
        hour=hour, weekday=WEEKDAYS.index(weekday), activity=None if activity == "any" else activity,
        mood=None if custom else preset, valence=valence if custom else None, energy=energy if custom else None,
        liked=store.liked(sid), disliked=store.disliked(sid),
    )  # fmt: skip
    config = HybridConfig(k=length, diversity=diversity, novelty=novelty, exclude_heard=exclude)
    recs = model.recommend(request, weights, config)
    with listing:
        if recs.empty:
            ui.empty_state(
                "No track fits these settings: loosen “Only tracks I have never played”.", page=None
            )
            return
        summary = (
            f"{len(recs)} tracks · mood {preset.split(' ')[0]} · {activity} · {weekday} {hour}:00"
        )
        st.markdown(f"**{summary}**")
        liked = set(request.liked)
        lines = []
        for row in recs.itertuples():
            url = spotify_url(row.track_uri)
            title = f"[{row.track}]({url})" if url else row.track
            heart = " :material/favorite:" if row.item_id in liked else ""
            lines.append(f"**{row.rank}. {title}** · {row.artist}{heart}  \n:gray[{row.reason}]")
        # one markdown block, not a widget row per track: a slider move re-renders a handful of elements
        st.markdown("\n\n".join(lines))
        f1, f2, f3 = st.columns([6, 2, 2], vertical_alignment="bottom")
        labels = {
            row.item_id: f"{row.rank}. {row.track} · {row.artist}" for row in recs.itertuples()
        }
        pick = f1.selectbox(
            "Feedback on a track", list(labels), format_func=labels.get, key="fb_pick"
        )
        f2.button(
            ":material/thumb_up: More like this", key="fb_like", on_click=_feedback, args=(pick, 1)
        )
        f3.button(
            ":material/thumb_down: Never again",
            key="fb_dislike",
            on_click=_feedback,
            args=(pick, -1),
        )
        with st.expander("Why these tracks: per-engine contributions"):
            contrib = [c for c in recs.columns if c.startswith("contrib_")]
            st.dataframe(recs[["rank", "track", "artist", *contrib, "feature_source"]], hide_index=True, key="contrib_table",
                         column_config={c: st.column_config.ProgressColumn(c.removeprefix("contrib_"), min_value=0.0, max_value=0.6, format="%.2f") for c in contrib})  # fmt: skip
        e1, e2, e3, e4 = st.columns(4)
        e1.download_button("CSV", to_csv(recs), "musicrec.csv", "text/csv", key="dl_csv")
        e2.download_button(
            "JSON", to_json(recs), "musicrec.json", "application/json", key="dl_json"
        )
        e3.download_button("M3U", to_m3u(recs), "musicrec.m3u", "audio/x-mpegurl", key="dl_m3u")
        ui.save_to_spotify_button(recs)
        if e4.button("Clear likes/dislikes", key="clear_feedback"):
            store.clear(sid)
            st.rerun(scope="fragment")


builder()
