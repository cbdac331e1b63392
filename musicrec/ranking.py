"""Ranking primitives shared by the hybrid, the evaluation and the batch recommender.

- ``percentile_normalise``: scores to 0-1 percentile ranks (NaN -> neutral 0.5), so that
  every engine spreads its scores the same way and a blend weight means what it says;
- ``top_k`` / ``top_k_rows``: the positions of the k best scores, best first (NaN last);
- ``mmr``: maximal marginal relevance re-ranking with an artist cap and one version per song.
"""

from __future__ import annotations

import numpy as np

EXACT_PERCENTILES = 65_536
"""Up to this many scored items percentiles are exact (a sort). Above, a histogram of this many
equal-width bins stands in for the sort: O(n), monotone (the order of scores is kept) and ties
stay equal, but items that share a bin with a large tie can be off by that tie's share. It
keeps a slider move on a million tracks fast (an exact rank costs ~150-200 ms per engine)."""


def percentile_normalise(scores: np.ndarray) -> np.ndarray:
    """Percentile rank to 0-1 over the scored items; ties share their mean rank; NaN -> 0.5.

    Args:
        scores: float array, NaN where an engine cannot score.

    Returns:
        float32 array of the same shape; all 0.5 when fewer than two distinct scores exist.
    """
    ok = ~np.isnan(scores)
    out = np.full(scores.shape, 0.5, dtype=np.float32)
    if ok.sum() < 2:
        return out
    vals = scores[ok]
    lo, hi = vals.min(), vals.max()
    if hi <= lo:
        return out
    if len(vals) > EXACT_PERCENTILES:
        out[ok] = _histogram_percentiles(vals, lo, hi)
        return out
    knots, copies = np.unique(vals, return_counts=True)
    last = np.cumsum(copies) - 1  # sorted position of each distinct value's last copy
    mean_rank = (last - (copies - 1) / 2) / (len(vals) - 1)
    out[ok] = mean_rank[np.searchsorted(knots, vals)]
    return out


def _histogram_percentiles(vals: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Approximate percentiles of many values: the share below a value's bin plus its linear
    position inside the bin (see ``EXACT_PERCENTILES``)."""
    bins = EXACT_PERCENTILES
    pos = (vals - lo) * (bins / (hi - lo))
    idx = np.minimum(pos.astype(np.int64), bins - 1)
    counts = np.bincount(idx, minlength=bins)
    below = np.cumsum(counts) - counts
    inside = np.clip(pos - idx, 0.0, 1.0)
    return (below[idx] + inside * np.maximum(counts[idx] - 1, 0)) / (len(vals) - 1)


def top_k(
    scores: np.ndarray,
    k: int,
    candidates: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties in a fixed, repeatable order).

    Args:
        scores: 1-D float array; NaN ranks below every number.
        k: how many to return (fewer when there are fewer candidates).
        candidates: optional positions to choose from (default: all).
        exclude: optional positions never returned.

    Returns:
        int array of positions into ``scores``.
    """
    cand = np.arange(len(scores)) if candidates is None else np.asarray(candidates)
    s = np.where(np.isnan(scores[cand]), -np.inf, scores[cand]).astype(float)
    excluded = None
    if exclude is not None and len(exclude):
        excluded = np.isin(cand, exclude)
        s[excluded] = -np.inf
    kk = min(k, len(s))
    if kk <= 0:
        return np.array([], dtype=np.int64)
    top = np.argpartition(-s, kk - 1)[:kk]
    top = top[np.argsort(-s[top], kind="stable")]
    if excluded is not None:
        top = top[~excluded[top]]
    return cand[top]


def top_k_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a 2-D score matrix: the columns of the ``k`` highest scores, best first.

    Returns:
        (columns, their scores), both of shape (rows, min(k, columns)).
    """
    kk = min(k, scores.shape[1])
    top = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_scores, order, axis=1)


def mmr(
    relevance: np.ndarray,
    vectors: np.ndarray,
    k: int,
    diversity: float,
    *,
    artists: np.ndarray | None = None,
    artist_cap: int = 0,
    songs: np.ndarray | None = None,
) -> np.ndarray:
    """Maximal marginal relevance (Carbonell & Goldstein 1998) over a candidate pool.

    Each step picks the candidate maximising ``(1 - diversity) * rel - diversity * max_sim``
    where ``rel`` is ``relevance`` min-max scaled to 0-1 and ``max_sim`` its highest cosine
    similarity to what was already picked.

    Args:
        relevance: score per candidate.
        vectors: unit-norm feature rows per candidate (cosine = dot product).
        k: list length.
        diversity: 0 = pure relevance, 1 = maximal variety.
        artists: optional integer artist code per candidate, for ``artist_cap``.
        artist_cap: at most this many picks per artist (0 = no cap).
        songs: optional integer song code per candidate: one pick per song.

    Returns:
        Positions into the candidate arrays, in the order picked.
    """
    n = len(relevance)
    span = relevance.max() - relevance.min() if n else 0.0
    rel = (relevance - relevance.min()) / span if span > 0 else np.zeros(n, dtype=np.float32)
    max_sim = np.full(n, -1.0, dtype=np.float32)
    per_artist: dict[int, int] = {}
    blocked = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    while len(chosen) < k and n:
        score = (1 - diversity) * rel - diversity * np.maximum(max_sim, 0)
        score[blocked] = -np.inf
        j = int(np.argmax(score))
        if not np.isfinite(score[j]):
            break
        chosen.append(j)
        blocked[j] = True
        if songs is not None:
            blocked |= songs == songs[j]
        if artists is not None and artist_cap > 0:
            a = int(artists[j])
            per_artist[a] = per_artist.get(a, 0) + 1
            if per_artist[a] >= artist_cap:
                blocked |= artists == a
        max_sim = np.maximum(max_sim, vectors @ vectors[j])
    return np.array(chosen, dtype=np.int64)
