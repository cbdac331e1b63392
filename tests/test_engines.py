"""One contract suite for every engine, then what is specific to each engine and the hybrid."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import numpy as np
import pandas as pd
import pytest

import musicrec.engines
from musicrec import schema as S
from musicrec.engines.base import Engine
from musicrec.errors import NotFittedError
from musicrec.hybrid import BlendWeights
from musicrec.persistence import fingerprint, load_model, save_model
from musicrec.workspace import Request, Workspace

RICH = Request(hour=23, weekday=2, mood="chill", seeds=("c1",))
"""A request every engine can score from."""


def _all_engines() -> list[type[Engine]]:
    for mod in pkgutil.iter_modules(musicrec.engines.__path__):
        importlib.import_module(f"musicrec.engines.{mod.name}")
    return sorted(Engine.__subclasses__(), key=lambda c: c.__name__)


def tiny_workspace(with_plays: bool = True) -> Workspace:
    """Twelve items: calm acoustic (c*) and loud dance (d*); the user loves calm tracks at night."""
    n = 12
    calm = np.arange(n) < 6
    items = pd.DataFrame(
        {
            S.ITEM_ID: [f"c{i}" for i in range(6)] + [f"d{i}" for i in range(6)],
            S.TRACK: [f"Calm {i}" for i in range(6)] + [f"Dance {i}" for i in range(6)],
            S.ARTIST: ["Quiet"] * 3 + ["Soft"] * 3 + ["Loud"] * 3 + ["Beat"] * 3,
            S.ALBUM: "A", S.GENRE: np.where(calm, "ambient", "edm"), S.TAGS: np.where(calm, "ambient calm", "edm party"),
            S.POPULARITY: np.linspace(10, 90, n), S.DURATION_MS: 200_000.0, S.YEAR: 2020,
            S.DANCEABILITY: np.where(calm, 0.2, 0.85), S.ENERGY: np.where(calm, 0.15, 0.9),
            S.VALENCE: np.where(calm, 0.3, 0.8), S.TEMPO: np.where(calm, 70.0, 128.0),
            S.ACOUSTICNESS: np.where(calm, 0.9, 0.05), S.INSTRUMENTALNESS: np.where(calm, 0.8, 0.3),
            S.SPEECHINESS: 0.05, S.LIVENESS: 0.1, S.LOUDNESS: np.where(calm, -20.0, -5.0),
            S.TRACK_URI: pd.NA, S.FEATURE_SOURCE: "track", S.IN_CATALOG: True,
        }
    ).astype({S.ITEM_ID: "string", S.TRACK: "string", S.ARTIST: "string", S.TAGS: "string", S.GENRE: "string"})  # fmt: skip
    plays = S.empty_plays()
    if with_plays:
        ts = pd.date_range("2024-01-01 23:00", periods=30, freq="2D", tz="UTC")
        ids = [f"c{i % 4}" for i in range(30)]
        plays = pd.DataFrame({S.TS: ts, S.ITEM_ID: ids, S.ARTIST: ["Quiet" if int(i[1]) < 3 else "Soft" for i in ids],
                              S.TRACK: ids, S.MS_PLAYED: 200_000, S.KIND: "music"})  # fmt: skip
        plays[S.ITEM_ID] = plays[S.ITEM_ID].astype("string")
    community = pd.DataFrame(
        {S.USER: [f"u{u}" for u in range(8) for _ in range(4)],
         S.ITEM: [f"{'c' if u % 2 == 0 else 'd'}{j}" for u in range(8) for j in range(4)], S.WEIGHT: 1.0}
    )  # fmt: skip
    return Workspace(items=items, plays=plays, community=community)


ENGINES = _all_engines()


def test_every_engine_is_discovered_under_one_name():
    names = {e.name for e in ENGINES}
    assert {"collaborative", "co_listening", "content", "mood", "context"} <= names


@pytest.mark.parametrize("cls", ENGINES, ids=lambda c: c.__name__)
class TestEngineContract:
    def test_fit_returns_self_and_scores_every_item(self, cls):
        ws = tiny_workspace()
        engine = cls()
        assert engine.fit(ws) is engine
        s = engine.score(Request(hour=23, weekday=2, mood="chill", seeds=("c1",)))
        assert s.index.equals(pd.Index(ws.items[S.ITEM_ID])) and s.dtype == float

    def test_empty_history_does_not_crash(self, cls):
        engine = cls().fit(tiny_workspace(with_plays=False))
        s = engine.score(Request(hour=8))
        assert len(s) == 12

    def test_unknown_seed_and_empty_request(self, cls):
        engine = cls().fit(tiny_workspace())
        assert len(engine.score(Request(seeds=("nope",), liked=("nope",)))) == 12
        reasons = engine.explain(["c0", "nope"], Request(hour=23))
        assert list(reasons.index) == ["c0", "nope"]

    def test_score_before_fit_is_a_named_error(self, cls):
        with pytest.raises(NotFittedError, match="fit"):
            cls().score(Request())
        with pytest.raises(NotFittedError):
            cls().explain(["c0"], Request())

    def test_declares_its_id_label_reads_and_can_score(self, cls):
        assert cls.name.isidentifier() and cls.name in BlendWeights().as_dict()
        assert cls.label and cls.label != Engine.label
        assert set(cls.reads) <= {f.name for f in dataclasses.fields(Request)}
        assert cls.can_score in ("all", "known", "some")

    def test_fields_it_does_not_read_never_change_its_scores(self, cls):
        engine = cls().fit(tiny_workspace())
        full = Request(hour=23, weekday=2, activity="relax", mood="chill", valence=0.3,
                       energy=0.2, seeds=("c1",), liked=("c2",), disliked=("d0",))  # fmt: skip
        kept = {f: getattr(full, f) for f in cls.reads}
        pd.testing.assert_series_equal(engine.score(full), engine.score(Request(**kept)))

    def test_nan_only_where_can_score_allows(self, cls):
        ws = tiny_workspace()
        s = cls().fit(ws).score(RICH)
        played = ws.item_index.isin(ws.plays[S.ITEM_ID])
        if cls.can_score == "all":
            assert s.notna().all()
        elif cls.can_score == "known":
            assert s[played].notna().all()
        assert np.isfinite(s.dropna()).all()

    def test_fit_leaves_its_input_untouched(self, cls):
        ws = tiny_workspace()
        before = {f: getattr(ws, f).copy(deep=True) for f in ("items", "plays", "community")}
        cls().fit(ws).score(RICH)
        for f, frame in before.items():
            pd.testing.assert_frame_equal(getattr(ws, f), frame)

    def test_same_input_same_scores(self, cls):
        a = cls().fit(tiny_workspace()).score(RICH)
        b = cls().fit(tiny_workspace()).score(RICH)
        pd.testing.assert_series_equal(a, b)

    def test_one_play_history(self, cls):
        ws = tiny_workspace()
        one = Workspace(items=ws.items, plays=ws.plays.head(1), community=ws.community)
        s = cls().fit(one).score(RICH)
        assert s.index.equals(one.item_index) and s.dtype == float

    def test_save_load_round_trip(self, cls, tmp_path):
        ws = tiny_workspace()
        engine = cls().fit(ws)
        fp = fingerprint(ws.items, ws.plays)
        save_model(
            engine, cls.__name__, config=engine.config, data_fingerprint=fp, models_dir=tmp_path
        )
        loaded = load_model(
            cls.__name__, config=engine.config, data_fingerprint=fp, models_dir=tmp_path
        )
        req = Request(hour=23, mood="chill", seeds=("c1",))
        pd.testing.assert_series_equal(engine.score(req), loaded.score(req))


# --- engine-specific ------------------------------------------------------------------------


def test_content_prefers_the_users_kind_of_sound():
    from musicrec.engines.content import ContentEngine

    s = ContentEngine().fit(tiny_workspace()).score(Request())
    assert s[[f"c{i}" for i in range(6)]].min() > s[[f"d{i}" for i in range(6)]].max()


def test_content_dislike_pushes_similar_items_down():
    from musicrec.engines.content import ContentEngine

    engine = ContentEngine().fit(tiny_workspace())
    base, after = engine.score(Request()), engine.score(Request(disliked=("c5",)))
    assert after["c4"] < base["c4"]


@pytest.mark.parametrize(
    ("mood", "winner"), [("chill", "c"), ("party", "d"), ("workout", "d"), ("melancholic", "c")]
)
def test_mood_presets(mood, winner):
    from musicrec.engines.mood import MoodEngine

    s = MoodEngine().fit(tiny_workspace()).score(Request(mood=mood))
    assert s.idxmax().startswith(winner)


def test_mood_reason_gives_the_tracks_values_beside_the_ones_set():
    from musicrec.engines.base import MOODS
    from musicrec.engines.mood import MoodEngine

    engine = MoodEngine().fit(tiny_workspace())
    ids = list(engine.item_ids_[:3])
    reasons = engine.explain(ids, Request(valence=0.6, energy=0.5))
    for item, reason in zip(ids, reasons, strict=True):
        p = engine.item_ids_.get_loc(item)
        assert reason == (
            f"valence {engine.valence_[p]:.2f}, energy {engine.energy_[p]:.2f}: "
            "near the 0.60 / 0.50 you set"
        )
    only_energy = engine.explain(ids[:1], Request(energy=0.9)).iloc[0]
    assert (
        only_energy
        == f"energy {engine.energy_[engine.item_ids_.get_loc(ids[0])]:.2f}: near the 0.90 you set"
    )
    for item, reason in zip(ids, engine.explain(ids, Request(mood="happy")), strict=True):
        p = engine.item_ids_.get_loc(item)
        top = MOODS[int(np.nanargmax(engine.probs_[p]))]
        assert reason == ("fits your happy mood" + ("" if top == "happy" else f" ({top} feel)"))


def test_mood_without_request_abstains_and_probabilities_sum_to_one():
    from musicrec.engines.mood import MoodEngine, mood_probabilities

    assert MoodEngine().fit(tiny_workspace()).score(Request()).isna().all()
    p = mood_probabilities(tiny_workspace().items)
    assert np.allclose(p.sum(axis=1), 1.0)


def test_vader_title_sentiment_is_weighted_low():
    from musicrec.engines.mood import MoodConfig, adjusted_valence

    items = tiny_workspace().items.assign(
        **{S.TRACK: "I love this happy wonderful song", S.TAGS: ""}
    )
    shift = adjusted_valence(items).iloc[0] - items[S.VALENCE].iloc[0]
    assert 0 < shift <= MoodConfig().title_shift


def test_context_learns_the_users_night_habit_and_activity_rules():
    from musicrec.engines.context import ContextEngine

    engine = ContextEngine().fit(tiny_workspace())
    night = engine.score(Request(hour=23, weekday=2))
    assert night.idxmax() in {"c0", "c1", "c2", "c3"}

    # rules are offsets from the user's own sound: a workout moves the list towards dance tracks
    def gap(req):
        s = engine.score(req)
        return s[[f"d{i}" for i in range(6)]].mean() - s[[f"c{i}" for i in range(6)]].mean()

    assert gap(Request(hour=14, activity="workout")) > gap(Request(hour=14))
    assert "you often play it" in engine.explain(["c0"], Request(hour=23, weekday=2)).iloc[0]
    # every play of c0 is at 23:00: its habit score at 14:00 is small but not 0, and the reason
    # must not claim an afternoon habit the play counts contradict
    afternoon = engine.explain(["c0"], Request(hour=14, weekday=2)).iloc[0]
    assert afternoon == "you play this kind of track on weekday afternoons"


def test_co_listening_follows_sessions():
    from musicrec.engines.sessions import CoListenEngine, session_ids

    ts = pd.Series(
        pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:04", "2024-01-01 12:00"], utc=True)
    )
    assert list(session_ids(ts)) == [0, 0, 1]
    ws = tiny_workspace()
    plays = pd.DataFrame({S.TS: pd.date_range("2024-01-01", periods=6, freq="3min", tz="UTC"),
                          S.ITEM_ID: ["c0", "d0", "c0", "d0", "c0", "d0"]})  # fmt: skip
    engine = CoListenEngine().fit(Workspace(items=ws.items, plays=plays))
    s = engine.score(Request(seeds=("c0",)))
    assert s.idxmax() == "d0"
    assert "next to Calm 0" in engine.explain(["d0"], Request(seeds=("c0",))).iloc[0]


def test_co_listening_reaches_the_whole_session():
    """c0 ... c5 in one session: c5 is five tracks after c0, beyond the neighbour window of 3,
    so only the same-session part links them."""
    from musicrec.engines.sessions import CoListenEngine, SessionConfig

    ws = tiny_workspace()
    plays = pd.DataFrame({S.TS: pd.date_range("2024-01-01", periods=6, freq="3min", tz="UTC"),
                          S.ITEM_ID: [f"c{i}" for i in range(6)]})  # fmt: skip
    data = Workspace(items=ws.items, plays=plays)
    with_sessions = CoListenEngine().fit(data).score(Request(seeds=("c0",)))
    neighbours_only = CoListenEngine(SessionConfig(session_weight=0, window=3)).fit(data)
    assert with_sessions["c5"] > 0
    assert neighbours_only.score(Request(seeds=("c0",)))["c5"] == 0
    assert with_sessions["c1"] > with_sessions["c5"]  # the next track is still closest
    assert np.isnan(with_sessions["d0"])  # never played: no co-listening data
    assert "Calm 0" in neighbours_only.explain(["c2"], Request(seeds=("c0",))).iloc[0]


def _sessions(*sessions: tuple[str, list[str]]) -> pd.DataFrame:
    """PLAYS of sessions given as (start time, item ids), one play every 3 minutes."""
    frames = [
        pd.DataFrame({S.TS: pd.date_range(start, periods=len(ids), freq="3min", tz="UTC"),
                      S.ITEM_ID: ids})
        for start, ids in sessions
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def test_co_listening_trusts_a_session_with_both_seeds_and_recent_sessions_more():
    """Seeds c0, c1. One session holds both seeds and c2; two hold only c0 with c3: the
    session with both seeds is more likely the same playlist again. Then the same items, where
    only the age of the session differs: the recent one counts more (30-day half-life)."""
    from musicrec.engines.sessions import CoListenEngine, SessionConfig

    ws = tiny_workspace()
    both = _sessions(("2024-01-01 10:00", ["c0", "c1", "c2"]),
                     ("2024-01-02 10:00", ["c0", "c3"]), ("2024-01-03 10:00", ["c0", "c3"]))  # fmt: skip
    seeds = Request(seeds=("c0", "c1"))
    s = CoListenEngine().fit(Workspace(items=ws.items, plays=both)).score(seeds)
    assert s["c2"] > s["c3"]  # 2 ** 2 = 4 for the session with both seeds vs 1 + 1
    flat = CoListenEngine(
        SessionConfig(seed_power=1.0, neighbour_weight=0.0, session_half_life_days=None)
    ).fit(Workspace(items=ws.items, plays=both))
    assert flat.score(seeds)["c2"] == flat.score(seeds)["c3"]  # counted once per seed: 2 vs 2
    aged = _sessions(("2024-01-01 10:00", ["c0", "c2"]), ("2024-06-01 10:00", ["c0", "c3"]))
    s = CoListenEngine().fit(Workspace(items=ws.items, plays=aged)).score(Request(seeds=("c0",)))
    assert s["c3"] > s["c2"]  # five months newer
    no_decay = CoListenEngine(SessionConfig(session_half_life_days=None)).fit(
        Workspace(items=ws.items, plays=aged)
    )
    assert (
        no_decay.score(Request(seeds=("c0",)))["c3"] == no_decay.score(Request(seeds=("c0",)))["c2"]
    )


def test_co_listening_looks_forward_from_the_seed():
    """In c1 c0 c2 the track after the seed c0 scores above the one before it (what comes next)."""
    from musicrec.engines.sessions import CoListenEngine

    ws = tiny_workspace()
    plays = _sessions(("2024-01-01 10:00", ["c1", "c0", "c2"]))
    s = CoListenEngine().fit(Workspace(items=ws.items, plays=plays)).score(Request(seeds=("c0",)))
    assert s["c2"] > s["c1"] > 0  # c1 still shares the session


def test_content_links_tracks_by_artist_without_any_features():
    """No audio features, no tags (a history without a catalog): the seed's artist still counts."""
    from musicrec.engines.content import ContentConfig, ContentEngine

    bare = tiny_workspace().items.assign(
        **{f: np.nan for f in S.AUDIO_FEATURES}, **{S.TAGS: "", S.GENRE: ""}
    )
    data = Workspace(items=bare, plays=S.empty_plays())
    scores = ContentEngine().fit(data).score(Request(seeds=("d0",)))
    beat, others = scores[["d3", "d4", "d5"]], scores.drop(["d0", "d1", "d2", "d3", "d4", "d5"])
    assert scores[["d1", "d2"]].min() > beat.max()  # d0-d2 are by "Loud", like the seed
    assert beat.max() == others.max()
    assert (
        ContentEngine(ContentConfig(artist_weight=0))
        .fit(data)
        .score(Request(seeds=("d0",)))
        .isna()
        .all()
    )


