"""Playlist builder: the controls regenerate the list live; like/dislike re-ranks; export."""

import streamlit as st

from musicrec import ui
from musicrec.export import spotify_url, to_csv, to_json, to_m3u

st.title("Playlist builder")
ws = ui.workspace()
if ws.items.empty:
    ui.empty_state(
        "There is nothing to recommend yet: load your history (and a catalog) on “Your data”."
    )
    st.stop()
model = ui.hybrid()
store = ui.feedback_store()
sid = ui.session_id()


def _feedback(item_id: str, value: int) -> None:
    store.record(sid, item_id, value)


@st.fragment
def builder() -> None:
    controls, listing = st.columns([1, 2.2])
    with controls:
        settings = ui.playlist_controls(store.liked(sid), store.disliked(sid))
    recs = model.recommend(settings.request, settings.weights, settings.config)
    with listing:
        if recs.empty:
            ui.empty_state(
                "No track fits these settings: loosen “Only tracks I have never played”.", page=None
            )
            return
        st.markdown(f"**{len(recs)} tracks · {ui.plain(settings.summary)}**")
        liked = set(settings.request.liked)
        lines = []
        for row in recs.itertuples():
            url = spotify_url(row.track_uri)
            title = f"[{ui.plain(row.track)}]({url})" if url else ui.plain(row.track)
            heart = " :material/favorite:" if row.item_id in liked else ""
            lines.append(
                f"**{row.rank}. {title}** · {ui.plain(row.artist)}{heart}  \n:gray[{ui.plain(row.reason)}]"
            )
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
