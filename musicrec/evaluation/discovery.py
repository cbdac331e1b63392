"""Discovery at artist level against a community of artists (issue #4's discovery task on real data).

A person's history rarely matches a track catalog well enough to rank new *tracks* (the
shared histories match TidyTuesday at 2-33% of plays), but a community of listeners
(Last.fm hetrec-2k: 1,892 users x 17,632 artists) knows artists by name. So: artists
first played in the test period are ranked among the community's artists the person never
played in training; the person is folded into the community model from their training
plays (no retraining). Rows: random, popularity (share of community users), collaborative.

Artists are keyed by ``musicrec.matching.normalise_name`` on both sides.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.config import DEFAULT_COUNTING
from musicrec.engines.collaborative import CommunityModel
from musicrec.evaluation.metrics import PER_QUERY, catalog_coverage, novelty
from musicrec.evaluation.protocol import ProtocolConfig, discovery_table, split
from musicrec.ranking import top_k

_DEFAULT_CONFIG = ProtocolConfig()


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


def artist_discovery(
    plays: pd.DataFrame, model: CommunityModel, config: ProtocolConfig = _DEFAULT_CONFIG
) -> pd.DataFrame | None:
    """The discovery table for one person's raw plays against a fitted artist-level ``model``.

    Needs PLAYS ts, artist, ms_played, kind (the counting rule is applied here). Returns one row
    per model with the per-query metrics, coverage (share of candidate artists shown) and
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
    scores = {
        "random": rng.random(len(artists)),
        "popularity": model.popularity_.astype(float),
        "collaborative": model.fold_in(weights).to_numpy(dtype=float),
    }
    names = artists.to_numpy()[candidates]
    share = model.popularity_ / max(float(model.popularity_.sum()), 1e-12)
    p_artist = dict(zip(artists, share, strict=True))
    rows = {}
    for name, s in scores.items():
        cand = s[candidates]
        top = top_k(cand, config.k)
        ranked = list(names[top])
        row = {m: fn(ranked, relevant, config.k) for m, fn in PER_QUERY.items()}
        row["coverage"] = catalog_coverage([ranked], int(candidates.sum()), config.k)
        row["novelty"] = novelty(ranked, p_artist, config.k)
        rows[name] = row
    table = discovery_table(rows)
    table["relevant"] = len(relevant)
    return table
