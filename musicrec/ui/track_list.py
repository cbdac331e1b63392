"""The builder's list as one element: each track's line, reason, Spotify link and buttons
drawn by a few lines of JavaScript (a Streamlit ``components.v2`` component, in the page's
own DOM and theme), instead of five Streamlit elements a track.

Why: every slider move brings a new list. As Streamlit elements (a container, the text, a row
of two or three buttons, per track: 100 of the builder's 170 elements) the list was most of
what the server built and sent and most of what the browser's React tree reconciled on each
move. One element: on the demo, one Chromium, valence moves, renderer CPU per move 260 ->
150 ms, the server's 70 -> 50 ms, key press to new list 197 -> 136 ms (medians of 12).

Safe with untrusted text: titles, artists and reasons are set as ``textContent``, never as
HTML or Markdown; the only links are Spotify's (made by ``musicrec.export``, checked again in
the browser). A button sends back only its place in the list, what it asks (``like``,
``unlike``, ``dislike``, ``play``) and which list it was on; the server maps the place to the
track it listed there (:data:`ROWS_KEY`), so a forged message can name no other item, and a
press on a list already replaced (a click while a slider's new list is on its way) is
dropped instead of landing on the track now at that place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from musicrec.ui import state

ROWS_KEY = "pl_rows"
"""Session key: place in the list (1, 2, ...) -> (item id, track URI, track, artist) of the
list last drawn."""
LIST_KEY = "pl_list"
"""Session key: the token of the list last drawn (:func:`list_token`)."""
ACTIONS = ("like", "unlike", "dislike", "play")

_ICONS = {  # Material Design icons (Apache 2.0), 24 x 24
    "like": "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06"
    "L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05"
    "c.09-.23.14-.47.14-.73v-2z",
    "dislike": "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2"
    "h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5"
    "c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
    "play": "M8 5v14l11-7z",
    "liked": "M12 21.35l-1.45-1.32C5.4 15.36 2 12.28 2 8.5 2 5.42 4.42 3 7.5 3c1.74 0 3.41.81 4.5"
    " 2.09C13.09 3.81 14.76 3 16.5 3 19.58 3 22 5.42 22 8.5c0 3.78-3.4 6.86-8.55 11.54L12 21.35z",
}

_CSS = """
.mr-list { display: flex; flex-direction: column; gap: 0.75rem; }
.mr-row { display: flex; flex-direction: column; gap: 0.25rem; }
.mr-line { line-height: 1.5; overflow-wrap: anywhere; }
.mr-title { font-weight: 600; }
.mr-reason { opacity: 0.8; }
.mr-row a { color: var(--st-link-color, var(--st-primary-color)); }
.mr-buttons { display: flex; gap: 0.5rem; }
.mr-buttons button {
  display: inline-flex; align-items: center; justify-content: center;
  min-height: 2.5rem; min-width: 2.5rem; padding: 0 0.75rem; border-radius: 0.5rem;
  border: 1px solid var(--st-border-color, rgba(128, 128, 128, 0.4));
  background: transparent; color: inherit; cursor: pointer;
}
.mr-buttons button:hover { border-color: var(--st-primary-color); }
.mr-buttons button:focus-visible { outline: 2px solid var(--st-primary-color); }
.mr-buttons button[aria-pressed="true"] {
  background: var(--st-primary-color); border-color: var(--st-primary-color); color: #fff;
}
.mr-row svg { width: 1.1rem; height: 1.1rem; fill: currentColor; vertical-align: -0.15rem; }
"""

_JS = (
    f"const ICONS = {json.dumps(_ICONS)};\n"
    + """
