"""Sound estimates for every play: tiny catalogs with known answers, then the shared data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec import sound
from musicrec.genres import ARTIST_KEY, EVIDENCE_KIND, EVIDENCE_WEIGHT, LABEL, GenreConfig

TINY = GenreConfig(min_label_artists=1)  # a five-track catalog: every label is used by one artist
ALL = ("track", "artist", "genre", "alongside")  # every level, on: they are off by default
CFG = sound.SoundConfig(
    genre_model=sound.GENRE_LABEL_MEANS,
    genre_prior_tracks=0.0,
    min_label_tracks=1,
    genres=TINY,
    levels=ALL,
)  # the label-mean genre model: its answers are knowable by hand


def catalog() -> pd.DataFrame:
    rows = [
        # id, track, artists, genre, tags, valence, energy
        ("t1", "Up", "Alpha", "pop", "pop", 0.9, 0.9),
        ("t2", "Upper", "Alpha", "pop", "pop", 0.7, 0.7),
        ("t3", "Scream", "Bravo", "metalcore", "metalcore, melodic metalcore", 0.2, 0.95),
        ("t4", "Shout", "Bravo", "metalcore", "metalcore, melodic metalcore", 0.4, 0.85),
        ("t5", "Calm", "Charlie", "latin", "latin", 0.5, 0.2),
    ]
    frame = pd.DataFrame(
        rows, columns=[S.TRACK_ID, S.TRACK, S.ARTISTS, S.GENRE, S.TAGS, S.VALENCE, S.ENERGY]
    )
    for f in S.AUDIO_FEATURES:
        if f not in frame:
            frame[f] = 0.5
    return frame


def plays() -> pd.DataFrame:
    t0 = pd.Timestamp("2026-01-01 08:00", tz="UTC")
    rows = []
    # three sessions, each: Alpha (measured t1), Echo (uncatalogued); a lone Foxtrot play far away
    for day in range(3):
        base = t0 + pd.Timedelta(days=day)
        rows += [
            (base, "Up", "Alpha", "t1", S.MATCH_URI, 200_000),
            (
                base + pd.Timedelta(minutes=4),
                "Night",
                "Echo",
                "local:echo|night",
                S.MATCH_NONE,
                100_000,
            ),
        ]
    rows += [
        (t0 + pd.Timedelta(days=5), "Other", "Alpha", "local:alpha|other", S.MATCH_ARTIST, 100_000),
        (t0 + pd.Timedelta(days=6), "Riff", "Delta", "local:delta|riff", S.MATCH_NONE, 100_000),
        (
            t0 + pd.Timedelta(days=9),
            "Alone",
            "Foxtrot",
            "local:foxtrot|alone",
            S.MATCH_NONE,
            100_000,
        ),
    ]
    return pd.DataFrame(
        rows, columns=[S.TS, S.TRACK, S.ARTIST, S.ITEM_ID, S.MATCH_METHOD, S.MS_PLAYED]
    ).astype({S.MS_PLAYED: "Int64"})


def mb_evidence() -> pd.DataFrame:
    """Delta is uncatalogued but MusicBrainz calls it metalcore."""
    return pd.DataFrame(
        {
            ARTIST_KEY: ["delta"],
            LABEL: ["metalcore"],
            EVIDENCE_WEIGHT: [1.0],
            EVIDENCE_KIND: ["artist"],
        }
    )


@pytest.fixture
def estimates() -> pd.DataFrame:
    model = sound.SoundModel(CFG).fit(catalog(), evidence=mb_evidence())
    return sound.estimate_plays(plays(), model)


def test_every_level_in_order(estimates):
    src = estimates[sound.SOUND_SOURCE].tolist()
    assert src == ["track", "alongside"] * 3 + ["artist", "genre", "unknown"]
    # measured: the track's own features
    assert estimates[S.VALENCE].iloc[0] == pytest.approx(0.9)
    # artist: the mean of Alpha's catalog tracks
    assert estimates[S.VALENCE].iloc[6] == pytest.approx(0.8)
    # genre: the metalcore label's mean over Bravo's tracks (no shrinkage in CFG)
    assert estimates[S.VALENCE].iloc[7] == pytest.approx(0.3)
    assert estimates[S.ENERGY].iloc[7] == pytest.approx(0.9)
    # alongside: Echo is always played with Alpha, whose estimate is the mean of its plays'
    assert estimates[S.VALENCE].iloc[1] == pytest.approx((3 * 0.9 + 0.8) / 4)
    # unknown: no source, no guess
    assert np.isnan(estimates[S.VALENCE].iloc[8])
    assert pd.isna(estimates[sound.MOOD].iloc[8])
    assert estimates[sound.MOOD].iloc[:8].notna().all()


def test_input_is_not_mutated():
    p = plays()
    before = p.copy()
    sound.estimate_plays(p, sound.SoundModel(CFG).fit(catalog()))
    pd.testing.assert_frame_equal(p, before)


def test_a_level_switched_off_is_never_used():
    cfg = sound.SoundConfig(
        genre_prior_tracks=0.0, min_label_tracks=1, levels=("track", "artist"), partial=(),
        genres=TINY,
    )  # fmt: skip
    est = sound.estimate_plays(
        plays(), sound.SoundModel(cfg).fit(catalog(), evidence=mb_evidence())
    )
    assert set(est[sound.SOUND_SOURCE]) == {"track", "artist", "unknown"}


def test_alongside_needs_enough_shared_sessions():
    cfg = sound.SoundConfig(min_alongside_sessions=4, genres=TINY, levels=ALL)
    est = sound.estimate_plays(plays(), sound.SoundModel(cfg).fit(catalog()))
    assert (est[sound.SOUND_SOURCE] == "alongside").sum() == 0


def test_track_labels_alone_do_not_make_a_genre_level():
    """Charlie's only genre is one track in a "latin" playlist: too thin to estimate a namesake's sound."""
    model = sound.SoundModel(CFG).fit(catalog())
    assert model.genres_.loc["charlie", "genre"] == "unknown"
    assert model.genre_estimate(["charlie"]).isna().all(axis=None)


def test_coverage_and_statement(estimates):
    cov = sound.sound_coverage(estimates)
    assert list(cov["level"]) == list(sound.LEVELS)
    share = cov.set_index("level")["share"]
    total = 3 * 300_000 + 300_000
    assert share["track"] == pytest.approx(600_000 / total)
    assert share["unknown"] == pytest.approx(100_000 / total)
    assert share.sum() == pytest.approx(1.0)
    text = sound.mood_statement(cov)
    assert text == (
        "Mood of 92% of your listening time: 50% measured, 8% from the artist, "
        "8% from genres, 25% from what you play alongside."
    )
    assert sound.mood_statement(cov, measured_only=True) == (
        "Mood of 50% of your listening time, all from the tracks' own measured features."
    )


def test_default_levels_are_the_ones_that_passed_the_benchmark():
    """Alongside missed 0.8x of the mean's valence error on the offered catalogs and passed it
    for energy, danceability, acousticness, instrumentalness and loudness; the artist and genre
    (ridge+knn) levels passed it for valence and energy too, but not for tempo or liveness, so
    only the track's own features are whole."""
    cfg = sound.SoundConfig()
    assert cfg.levels == ("track",)
    assert cfg.genre_model == sound.GENRE_RIDGE_KNN
    shared = (S.DANCEABILITY, S.ENERGY, S.ACOUSTICNESS, S.INSTRUMENTALNESS)
    assert {k: set(v) for k, v in cfg.partial} == {
        "artist": {*shared, S.VALENCE, S.SPEECHINESS, S.LOUDNESS},
        "genre": {*shared, S.VALENCE, S.SPEECHINESS, S.LOUDNESS},
        "alongside": {*shared, S.LOUDNESS},
    }
    tiny = dataclasses.replace(
        CFG, levels=cfg.levels, partial=cfg.partial
    )  # the tiny catalog's genres
    est = sound.estimate_plays(
        plays(), sound.SoundModel(tiny).fit(catalog(), evidence=mb_evidence())
    )
    assert est[sound.SOUND_SOURCE].tolist() == (
        ["track", "alongside"] * 3 + ["artist", "genre", "unknown"]
    )
    # Charlie, from the artist: a mood, but no tempo (the artist level misses 0.8x on tempo)
    assert pd.notna(est.iloc[6][sound.MOOD]) and np.isnan(est.iloc[6][S.TEMPO])
    # Delta: MusicBrainz says metalcore, so the metalcore label's valence and energy: a mood
    delta = est.iloc[7]
    assert delta[S.ENERGY] == pytest.approx(0.9) and delta[S.VALENCE] == pytest.approx(0.3)
    assert pd.notna(delta[sound.MOOD]) and np.isnan(delta[S.TEMPO])
    echo = est.iloc[1]
    # Echo: the features that passed, from Alpha (3 measured plays at 0.9, one artist-level at 0.8)
    assert echo[S.ENERGY] == pytest.approx((3 * 0.9 + 0.8) / 4)
    assert echo[S.DANCEABILITY] == pytest.approx(0.5)
    # ... and neither a valence, a tempo nor a mood: those did not pass
    assert np.isnan(echo[S.VALENCE]) and np.isnan(echo[S.TEMPO]) and pd.isna(echo[sound.MOOD])
    cov = sound.sound_coverage(est).set_index("level")
    assert cov.loc["alongside", "share"] == pytest.approx(0.25)
    assert cov.loc["alongside", "mood_share"] == 0
    assert cov.loc["genre", "mood_share"] == pytest.approx(cov.loc["genre", "share"])
    assert sound.mood_statement(cov.reset_index()) == (
        "Mood of 67% of your listening time: 50% measured, 8% from the artist, 8% from genres. "
        "Energy and other features, without a mood, for another 25% from what you play "
        "alongside."
    )


