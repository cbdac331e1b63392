"""Persistence refusals, the SQLite feedback store, the demo generator, taste analytics."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.errors import ModelFileError
from musicrec.feedback import FeedbackStore
from musicrec.persistence import fingerprint, load_model, save_model


def test_model_round_trip_and_every_refusal(tmp_path):
    frame = pd.DataFrame({"a": [1, 2]})
    fp = fingerprint(frame)
    save_model({"w": [1, 2, 3]}, "m", config={"l2": 1}, data_fingerprint=fp, models_dir=tmp_path)
    assert load_model("m", config={"l2": 1}, data_fingerprint=fp, models_dir=tmp_path) == {
        "w": [1, 2, 3]
    }
    with pytest.raises(ModelFileError, match="another configuration"):
        load_model("m", config={"l2": 2}, data_fingerprint=fp, models_dir=tmp_path)
    with pytest.raises(ModelFileError, match="stale"):
        load_model(
            "m",
            config={"l2": 1},
            data_fingerprint=fingerprint(pd.DataFrame({"a": [3]})),
            models_dir=tmp_path,
        )
    with pytest.raises(ModelFileError, match="no saved model"):
        load_model("other", config={}, data_fingerprint=fp, models_dir=tmp_path)
    with pytest.raises(ModelFileError, match="must be letters"):
        load_model("../escape", config={}, data_fingerprint=fp, models_dir=tmp_path)
    header = tmp_path / "m.json"
    meta = json.loads(header.read_text())
    header.write_text(json.dumps({**meta, "model_format": 1}))  # saved by an older layout
    with pytest.raises(ModelFileError, match="model format 1"):
        load_model("m", config={"l2": 1}, data_fingerprint=fp, models_dir=tmp_path)
    header.write_text(json.dumps(meta))
    (tmp_path / "m.joblib").write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")  # a foreign pickle
    with pytest.raises(ModelFileError, match="refusing to unpickle"):
        load_model("m", config={"l2": 1}, data_fingerprint=fp, models_dir=tmp_path)
    header.write_text("not json")
    with pytest.raises(ModelFileError, match="not musicrec's JSON"):
        load_model("m", config={"l2": 1}, data_fingerprint=fp, models_dir=tmp_path)


def test_feedback_is_per_session_latest_wins_and_persists(tmp_path):
    path = tmp_path / "fb.sqlite3"
    store = FeedbackStore(path)
    store.record("alice", "t1", 1)
    store.record("alice", "t2", -1)
    store.record("bob", "t3", 1)
    time.sleep(0.01)
    store.record("alice", "t1", -1)
    assert store.liked("alice") == () and store.disliked("alice") == ("t2", "t1")
    assert store.liked("bob") == ("t3",) and store.disliked("bob") == ()
    reopened = FeedbackStore(path)
    assert reopened.disliked("alice") == ("t2", "t1")
    reopened.record("alice", "t2", 0)
    assert reopened.disliked("alice") == ("t1",)
    reopened.clear("alice")
    assert reopened.disliked("alice") == () and reopened.liked("bob") == ("t3",)
    with pytest.raises(ValueError):
        store.record("alice", "t1", 5)


@pytest.fixture(scope="module")
def demo():
    from musicrec.demo import generate

    return generate()


def test_demo_is_deterministic_and_large_enough(demo):
    from musicrec.demo import generate

    again = generate()
    pd.testing.assert_frame_equal(demo.plays, again.plays)
    pd.testing.assert_frame_equal(demo.catalog, again.catalog)
    assert len(demo.catalog) >= 5000 and demo.catalog[S.GENRE].nunique() >= 12
    assert demo.plays[S.TS].max() - demo.plays[S.TS].min() > pd.Timedelta(days=700)
    assert demo.community[S.USER].nunique() >= 300
    assert list(demo.plays.columns) == list(S.PLAYS_COLUMNS)
    assert dict(demo.plays.dtypes) == dict(S.empty_plays().dtypes)


def test_demo_genres_have_typical_sound(demo):
    means = demo.catalog.groupby(S.GENRE)[[S.ENERGY, S.ACOUSTICNESS, S.DANCEABILITY]].mean()
    assert means.loc["metal", S.ENERGY] > means.loc["ambient", S.ENERGY] + 0.5
    assert means.loc["classical", S.ACOUSTICNESS] > means.loc["edm", S.ACOUSTICNESS] + 0.5


def test_demo_listener_has_daily_and_weekly_rhythms(demo):
    plays = demo.plays.merge(demo.catalog[[S.TRACK_ID, S.ENERGY, S.GENRE]],
                             left_on=demo.plays[S.TRACK_URI].str.rsplit(":", n=1).str[1], right_on=S.TRACK_ID)  # fmt: skip
    hour = plays[S.TS].dt.hour
    assert (
        plays.loc[hour.isin([7, 8, 9]), S.ENERGY].mean()
        > plays.loc[hour.isin([23, 0, 1]), S.ENERGY].mean() + 0.1
    )
    weekend_night = plays[(plays[S.TS].dt.day_of_week >= 4) & hour.isin([22, 23])]
    assert weekend_night[S.GENRE].isin(["reggaeton", "house", "pop", "hip-hop", "edm"]).mean() > 0.6
    workouts = plays[plays[S.TS].dt.day_of_week.isin([0, 2, 4]) & (hour == 18)]
    assert workouts[S.ENERGY].mean() > 0.75


def test_demo_sessions_and_discoveries_are_shaped_like_real_listening(demo):
    plays = demo.plays
    session = (plays[S.TS].diff() > pd.Timedelta(minutes=30)).cumsum()
    same_artist = (plays[S.ARTIST] == plays[S.ARTIST].shift()) & (session == session.shift())
    assert same_artist.mean() > 0.15  # album runs
    playlists = demo.library[demo.library[S.LIB_KIND] == "playlist"]
    assert plays[S.TRACK_URI].isin(playlists[S.TRACK_URI]).mean() > 0.1  # own playlists
    first = plays.groupby(S.ARTIST)[S.TS].min()
    last_months = first > plays[S.TS].max() - pd.Timedelta(days=150)
    assert 10 <= last_months.sum() <= 60  # artists keep being found


def test_taste_analytics_on_tiny_plays():
    from musicrec import taste

    ts = pd.to_datetime(
        ["2023-01-05 08:00", "2023-01-05 09:00", "2024-06-01 22:00", "2024-06-02 22:00"], utc=True
    )
    plays = pd.DataFrame({S.TS: ts, S.ARTIST: ["A", "A", "B", "A"], S.TRACK: ["x", "x", "y", "z"],
                          S.ALBUM: ["X", "X", pd.NA, "Z"], S.MS_PLAYED: pd.array([60_000, 60_000, 120_000, pd.NA], dtype="Int64"),
                          S.SKIPPED: pd.array([True, False, pd.NA, pd.NA], dtype="boolean")})  # fmt: skip
    top = taste.top_artists(plays, 2)
    assert list(top[S.ARTIST]) == ["A", "B"] and top["plays"].tolist() == [3, 1]
    assert (
        taste.top_artists(plays, 1, by="minutes")[S.ARTIST].iloc[0] == "A"
    )  # 1+1+3.5 unknown vs 2 min
    clock = taste.listening_clock(plays)
    assert clock.shape == (7, 24) and clock.loc["Thu", 8] == 1 and clock.to_numpy().sum() == 4
    stats = taste.summary_stats(
        taste.filter_period(plays, "2024-01-01", None), before=plays[plays[S.TS] < "2024-01-01"]
    )
    assert stats["plays"] == 2 and stats["discovery_rate"] == 0.5 and stats["skip_rate"] is None
    assert taste.summary_stats(plays)["skip_rate"] == 0.5
    assert taste.forgotten_favourites(plays).empty  # nothing played 3+ times long ago
    otd = taste.on_this_day(plays, pd.Timestamp("2024-01-05"))
    assert otd[["year", S.TRACK]].to_numpy().tolist() == [[2023, "x"]]
    assert list(taste.top_albums(plays)[S.ALBUM]) == ["X", "Z"]


def test_artist_preference_formula():
    from musicrec.engines.features import artist_preference

    items = pd.DataFrame({S.ITEM_ID: ["a1", "b1"], S.DURATION_MS: [100_000.0, 100_000.0]})
    plays = pd.DataFrame({S.ITEM_ID: ["a1"] * 4 + ["b1"], S.ARTIST: ["A"] * 4 + ["B"],
                          S.MS_PLAYED: pd.array([100_000] * 4 + [50_000], dtype="Int64")})  # fmt: skip
    score = artist_preference(plays, items)
    # A has the max of every component (scaled to 1), B the min (0): 0.4 + 0.3 + 0.2 + 0.1
    assert score["A"] == pytest.approx(1.0) and score["B"] == pytest.approx(0.0)
    assert np.isfinite(score).all()


@pytest.mark.parametrize(
    ("query", "found"),
    [("sebnem", ["Şebnem Ferah"]), ("BEYONCE", ["Beyoncé"]), ("ac/dc", ["AC/DC"]),
     ("rós", ["Sigur Rós"]), ("ros", ["Sigur Rós"]), ("   ", []), ("nobody", [])],
)  # fmt: skip
def test_artist_search_ignores_case_and_accents(query, found):
    from musicrec import taste

    tiers = pd.DataFrame({S.ARTIST: ["Şebnem Ferah", "Beyoncé", "AC/DC", "Sigur Rós"]})
    assert taste.search_artists(tiers, query)[S.ARTIST].tolist() == found


def test_the_period_is_read_in_the_listeners_own_days():
    from musicrec import clock, taste

    # 03:30 UTC on 4 March is 21:30 on 3 March in Mexico City
    plays = pd.DataFrame({S.TS: pd.to_datetime(["2024-03-04 03:30"], utc=True)})
    assert len(taste.filter_period(plays, "2024-03-04", "2024-03-04")) == 1
    local = clock.localize(plays, "America/Mexico_City")
    assert len(taste.filter_period(local, "2024-03-04", "2024-03-04")) == 0
    assert len(taste.filter_period(local, "2024-03-03", "2024-03-03")) == 1
    assert taste.date_span(local) == (pd.Timestamp("2024-03-03").date(),) * 2


def test_top_tracks_link_to_spotify_or_a_search_and_demo_tracks_nowhere():
    from musicrec import taste

    ts = pd.to_datetime(["2024-01-01 10:00"] * 4, utc=True)
    plays = pd.DataFrame({S.TS: ts, S.TRACK: ["Known", "Known", "Unknown", "Fictional"],
                          S.ARTIST: ["A", "A", "B & C", "D"], S.MS_PLAYED: 200_000,
                          S.TRACK_URI: ["spotify:track:4uLU6hMCjMI75M1A2tKUQC", None, None,
                                        "musicrec:track:abcdefghijklmnopqrstuvwx"]})  # fmt: skip
    top = taste.top_tracks_linked(plays, 3).set_index(S.TRACK)["spotify"]
    assert top["Known"] == "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
    assert top["Unknown"] == "https://open.spotify.com/search/B%20%26%20C%20Unknown"
    assert pd.isna(top["Fictional"])  # no link at all


def test_eras_are_whole_months_with_zeros_where_an_artist_has_none():
    from musicrec.taste import eras

    days = pd.to_datetime(
        ["2024-01-20", "2024-02-03", "2024-03-10", "2024-04-04", "2024-05-05", "2024-06-09"],
        utc=True,
    )
    plays = pd.DataFrame(
        {
            S.TS: days,
            S.ARTIST: ["A", "A", "B", "A", "B", "A"],
            S.TRACK: list("uvwxyz"),
            S.MS_PLAYED: 200_000,
        }
    )
    era = eras(plays, other=False)
    months = sorted(set(era["month"].dt.strftime("%Y-%m")))
    assert months == [
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-05",
    ]  # Jan from the 20th, Jun to the 9th
    assert len(era) == 8  # every month for both artists
    assert (
        era.set_index(["month", S.ARTIST])["plays"].to_dict()[(pd.Timestamp("2024-03-01"), "A")]
        == 0
    )  # March had no A: drawn as 0, not a line across
    whole = eras(plays, other=False, start="2024-01-01", end="2024-06-30")
    assert len(set(whole["month"])) == 6  # the period covers January and June in full
    short = eras(plays.iloc[:3], other=False)
    assert len(set(short["month"])) == 3  # too short to leave months out
