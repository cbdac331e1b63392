"""How close recommended new tracks are to a person's own taste, and the builder's guard (issue 15).

A catalog of US/UK pop places little of a Hindi-film or regional-Mexican listener's plays;
a blend of engines then fills a list of new tracks with whatever the catalog holds. Here:

- ``own_taste(workspace)``: the artists the person plays, their top genres and how much of
  their listening the catalog places at all (``coverage``);
- ``on_taste(items, taste)``: per item, whether its artist is one the person plays or its genre
  is one of their top genres (the benchmark's "on taste");
- ``on_taste_share(recs, taste)``: the share of a list's *new* tracks (never played) that are on
  taste: NaN when the list holds no new track;
- ``taste_guard(items, taste)``: when the catalog places less than ``low_coverage`` of the
  listening time, the builder keeps only tracks the person played or new tracks on their taste,
  and ``guard_note`` says so in plain words.

A genre is one of the person's top genres when it holds at least ``min_genre_share`` of *all*
their counted plays (plays the catalog cannot place count in the denominator): a listener whose
few matched plays are pop, among mostly unplaced Hindi film music, has no "pop" top genre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.matching import normalise_name
from musicrec.workspace import Workspace


@dataclass(frozen=True)
class TasteFitConfig:
    """What counts as on taste, and when the builder leans on the person's own listening."""

    top_genres: int = 3
    """At most this many top genres."""
    min_genre_share: float = 0.10
    """A top genre holds at least this share of all counted plays (unplaced plays included)."""
    low_coverage: float = 0.5
    """Below this share of listening time placed by the catalog (track or artist), the builder
    keeps new tracks to the person's artists and top genres."""


DEFAULT_TASTE_FIT = TasteFitConfig()


@dataclass(frozen=True)
class OwnTaste:
    """A person's taste as the on-taste test reads it.

    Attributes:
        artists: normalised names (``musicrec.matching.normalise_name``) of the artists played.
        genres: top genres, most played first (lower case).
        coverage: share of listening time the catalog places (any match but "none"); 0-1.
        heard: item_ids the person played.
        what: what ``coverage`` is a share of: "listening time", or "plays" for a history
            without durations (Last.fm scrobbles).
    """

    artists: frozenset[str]
    genres: tuple[str, ...]
    coverage: float
    heard: frozenset[str]
    what: str = "listening time"


def own_taste(data: Workspace, config: TasteFitConfig = DEFAULT_TASTE_FIT) -> OwnTaste:
    """The person's artists, top genres and catalog coverage from ``data``.

    Needs ``data.plays`` with item_id, artist, match_method and ms_played (as matching gives
    them; a missing ms_played counts each play equally) and ``data.items`` with item_id and
    genre.
    """
    plays = data.plays
    if plays.empty or S.ITEM_ID not in plays:
        return OwnTaste(frozenset(), (), 0.0, frozenset())
    artists = frozenset(normalise_name(plays[S.ARTIST]).unique()) - {""}
    genre_of = data.items.set_index(S.ITEM_ID)[S.GENRE].astype("string").str.lower()
    genre = plays[S.ITEM_ID].map(genre_of)
    genre = genre[genre.notna() & (genre != "") & (genre != "unknown")]
    shares = genre.value_counts() / len(plays)
    top = tuple(shares[shares >= config.min_genre_share].index[: config.top_genres].astype(str))
    weights, what = S.listening_weights(plays)
    ms = weights.to_numpy(float)
    placed = (plays[S.MATCH_METHOD].astype("string") != S.MATCH_NONE).to_numpy(bool)
    coverage = float(ms[placed].sum() / ms.sum())
    return OwnTaste(artists, top, coverage, frozenset(plays[S.ITEM_ID].astype(str)), what)


def on_taste(items: pd.DataFrame, taste: OwnTaste) -> np.ndarray:
    """Bool per row of ``items`` (columns artist, genre): artist played or genre a top genre."""
    by_artist = normalise_name(items[S.ARTIST]).isin(taste.artists).to_numpy(bool)
    genre = items[S.GENRE].astype("string").str.lower()
    by_genre = genre.isin(list(taste.genres)).fillna(False).to_numpy(bool)
    return by_artist | by_genre


def on_taste_share(recs: pd.DataFrame, taste: OwnTaste) -> tuple[float, int]:
    """(share of the list's new tracks that are on taste, number of new tracks).

    ``recs`` has item_id, artist and genre (a ``Hybrid.recommend`` list). The share is NaN
    when no track of the list is new.
    """
    new = recs[~recs[S.ITEM_ID].astype(str).isin(taste.heard)]
    if new.empty:
        return math.nan, 0
    return float(on_taste(new, taste).mean()), len(new)


def taste_guard(
    items: pd.DataFrame, taste: OwnTaste, config: TasteFitConfig = DEFAULT_TASTE_FIT
) -> np.ndarray | None:
    """Bool per row of ``items`` the builder may recommend, or None when coverage is enough.

    When the catalog places less than ``config.low_coverage`` of the listening time, only the
    person's own tracks and new tracks on their taste (``on_taste``) stay.
    """
    if taste.coverage >= config.low_coverage:
        return None
    heard = items[S.ITEM_ID].astype(str).isin(taste.heard).to_numpy(bool)
    return heard | on_taste(items, taste)


def guard_note(taste: OwnTaste, config: TasteFitConfig = DEFAULT_TASTE_FIT) -> str | None:
    """The plain sentence the builder shows when ``taste_guard`` applies (else None)."""
    if taste.coverage >= config.low_coverage:
        return None
    genres = ", ".join(taste.genres)
    where = f"artists you play and your main genres ({genres})" if genres else "artists you play"
    return (
        f"The catalog holds little of what you listen to (it places {taste.coverage:.0%} of your "
        f"{taste.what}), so new tracks here come only from {where}; the rest of the list is "
        "your own listening. A catalog closer to your music gives more new tracks."
    )
