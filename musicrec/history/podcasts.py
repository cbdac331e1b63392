"""Podcast and audiobook shows mixed into music, recognised by what their plays look like.

Old Spotify account exports put episodes in ``StreamingHistory*.json`` with the show as
the artist and nothing else marking them. ``find_shows`` judges each such "artist" by its
plays (see ``config.ShowRules``) and ``mark_shows`` sets their plays apart as podcasts. A
person can move a misjudged artist back with ``counting.move_artist``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from musicrec import schema as S
from musicrec.config import DEFAULT_SHOWS, ShowRules

__all__ = ["SHOW_COLUMNS", "find_shows", "mark_shows"]

EPISODE_TITLE = re.compile(
    r"#\s?\d+|\b(?:ep|eps|episode|episodio|épisode|folge|bölüm|aflevering|odcinek|capítulo)\b\.?\s*\d+"
    r"|\bS\d+\s?E\d+\b|\s\|\s|\bw/\s",
    re.IGNORECASE,
)
"""Titles that look like episodes: "#112", "Ep. 3", "Episode 9", "S2E4", "Guest | Topic", "w/ Guest"."""
SHOW_NAME = re.compile(r"\bpodcast", re.IGNORECASE)
"""Artist names that say they are a show."""

SHOW_COLUMNS = ("artist", "plays", "hours", "titles", "long_titles", "reason")
"""Columns of ``find_shows``: the evidence for each artist taken for a show."""


def _unlabelled_music(plays: pd.DataFrame) -> pd.Series:
    """Plays that say music only because nothing says otherwise (no Spotify track URI)."""
    return ((plays[S.KIND] == S.KIND_MUSIC) & plays[S.TRACK_URI].isna()).fillna(False)


def find_shows(
    plays: pd.DataFrame, library_shows: Iterable[str] = (), rules: ShowRules = DEFAULT_SHOWS
) -> pd.DataFrame:
    """The artists whose plays look like a podcast or audiobook show, with the evidence.

    Args:
        plays: PLAYS (needs artist, track, ms_played, kind, track_uri).
        library_shows: show names the person follows (``YourLibrary.json`` "shows").
        rules: the thresholds.

    Returns:
        One row per show (SHOW_COLUMNS), most hours first; empty when there is none.
    """
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in SHOW_COLUMNS})
    music = plays.loc[_unlabelled_music(plays), [S.ARTIST, S.TRACK, S.MS_PLAYED]]
    music = music.dropna(subset=[S.ARTIST])
    if music.empty:
        return empty
    titles = music.groupby([S.ARTIST, S.TRACK], sort=False)[S.MS_PLAYED].max().reset_index()
    titles["long"] = (titles[S.MS_PLAYED] >= rules.long_ms).fillna(False).astype(bool)
    titles["very_long"] = (titles[S.MS_PLAYED] >= rules.very_long_ms).fillna(False).astype(bool)
    titles["episode"] = titles[S.TRACK].fillna("").str.contains(EPISODE_TITLE)
    per = titles.groupby(S.ARTIST, sort=False).agg(
        titles=(S.TRACK, "size"),
        long_titles=("long", "sum"),
        very_long=("very_long", "sum"),
        episodes=("episode", "sum"),
    )
    followed = {s.casefold() for s in library_shows if isinstance(s, str)}
    names = per.index.to_series()
    reason = pd.Series(pd.NA, index=per.index, dtype="object")
    checks = [
        (names.str.casefold().isin(followed), "a show you follow (YourLibrary.json)"),
        (names.str.contains(SHOW_NAME), "its name says podcast"),
        (
            (per["long_titles"] >= rules.min_long_titles)
            & (per["long_titles"] >= rules.min_long_share * per["titles"]),
            "most of its titles play for over {m} min",
        ),
        (
            (per["episodes"] >= 2)
            & (per["episodes"] >= rules.min_episode_share * per["titles"])
            & (per["long_titles"] >= 1),
            "its titles look like episodes",
        ),
        (
            (per["titles"] <= rules.few_titles) & (per["very_long"] >= 1),
            "a title played for over {v} min",
        ),
    ]
    for hit, why in checks:
        text = why.format(m=rules.long_ms // 60_000, v=rules.very_long_ms // 60_000)
        reason = reason.mask(hit.to_numpy(bool) & reason.isna().to_numpy(bool), text)
    shows = per[reason.notna().to_numpy(bool)]
    if shows.empty:
        return empty
    mine = music[music[S.ARTIST].isin(shows.index)]
    hours = mine.groupby(S.ARTIST)[S.MS_PLAYED].sum().astype(float) / 3_600_000
    counts = mine.groupby(S.ARTIST).size()
    out = pd.DataFrame(
        {
            "artist": shows.index.astype(str),
            "plays": counts.reindex(shows.index).to_numpy(int),
            "hours": hours.reindex(shows.index).to_numpy(float),
            "titles": shows["titles"].to_numpy(int),
            "long_titles": shows["long_titles"].to_numpy(int),
            "reason": reason[shows.index].to_numpy(object),
        }
    )
    return out.sort_values(["hours", "artist"], ascending=[False, True]).reset_index(drop=True)


def mark_shows(plays: pd.DataFrame, shows: Iterable[str]) -> pd.DataFrame:
    """A copy of ``plays`` where the unlabelled music plays of ``shows`` have kind podcast.

    Plays Spotify labelled (a track URI) keep their kind. Needs PLAYS columns artist,
    kind, track_uri.
    """
    shows = list(shows)
    if not shows:
        return plays
    hit = _unlabelled_music(plays) & plays[S.ARTIST].isin(shows).fillna(False)
    if not hit.any():
        return plays
    return plays.assign(**{S.KIND: plays[S.KIND].mask(hit, S.KIND_PODCAST)})
