"""Discovery: artists first played in the test period, ranked among artists never played before.

Two settings share ``discovery_table``:

- ``track_discovery`` (inside ``evaluate_history``): the workspace's catalog tracks by artists
  the person never played in training, ranked by the engines and the discovery hybrid, each
  artist by its best track;
- ``artist_discovery``: at artist level against a community of artists (issue #4's discovery
  task on real data), below.


A person's history rarely matches a track catalog well enough to rank new *tracks* (the
shared histories match TidyTuesday at 2-33% of plays), but a community of listeners
(Last.fm hetrec-2k: 1,892 users x 17,632 artists) knows artists by name. So: artists
first played in the test period are ranked among the community's artists the person never
played in training; the person is folded into the community model from their training
plays (no retraining). Rows: random, popularity (share of community users), collaborative,
and, when track credits are given, credits: the candidate artists credited on the same tracks
as the artists the person plays (a catalog's "A;B" artist strings, see ``co_credits``). The
hybrid then blends collaborative with credits (weight ``CREDIT_WEIGHT``); without credits it
blends collaborative with popularity (weight per person, ``popularity_share``).

Artists are keyed by ``musicrec.matching.normalise_name`` on both sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.config import DEFAULT_COUNTING
from musicrec.engines.collaborative import CommunityModel
from musicrec.evaluation.metrics import catalog_coverage, intra_list_diversity, novelty, per_query
from musicrec.evaluation.protocol import ProtocolConfig, Scorer, metric_row, split
from musicrec.evaluation.tuning import DISCOVERY_WEIGHTS, LADDER
from musicrec.ranking import percentile_normalise, top_k
from musicrec.workspace import Request, Workspace

_DEFAULT_CONFIG = ProtocolConfig()

CREDIT_WEIGHT = 1.0
"""Weight of the credits percentile beside the collaborative percentile in the artist-discovery
hybrid. Chosen on the training periods alone (each person's first 80% of training ranks the
artists new in its last 20%; pooled over the 16 shared people, mean NDCG@10 0.074 / 0.077 /
0.079 / 0.071 for 0.25 / 0.5 / 1 / 2; see benchmarks/results/SUMMARY.md)."""


def hetrec_artist_community(folder: str | Path) -> pd.DataFrame:
    """INTERACTIONS (user, item = normalised artist name, weight = play count) from hetrec's
    ``user_artists.dat`` and ``artists.dat`` in ``folder``; artists without a name are dropped."""
    from musicrec.matching import normalise_name

    folder = Path(folder)
    counts = pd.read_csv(folder / "user_artists.dat", sep="\t")
    names = pd.read_csv(
        folder / "artists.dat",
        sep="\t",
        usecols=["id", "name"],
        quoting=3,
        dtype={"name": "string"},
    )
    key = pd.Series(normalise_name(names["name"]).to_numpy(), index=names["id"].to_numpy())
    item = counts["artistID"].map(key)
    frame = pd.DataFrame(
        {
            S.USER: counts["userID"].astype("string").to_numpy(),
            S.ITEM: item.to_numpy(),
            S.WEIGHT: counts["weight"].to_numpy(dtype=float),
        }
    )
    return frame[frame[S.ITEM].notna() & (frame[S.ITEM] != "")].reset_index(drop=True)


def co_credits(credits: pd.Series, sep: str = ";") -> pd.DataFrame:
    """Artist pairs credited together: from track credit strings that join artists with ``sep``
    (the 114k Spotify Tracks Dataset's ``artists``, e.g. "Daft Punk;Pharrell Williams") to a
    frame with columns artist, other, tracks (how many distinct credit strings name both), both
    keyed by ``musicrec.matching.normalise_name``; each pair appears in both directions."""
    from musicrec.matching import normalise_name

    joined = pd.Series(credits, dtype="string").dropna().drop_duplicates()
    joined = joined[joined.str.contains(sep, regex=False)]
    cols = ["artist", "other", "tracks"]
    if joined.empty:
        return pd.DataFrame(columns=cols)
    names = joined.str.split(sep, regex=False).explode().str.strip()
    names = names[names != ""]
    keyed = pd.DataFrame({"credit": names.index, "artist": normalise_name(names).to_numpy()})
    keyed = keyed.drop_duplicates()
    pairs = keyed.merge(keyed, on="credit", suffixes=("", "_other"))
    pairs = pairs[pairs["artist"] != pairs["artist_other"]]
    out = pairs.groupby(["artist", "artist_other"]).size().rename("tracks").reset_index()
    return out.rename(columns={"artist_other": "other"})[cols]


def credit_strength(counts: pd.Series, pairs: pd.DataFrame, artists: pd.Index) -> np.ndarray:
    """For each of ``artists``: the sum over the person's played artists a credited with it of
    log(1 + plays of a) x tracks(a, it); 0 for artists credited with none of them.

    Args:
        counts: plays per artist key (normalised name -> count).
        pairs: frame with artist, other, tracks (``co_credits``).
        artists: the artist keys to score.
    """
    played = pd.Series(np.log1p(counts.to_numpy(dtype=float)), index=counts.index)
    mine = pairs[pairs["artist"].isin(played.index)]
    strength = mine["tracks"].to_numpy(dtype=float) * played.reindex(mine["artist"]).to_numpy()
    total = pd.Series(strength, index=mine["other"].to_numpy()).groupby(level=0).sum()
    return total.reindex(artists).fillna(0.0).to_numpy(dtype=float)


def _blend_percentiles(
    collaborative: np.ndarray, other: np.ndarray, candidates: np.ndarray, w: float
) -> np.ndarray:
    """Percentile of the collaborative score + ``w`` x percentile of ``other`` (popularity or
    credits), over the candidates (others NaN)."""
    out = np.full(len(collaborative), np.nan)
    out[candidates] = percentile_normalise(collaborative[candidates]) + w * percentile_normalise(
        other[candidates].astype(float)
    )
    return out


def popularity_share(
    train: pd.DataFrame, model: CommunityModel, config: ProtocolConfig = _DEFAULT_CONFIG
) -> float:
    """The weight of popularity in the artist-discovery hybrid, chosen on the training period
    alone: artists first played in its last 20% are ranked from the first 80%, for each value
    of ``LADDER``; 0 unless a value ranks them strictly better (NDCG)."""
    inner, valid = split(train, 0.8)
    played = set(inner[S.ARTIST])
    artists = model.items_.index
    candidates = ~artists.isin(list(played))
    relevant = (set(valid[S.ARTIST]) - played) & set(artists[candidates])
    if inner.empty or not relevant:
        return 0.0
    collaborative = model.fold_in(inner[S.ARTIST].value_counts()).to_numpy(dtype=float)
    names = artists.to_numpy()
    ndcg = per_query(config.k)[f"ndcg@{config.k}"]
    best_w, best = 0.0, -1.0
    for w in LADDER:
        s = _blend_percentiles(collaborative, model.popularity_, candidates, w)
        v = ndcg(list(names[top_k(s, config.k)]), relevant)
        if v > best:
            best_w, best = w, v
    return best_w


def artist_discovery(
    plays: pd.DataFrame,
    model: CommunityModel,
    config: ProtocolConfig = _DEFAULT_CONFIG,
    credits: pd.DataFrame | None = None,
) -> pd.DataFrame | None:
    """The discovery table for one person's raw plays against a fitted artist-level ``model``.

        Needs PLAYS ts, artist, ms_played, kind (the counting rule is applied here). Returns one row
        per model (random, popularity, collaborative, collaborative + popularity with the popularity
    weight chosen on the training period, see ``popularity_share``; with ``credits``, a frame
    from ``co_credits``, also credits and the hybrid collaborative + ``CREDIT_WEIGHT`` x credits,
    else the hybrid is collaborative + popularity) with the
    per-query metrics, coverage (share of candidate artists shown) and
        novelty (mean self-information of community popularity), or None when no artist new in the
        test period is a candidate (the community does not know it, or nothing new was played).
    """
    from musicrec.history import apply_counting_rule
    from musicrec.matching import normalise_name

    counted = apply_counting_rule(plays, DEFAULT_COUNTING)
    if len(counted) < 50:
        return None
    keyed = counted.assign(**{S.ARTIST: normalise_name(counted[S.ARTIST]).to_numpy()})
    train, test = split(keyed, config.split_quantile)
    played = set(train[S.ARTIST])
    artists = model.items_.index
    candidates = ~artists.isin(list(played))
    relevant = (set(test[S.ARTIST]) - played) & set(artists[candidates])
    if not relevant:
        return None
    rng = np.random.default_rng(config.random_state)
    weights = train[S.ARTIST].value_counts()
    collaborative = model.fold_in(weights).to_numpy(dtype=float)
    share_w = popularity_share(train, model, config)
    with_popularity = _blend_percentiles(collaborative, model.popularity_, candidates, share_w)
    scores = {
        "random": rng.random(len(artists)),
        "popularity": model.popularity_.astype(float),
        "collaborative": collaborative,
        "collaborative + popularity": with_popularity,
        "hybrid": with_popularity,
    }
    if credits is not None:
        strength = credit_strength(weights, credits, artists)
        scores["credits"] = strength + 1e-6 * model.popularity_  # ties: the more popular
        scores["hybrid"] = _blend_percentiles(collaborative, strength, candidates, CREDIT_WEIGHT)
    names = artists.to_numpy()[candidates]
    share = model.popularity_ / max(float(model.popularity_.sum()), 1e-12)
    p_artist = dict(zip(artists, share, strict=True))
    rows = {}
    for name, s in scores.items():
        cand = s[candidates]
        top = top_k(cand, config.k)
        ranked = list(names[top])
        row = {m: fn(ranked, relevant) for m, fn in per_query(config.k).items()}
        row["coverage"] = catalog_coverage([ranked], int(candidates.sum()), config.k)
        row["novelty"] = novelty(ranked, p_artist, config.k)
        rows[name] = row
    table = discovery_table(rows, config.k)
    table["candidates"] = int(candidates.sum())
    table["relevant"] = len(relevant)
    table["chance hit rate"] = chance_hit_rate(int(candidates.sum()), len(relevant), config.k)
    return table


@dataclass(frozen=True)
class DiscoveryCandidates:
    """Candidate tracks for discovery (by artists never played in training) and the relevant artists."""

    pos: np.ndarray
    artists: np.ndarray
    relevant: set
    popularity: np.ndarray


def discovery_candidates(
    ws: Workspace, train: pd.DataFrame, test: pd.DataFrame
) -> DiscoveryCandidates | None:
    """Catalog tracks by artists absent from ``train``; relevant = those artists played in ``test``."""
    items = ws.items
    in_cat = items[items[S.IN_CATALOG]]
    played = set(train[S.ARTIST])
    candidates = in_cat[~in_cat[S.ARTIST].isin(played)]
    relevant = (set(test[S.ARTIST]) - played) & set(candidates[S.ARTIST])
    if not relevant or candidates.empty:
        return None
    return DiscoveryCandidates(
        pos=ws.positions(candidates[S.ITEM_ID]),
        artists=candidates[S.ARTIST].to_numpy(),
        relevant=relevant,
        popularity=candidates[S.POPULARITY].fillna(0).to_numpy(dtype=float),
    )


def _discovery_blend(scorer: Scorer, d: DiscoveryCandidates, w: dict) -> np.ndarray:
    from musicrec.hybrid import BlendWeights, HybridConfig

    weights = BlendWeights(collaborative=w["collaborative"], content=w["content"], mood=0, context=0, co_listening=0)  # fmt: skip
    blend, _, _ = scorer.hybrid.blend(Request(), weights, HybridConfig(novelty=1.0))
    return blend[d.pos]


def artist_ranking(scores: np.ndarray, artists: np.ndarray, k: int) -> list:
    """Artists by their best track's score, best first (NaN ranks last)."""
    s = np.where(np.isnan(scores), -np.inf, scores)
    best = pd.Series(s).groupby(artists).max().sort_values(ascending=False, kind="stable")
    return list(best.index[:k])


def tune_discovery(scorer: Scorer, train: pd.DataFrame, valid: pd.DataFrame, k: int) -> dict:
    """The content weight (collaborative fixed at 1) that ranks the artists new in ``valid`` best;
    it moves from ``DISCOVERY_WEIGHTS`` only for a strict gain."""
    d = discovery_candidates(scorer.ws, train, valid)
    if d is None:
        return DISCOVERY_WEIGHTS

    def ndcg(w: dict) -> float:
        ranked = artist_ranking(_discovery_blend(scorer, d, w), d.artists, k)
        return metric_row([ranked], [d.relevant], k)[f"ndcg@{k}"]

    best_w, best = DISCOVERY_WEIGHTS, ndcg(DISCOVERY_WEIGHTS)
    for value in LADDER:
        w = {"collaborative": 1.0, "content": value}
        v = ndcg(w)
        if v > best:
            best_w, best = w, v
    return best_w


def track_discovery(
    scorer: Scorer, train: pd.DataFrame, test: pd.DataFrame, config: ProtocolConfig, w: dict
) -> pd.DataFrame | None:
    """Rank candidate artists (in the items, never played in training); relevant = artists new in
    test. None when there is no candidate or no new artist among them."""
    d = discovery_candidates(scorer.ws, train, test)
    if d is None:
        return None
    req = Request()
    rng = np.random.default_rng(config.random_state)
    model_scores = {"random": rng.random(len(d.pos)), "popularity": d.popularity}
    for name in ("collaborative", "content"):
        model_scores[name] = scorer.hybrid.engines_[name].score(req).to_numpy(dtype=float)[d.pos]
    model_scores["hybrid"] = _discovery_blend(scorer, d, w)
    artist_pop = pd.Series(d.popularity).groupby(d.artists).mean() + 1
    p_art = (artist_pop / artist_pop.sum()).to_dict()
    feats = scorer.ws.items.iloc[d.pos][list(S.AUDIO_FEATURES)].to_numpy(dtype=float)
    rows = {}
    n_art = len(set(d.artists))
    for name, s in model_scores.items():
        ranked = artist_ranking(s, d.artists, config.k)
        row = metric_row([ranked], [d.relevant], config.k)
        row["coverage"] = catalog_coverage([ranked], n_art, config.k)
        row["novelty"] = novelty(ranked, p_art, config.k)
        top_tracks = top_k(s, config.k)
        row["diversity"] = intra_list_diversity(
            (feats[top_tracks] - np.nanmean(feats, axis=0)) / (np.nanstd(feats, axis=0) + 1e-9)
        )
        rows[name] = row
    table = discovery_table(rows, config.k)
    table["candidates"] = n_art
    table["relevant"] = len(d.relevant)
    table["chance hit rate"] = chance_hit_rate(n_art, len(d.relevant), config.k)
    return table


def chance_hit_rate(n_candidates: int, n_relevant: int, k: int = 10) -> float:
    """Probability that a random top ``k`` of ``n_candidates`` holds at least one of the
    ``n_relevant`` (hypergeometric): when it is near 1, hit rate cannot separate models."""
    if n_candidates <= 0 or n_relevant <= 0:
        return 0.0
    miss = 1.0
    for i in range(min(k, n_candidates)):
        miss *= max(n_candidates - n_relevant - i, 0) / (n_candidates - i)
    return 1.0 - miss


def chance_note(n_candidates: int, n_relevant: int, k: int = 10) -> str | None:
    """A plain note when a random top ``k`` would already hit half the time or more."""
    p = chance_hit_rate(n_candidates, n_relevant, k)
    if p < 0.5:
        return None
    return (
        f"Discovery: {n_relevant} of the {n_candidates} candidate artists are new ones you went on "
        f"to play, so even a random top {k} holds one {p:.0%} of the time. Hit rate cannot tell "
        f"the models apart here; compare NDCG@{k}, which rewards ranking them first."
    )


def discovery_table(rows: dict[str, dict], k: int = 10) -> pd.DataFrame:
    """Metric rows per model (random and popularity among them) -> the discovery table, with
    each model's NDCG relative to the better of those two baselines."""
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "model"
    key = f"ndcg@{k}"
    best = df.loc[["random", "popularity"], key].max()
    df["vs best baseline"] = df[key] / best if best > 0 else math.nan
    return df