def test_statement_without_estimates_or_plays():
    empty = sound.estimate_plays(plays().iloc[:0], sound.SoundModel().fit(None))
    assert sound.mood_statement(sound.sound_coverage(empty)) == "No plays to describe yet."
    none = sound.estimate_plays(plays(), sound.SoundModel().fit(None))
    assert set(none[sound.SOUND_SOURCE]) == {"unknown"}
    assert "add a track catalog" in sound.mood_statement(sound.sound_coverage(none))
    assert "None of your" in sound.mood_statement(sound.sound_coverage(none), measured_only=True)


def test_scrobbles_without_durations_count_plays():
    p = plays().assign(**{S.MS_PLAYED: pd.array([pd.NA] * 9, dtype="Int64")})
    est = sound.estimate_plays(p, sound.SoundModel(CFG).fit(catalog()))
    assert (est["weight"] == 1).all()


@pytest.mark.shared
@pytest.mark.slow
def test_levels_beat_the_catalog_mean_on_real_data(shared_data):
    """Each level in use predicts held-out TidyTuesday + top-hits tracks better than the mean."""
    from musicrec.catalog import load_catalog

    cat = load_catalog(
        [
            shared_data
            / "track-catalog"
            / "tidytuesday-30k-spotify-songs"
            / "spotify_songs.csv.gz",
            shared_data / "track-catalog" / "top-hits-2000-2022" / "playlist_2010to2022.csv",
        ]
    )
    table = sound.level_errors(cat)
    assert set(table["level"]) == {"artist", "genre"}
    assert (table["n"] > 500).all()
    # On this small playlist-built pair the artist level beats the mean clearly for energy but
    # only to 0.84x for valence (measured 2026-12-01); on the five offered catalogs it is
    # 0.67x / 0.51x (benchmarks/bench_sound.py), which is where SoundConfig.levels is decided.
    artist = table[table["level"] == "artist"].set_index("feature")["ratio"]
    assert artist["energy"] <= 0.8, artist
    assert artist["valence"] < 1.0, artist
    assert table["used"].tolist() == (table["ratio"] <= 0.8).tolist()
    # the genre level is decided with whole artists held out (how it is used); the issue's
    # track-held-out protocol is in the table for comparison
    genre = table[table["level"] == "genre"]
    assert set(genre["protocol"]) == {"artists held out", "tracks held out"}
    assert genre.set_index("protocol")["decides"].groupby(level=0).all().to_dict() == {
        "artists held out": True, "tracks held out": False}  # fmt: skip