def test_normalise_is_a_percentile_rank():
    """Mostly zeros and two strong scores (co-listening's usual shape): the order is kept, ties
    share a rank, no single score outweighs the rest, and an unscored item is neutral."""
    from musicrec.ranking import percentile_normalise as _normalise

    out = _normalise(np.array([0, 0, 0, 0, 0, 0, 0, 0, 50.0, 100.0, np.nan]))
    assert out[9] == 1 and out[8] == pytest.approx(8 / 9)
    assert np.unique(out[:8]).size == 1 and out[0] == pytest.approx(3.5 / 9)
    assert out[10] == 0.5
    assert (_normalise(np.array([3.0, 3.0, np.nan])) == 0.5).all()


def test_normalise_on_a_big_catalog_keeps_order_and_ties():
    """Above 65,536 items percentiles come from a histogram: the order of scores is kept, ties
    stay equal, and on a smooth distribution they are within 1% of scipy's exact ranks."""
    from scipy.stats import rankdata

    from musicrec.ranking import percentile_normalise as _normalise

    rng = np.random.default_rng(0)
    smooth = rng.normal(size=200_000)
    exact = (rankdata(smooth) - 1) / (len(smooth) - 1)
    assert np.abs(_normalise(smooth) - exact).max() < 0.01
    zeros = np.where(rng.random(200_000) < 0.7, 0.0, rng.exponential(size=200_000))
    out = _normalise(zeros)
    order = np.argsort(zeros, kind="stable")
    assert (np.diff(out[order]) >= 0).all()
    assert np.unique(out[zeros == 0]).size == 1


