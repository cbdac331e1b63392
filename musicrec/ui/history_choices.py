"""The person's corrections to their history on Your data: shows set apart, a zone per period.

``podcast_section`` lists the artists taken for podcast or audiobook shows (with the
evidence, plays and hours), lets each move back to music and any music artist move out;
``zone_periods_section`` offers the zone each period of an extended history looks like it
was played in. Both keep the choice in ``state`` (and on a person's own machine with the
kept data), so every page counts and reads the clock accordingly.
"""

from __future__ import annotations

import streamlit as st

from musicrec import clock
from musicrec import schema as S
from musicrec.history.zones import country_name
from musicrec.ui import state
from musicrec.ui.widgets import table


def podcast_section() -> None:
    """ "Set apart as podcasts": the shows found and the person's own moves, each reversible."""
    from musicrec.history.podcasts import music_artists, show_choices

    up = state.uploaded()
    if state.is_demo() or up is None or up.plays.empty:
        return
    st.header("Set apart as podcasts")
    rule = state.rule()
    choices = show_choices(up.plays, up.shows, rule)
    apart = choices[choices["counted_as"] == S.KIND_PODCAST]
    if choices.empty:
        st.caption(
            "No artist in your history looks like a podcast or audiobook show. If one is, set "
            "it apart below."
        )
    else:
        shows = (
            "1 artist is counted as a podcast or audiobook show"
            if len(apart) == 1
            else f"{len(apart)} artists are counted as podcast or audiobook shows"
        )
        st.caption(
            f"{shows}: "
            f"{int(apart['plays'].sum()):,} plays, {apart['hours'].sum():,.1f} hours kept out of "
            "your music stats, engines and playlists. Move one back if it is music."
        )
        shown = choices.rename(columns={"artist": "show or artist", "hours": "hours played",
                                        "counted_as": "counted as"})  # fmt: skip
        table(shown, key="podcast_table")
    c1, c2 = st.columns(2)
    with c1:
        pick = st.selectbox("Count as music", list(apart["artist"]), index=None,
                            placeholder="a show that is music", key="pod_back_pick")  # fmt: skip
        if st.button("Move back to music", key="pod_back", disabled=pick is None):
            state.move_artist(pick, S.KIND_MUSIC)
            st.rerun()
    with c2:
        music = music_artists(up.plays, rule)
        pick = st.selectbox("Set apart as a show", music, index=None,
                            placeholder="an artist that is a show", key="pod_out_pick")  # fmt: skip
        if st.button("Set apart", key="pod_out", disabled=pick is None):
            state.move_artist(pick, S.KIND_PODCAST)
            st.rerun()


def zone_periods_section() -> None:
    """Under "Your clock": each period whose plays look like another zone, to use or not."""
    proposal = state.zone_proposal()
    if state.is_demo() or proposal is None or proposal.empty:
        return
    here = str(state.timezone())
    used = {p[:2]: p[2] for p in state.zone_periods()}
    for i, row in enumerate(proposal.itertuples(index=False)):
        zone = row.zone
        if not zone or not clock.is_timezone(zone):
            continue
        start, end = row.start.isoformat(), row.end.isoformat()
        when = clock.period_text(row.start, row.end, zone)
        if (start, end) in used:
            st.text(f"Your plays from {when} are read in {used[(start, end)]}.")
            if st.button("Read them in my zone again", key=f"zone_undo_{i}"):
                state.set_zone_period(start, end, zone, use=False)
                st.rerun()
        elif zone != here:
            st.text(
                f"Your plays from {when} look like they were in {zone} ({row.plays:,} plays "
                f"streamed from {country_name(row.country)}, short ones and podcasts included) — use it for that period?"
            )
            if st.button(f"Use {zone} for {when}", key=f"zone_use_{i}"):
                state.set_zone_period(start, end, zone, use=True)
                st.rerun()
