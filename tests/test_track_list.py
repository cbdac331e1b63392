"""The builder's list: what a button's message may do, and what the browser is sent."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from musicrec.ui.track_list import act, list_token, row_data
from tests import app_rows
from tests.app_rows import press, row_ids

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LISTED = {
    1: ("a", "spotify:track:4uLU6hMCjMI75M1A2tKUQC", "Song A", "Band"),
    2: ("b", "", "B", "X"),
}
TOKEN = list_token(LISTED, set(), set())


def _run(event):
    if isinstance(event, dict):
        event = {"list": TOKEN, **event}  # pressed on the list drawn, unless it says otherwise
    done = []
    ok = act(event, LISTED, TOKEN, lambda item, value: done.append(("feedback", item, value)),
             lambda uri, track, artist: done.append(("play", uri, track, artist)))  # fmt: skip
    return ok, done


def test_each_action_acts_on_the_track_listed_at_that_place():
    assert _run({"rank": 1, "action": "like"}) == (True, [("feedback", "a", 1)])
    assert _run({"rank": 1, "action": "unlike"}) == (True, [("feedback", "a", 0)])
    assert _run({"rank": 2, "action": "dislike"}) == (True, [("feedback", "b", -1)])
    assert _run({"rank": 1, "action": "play"}) == (
        True, [("play", "spotify:track:4uLU6hMCjMI75M1A2tKUQC", "Song A", "Band")]
    )  # fmt: skip


@pytest.mark.parametrize(
    "event",
    [
        None, "like", [1, "like"], {"rank": 3, "action": "like"}, {"rank": "1", "action": "like"},
        {"rank": True, "action": "like"}, {"rank": 1.0, "action": "like"},
        {"rank": 1, "action": "delete"}, {"rank": 1}, {"action": "like"},
        {"rank": 1, "action": "like", "item_id": "someone-else's"},
        {"rank": 1, "action": "like", "list": "an earlier list"}, {"rank": 1, "action": "like", "list": None},
    ],
)  # fmt: skip
def test_a_forged_message_names_no_other_track_and_does_nothing_else(event):
    ok, done = _run(event)
    extra = isinstance(event, dict) and "item_id" in event
    assert (ok, done) == ((True, [("feedback", "a", 1)]) if extra else (False, []))


def test_a_list_is_named_by_its_tracks_in_order_and_their_likes():
    other = {1: LISTED[2], 2: LISTED[1]}
    assert list_token(LISTED, set(), set()) == TOKEN
    assert len({TOKEN, list_token(other, set(), set()), list_token(LISTED, {"a"}, set()),
                list_token(LISTED, set(), {"b"})}) == 4  # fmt: skip


def test_the_browser_gets_only_spotifys_links_and_the_texts_as_they_came():
    recs = pd.DataFrame({
        "rank": [1, 2, 3], "item_id": ["a", "b", "c"],
        "track": ["<img src=x onerror=alert(1)>", "**B**", "C"], "artist": ["A", "[x](javascript:1)", "C"],
        "reason": ["you play it", "new", ":red[x]"],
        "track_uri": ["spotify:track:4uLU6hMCjMI75M1A2tKUQC", None, "javascript:alert(1)"],
    })  # fmt: skip
    rows = row_data(recs, liked={"a"}, disliked={"b"})
    assert [r["track"] for r in rows] == list(recs.track)
    assert [(r["liked"], r["disliked"], r["playable"]) for r in rows] == [
        (True, False, True), (False, True, False), (False, False, False)
    ]  # fmt: skip
    assert rows[0]["url"] == "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    assert all(r["url"].startswith("https://open.spotify.com/") or not r["url"] for r in rows)


@pytest.mark.usefixtures("app_isolated")
def test_a_forged_press_in_the_app_changes_nothing_and_a_real_one_counts():
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/playlist.py").run()
    before = row_ids(at)
    for rank, action in [(99, "dislike"), (True, "dislike"), (1, "erase"), ("1", "dislike")]:
        press(at, rank, action)
        assert not at.exception, at.exception
        assert row_ids(at) == before
    # a press on a list since replaced (here by a slider move) does not land on the new list
    shown = app_rows.token(at)
    at.slider(key="pl_valence").set_value(0.05).run()
    moved = row_ids(at)
    assert moved != before
    press(at, 1, "dislike", on_list=shown)
    assert row_ids(at) == moved
    press(at, 1, "dislike")
    assert moved[0] not in row_ids(at) and not app_rows.rows(at)[0]["liked"]
