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
from musicrec.config import DEFAULT_SHOWS, CountingRule, ShowRules
from musicrec.history.counting import kinds_under_rule

__all__ = [
    "CHOICE_COLUMNS",
    "SHOW_COLUMNS",
    "find_shows",
    "mark_shows",
    "music_artists",
    "show_choices",
]

EPISODE_TITLE = re.compile(
    r"#\s?\d+|\b(?:ep|eps|episode|episodio|épisode|folge|bölüm|aflevering|odcinek|capítulo)\b\.?\s*\d+"
    r"|\bS\d+\s?E\d+\b|\s\|\s|\bw/\s|\bPt\.\s?\d+",
    re.IGNORECASE,
)
"""Titles that look like episodes: "#112", "Ep. 3", "Episode 9", "S2E4", "Guest | Topic", "w/ Guest",
"The Moonies Pt. 1"."""
EPISODE_SUBTITLE = re.compile(
    r"^(?![^:]*\b(?:no|nr|op|bwv|hob|kv?|rv|d|woo|act|acte|akt|symphony|sinfonie|sonata|concerto"
    r"|suite|mass|requiem|opus|movement|mvt|part|interlude|intro|outro|remix|mix|live)\b)"
    r"[^:]{2,80}:\s+(?![IVXLC]+\.?\s)\S",
    re.IGNORECASE,
)
"""Titles with a topic and a subtitle, like episodes ("Hello, World: Programming Languages"),
but not a work and its movement ("Symphony No. 9, Op. 125: IV. Presto") or an intro."""
SHOW_NAME = re.compile(r"\bpodcast", re.IGNORECASE)
"""Artist names that say they are a show."""

SHOW_COLUMNS = ("artist", "plays", "hours", "titles", "long_titles", "reason", "episodes")
"""Columns of ``find_shows``: the evidence for each artist taken for a show; ``episodes`` is
empty when all of its plays are the show's, else the titles that are (a band and a show
sharing one name: only the long, episode-like titles are set apart)."""
CHOICE_COLUMNS = ("artist", "plays", "hours", "why", "counted_as")
"""Columns of ``show_choices``: each artist set apart (or moved back), as a person decides."""
MOVED_OUT = "you set it apart"


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
    text = titles[S.TRACK].fillna("")
    titles["episode"] = text.str.contains(EPISODE_TITLE)
    titles["subtitled"] = titles["episode"] | text.str.contains(EPISODE_SUBTITLE)
    per = titles.groupby(S.ARTIST, sort=False).agg(
        titles=(S.TRACK, "size"),
        long_titles=("long", "sum"),
        very_long=("very_long", "sum"),
        episodes=("episode", "sum"),
        subtitled=("subtitled", "sum"),
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
        (
            (per["titles"] <= rules.few_titles)
            & (per["long_titles"] >= 1)
            & (per["subtitled"] == per["titles"]),
            "its titles look like episodes",
        ),
    ]
    for hit, why in checks:
        text = why.format(m=rules.long_ms // 60_000, v=rules.very_long_ms // 60_000)
        reason = reason.mask(hit.to_numpy(bool) & reason.isna().to_numpy(bool), text)
    # A band and a show under one name (the band Cults, the podcast "Cults"): an artist not
    # taken for a show whose long titles include a few that look like episodes gives up those.
    whole = reason.notna().to_numpy(bool)
    candidates = titles[titles["long"] & titles["subtitled"]
                        & ~titles[S.ARTIST].isin(per.index[whole])]  # fmt: skip
    picked = {
        artist: tuple(str(t) for t in group[S.TRACK])
        for artist, group in candidates.groupby(S.ARTIST, sort=False)
        if len(group) >= rules.min_episode_titles
    }
    for artist, eps in picked.items():
        reason[artist] = f"{len(eps)} long titles look like episodes (its other titles stay music)"
    shows = per[reason.notna().to_numpy(bool)]
    if shows.empty:
        return empty
    episodes = pd.Series([picked.get(a, ()) for a in shows.index], index=shows.index)
    mine = music[_in_shows(music, shows.index, episodes)]
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
            "episodes": episodes.to_numpy(object),
        }
    )
    return out.sort_values(["hours", "artist"], ascending=[False, True]).reset_index(drop=True)


