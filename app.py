"""musicrec: the Streamlit entry point. Builds navigation and the shared sidebar, nothing else."""

from pathlib import Path

import streamlit as st

from musicrec import ui
from musicrec.errors import FitFailedError

# a local icon: a Material icon would be fetched from fonts.gstatic.com (the app works offline)
st.set_page_config(
    page_title="musicrec",
    page_icon=str(Path(__file__).parent / "assets" / "favicon.png"),
    layout="wide",
)
ui.init_state()
ui.follow_this_session()  # its data leaves the server once the session is gone
ui.handle_spotify_return()
pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/your_data.py", title="Your data", icon=":material/upload_file:"),
    st.Page("pages/taste.py", title="Taste profile", icon=":material/insights:"),
    st.Page("pages/mood.py", title="Mood", icon=":material/contrast:"),
    st.Page("pages/playlist.py", title="Playlist builder", icon=":material/tune:"),
    st.Page("pages/quality.py", title="Model quality", icon=":material/science:"),
]
nav = st.navigation(pages)
ui.sidebar()
ui.tune_in_background()  # own data: tuned in the background after loading (collected here)
try:
    nav.run()
except FitFailedError as exc:  # a served fit's worker died: say so, the rest keeps working
    st.error(str(exc))
