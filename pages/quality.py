"""Model quality: how well each engine predicts this person's listening, measured on demand."""

import streamlit as st

from musicrec import ui
from musicrec.evaluation import evaluate_history

ui.through_the_app()  # first: a page's own address on a fresh server
st.title("Model quality")
st.markdown(
    "We hide the last 20% of your listening, let every engine predict it from the first 80%, and measure "
    "how often the tracks you actually played were in its top 10. **Start of session**: what you will play when "
    "you open the app at that hour. **Continuation**: given the first two tracks of a session, what comes next. "
    "**Discovery**: which new artists you went on to play. Each engine is compared with simple rules: random, "
    "play frequency, recency, most recent, ACT-R (a memory model: every past play counts, the older the less), "
    "ACT-R at this hour of the week, and transition (what you played next after this track before)."
)
st.caption(
    "NDCG@10: how high the tracks you really played sit in the top 10 (1 = all at the top, 0 = none in it). "
    "R-precision: the share of the top N that you played, N being how many you played. Hit rate@10: how "
    "often at least one is in the top 10. Recall@10: the share of them in the top 10. MRR: 1 / the place "
    "of the first one (1 = first, 0.5 = second…)."
)
ws = ui.workspace()
if ui.require_plays(ws):
    if st.button("Measure on this data", type="primary", key="run_eval"):
        bar = st.progress(0.0, text="Starting…")
        plays, catalog, community = ui.evaluation_inputs()
        result = evaluate_history(
            plays,
            catalog=catalog,
            community=community,
            timezone=ui.timezone(),
            progress=ui.progress_callback(bar),
            rule=ui.rule(),
        )
        bar.empty()
        ui.set_quality_result(result)
    result = ui.quality_result()
    if result is None:
        ui.background_progress()
        st.info(
            "Press the button to measure (about 5-15 s on a history of 20,000 plays, about 25 s "
            "on the demo).",
            icon="⏱️",
        )
    else:
        ui.quality_result_section(result)
        for note in result.notes:
            st.warning(ui.plain(note))
        ui.starting_table(result)