def items_frame() -> pd.DataFrame:
    rows = [
        ("t1", "track", True, 0.9, 0.9),
        ("t2", "track", True, 0.7, 0.7),
        ("local:alpha|other", "artist", False, 0.8, 0.8),
        ("local:echo|night", "none", False, np.nan, np.nan),
        ("local:foxtrot|alone", "none", False, np.nan, np.nan),
    ]
    frame = pd.DataFrame(
        rows, columns=[S.ITEM_ID, S.FEATURE_SOURCE, S.IN_CATALOG, S.VALENCE, S.ENERGY]
    )
    for f in S.AUDIO_FEATURES:
        if f not in frame:
            frame[f] = np.where(frame[S.VALENCE].isna(), np.nan, 0.5)
    return frame


def test_apply_to_items_fills_only_items_without_features(estimates):
    items = items_frame()
    out = sound.apply_to_items(items, plays(), estimates)
    echo = out.set_index(S.ITEM_ID).loc["local:echo|night"]
    assert echo[S.FEATURE_SOURCE] == "alongside"
    assert echo[S.VALENCE] == pytest.approx((3 * 0.9 + 0.8) / 4)
    fox = out.set_index(S.ITEM_ID).loc["local:foxtrot|alone"]
    assert fox[S.FEATURE_SOURCE] == "none" and np.isnan(fox[S.VALENCE])
    # measured and artist-level items keep what they had; the input is untouched
    pd.testing.assert_frame_equal(out.iloc[:3], items.iloc[:3], check_dtype=False)
    assert items[S.FEATURE_SOURCE].tolist().count("none") == 2