def test_collaborative_checkerboard():
    """Even users like even items: the top unseen item of an even user is even."""
    from musicrec.engines.collaborative import CollaborativeConfig, CommunityModel

    rows = [
        (f"u{u}", f"i{i}", 1.0)
        for u in range(20)
        for i in range(20)
        if u % 2 == i % 2 and (u + i) % 5
    ]
    inter = pd.DataFrame(rows, columns=[S.USER, S.ITEM, S.WEIGHT])
    for algo in ("ease", "rp3beta"):
        model = CommunityModel(CollaborativeConfig(algorithm=algo, l2=1.0, min_item_users=1)).fit(
            inter
        )
        recs = model.recommend_all(k=3)
        train = set(zip(inter[S.USER], inter[S.ITEM], strict=True))
        assert not any((u, i) in train for u, i in zip(recs[S.USER], recs[S.ITEM], strict=True))
        assert (
            recs.groupby(S.USER)[S.RANK].apply(list)
            == pd.Series([[1, 2, 3]] * 20, index=sorted(set(recs[S.USER])))
        ).all()
        top = recs[recs[S.RANK] == 1]
        assert all(
            int(u[1:]) % 2 == int(i[1:]) % 2 for u, i in zip(top[S.USER], top[S.ITEM], strict=True)
        )
        folded = model.fold_in(pd.Series(1.0, index=["i0", "i2", "i4"]))
        assert int(folded.drop(["i0", "i2", "i4"]).idxmax()[1:]) % 2 == 0


