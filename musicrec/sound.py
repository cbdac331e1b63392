"""A sound estimate for every play, marked with where it came from.

Levels, tried in this order for each play (each only where the previous gave nothing):

1. ``track``: the catalog's own audio features of the matched track (measured);
2. ``artist``: the mean features of the artist's catalog tracks (or of an artist table
   such as Kaggle's ``data_w_genres``);
3. ``genre``: the artist's genres or tags (``musicrec.genres``) through a genre -> features
   model learned on the catalog: the mean features of catalog tracks whose artist carries
   each label, shrunk towards the catalog mean where a label has few tracks;
4. ``alongside``: for an artist nobody catalogued, the weighted mean of the artists the
   person plays in the same sessions (propagated over the person's own session graph);
5. ``unknown``: no source, so no guess.

Each level earns its place on the catalog itself (``level_errors``): predicting held-out
tracks' valence and energy from that level alone must beat predicting the catalog mean
(MAE at most ``max_error_ratio`` of the mean's). ``benchmarks/bench_sound.py`` prints the
table; a level that fails is switched off in ``SoundConfig.levels``.

Public API:
    SoundModel(config).fit(catalog, artist_table=None, evidence=None)
    estimate_plays(plays, model) -> per-play features + sound_source + mood
    with_sound(workspace, model) -> the workspace, its uncatalogued items estimated
    sound_coverage(estimates) -> share of listening time per level
    mood_statement(coverage, measured_only=False) -> the Mood page's sentence
    level_errors(catalog, histories, ...) -> the MAE table of every level
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from musicrec import genres as G
from musicrec import schema as S
from musicrec import sound_genre as GS
from musicrec.engines.base import MOODS

if TYPE_CHECKING:
    from musicrec.workspace import Workspace

SOUND_SOURCE = "sound_source"  # one of LEVELS: where a play's sound estimate comes from
MOOD = "mood"  # top mood of the estimate, or <NA> where unknown

LEVEL_TRACK = "track"
LEVEL_ARTIST = "artist"
LEVEL_GENRE = "genre"
LEVEL_ALONGSIDE = "alongside"
LEVEL_UNKNOWN = "unknown"
LEVELS: tuple[str, ...] = (LEVEL_TRACK, LEVEL_ARTIST, LEVEL_GENRE, LEVEL_ALONGSIDE, LEVEL_UNKNOWN)

LEVEL_WORDS: dict[str, str] = {
    LEVEL_TRACK: "measured",
    LEVEL_ARTIST: "from the artist",
    LEVEL_GENRE: "from genres",
    LEVEL_ALONGSIDE: "from what you play alongside",
}
"""How the Mood page names each level."""

FEATURES: tuple[str, ...] = S.AUDIO_FEATURES
GENRE_RIDGE_KNN = "ridge+knn"
GENRE_LABEL_MEANS = "label means"
_TRACK_METHODS = (S.MATCH_URI, S.MATCH_NAME, S.MATCH_FUZZY)


@dataclass(frozen=True)
class SoundConfig:
    """Defaults of the sound estimate."""

    levels: tuple[str, ...] = (LEVEL_TRACK,)
    """Levels that give every feature, in order. Only a level whose held-out MAE is at most
    ``max_error_ratio`` of the catalog mean's for every feature may be whole: none but the
    track's own features is. Measured on the five offered catalogs
    (``benchmarks/bench_sound.py``, 2026-12-02), valence / energy: artist 0.67 / 0.53 and
    genre 0.78 / 0.67 pass but both miss on tempo and liveness, and alongside 0.93 / 0.76
    fails on valence, so the three give only the features that passed (``partial``)."""
    genre_model: str = "ridge+knn"
    """How labels become features: "ridge+knn" (``musicrec.sound_genre``: a ridge over the
    artist's whole label set blended with its nearest catalog artists by label set) or
    "label means" (each label's mean features, shrunk by ``genre_prior_tracks``, averaged over
    the artist's labels). Held out by whole artists on the five offered catalogs, valence /
    energy MAE over the catalog mean's: ridge+knn 0.777 / 0.669, label means 0.802 / 0.702
    (``bench_sound.py``, 2026-12-02; other hold-out draws 0.774 and 0.772 vs 0.799 and 0.797)."""
    genre_regression: GS.GenreSoundConfig = GS.DEFAULT_GENRE_SOUND
    """Settings of the "ridge+knn" genre model."""
    genre_prior_tracks: float = 20.0
    """A label's mean features are shrunk to the catalog mean as if it had this many extra tracks."""
    min_label_tracks: int = 5
    """A label needs this many catalog tracks to enter the genre model."""
    session_gap_minutes: float = 30.0
    """A gap longer than this between two plays starts a new session."""
    min_alongside_sessions: float = 2.0
    """An uncatalogued artist needs this many shared sessions with estimated artists."""
    propagation_rounds: int = 2
    """Rounds of propagation over the session graph (2: neighbours of neighbours)."""
    partial: tuple[tuple[str, tuple[str, ...]], ...] = (
        (LEVEL_ARTIST, (S.DANCEABILITY, S.ENERGY, S.VALENCE, S.ACOUSTICNESS,
                        S.INSTRUMENTALNESS, S.SPEECHINESS, S.LOUDNESS)),
        (LEVEL_GENRE, (S.DANCEABILITY, S.ENERGY, S.VALENCE, S.ACOUSTICNESS,
                       S.INSTRUMENTALNESS, S.SPEECHINESS, S.LOUDNESS)),
        (LEVEL_ALONGSIDE, (S.DANCEABILITY, S.ENERGY, S.ACOUSTICNESS, S.INSTRUMENTALNESS,
                           S.LOUDNESS)),
    )  # fmt: skip
    """Levels used for some features only, where ``levels`` does not hold them: (level, the
    features whose held-out MAE is at most ``max_error_ratio`` of the catalog mean's). A play
    estimated this way gets those features, and a mood only where they hold valence and
    energy. Measured on the five offered catalogs and 19 shared histories (``bench_sound.py``,
    2026-12-02, MAE / catalog mean's): artist (tracks held out) danceability 0.62, energy
    0.53, valence 0.67, acousticness 0.45, instrumentalness 0.39, speechiness 0.60, loudness
    0.52 (used), tempo 0.90, liveness 0.88 (not used); genre (``genre_model`` ridge+knn, whole artists held
    out) danceability 0.73, energy 0.67, valence 0.78, acousticness 0.57, instrumentalness 0.55,
    speechiness 0.75, loudness 0.67 (used), tempo 0.95, liveness 0.94 (not used); alongside danceability 0.76, energy 0.76, acousticness 0.65,
    instrumentalness 0.57, loudness 0.64 (used), valence 0.93, tempo 0.97, speechiness 0.89,
    liveness 0.92 (not used)."""
    max_error_ratio: float = 0.8
    """A level is kept only if its MAE is at most this share of the catalog mean's MAE."""
    genres: G.GenreConfig = G.DEFAULT_GENRES
    """How artist genres are decided (``musicrec.genres``)."""


DEFAULT_SOUND = SoundConfig()


def _feature_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[f for f in FEATURES if f in frame.columns]].astype(float)


class SoundModel:
    """What the catalog teaches about sound: artist profiles and a genre -> features model.

    Attributes (after ``fit``):
        track_features_: features per catalog track_id (rows with any feature).
        artist_features_: mean features per artist key, with ``n_tracks``.
        genres_: ``musicrec.genres.artist_genres`` table (genre or "unknown" per artist key).
        label_features_: mean features per genre label, shrunk to the catalog mean.
        artist_labels_: (artist_key, label, weight) used by the genre level.
        mean_: catalog mean of every feature.
    """

    def __init__(self, config: SoundConfig = DEFAULT_SOUND) -> None:
        self.config = config

    def fit(
        self,
        catalog: pd.DataFrame | None,
        artist_table: pd.DataFrame | None = None,
        evidence: pd.DataFrame | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> Self:
        """Learn from a CATALOG frame (+ TAGS), an optional artist table and extra genre evidence.

        Args:
            catalog: CATALOG frame or None.
            artist_table: artist-level features and genres (``catalog.load_artist_features``).
            evidence: extra EVIDENCE rows (``musicrec.genres``), e.g. from MusicBrainz.
            progress: called with (fraction done, what is being done) between the steps.
        """
        cfg = self.config
        step = progress or (lambda _f, _t: None)
        step(0.0, "Reading the catalog's tracks…")
        if catalog is None or catalog.empty:
            catalog = pd.DataFrame(
                {c: pd.Series(dtype="string") for c in (S.TRACK_ID, S.ARTISTS, S.GENRE, S.TAGS)}
                | {f: pd.Series(dtype=float) for f in FEATURES}
            )
        feats = _feature_frame(catalog)
        has = feats[[S.VALENCE, S.ENERGY]].notna().all(axis=1).to_numpy()
        self.track_features_ = feats[has].set_axis(
            catalog.loc[has, S.TRACK_ID].astype("string").to_numpy()
        )
        self.track_features_ = self.track_features_[
            ~self.track_features_.index.duplicated(keep="first")
        ]
        self.mean_ = (
            feats[has].mean() if has.any() else pd.Series(np.nan, index=list(feats.columns))
        )
        step(0.1, "Grouping the catalog by artist…")
        keys = G.artist_keys(catalog)
        rows = keys["row"].to_numpy()
        per_artist = feats.iloc[rows].set_axis(keys[G.ARTIST_KEY].to_numpy())
        per_artist = per_artist[has[rows]]
        grouped = per_artist.groupby(level=0)
        profiles = grouped.mean()
        profiles["n_tracks"] = grouped.size()
        if artist_table is not None and not artist_table.empty:
            extra = _feature_frame(artist_table).set_axis(
                G.normalise_unique(artist_table[S.ARTIST])
            )
            extra = extra[extra[[S.VALENCE, S.ENERGY]].notna().all(axis=1)]
            extra = extra[~extra.index.duplicated() & ~extra.index.isin(profiles.index)]
            profiles = pd.concat([profiles, extra.assign(n_tracks=0)])
        self.artist_features_ = profiles
        step(0.5, "Weighing the genre evidence…")
        ev = G.genre_evidence(catalog, artist_table, evidence, cfg.genres, keys=keys)
        self.genres_ = G.artist_genres(ev, cfg.genres)
        self.artist_labels_ = self._labels(ev)
        step(0.8, "Learning the sound of each genre…")
        self.label_features_ = self._label_model(per_artist)
        if cfg.genre_model == GENRE_RIDGE_KNN:
            self.genre_regression_ = GS.GenreSoundModel(cfg.genre_regression).fit(
                self.artist_labels_, grouped.sum(), grouped.count()
            )
        step(1.0, "Done")
        return self

    def _labels(self, evidence: pd.DataFrame) -> pd.DataFrame:
        """Evidence rows of the kind each artist's genre was decided on, for artists with a genre."""
        known = self.genres_[self.genres_[S.GENRE] != G.UNKNOWN]
        kind = known[G.EVIDENCE_KIND].reindex(evidence[G.ARTIST_KEY].to_numpy())
        same = kind.fillna("").to_numpy(dtype=object) == evidence[G.EVIDENCE_KIND].to_numpy(
            dtype=object
        )
        ev = evidence[same]
        return ev.groupby([G.ARTIST_KEY, G.LABEL], as_index=False)[G.EVIDENCE_WEIGHT].sum()

    def _label_model(self, per_artist: pd.DataFrame) -> pd.DataFrame:
        """Mean features of tracks per label (through their artists), shrunk to the catalog mean."""
        cfg = self.config
        lab = self.artist_labels_
        if lab.empty or per_artist.empty:
            return pd.DataFrame(columns=[*per_artist.columns, "n_tracks"])
        sums = per_artist.groupby(level=0).sum()
        counts = per_artist.groupby(level=0).size()
        joined = lab[lab[G.ARTIST_KEY].isin(sums.index)]
        s = sums.reindex(joined[G.ARTIST_KEY].to_numpy()).set_axis(joined[G.LABEL].to_numpy())
        n = counts.reindex(joined[G.ARTIST_KEY].to_numpy()).set_axis(joined[G.LABEL].to_numpy())
        s_lab = s.groupby(level=0).sum()
        n_lab = n.groupby(level=0).sum()
        prior = cfg.genre_prior_tracks
        model = (s_lab + prior * self.mean_[s_lab.columns]).div(n_lab + prior, axis=0)
        model["n_tracks"] = n_lab
        return model[model["n_tracks"] >= cfg.min_label_tracks]

    # --- levels ---------------------------------------------------------------------------

    def artist_estimate(self, keys: Iterable[str]) -> pd.DataFrame:
        """Artist-level features per artist key (NaN rows where the artist is not catalogued)."""
        idx = pd.Index(list(keys), dtype="string")
        return self.artist_features_.reindex(idx)[list(self.mean_.index)]

    def genre_estimate(self, keys: Iterable[str]) -> pd.DataFrame:
        """Genre-level features per artist key: weighted mean over its labels in the genre model."""
        idx = pd.Index(list(keys), dtype="string").unique()
        if self.config.genre_model == GENRE_RIDGE_KNN:
            est = self.genre_regression_.predict(self.artist_labels_, idx.to_numpy(dtype=object))
            return est.set_axis(idx)[list(self.mean_.index)]
        lab = self.artist_labels_[self.artist_labels_[G.ARTIST_KEY].isin(idx)]
        lab = lab[lab[G.LABEL].isin(self.label_features_.index)]
        cols = list(self.mean_.index)
        if lab.empty:
            return pd.DataFrame(np.nan, index=idx, columns=cols)
        w = lab[G.EVIDENCE_WEIGHT].to_numpy()[:, None]
        vals = self.label_features_.loc[lab[G.LABEL].to_numpy(), cols].to_numpy()
        num = pd.DataFrame(vals * w, index=lab[G.ARTIST_KEY].to_numpy()).groupby(level=0).sum()
        den = pd.Series(w[:, 0], index=lab[G.ARTIST_KEY].to_numpy()).groupby(level=0).sum()
        return num.div(den, axis=0).set_axis(cols, axis=1).reindex(idx)


def _sessions(plays: pd.DataFrame, gap_minutes: float) -> np.ndarray:
    """Session number per play: a gap over ``gap_minutes`` starts a new one."""
    ts = plays[S.TS]
    # integer nanoseconds: a zone-aware column's to_numpy() is an object array of Timestamps,
    # whose sort took 3.9 s of a 8.6 s estimate_plays (27k plays, loaded machine)
    ns = pd.DatetimeIndex(ts).as_unit("ns").asi8
    order = np.argsort(ns, kind="stable")
    gaps = np.diff(ns[order]) > gap_minutes * 60 * 1e9
    sess_sorted = np.concatenate([[0], np.cumsum(gaps)]) if len(ts) else np.array([], dtype=int)
    out = np.empty(len(ts), dtype=np.int64)
    out[order] = sess_sorted
    return out


def alongside_estimate(
    plays: pd.DataFrame,
    artist_key: np.ndarray,
    known: pd.DataFrame,
    config: SoundConfig = DEFAULT_SOUND,
) -> pd.DataFrame:
    """Estimate artists from the artists played in the same sessions.

    Args:
        plays: PLAYS frame (needs ts).
        artist_key: normalised artist per play (aligned to ``plays``).
        known: features per artist key that already have an estimate (the seeds).
        config: session gap, minimum shared sessions and rounds.

    Returns:
        Features for artists not in ``known`` that reach ``min_alongside_sessions`` shared
        sessions with estimated artists (each round adds the artists reached so far),
        plus a column ``sessions`` (the shared sessions behind the estimate).
    """
    cols = list(known.columns)
    if len(plays) == 0 or known.empty:
        return pd.DataFrame(columns=[*cols, "sessions"])
    sess = _sessions(plays, config.session_gap_minutes)
    codes, uniq = pd.factorize(pd.Series(artist_key), sort=False)
    ok = codes >= 0
    m = sp.csr_matrix(
        (np.ones(ok.sum(), dtype=np.float32), (sess[ok], codes[ok])),
        shape=(int(sess.max()) + 1, len(uniq)),
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    co = (m.T @ m).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    known = known[~known.index.duplicated(keep="first")]
    values = known.reindex(uniq).to_numpy(dtype=float).copy()
    have = ~np.isnan(values).any(axis=1)
    found = np.zeros(len(uniq), dtype=bool)
    support = np.zeros(len(uniq))
    for _ in range(max(config.propagation_rounds, 1)):
        w = co[:, have]
        weight = np.asarray(w.sum(axis=1)).ravel()
        new = (~have) & (weight >= config.min_alongside_sessions)
        if not new.any():
            break
        est = (w @ values[have]) / np.maximum(weight, 1e-9)[:, None]
        values[new] = est[new]
        support[new] = weight[new]
        found |= new
        have = have | new
    out = pd.DataFrame(values[found], index=pd.Index(uniq[found], dtype="string"), columns=cols)
    out["sessions"] = support[found]
    return out


def _play_weights(plays: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Listening time per play (ms), or one per play when the source has no durations."""
    weights, what = S.listening_weights(plays)
    return weights.to_numpy(), what


def estimate_plays(
    plays: pd.DataFrame, model: SoundModel, config: SoundConfig | None = None
) -> pd.DataFrame:
    """A sound estimate and its provenance for every play.

    Args:
        plays: PLAYS frame from ``musicrec.matching.match_plays`` (needs ts, artist,
            item_id, match_method; ms_played when present).
        model: a fitted ``SoundModel``.
        config: levels and session settings (default: the model's).

    Returns:
        A frame indexed like ``plays`` with the AUDIO_FEATURES (NaN where unknown),
        ``sound_source`` (one of LEVELS), ``mood`` (top of the eight moods, <NA> where
        unknown) and ``weight`` (listening time in ms, or 1 per play when the history has
        no durations).
    """
    cfg = config or model.config
    cols = list(model.mean_.index)
    n = len(plays)
    values = np.full((n, len(cols)), np.nan)
    source = np.full(n, LEVEL_UNKNOWN, dtype=object)
    keys = G.normalise_unique(plays[S.ARTIST]) if n else np.array([], dtype=object)
    todo = np.ones(n, dtype=bool)
    if LEVEL_TRACK in cfg.levels and n:
        is_track = plays[S.MATCH_METHOD].isin(_TRACK_METHODS).to_numpy(dtype=bool)
        tf = model.track_features_.reindex(plays[S.ITEM_ID].astype("string").to_numpy())[cols]
        got = is_track & tf.notna().all(axis=1).to_numpy()
        values[got] = tf.to_numpy()[got]
        source[got] = LEVEL_TRACK
        todo &= ~got
    uniq = pd.unique(keys[todo]) if n else np.array([], dtype=object)
    per_artist = pd.DataFrame(np.nan, index=pd.Index(uniq, dtype="string"), columns=cols)
    artist_level = pd.Series(LEVEL_UNKNOWN, index=per_artist.index, dtype=object)
    for level, fn in ((LEVEL_ARTIST, model.artist_estimate), (LEVEL_GENRE, model.genre_estimate)):
        open_ = artist_level.to_numpy() == LEVEL_UNKNOWN
        use = cols if level in cfg.levels else _partial(cfg, level, cols)
        if not use or not open_.any():
            continue
        est = fn(per_artist.index[open_])
        est = est.reindex(per_artist.index[open_])
        need = [S.VALENCE, S.ENERGY] if use is cols else use
        got = est[need].notna().all(axis=1).to_numpy()
        sel = per_artist.index[open_][got]
        per_artist.loc[sel, use] = est.loc[sel, use].to_numpy()
        artist_level.loc[sel] = level
    if todo.any():
        values[todo] = per_artist.reindex(keys[todo]).to_numpy(dtype=float)
        source[todo] = artist_level.reindex(keys[todo]).to_numpy()
    along = cols if LEVEL_ALONGSIDE in cfg.levels else _partial(cfg, LEVEL_ALONGSIDE, cols)
    if along and n and (source == LEVEL_UNKNOWN).any():
        # seeds: each artist's mean over its plays estimated from the track or the artist
        # (a feature a level may not give stays NaN and is left out of that feature's mean)
        has = np.isin(source, [LEVEL_TRACK, LEVEL_ARTIST])
        seeds = pd.DataFrame(values[has], index=keys[has], columns=cols).groupby(level=0).mean()
        near = alongside_estimate(plays, keys, seeds, cfg)
        left = (source == LEVEL_UNKNOWN) & pd.Series(keys).isin(near.index).to_numpy()
        pos = [cols.index(f) for f in along]
        values[np.ix_(left, pos)] = near.reindex(keys[left])[along].to_numpy(dtype=float)
        source[left] = LEVEL_ALONGSIDE
    out = pd.DataFrame(values, index=plays.index, columns=cols)
    out[SOUND_SOURCE] = pd.array(source, dtype="string")
    out[MOOD] = _moods(out)
    out["weight"], _ = _play_weights(plays)
    return out


def _partial(config: SoundConfig, level: str, cols: Sequence[str]) -> list[str]:
    """The features ``level`` may give (``SoundConfig.partial``), among ``cols``; [] if none."""
    wanted = dict(config.partial).get(level, ())
    return [f for f in cols if f in wanted]


def _moods(features: pd.DataFrame) -> pd.Series:
    """Top mood per row from the features alone (no title sentiment); <NA> where unknown."""
    from musicrec.engines.mood import mood_probabilities

    known = features[[S.VALENCE, S.ENERGY]].notna().all(axis=1)
    out = pd.Series(pd.NA, index=features.index, dtype="string")
    if not known.any():
        return out
    rows = features[known]
    frame = rows.assign(**{S.TRACK: "", S.TAGS: ""})
    for f in FEATURES:
        if f not in frame.columns:
            frame[f] = np.nan
    probs = mood_probabilities(frame, valence=rows[S.VALENCE].astype(float))
    out[known] = probs[list(MOODS)].idxmax(axis=1).astype("string")
    return out


def sound_coverage(estimates: pd.DataFrame) -> pd.DataFrame:
    """Share of listening per level.

    Needs ``sound_source``, ``mood`` and ``weight`` (from ``estimate_plays``). Returns one row
    per level in LEVELS order with columns level, plays, share (of the total weight) and
    mood_share (of the total weight, plays whose estimate includes a mood: a level used for
    some features only gives sound without a mood).
    """
    w = estimates["weight"].astype(float) if len(estimates) else pd.Series(dtype=float)
    total = float(w.sum())
    g = w.groupby(estimates[SOUND_SOURCE]).agg(["size", "sum"]).reindex(list(LEVELS), fill_value=0)
    mood = w.where(estimates[MOOD].notna().to_numpy(), 0.0) if len(estimates) else w
    m = mood.groupby(estimates[SOUND_SOURCE]).sum().reindex(list(LEVELS), fill_value=0.0)
    return pd.DataFrame(
        {
            "level": list(LEVELS),
            "plays": g["size"].astype(int).to_numpy(),
            "share": (g["sum"] / total).to_numpy() if total > 0 else np.zeros(len(LEVELS)),
            "mood_share": (m / total).to_numpy() if total > 0 else np.zeros(len(LEVELS)),
        }
    )


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.01 or x == 0 else "<1%"


def mood_statement(
    coverage: pd.DataFrame, measured_only: bool = False, what: str = "listening time"
) -> str:
    """The Mood page's sentence on how much of the listening has a sound estimate, and from where.

    Args:
        coverage: from ``sound_coverage``.
        measured_only: say only what the tracks' own features cover.
        what: "listening time", or "plays" for histories without durations.

    Returns:
        e.g. "Mood of 96% of your listening time: 21% measured, 35% from the artist, 28%
        from genres, 12% from what you play alongside." or, measured only, "Mood of 21% of
        your listening time, all from the tracks' own measured features."
    """
    share = coverage.set_index("level")["share"].reindex(list(LEVELS), fill_value=0.0)
    if coverage.empty or float(coverage["plays"].sum()) == 0:
        return "No plays to describe yet."
    if measured_only:
        if share[LEVEL_TRACK] == 0:
            return f"None of your {what} has measured features (the tracks are not in the catalog)."
        return (
            f"Mood of {_pct(share[LEVEL_TRACK])} of your {what}, "
            "all from the tracks' own measured features."
        )
    mood = coverage.set_index("level")["mood_share"] if "mood_share" in coverage else share
    mood = mood.reindex(list(LEVELS), fill_value=0.0)
    if 1.0 - float(share[LEVEL_UNKNOWN]) == 0:
        return f"No sound estimate for any of your {what} yet: add a track catalog."
    parts = [f"{_pct(mood[lv])} {LEVEL_WORDS[lv]}" for lv in LEVEL_WORDS if mood[lv] > 0]
    known = float(mood.sum())
    head = (
        f"Mood of {_pct(known)} of your {what}: " + ", ".join(parts) + "."
        if known > 0
        else f"No mood for any of your {what} yet."
    )
    rest = [(lv, share[lv] - mood[lv]) for lv in LEVEL_WORDS if share[lv] - mood[lv] > 1e-9]
    if not rest:
        return head
    more = ", ".join(f"{_pct(x)} {LEVEL_WORDS[lv]}" for lv, x in rest)
    return f"{head} Energy and other features, without a mood, for another {more}."


# --- how good is each level? ---------------------------------------------------------------

PROTOCOL_TRACKS = "tracks held out"
PROTOCOL_ARTISTS = "artists held out"
PROTOCOL_SESSIONS = "artists hidden in each history"


def _mae(pred: np.ndarray, truth: np.ndarray) -> float:
    ok = ~np.isnan(pred)
    return float(np.abs(pred[ok] - truth[ok]).mean()) if ok.any() else float("nan")


def level_errors(
    catalog: pd.DataFrame,
    histories: Sequence[pd.DataFrame] = (),
    *,
    artist_table: pd.DataFrame | None = None,
    holdout: float = 0.2,
    features: Sequence[str] = (S.VALENCE, S.ENERGY),
    config: SoundConfig = DEFAULT_SOUND,
    random_state: int = 0,
) -> pd.DataFrame:
    """MAE of each level at predicting held-out catalog tracks, against the catalog mean.

    - ``artist``: a held-out track from the mean of its artist's *other* tracks;
    - ``genre``: tracks of held-out *artists* from their genre labels, the genre model fitted
      without those artists;
    - ``alongside``: in each history (matched plays), the tracks of held-out artists from
      the artists played in the same sessions, the held-out artists' own features hidden;
    - ``genre`` once more, as issue 13 first put it: held-out *tracks* from their artist's
      labels, the genre model fitted on the other tracks (the artist's other tracks in it).

    The protocol that decides a level (``decides``) is the one that matches how the level is
    used: the genre level estimates artists with no catalogued track, so whole artists are
    held out; the track-held-out genre row leaks the artist's own sound into its labels and is
    shown for comparison only.

    Args:
        catalog: CATALOG frame (+ TAGS).
        histories: matched PLAYS frames (``match_plays``) for the alongside level.
        artist_table: optional artist table given to the genre evidence.
        holdout: share of tracks (artist level) or artists (genre, alongside) held out.
        features: the features scored.
        config: sound settings.
        random_state: seed of the hold-out draw.

    Returns:
        One row per (level, protocol, feature): level, protocol (what was held out), feature,
        n (tracks scored), mae, mean_mae (MAE of the catalog mean on the same tracks), ratio
        (mae / mean_mae), used (ratio at most ``config.max_error_ratio``) and decides (this
        protocol is the one that decides the level).
    """
    rng = np.random.default_rng(random_state)
    feats = list(features)
    cat = catalog.drop_duplicates(S.TRACK_ID).reset_index(drop=True)
    cat = cat[cat[feats].notna().all(axis=1)].reset_index(drop=True)
    keys = G.artist_keys(cat)
    keys = keys.drop_duplicates("row")  # the row's main (full-string) artist
    truth = cat[feats].to_numpy(dtype=float)
    mean = truth.mean(axis=0)
    rows_out = []

    def add(
        level: str, idx: np.ndarray, pred: np.ndarray, protocol: str, decides: bool = True
    ) -> None:
        for j, f in enumerate(feats):
            ok = ~np.isnan(pred[:, j])
            t = truth[idx][ok, j]
            mae = _mae(pred[ok, j], t)
            base = _mae(np.full(ok.sum(), mean[j]), t)
            rows_out.append(
                {"level": level, "protocol": protocol, "feature": f, "n": int(ok.sum()),
                 "mae": mae, "mean_mae": base, "decides": decides}
            )  # fmt: skip

    # artist level: leave-one-out means over artists with >= 2 tracks
    art = keys.set_index("row")[G.ARTIST_KEY].reindex(range(len(cat))).to_numpy()
    frame = pd.DataFrame(truth, columns=feats).assign(a=art)
    sums = frame.groupby("a")[feats].transform("sum").to_numpy()
    cnt = frame.groupby("a")[feats[0]].transform("size").to_numpy()
    pick = (rng.random(len(cat)) < holdout) & (cnt >= 2)
    loo = (sums[pick] - truth[pick]) / (cnt[pick, None] - 1)
    add(LEVEL_ARTIST, np.flatnonzero(pick), loo, PROTOCOL_TRACKS)

    # genre level: hold out whole artists, fit the genre model on the rest
    artists = pd.unique(art[~pd.isna(art)])
    held = set(artists[rng.random(len(artists)) < holdout])
    is_held = pd.Series(art).isin(held).to_numpy()
    train = SoundModel(config).fit(cat[~is_held], artist_table=None)
    ev = G.genre_evidence(cat, artist_table, config=config.genres)
    labels = SoundModel(config)
    labels.genres_ = G.artist_genres(ev, config.genres)
    labels.artist_labels_ = labels._labels(ev)
    train.artist_labels_ = pd.concat(
        [
            train.artist_labels_[~train.artist_labels_[G.ARTIST_KEY].isin(held)],
            labels.artist_labels_[labels.artist_labels_[G.ARTIST_KEY].isin(held)],
        ]
    )
    idx = np.flatnonzero(is_held)
    g = train.genre_estimate(art[idx]).reindex(art[idx])[feats].to_numpy(dtype=float)
    add(LEVEL_GENRE, idx, g, PROTOCOL_ARTISTS)

    # alongside level: per history, hide held-out artists' own features
    full = SoundModel(config).fit(cat)
    a_idx, a_pred = [], []
    track_row = pd.Series(np.arange(len(cat)), index=cat[S.TRACK_ID].astype("string").to_numpy())
    track_row = track_row[~track_row.index.duplicated()]
    for plays in histories:
        if plays.empty:
            continue
        pk = G.normalise_unique(plays[S.ARTIST])
        measured = plays[S.MATCH_METHOD].isin(_TRACK_METHODS).to_numpy(dtype=bool).copy()
        rows = track_row.reindex(plays[S.ITEM_ID].astype("string").to_numpy()).to_numpy()
        measured &= ~pd.isna(rows)
        people = pd.unique(pk[measured])
        hidden = set(people[rng.random(len(people)) < holdout])
        seed_mask = measured & ~pd.Series(pk).isin(hidden).to_numpy()
        seeds = (
            pd.DataFrame(truth[rows[seed_mask].astype(int)], index=pk[seed_mask], columns=feats)
            .groupby(level=0)
            .mean()
        )
        others = full.artist_estimate(pd.unique(pk[~seed_mask]))[feats].dropna()
        others = others[~others.index.isin(hidden) & ~others.index.isin(seeds.index)]
        near = alongside_estimate(plays, pk, pd.concat([seeds, others]), config)
        test = measured & pd.Series(pk).isin(hidden).to_numpy()
        pred = near.reindex(pk[test])[feats].to_numpy(dtype=float)
        a_idx.append(rows[test].astype(int))
        a_pred.append(pred)
    if a_idx:
        add(LEVEL_ALONGSIDE, np.concatenate(a_idx), np.concatenate(a_pred), PROTOCOL_SESSIONS)

    # genre level, tracks held out (issue 13's first wording): for comparison, not deciding
    held_t = rng.random(len(cat)) < holdout
    by_tracks = SoundModel(config).fit(cat[~held_t])
    by_tracks.artist_labels_ = pd.concat(
        [
            by_tracks.artist_labels_,
            labels.artist_labels_[~labels.artist_labels_[G.ARTIST_KEY].isin(
                by_tracks.artist_labels_[G.ARTIST_KEY])],
        ]
    )  # fmt: skip
    idx_t = np.flatnonzero(held_t & ~pd.isna(art))
    gt = by_tracks.genre_estimate(art[idx_t]).reindex(art[idx_t])[feats].to_numpy(dtype=float)
    add(LEVEL_GENRE, idx_t, gt, PROTOCOL_TRACKS, decides=False)
    out = pd.DataFrame(rows_out)
    out["ratio"] = out["mae"] / out["mean_mae"]
    out["used"] = out["ratio"] <= config.max_error_ratio
    return out


# --- what the builder's mood and activity controls can act on ---------------------------------


def apply_to_items(
    items: pd.DataFrame, plays: pd.DataFrame, estimates: pd.DataFrame
) -> pd.DataFrame:
    """Give the person's own items without features the sound estimate of their plays.

    Needs ITEMS (item_id, feature_source, AUDIO_FEATURES), the matched plays (item_id) and
    ``estimate_plays`` of those plays (same index). Items whose feature_source is "none"
    take the mean estimate of their plays and the level it came from ("genre" or
    "alongside"); every other item is left as it was. Returns a new ITEMS frame.
    """
    out = items.copy()
    none = (out[S.FEATURE_SOURCE] == "none").to_numpy(dtype=bool)
    if not none.any() or estimates.empty:
        return out
    known = estimates[estimates[SOUND_SOURCE] != LEVEL_UNKNOWN]
    if known.empty:
        return out
    ids = plays.loc[known.index, S.ITEM_ID].astype("string").to_numpy()
    cols = [f for f in FEATURES if f in known.columns and f in out.columns]
    means = known[cols].set_axis(ids).groupby(level=0).mean()
    level = known[SOUND_SOURCE].set_axis(ids).groupby(level=0).first()
    target = out.loc[none, S.ITEM_ID].astype("string").to_numpy()
    have = pd.Index(target).isin(means.index)
    rows = np.flatnonzero(none)[have]
    out.loc[out.index[rows], cols] = means.loc[target[have], cols].to_numpy()
    out.loc[out.index[rows], S.FEATURE_SOURCE] = level.loc[target[have]].to_numpy()
    return out


@dataclass(frozen=True)
class ControlReach:
    """How much of the builder's candidate pool the mood and activity controls can act on."""

    pool: int
    """Candidate tracks (after "only tracks I have never played", when set)."""
    with_sound: int
    """Candidates with valence and energy from any level."""
    by_source: dict[str, int]
    """Candidates with sound per feature_source ("track", "artist", "genre", "alongside")."""
    catalog_tracks: int
    """Candidates from the catalog (new tracks the list can draw on)."""

    @property
    def share(self) -> float:
        """Share of the pool with sound data (0 when the pool is empty)."""
        return self.with_sound / self.pool if self.pool else 0.0

    @property
    def idle(self) -> bool:
        """True when the controls can change nothing: no candidate has sound data."""
        return self.with_sound == 0

    def message(self) -> str:
        """One plain sentence for the builder, next to the controls."""
        if self.pool == 0:
            return "There are no candidate tracks: add a track catalog on “Your data”."
        if self.idle:
            return (
                "Mood and activity change nothing yet: none of the "
                f"{self.pool:,} candidate tracks has sound data. Add a track catalog on “Your data”."
            )
        words = {"track": "measured", "artist": "from the artist", "genre": "from genres",
                 "alongside": "from what you play alongside"}  # fmt: skip
        parts = [
            f"{self.by_source[k] / self.pool:.0%} {w}"
            for k, w in words.items()
            if self.by_source.get(k, 0) and self.by_source[k] / self.pool >= 0.005
        ]
        detail = f" ({', '.join(parts)})" if parts else ""
        head = f"Mood and activity act on {self.share:.0%} of the {self.pool:,} candidate tracks{detail}"
        if self.share >= 0.995:
            return head + "."
        return head + "; the rest has no sound data and follows your taste only."


def control_reach(
    items: pd.DataFrame, heard: pd.Series | None = None, exclude_heard: bool = False
) -> ControlReach:
    """How much of the candidate pool the mood/activity controls can act on.

    Args:
        items: ITEMS frame (valence, energy, feature_source, in_catalog).
        heard: bool per item (aligned to ``items``): the person has played it.
        exclude_heard: the builder's "only tracks I have never played".

    Returns:
        A ControlReach; its ``message()`` is what the builder shows, ``idle`` says the
        controls can change nothing.
    """
    pool = items
    if exclude_heard and heard is not None:
        pool = items[~heard.to_numpy(dtype=bool)]
    has = pool[[S.VALENCE, S.ENERGY]].notna().all(axis=1).to_numpy()
    src = pool.loc[has, S.FEATURE_SOURCE].astype("string").fillna("none")
    return ControlReach(
        pool=len(pool),
        with_sound=int(has.sum()),
        by_source={str(k): int(v) for k, v in src.value_counts().items()},
        catalog_tracks=int(pool[S.IN_CATALOG].astype(bool).sum()) if S.IN_CATALOG in pool else 0,
    )


def catalog_from_items(items: pd.DataFrame) -> pd.DataFrame:
    """The catalog part of an ITEMS frame as a CATALOG-shaped frame (for ``SoundModel.fit``).

    Needs ITEM_COLUMNS; keeps the rows with in_catalog True, renaming item_id -> track_id
    and artist -> artists. Lets the Mood page work from any Workspace (demo or upload).
    """
    cat = items[items[S.IN_CATALOG].astype(bool).to_numpy()]
    cols = [S.ITEM_ID, S.TRACK, S.ARTIST, S.GENRE, S.TAGS, *FEATURES]
    return cat[[c for c in cols if c in cat.columns]].rename(
        columns={S.ITEM_ID: S.TRACK_ID, S.ARTIST: S.ARTISTS}
    )


def estimate_workspace(
    plays: pd.DataFrame,
    items: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    config: SoundConfig = DEFAULT_SOUND,
) -> pd.DataFrame:
    """``estimate_plays`` for a Workspace's plays, the model fitted on its catalog items.

    Args:
        plays: the Workspace's matched plays.
        items: the Workspace's ITEMS.
        evidence: extra genre evidence (e.g. ``musicrec.musicbrainz.evidence``).
        config: sound settings.
    """
    model = SoundModel(config).fit(catalog_from_items(items), evidence=evidence)
    return estimate_plays(plays, model)


def with_sound(ws: Workspace, model: SoundModel) -> Workspace:
    """``ws`` whose own items without features carry their plays' sound estimate.

    The person's items nobody catalogued (feature_source "none") take the estimate of their
    plays from the levels in use (``apply_to_items``: genre, alongside, with only the
    features those levels may give), so the builder's mood and activity controls act on them
    too. Items estimated so by an earlier call are estimated afresh (e.g. with new genre
    evidence), so the result can replace ``ws``. Everything else is kept; returns a new
    Workspace (``ws`` itself when it has no plays or items).
    """
    import dataclasses

    if ws.plays.empty or ws.items.empty:
        return ws
    items = ws.items
    again = items[S.FEATURE_SOURCE].isin([LEVEL_GENRE, LEVEL_ALONGSIDE]).to_numpy(dtype=bool)
    if again.any():
        items = items.copy()
        cols = [f for f in FEATURES if f in items.columns]
        items.loc[again, cols] = np.nan
        items.loc[again, S.FEATURE_SOURCE] = "none"
    items = apply_to_items(items, ws.plays, estimate_plays(ws.plays, model))
    return dataclasses.replace(ws, items=items)


def mood_items(
    items: pd.DataFrame,
    plays: pd.DataFrame,
    estimates: pd.DataFrame,
    measured_only: bool = False,
) -> pd.DataFrame:
    """The ITEMS the Mood page draws from.

    Args:
        items: the Workspace's ITEMS.
        plays: its matched plays.
        estimates: ``estimate_plays`` of those plays (same index).
        measured_only: keep features only where they are the track's own (feature_source
            "track"); every other item's features become NaN.

    Returns:
        A new ITEMS frame: with ``measured_only`` the measured features alone, else the person's
        items without features given their plays' estimate (``apply_to_items``).
    """
    if not measured_only:
        return apply_to_items(items, plays, estimates)
    out = items.copy()
    cols = [f for f in FEATURES if f in out.columns]
    out.loc[(out[S.FEATURE_SOURCE] != "track").to_numpy(dtype=bool), cols] = np.nan
    return out


def provenance(plays: pd.DataFrame, estimates: pd.DataFrame, measured_only: bool = False) -> str:
    """``mood_statement`` for matched plays and their ``estimate_plays``, in listening time (or in
    plays when the history has no durations)."""
    _, what = _play_weights(plays)
    return mood_statement(sound_coverage(estimates), measured_only=measured_only, what=what)
