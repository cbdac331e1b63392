"""The playlist builder's prompt: say the moment in words, see how it was read, take parts off.

``prompt_box()`` draws the text box and, once a prompt is read, its title, description and
one chip per reading ("rainy → valence 0.30, energy 0.32"). Pressing Enter reads the
prompt (``musicrec.prompt.parse``) from the current slider settings and moves the sliders
to what it set; clicking a chip takes those words off and reads the rest again.
``prompt_list()`` makes the list: the sliders' request plus what the sliders cannot say
(era, genres, exclusions, seed artists, not played lately, minutes, energy arc).

Session keys are owned here; pages never touch them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

import streamlit as st

from musicrec.engines.base import ACTIVITIES
from musicrec.export import playlist_title
from musicrec.prompt import PromptRequest, Reading, parse, remove_words
from musicrec.prompt_playlist import PromptPlaylist
from musicrec.ui import state
from musicrec.ui.widgets import ARCS, CUSTOM_MOOD, WEEKDAYS, PlaylistSettings, plain

if TYPE_CHECKING:
    import pandas as pd

    from musicrec.hybrid import Hybrid
    from musicrec.workspace import Workspace

TEXT_KEY = "pl_prompt"
_READING = "pl_prompt_reading"
_FITTED = "pl_prompt_fitted"
_CHIPS = "pl_prompt_chips"
_MAX_CHARS = 300


@st.cache_resource(show_spinner="Learning the demo's words…", max_entries=4)
def _demo_prompt_playlist(_ws: Workspace, rule_key: str) -> PromptPlaylist:
    return PromptPlaylist().fit(_ws)


def prompt_lookups(ws: Workspace) -> PromptPlaylist:
    """The prompt lookups of the current workspace (shared for the demo, per session else)."""
    if state.is_demo():
        return _demo_prompt_playlist(ws, repr(state.rule()))
    ss = st.session_state
    held = ss.get(_FITTED)
    if held is None or held[0] is not ws:
        with st.spinner("Learning the words of your data…"):
            ss[_FITTED] = (ws, state.fit_apart(PromptPlaylist().fit, ws))
    return ss[_FITTED][1]


def _sliders_now() -> PromptRequest:
    """What the sliders say right now, as a prompt request (comparatives move from it)."""
    ss = st.session_state
    custom = ss.get("pl_mood", CUSTOM_MOOD) == CUSTOM_MOOD
    activity = ss.get("pl_activity", "any")
    weekday = ss.get("pl_weekday")
    return PromptRequest(
        valence=ss.get("pl_valence", 0.6) if custom else None,
        energy=ss.get("pl_energy", 0.5) if custom else None,
        activity=None if activity == "any" else activity,
        hour=ss.get("pl_hour"),
        weekday=WEEKDAYS.index(weekday) if weekday in WEEKDAYS else None,
        novelty=ss.get("pl_novelty"),
    )


def _move_sliders(reading: Reading) -> None:
    """Set the sliders to what the prompt set (only the fields it changed)."""
    ss = st.session_state
    req = reading.request
    changed = reading.changed
    if {"valence", "energy"} & changed:
        ss["pl_mood"] = CUSTOM_MOOD
        if req.valence is not None:
            ss["pl_valence"] = round(float(req.valence), 2)
        if req.energy is not None:
            ss["pl_energy"] = round(float(req.energy), 2)
    if "activity" in changed and req.activity in ACTIVITIES:
        ss["pl_activity"] = req.activity
    if "hour" in changed and req.hour is not None:
        ss["pl_hour"] = int(req.hour)
    if "weekday" in changed and req.weekday is not None:
        ss["pl_weekday"] = WEEKDAYS[req.weekday]
    if "novelty" in changed and req.novelty is not None:
        ss["pl_novelty"] = round(float(req.novelty), 2)
        ss["pl_exclude"] = req.novelty >= 1.0
    if "k" in changed and req.k is not None:
        ss["pl_length"] = int(min(50, max(5, req.k)))
    if "arc" in changed:
        ss["pl_arc"] = next((label for label, arc in ARCS.items() if arc == req.arc), "as ranked")


def _read(text: str, pp: PromptPlaylist, tz: str) -> None:
    reading = parse(
        text[:_MAX_CHARS],
        current=_sliders_now(),
        vocabulary=pp.vocabulary_,
        now=dt.datetime.now(dt.UTC),
        tz=tz,
    )
    st.session_state[_READING] = reading
    _move_sliders(reading)


def _on_enter(pp: PromptPlaylist, tz: str) -> None:
    text = st.session_state.get(TEXT_KEY, "") or ""
    if text.strip():
        _read(text, pp, tz)
    else:
        st.session_state.pop(_READING, None)


def _on_chip(pp: PromptPlaylist, tz: str, chips_key: str) -> None:
    reading: Reading | None = st.session_state.get(_READING)
    if reading is None:
        return
    kept = set(st.session_state.get(chips_key) or ())
    text = reading.prompt
    for i, u in enumerate(reading.understood):
        if i not in kept:
            text = remove_words(text, u.words)
    st.session_state[TEXT_KEY] = text
    if text.strip():
        _read(text, pp, tz)
    else:
        st.session_state.pop(_READING, None)


def prompt_box(pp: PromptPlaylist) -> Reading | None:
    """The prompt text box, and the reading as title, description and removable chips.

    Args:
        pp: the workspace's prompt lookups (:func:`prompt_lookups`).

    Returns:
        The current reading, or None when there is no prompt.
    """
    tz = state.timezone()
    st.text_input(
        "Say the moment in words",
        key=TEXT_KEY,
        max_chars=_MAX_CHARS,
        placeholder="e.g. sad rainy night, 90s, no rap, 45 minutes",
        help="Press Enter. Mood, activity, time, era, genres, artists, new or familiar, length.",
        on_change=_on_enter,
        args=(pp, tz),
    )
    reading: Reading | None = st.session_state.get(_READING)
    if reading is None:
        return None
    st.markdown(f"**{plain(reading.title)}** · {plain(reading.description)}")
    if reading.understood:
        chips_key = f"{_CHIPS}_{abs(hash((reading.prompt, reading.understood)))}"
        labels = [f"{u.words} → {u.set}" for u in reading.understood]
        st.pills(
            "How it read you (click a chip to take it off)",
            options=list(range(len(labels))),
            format_func=lambda i: plain(labels[i]),
            selection_mode="multi",
            default=list(range(len(labels))),
            key=chips_key,
            on_change=_on_chip,
            args=(pp, tz, chips_key),
        )
    return reading


def prompt_list(
    settings: PlaylistSettings, reading: Reading | None, model: Hybrid, pp: PromptPlaylist
) -> pd.DataFrame:
    """The list for the controls plus what only the prompt can ask for.

    Without a prompt it is the controls' own list (the same tracks as ``model.recommend``),
    ordered by the energy-arc control; every list gets reasons from its own evidence."""
    req, cfg = settings.request, settings.config
    extra = reading.request if reading is not None and reading.understood else PromptRequest()
    merged = dataclasses.replace(
        extra,
        valence=req.valence,
        energy=req.energy,
        activity=req.activity,
        hour=req.hour,
        weekday=req.weekday,
        novelty=1.0 if cfg.exclude_heard else cfg.novelty,
        k=None if extra.length_minutes is not None else cfg.k,
        arc=settings.arc,
    )
    return pp.recommend(merged, model, settings.weights, cfg, request=req)


def taste_caption(pp: PromptPlaylist) -> None:
    """When the catalog holds little of what the person listens to: say that new tracks are
    kept to their own artists and genres (``musicrec.taste_fit``); nothing otherwise."""
    if pp.taste_note_:
        st.caption(plain(pp.taste_note_))


def list_title(settings: PlaylistSettings, reading: Reading | None) -> str:
    """The playlist's name: the prompt's daylist title when it read something, else one
    from the controls ("musicrec: chill, relax, 23:00"). Exports are named after it."""
    if reading is not None and reading.understood:
        return reading.title
    req = settings.request
    return playlist_title(req.mood or "custom", req.activity, req.hour)