def test_collaborative_engine_folds_in_the_user():
    from musicrec.engines.collaborative import CommunityEngine

    ws = tiny_workspace()
    s = CommunityEngine().fit(ws).score(Request())
    assert s[[f"c{i}" for i in range(4)]].mean() > s[[f"d{i}" for i in range(4)]].mean()
    empty = CommunityEngine().fit(Workspace(items=ws.items, plays=ws.plays))
    assert empty.score(Request()).isna().all()


# --- hybrid -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_hybrid():
    from musicrec.demo import demo_workspace
    from musicrec.hybrid import Hybrid

    return Hybrid().fit(demo_workspace())


def test_hybrid_list_shape_reasons_and_caps(demo_hybrid):
    from musicrec.hybrid import BlendWeights, HybridConfig

    recs = demo_hybrid.recommend(
        Request(hour=8, weekday=1), BlendWeights(), HybridConfig(k=25, artist_cap=2)
    )
    assert list(recs[S.RANK]) == list(range(1, 26))
    assert recs[S.ITEM_ID].is_unique and recs.groupby(S.ARTIST).size().max() <= 2
    assert (recs[S.REASON].str.len() > 0).all()
    contrib = recs.filter(like="contrib_")
    assert set(contrib.columns) == {
        f"contrib_{n}" for n in ("collaborative", "co_listening", "content", "mood", "context")
    }