const SPOTIFY = /^https:\\/\\/open\\.spotify\\.com\\//;
function icon(path) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', path);
  svg.appendChild(p);
  return svg;
}
function text(tag, cls, value) {
  const e = document.createElement(tag);
  e.className = cls;
  e.textContent = value;
  return e;
}
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let list = parentElement.querySelector('.mr-list');
  if (!list) {
    list = document.createElement('div');
    list.className = 'mr-list';
    parentElement.appendChild(list);
  }
  const rows = data.rows.map((r) => {
    const row = document.createElement('div');
    row.className = 'mr-row';
    row.dataset.rank = r.rank;
    const line = document.createElement('div');
    line.className = 'mr-line';
    line.append(text('span', 'mr-title', `${r.rank}. ${r.track}`), ` · ${r.artist}`);
    if (r.liked) {
      const mark = icon(ICONS.liked);
      mark.setAttribute('aria-hidden', 'false');
      mark.setAttribute('role', 'img');
      mark.setAttribute('aria-label', 'liked');
      line.append(' ', mark);
    }
    line.append(document.createElement('br'), text('span', 'mr-reason', r.reason));
    if (r.url && SPOTIFY.test(r.url)) {
      const a = text('a', 'mr-link', r.link_label);
      a.href = r.url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      line.append(' · ', a);
    }
    const buttons = document.createElement('div');
    buttons.className = 'mr-buttons';
    const button = (act, path, label, pressed) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `mr-${act}`;
      b.title = label;
      b.setAttribute('aria-label', label);
      if (pressed !== undefined) b.setAttribute('aria-pressed', pressed ? 'true' : 'false');
      b.appendChild(icon(path));
      b.onclick = () => setTriggerValue('act', {
        rank: r.rank, action: act === 'like' && pressed ? 'unlike' : act, list: data.list });
      buttons.appendChild(b);
    };
    button('like', ICONS.like, 'More like this', r.liked);
    button('dislike', ICONS.dislike, 'Never again', r.disliked);
    if (r.playable) button('play', ICONS.play, "Play it here (Spotify's player)");
    row.append(line, buttons);
    return row;
  });
  // a new list replaces the rows: a keyboard user keeps their place (same row, same button)
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const place = focused && focused.closest('.mr-row');
  list.replaceChildren(...rows);
  if (place) {
    const again = list.querySelector(`.mr-row[data-rank="${place.dataset.rank}"] .${focused.className}`);
    if (again) again.focus();
  }
}
"""
)


def row_data(recs: pd.DataFrame, liked: set[str], disliked: set[str]) -> list[dict]:
    """The rows as the list draws them (plain values; the text is set as text, not HTML)."""
    from musicrec.demo import DEMO_URI_PREFIX
    from musicrec.export import spotify_search_url, spotify_url

    demo = state.is_demo()
    out = []
    for row in recs.itertuples():
        uri = _uri(row)
        track_url = spotify_url(uri)
        url, label = track_url, "Open in Spotify ↗"
        if not url and not uri.startswith(DEMO_URI_PREFIX) and not demo:
            url, label = spotify_search_url(row.artist, row.track), "Search on Spotify ↗"
        out.append({
            "rank": int(row.rank), "track": str(row.track), "artist": str(row.artist),
            "reason": str(row.reason), "url": url or "", "link_label": label,
            "liked": row.item_id in liked, "disliked": row.item_id in disliked,
            "playable": bool(track_url),
        })  # fmt: skip
    return out


def _uri(row: object) -> str:
    """A recommendation row's track URI, "" when it has none (NA)."""
    uri = getattr(row, "track_uri", None)
    return uri if isinstance(uri, str) else ""


def track_list(
    recs: pd.DataFrame,
    liked: set[str],
    disliked: set[str],
    on_feedback: Callable[[str, int], None],
    on_play: Callable[[str, str, str], None],
    key: str = "track_list",
) -> None:
    """The list (needs rank, track, artist, reason, track_uri, item_id). A like asks for more
    like it (``on_feedback(item_id, 1)``; on a liked track: ``0``, undone), a dislike for
    never again (``-1``); play calls ``on_play(uri, track, artist)``.

    The component is declared on every run (the same definition again is a no-op): the
    registry belongs to the runtime, and each AppTest has its own."""
    component = st.components.v2.component(
        "musicrec_track_list", css=_CSS, js=_JS, isolate_styles=False
    )

    ss = st.session_state

    def _act() -> None:
        act(ss[key].get("act"), ss.get(ROWS_KEY, {}), ss.get(LIST_KEY, ""), on_feedback, on_play)

    ss[ROWS_KEY] = {
        int(r.rank): (r.item_id, _uri(r), str(r.track), str(r.artist)) for r in recs.itertuples()
    }  # fmt: skip
    ss[LIST_KEY] = list_token(ss[ROWS_KEY], liked, disliked)
    data = {"rows": row_data(recs, liked, disliked), "list": ss[LIST_KEY]}
    component(key=key, data=data, on_act_change=_act)


def list_token(
    listed: dict[int, tuple[str, str, str, str]], liked: set[str], disliked: set[str]
) -> str:
    """A short name for one drawn list: its tracks in order and which of them are liked or
    disliked (a like's button means "unlike" once the row shows it liked)."""
    parts = [
        f"{rank}:{row[0]}:{row[0] in liked:d}{row[0] in disliked:d}" for rank, row in listed.items()
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def act(
    event: object,
    listed: dict[int, tuple[str, str, str, str]],
    token: str,
    on_feedback: Callable[[str, int], None],
    on_play: Callable[[str, str, str], None],
) -> bool:
    """Carry out one button's message ``{"rank": 3, "action": "like", "list": token}`` on the
    track ``listed`` at that place (:data:`ROWS_KEY`), when it was pressed on that list
    (``token``, :data:`LIST_KEY`). Anything else (another shape, an unknown action, a place
    not listed, a list since replaced) is ignored: False."""
    if not isinstance(event, dict) or event.get("action") not in ACTIONS:
        return False
    if not token or event.get("list") != token:
        return False
    rank = event.get("rank")
    if not isinstance(rank, int) or isinstance(rank, bool) or rank not in listed:
        return False
    item_id, uri, track, artist = listed[rank]
    if event["action"] == "play":
        on_play(uri, track, artist)
    else:
        on_feedback(item_id, {"like": 1, "unlike": 0, "dislike": -1}[event["action"]])
    return True
