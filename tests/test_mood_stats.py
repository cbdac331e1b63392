"""Mood analytics of the Mood page, on tiny items with a known right answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.engines.base import MOODS
from musicrec.mood_stats import (
    circumplex_points,
    item_moods,
    mood_by,
    mood_distribution,
    with_features,
    words_by_month,
)

# a party track, a melancholic track, and one without features
ITEMS = pd.DataFrame(
    {
        S.ITEM_ID: ["party", "sad", "unknown"],
        S.TRACK: ["Dance all night", "Grey rain", "Mystery"],
        S.ARTIST: ["A", "B", "C"],
        S.VALENCE: [0.75, 0.15, np.nan],
        S.ENERGY: [0.82, 0.28, np.nan],
        S.DANCEABILITY: [0.88, 0.30, np.nan],
        S.ACOUSTICNESS: [0.05, 0.60, np.nan],
        S.TEMPO: [124.0, 80.0, np.nan],
        S.INSTRUMENTALNESS: [0.0, 0.05, np.nan],
        S.SPEECHINESS: [0.05, 0.04, np.nan],
        S.LIVENESS: [0.1, 0.1, np.nan],
        S.LOUDNESS: [-5.0, -12.0, np.nan],
        S.TAGS: ["", "", ""],
    }
)
PLAYS = pd.DataFrame(
    {
        S.TS: pd.to_datetime(
            ["2024-01-01 22:00", "2024-01-01 22:30", "2024-02-01 08:00", "2024-02-01 09:00"],
            utc=True,
        ),
        S.ITEM_ID: ["party", "party", "sad", "unknown"],
        S.ARTIST: ["A", "A", "B", "C"],
    }
)


def test_with_features_keeps_plays_of_known_items_and_says_their_share():
    kept, share = with_features(PLAYS, ITEMS)
    assert kept[S.ITEM_ID].tolist() == ["party", "party", "sad"] and share == pytest.approx(0.75)
    assert with_features(PLAYS.head(0), ITEMS)[1] == 0.0


def test_the_top_mood_of_each_track_is_the_one_it_was_built_for():
    moods = item_moods(ITEMS, PLAYS[S.ITEM_ID])
    assert moods.loc["party", "mood"] == "party" and moods.loc["sad", "mood"] == "melancholic"
    assert np.allclose(moods.loc[["party", "sad"], list(MOODS)].sum(axis=1), 1.0)
    assert pd.isna(moods.loc["unknown", "mood"])  # no features: no mood, and no error


def test_mood_distribution_weighs_each_play():
    kept, _ = with_features(PLAYS, ITEMS)
    dist = mood_distribution(kept, ITEMS).set_index("mood")["share"]
    assert dist.sum() == pytest.approx(1.0)
    assert dist.idxmax() == "party"  # two of the three plays


def test_circumplex_points_are_distinct_items_most_played_first():
    kept, _ = with_features(PLAYS, ITEMS)
    pts = circumplex_points(kept, ITEMS)
    assert pts[S.ITEM_ID].tolist() == ["party", "sad"] and pts["plays"].tolist() == [2, 1]


def test_mood_by_hour_uses_the_hours_it_is_given():
    kept, _ = with_features(PLAYS, ITEMS)
    hourly = mood_by(kept, ITEMS, "hour")
    assert sorted(hourly["hour"].unique()) == [8, 22]
    shifted = kept.assign(**{S.TS: kept[S.TS].dt.tz_convert("America/Mexico_City")})
    assert sorted(mood_by(shifted, ITEMS, "hour")["hour"].unique()) == [2, 16]
    with pytest.raises(ValueError, match="hour"):
        mood_by(kept, ITEMS, "weekday")


def test_words_by_month_weighs_each_play_of_a_title():
    plays = PLAYS.assign(**{S.ITEM_ID: ["party", "party", "sad", "sad"]})
    items = ITEMS.assign(**{S.TRACK: ["I love this happy day", "Sad lonely death", "x"]})
    out = words_by_month(plays, items)
    assert out["plays"].tolist() == [2, 2]
    jan, feb = out["sentiment"].tolist()
    assert jan > 0.5 and feb < -0.5  # January: two bright plays; February: two gloomy ones
    assert words_by_month(plays.head(0), items).empty