def test_hybrid_mood_slider_moves_the_list(demo_hybrid):
    from musicrec.hybrid import BlendWeights, HybridConfig

    w = BlendWeights(mood=2.0)
    sad = demo_hybrid.recommend(Request(valence=0.05, energy=0.1), w, HybridConfig())
    happy = demo_hybrid.recommend(Request(valence=0.95, energy=0.9), w, HybridConfig())
    assert (
        sad[S.ENERGY].mean() < happy[S.ENERGY].mean()
        and sad[S.VALENCE].mean() < happy[S.VALENCE].mean()
    )


def test_hybrid_dislike_excludes_and_exclude_heard(demo_hybrid):
    from musicrec.hybrid import BlendWeights, HybridConfig

    first = demo_hybrid.recommend(Request(), BlendWeights(), HybridConfig())
    top = first[S.ITEM_ID].iloc[0]
    again = demo_hybrid.recommend(Request(disliked=(top,)), BlendWeights(), HybridConfig())
    assert top not in set(again[S.ITEM_ID])
    new = demo_hybrid.recommend(Request(), BlendWeights(), HybridConfig(exclude_heard=True))
    assert not demo_hybrid.heard_[demo_hybrid.item_ids_.get_indexer(new[S.ITEM_ID])].any()


def test_hybrid_lists_each_song_once_under_two_track_ids():
    from musicrec.hybrid import BlendWeights, Hybrid, HybridConfig

    ws = tiny_workspace()
    items = ws.items.copy()
    # d1 is d0 again (a compilation copy, a remaster): same artist and title, another id.
    items.loc[items[S.ITEM_ID] == "d1", S.TRACK] = "Dance 0 - Remastered 2011"
    items.loc[items[S.ITEM_ID] == "d1", S.ARTIST] = "Loud"
    ws = Workspace(items=items, plays=ws.plays, community=ws.community)
    recs = (
        Hybrid()
        .fit(ws)
        .recommend(
            Request(valence=0.8, energy=0.9), BlendWeights(), HybridConfig(k=12, artist_cap=0)
        )
    )
    assert recs[S.ITEM_ID].isin(["d0", "d1"]).sum() == 1
    assert len(recs) == 11  # every other song is still there