def test_control_reach_says_how_much_the_controls_act_on():
    items = items_frame()
    reach = sound.control_reach(items)
    assert (reach.pool, reach.with_sound, reach.catalog_tracks) == (5, 3, 2)
    assert reach.by_source == {"track": 2, "artist": 1}
    assert reach.message() == (
        "Mood and activity act on 60% of the 5 candidate tracks (40% measured, 20% from the "
        "artist); the rest has no sound data and follows your taste only."
    )
    heard = pd.Series([True, True, True, True, False])
    idle = sound.control_reach(items, heard, exclude_heard=True)
    assert idle.idle and idle.pool == 1
    assert idle.message().startswith("Mood and activity change nothing yet")
    assert sound.control_reach(items.iloc[:0]).message().startswith("There are no candidate")
    full = sound.control_reach(items.iloc[:3])
    assert full.message() == (
        "Mood and activity act on 100% of the 3 candidate tracks (67% measured, 33% from the artist)."
    )


def test_the_demo_workspace_gets_estimates_for_its_plays():
    from musicrec.demo import generate
    from musicrec.workspace import build_workspace

    data = generate()
    ws = build_workspace(data.plays, data.catalog, community=data.community, library=data.library)
    est = sound.estimate_workspace(ws.plays, ws.items)
    assert len(est) == len(ws.plays) and est.index.equals(ws.plays.index)
    cov = sound.sound_coverage(est).set_index("level")["share"]
    assert cov.sum() == pytest.approx(1.0)
    # the demo's tracks are all in its catalog: measured features for what matched by id
    measured = ws.plays[S.MATCH_METHOD].isin(["uri", "name", "fuzzy"]).mean()
    assert cov["track"] > 0 and measured > 0
    assert sound.mood_statement(sound.sound_coverage(est)).startswith("Mood of ")


@pytest.mark.parametrize("tz", ["UTC", None])
def test_sessions_split_at_gaps_whatever_the_order(tz):
    t0 = pd.Timestamp("2026-01-01 08:00", tz=tz)
    minutes = [50, 0, 10, 200, 55]  # unsorted: 0, 10 | 50, 55 | 200 with a 30-minute gap
    p = pd.DataFrame({S.TS: [t0 + pd.Timedelta(minutes=m) for m in minutes]})
    assert sound._sessions(p, 30.0).tolist() == [1, 0, 0, 2, 1]
    assert sound._sessions(p.iloc[:0], 30.0).tolist() == []


def test_with_sound_gives_the_workspace_items_their_plays_estimate():
    """The builder learns from ``with_sound``'s Workspace: Echo (uncatalogued, always played
    with Alpha) gets the alongside features that passed, so activity can act on it."""
    from musicrec.workspace import Workspace

    tiny = dataclasses.replace(CFG, levels=sound.SoundConfig().levels,
                               partial=sound.SoundConfig().partial)  # fmt: skip
    ws = Workspace(items=items_frame(), plays=plays())
    out = sound.with_sound(ws, sound.SoundModel(tiny).fit(catalog()))
    echo = out.items.set_index(S.ITEM_ID).loc["local:echo|night"]
    assert echo[S.FEATURE_SOURCE] == "alongside"
    assert echo[S.ENERGY] == pytest.approx((3 * 0.9 + 0.8) / 4) and np.isnan(echo[S.VALENCE])
    assert out.plays is ws.plays and out.items is not ws.items
    assert ws.items[S.FEATURE_SOURCE].tolist().count("none") == 2  # the input is untouched
    # done again with other settings (new genre evidence, say): estimated afresh, not kept
    off = dataclasses.replace(tiny, partial=())
    again = sound.with_sound(out, sound.SoundModel(off).fit(catalog()))
    pd.testing.assert_frame_equal(again.items, ws.items, check_dtype=False)
    empty = Workspace(items=items_frame(), plays=plays().iloc[:0])
    assert sound.with_sound(empty, sound.SoundModel(tiny).fit(catalog())) is empty
