"""The builder's track list in AppTest: what it lists and its buttons.

The list is one ``components.v2`` element (:mod:`musicrec.ui.track_list`), an unknown element
to AppTest: its rows are read from the data the server sent with it, and a button press is
sent the way the browser sends it, as the component's trigger event ``act``."""

from __future__ import annotations

import json

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from musicrec.ui.track_list import ROWS_KEY


def _element(at: AppTest, key: str = "track_list"):
    def walk(node):
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else ():
            yield child
            yield from walk(child)

    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if getattr(node, "type", "") == "bidi_component" and proto.id.endswith(f"-{key}"):
            return proto
    return None


def rows(at: AppTest) -> list[dict]:
    """The rows as sent to the browser (rank, track, artist, reason, url, liked, ...); none
    when no list is drawn."""
    proto = _element(at)
    return json.loads(proto.json)["rows"] if proto is not None else []


def tracks(at: AppTest) -> list[str]:
    """Each row's first line: ``"1. Title · Artist"``."""
    return [f"{r['rank']}. {r['track']} · {r['artist']}" for r in rows(at)]


def row_ids(at: AppTest) -> list[str]:
    """Item ids of the listed tracks, in order (each place's track as the builder recorded
    it)."""
    return [at.session_state[ROWS_KEY][r["rank"]][0] for r in rows(at)]


def place(at: AppTest, item_id: str) -> int:
    """The place in the list of the track ``item_id``."""
    return row_ids(at).index(item_id) + 1


def token(at: AppTest) -> str:
    """The token of the list drawn (what its buttons send back as ``list``)."""
    return json.loads(_element(at).json)["list"]


def press(at: AppTest, rank: object, action: object, on_list: str | None = None) -> AppTest:
    """Press a row's button (``action``: like, unlike, dislike, play) on the list drawn and
    run, as the browser does: the component's ``act`` trigger, ``{"rank": rank, "action":
    action, "list": <the list's token>}``. ``action`` and ``rank`` may be anything, as a
    forged message could be; ``on_list``: pressed on the list of that token instead (one since
    replaced, :func:`token`)."""
    proto = _element(at)
    assert proto is not None, "no track list is drawn"
    state = WidgetState(id=_make_trigger_id(proto.id, "events"))
    shown = json.loads(proto.json)["list"] if on_list is None else on_list
    value = {"rank": rank, "action": action, "list": shown}
    state.json_trigger_value = json.dumps([{"event": "act", "value": value}])
    states = at._tree.get_widget_states()
    states.widgets.append(state)
    return at._run(states)
