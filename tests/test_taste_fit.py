"""On-taste share and the builder's taste guard (issue 15), on tiny data with known answers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec import taste_fit as TF
from musicrec.demo import demo_workspace
from musicrec.hybrid import Hybrid
from musicrec.prompt import PromptRequest
from musicrec.prompt_playlist import PromptPlaylist
from musicrec.workspace import Workspace

ITEMS = pd.DataFrame(
    {
        S.ITEM_ID: ["a1", "a2", "b1", "z1", "c1", "d1"],
        S.ARTIST: ["Ária", "Ária", "Bee", "Zed", "Cee", "Dee"],
        S.GENRE: ["rock", "rock", "pop", pd.NA, "rock", "jazz"],
    }
)


def plays(placed_ms: int = 1000, unplaced_ms: int = 1000) -> pd.DataFrame:
    """8 plays of Ária (rock, placed), 1 of Bee (pop, placed), 3 of Zed (unplaced)."""
    rows = [("a1", "Aria", "name", placed_ms)] * 8 + [("b1", "Bee", "name", placed_ms)]
    rows += [("z1", "Zed", S.MATCH_NONE, unplaced_ms)] * 3
    return pd.DataFrame(rows, columns=[S.ITEM_ID, S.ARTIST, S.MATCH_METHOD, S.MS_PLAYED])


def test_top_genres_count_unplaced_plays_in_the_share() -> None:
    taste = TF.own_taste(Workspace(items=ITEMS, plays=plays()))
    # rock 8/12, pop 1/12 < 10 %: pop is not a top genre although it is all the rest placed
    assert taste.genres == ("rock",)
    assert taste.artists == {"aria", "bee", "zed"}  # accents folded
    assert taste.coverage == pytest.approx(9 / 12)
    assert taste.heard == {"a1", "b1", "z1"}


def test_coverage_is_a_share_of_listening_time() -> None:
    taste = TF.own_taste(Workspace(items=ITEMS, plays=plays(placed_ms=1000, unplaced_ms=9000)))
    assert taste.coverage == pytest.approx(9_000 / (9_000 + 27_000))


def test_on_taste_share_counts_new_tracks_only() -> None:
    taste = TF.own_taste(Workspace(items=ITEMS, plays=plays()))
    recs = ITEMS.iloc[[0, 1, 4, 5]]  # a1 heard; a2 by a played artist; c1 rock; d1 jazz
    share, new = TF.on_taste_share(recs, taste)
    assert new == 3
    assert share == pytest.approx(2 / 3)
    share, new = TF.on_taste_share(ITEMS.iloc[[0]], taste)
    assert new == 0 and math.isnan(share)


def test_guard_only_when_the_catalog_places_little() -> None:
    ws = Workspace(items=ITEMS, plays=plays())
    assert TF.taste_guard(ITEMS, TF.own_taste(ws)) is None  # 75 % placed
    assert TF.guard_note(TF.own_taste(ws)) is None
    low = TF.own_taste(Workspace(items=ITEMS, plays=plays(unplaced_ms=9000)))
    mask = TF.taste_guard(ITEMS, low)
    assert mask.tolist() == [True, True, True, True, True, False]  # only jazz by Dee is off
    note = TF.guard_note(low)
    assert "25%" in note and "rock" in note and "of your listening time" in note
    # Last.fm scrobbles have no durations: the share is one of plays, and said so
    scrobbles = plays().assign(**{S.MS_PLAYED: pd.array([None] * 12, dtype="Int64")})
    scrobbles[S.MATCH_METHOD] = np.where(scrobbles[S.ARTIST] == "Zed", "name", S.MATCH_NONE)
    taste = TF.own_taste(Workspace(items=ITEMS, plays=scrobbles))
    assert taste.coverage == pytest.approx(3 / 12) and taste.what == "plays"
    assert "it places 25% of your plays)" in TF.guard_note(taste)


@pytest.fixture(scope="module")
def little_coverage():
    """The demo with the catalog placing only one play in ten."""
    ws = demo_workspace()
    p = ws.plays.copy()
    unplaced = np.arange(len(p)) % 10 != 0
    p[S.MATCH_METHOD] = p[S.MATCH_METHOD].astype("string").mask(unplaced, S.MATCH_NONE)
    low = dataclasses.replace(ws, plays=p)
    return low, Hybrid().fit(low), PromptPlaylist().fit(low)


def test_builder_keeps_new_tracks_on_taste_when_coverage_is_low(little_coverage) -> None:
    _, model, pp = little_coverage
    assert pp.taste_guard_ is not None and pp.taste_note_
    recs = pp.recommend(PromptRequest(novelty=1.0), model)
    assert len(recs) > 0
    share, new = TF.on_taste_share(recs, pp.taste_)
    assert new == len(recs) and share == 1.0
    unguarded = PromptPlaylist().fit(demo_workspace())
    assert unguarded.taste_guard_ is None and unguarded.taste_note_ is None


def test_a_genre_the_prompt_names_passes_the_guard(little_coverage) -> None:
    ws, model, pp = little_coverage
    off = ws.items.loc[~TF.on_taste(ws.items, pp.taste_), S.GENRE].dropna()
    assert len(off), "the demo needs a genre outside the person's taste"
    genre = str(off.value_counts().index[0])
    recs = pp.recommend(PromptRequest(novelty=1.0, genres=(genre,)), model)
    assert (recs[S.GENRE].astype("string").str.lower() == genre.lower()).any()