def test_hybrid_weights_zero_switch_engines_off(demo_hybrid):
    from musicrec.hybrid import BlendWeights, HybridConfig

    only_mood = BlendWeights(collaborative=0, co_listening=0, content=0, mood=1, context=0)
    recs = demo_hybrid.recommend(Request(mood="chill"), only_mood, HybridConfig(novelty=0.5))
    assert recs["contrib_collaborative"].eq(0).all() and recs["contrib_mood"].gt(0).all()


def test_context_reads_hours_on_the_listeners_clock():
    """The tiny listener plays calm tracks at 23:00 UTC: 08:00 the next morning in Tokyo. With the
    workspace in Tokyo their habit belongs to 8 h, not to 23 h."""
    from musicrec.engines.context import ContextEngine

    ws = tiny_workspace()
    tokyo = Workspace(items=ws.items, plays=ws.plays, community=ws.community, timezone="Asia/Tokyo")
    utc = ContextEngine().fit(ws)
    local = ContextEngine().fit(tokyo)
    assert ws.plays[S.TS].dt.tz is not None and str(ws.plays[S.TS].dt.tz) == "UTC"  # input kept
    c0 = ws.item_index.get_loc("c0")

    def habit(engine: ContextEngine, hour: int) -> float:  # raw "plays at this hour" of c0
        return float(engine._parts(Request(hour=hour))[0][c0])

    assert habit(utc, 23) > 10 * habit(utc, 8)
    assert habit(local, 8) > 10 * habit(local, 23)
    assert habit(local, 8) == pytest.approx(habit(utc, 23))


def test_workspace_owns_the_item_index():
    ws = tiny_workspace()
    assert ws.item_index is ws.item_index  # built once
    assert list(ws.positions(["d0", "nope", "c1"])) == [6, -1, 1]
    engines = [cls().fit(ws) for cls in ENGINES]
    assert all(e.item_ids_ is ws.item_index for e in engines)


def test_ease_inverse_through_cholesky_matches_numpy():
    """The float32 Cholesky inverse EASE uses equals numpy's float64 inverse (to float32 precision)."""
    from musicrec.engines.collaborative import _spd_inverse

    rng = np.random.default_rng(0)
    x = (rng.random((60, 40)) < 0.2).astype(np.float32)
    g = x.T @ x + 5.0 * np.eye(40, dtype=np.float32)
    got = _spd_inverse(g)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.linalg.inv(g.astype(np.float64)), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got, got.T)