def _in_shows(plays: pd.DataFrame, artists: Iterable[str], episodes: pd.Series) -> pd.Series:
    """Per play: True when it belongs to one of ``artists``' shows (all its plays, or only
    the titles ``episodes[artist]`` lists when that is not empty)."""
    artists = list(artists)
    hit = plays[S.ARTIST].isin(artists).fillna(False).astype(bool)
    partial = {a: set(t) for a, t in episodes.items() if len(t)}
    if partial and hit.any():
        for artist, titles in partial.items():
            own = (plays[S.ARTIST] == artist).fillna(False).astype(bool)
            hit &= ~own | plays[S.TRACK].isin(list(titles)).fillna(False).astype(bool)
    return hit


def mark_shows(plays: pd.DataFrame, shows: pd.DataFrame | Iterable[str]) -> pd.DataFrame:
    """A copy of ``plays`` where the unlabelled music plays of ``shows`` have kind podcast.

    ``shows`` is ``find_shows``' table (an artist with ``episodes`` gives up only those
    titles) or artist names (all of their plays). Plays Spotify labelled (a track URI) keep
    their kind. Needs PLAYS columns artist, track, kind, track_uri.
    """
    if isinstance(shows, pd.DataFrame):
        names = list(shows["artist"])
        episodes = (
            pd.Series(list(shows["episodes"]), index=names)
            if "episodes" in shows.columns
            else pd.Series([()] * len(names), index=names, dtype=object)
        )
    else:
        names = list(shows)
        episodes = pd.Series([()] * len(names), index=names, dtype=object)
    if not names:
        return plays
    hit = _unlabelled_music(plays) & _in_shows(plays, names, episodes.map(_titles))
    if not hit.any():
        return plays
    return plays.assign(**{S.KIND: plays[S.KIND].mask(hit, S.KIND_PODCAST)})


def _titles(value: object) -> tuple:
    """``episodes`` as a tuple of titles (a list or array after a Parquet round trip; None: all)."""
    if value is None or isinstance(value, float):
        return ()
    return tuple(str(t) for t in value)


def show_choices(plays: pd.DataFrame, shows: pd.DataFrame, rule: CountingRule) -> pd.DataFrame:
    """The artists taken for shows at load and those the person moved, with how each counts now.

    Args:
        plays: PLAYS as loaded (needs artist, ms_played, kind).
        shows: ``find_shows``' table of the load (``IngestResult.shows``).
        rule: the counting rule with the person's moves (``music_artists``, ``show_artists``).

    Returns:
        CHOICE_COLUMNS, one row per artist: its plays and hours, why it was set apart (the
        evidence, or ``MOVED_OUT``) and ``counted_as`` "podcast" or "music"; shows found at
        load first (most hours first), then the person's own moves.
    """
    found = [a for a in shows["artist"] if isinstance(a, str)]
    why = dict(zip(shows["artist"], shows["reason"], strict=True))
    names = found + [a for a in rule.show_artists if a not in why]
    if not names:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CHOICE_COLUMNS})
    mine = plays.loc[
        plays[S.ARTIST].isin(names).fillna(False).to_numpy(bool), [S.ARTIST, S.MS_PLAYED]
    ]
    ms = mine[S.MS_PLAYED].astype("Float64").fillna(0).astype(float)
    hours = (ms / 3_600_000).groupby(mine[S.ARTIST].to_numpy()).sum()
    counts = mine.groupby(S.ARTIST).size()
    moved = set(rule.show_artists)
    for artist, n, h in zip(shows["artist"], shows["plays"], shows["hours"], strict=True):
        if artist not in moved:  # found at load: the show's own plays (maybe some titles only)
            counts[artist], hours[artist] = int(n), float(h)
    music = set(rule.music_artists)
    return pd.DataFrame(
        {
            "artist": names,
            "plays": [int(counts.get(a, 0)) for a in names],
            "hours": [float(hours.get(a, 0.0)) for a in names],
            "why": [why.get(a, MOVED_OUT) for a in names],
            "counted_as": [S.KIND_MUSIC if a in music else S.KIND_PODCAST for a in names],
        }
    )


def music_artists(plays: pd.DataFrame, rule: CountingRule, limit: int = 500) -> list[str]:
    """The artists whose plays count as music under ``rule``, most plays first (at most ``limit``).

    Needs PLAYS columns artist, kind (the person's moves in ``rule`` applied).
    """
    kind = kinds_under_rule(plays, rule)
    artists = plays.loc[(kind == S.KIND_MUSIC).fillna(False).to_numpy(bool), S.ARTIST].dropna()
    return [str(a) for a in artists.value_counts().index[:limit]]
