"""Playlist builder: the controls regenerate the list live; like/dislike re-ranks; export."""

import streamlit as st

from musicrec import ui

ui.through_the_app()  # first: a page's own address on a fresh server
st.title("Playlist builder")
ws = ui.workspace()
if ws.items.empty:
    ui.empty_state(
        "There is nothing to recommend yet: load your history (and a catalog) on “Your data”."
    )
    st.stop()
model = ui.hybrid()
words = ui.prompt_lookups(ws)
store = ui.feedback_store()
sid = ui.session_id()


def _feedback(item_id: str, value: int) -> None:
    store.record(sid, item_id, value)


@st.fragment
def builder() -> None:
    reading = ui.prompt_box(words)
    controls, listing = st.columns([1, 2.2])
    with controls:
        settings = ui.playlist_controls(store.liked(sid), store.disliked(sid))
        ui.control_reach_caption(ws, model, settings)
        ui.taste_caption(words)
    recs = ui.prompt_list(settings, reading, model, words)
    with listing:
        if recs.empty:
            ui.empty_state(
                "No track fits these settings: take a chip off the prompt, or loosen “Only tracks"
                " I have never played”.",
                page=None,
            )
            return
        title = ui.list_title(settings, reading)
        st.markdown(f"**{len(recs)} tracks · {ui.plain(settings.summary)}**")
        ui.player()
        liked, disliked = set(settings.request.liked), set(settings.request.disliked)
        ui.track_list(recs, liked, disliked, _feedback, ui.play_here)
        ui.energy_chart(recs)  # under the list: on a phone the tracks come first
        ui.contributions(recs, {n: e.label for n, e in model.engines_.items()})
        *formats, e4 = st.columns(4)
        ui.export_buttons(recs, title, formats)
        ui.save_to_spotify_button(recs, title)
        if e4.button("Clear feedback", key="clear_feedback"):
            store.clear(sid)
            st.rerun(scope="fragment")


builder()
