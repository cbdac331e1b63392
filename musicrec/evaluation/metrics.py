"""Ranking metrics as pure functions.

Conventions (edge cases):
- ``ranked`` is a sequence of item ids, best first; duplicates after their first
  occurrence are ignored; only the first ``k`` count.
- ``relevant`` is a set of item ids. With no relevant items every per-query metric
  returns NaN, and callers leave that query out of the mean.
- k larger than the list simply uses the whole list (precision still divides by k).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np


def _topk(ranked: Sequence, k: int) -> list:
    seen, out = set(), []
    for item in ranked:
        if item not in seen:
            seen.add(item)
            out.append(item)
            if len(out) == k:
                break
    return out


def precision_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """Hits in the top k divided by k."""
    if not relevant:
        return math.nan
    return sum(1 for i in _topk(ranked, k) if i in relevant) / k


def recall_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """Hits in the top k divided by the number of relevant items."""
    if not relevant:
        return math.nan
    return sum(1 for i in _topk(ranked, k) if i in relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """Binary-relevance NDCG: DCG of the top k over the DCG of a perfect ranking."""
    if not relevant:
        return math.nan
    dcg = sum(1 / math.log2(r + 2) for r, i in enumerate(_topk(ranked, k)) if i in relevant)
    idcg = sum(1 / math.log2(r + 2) for r in range(min(len(relevant), k)))
    return dcg / idcg


def average_precision_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """AP@k: mean of precision at each hit rank, divided by min(|relevant|, k) (MAP@k averages it)."""
    if not relevant:
        return math.nan
    hits, total = 0, 0.0
    for r, i in enumerate(_topk(ranked, k), start=1):
        if i in relevant:
            hits += 1
            total += hits / r
    return total / min(len(relevant), k)


def reciprocal_rank(ranked: Sequence, relevant: set) -> float:
    """1 / rank of the first relevant item (0 if none is ranked)."""
    if not relevant:
        return math.nan
    for r, i in enumerate(_topk(ranked, len(ranked)), start=1):
        if i in relevant:
            return 1.0 / r
    return 0.0


def hit_rate_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """1 if any relevant item is in the top k, else 0."""
    if not relevant:
        return math.nan
    return 1.0 if any(i in relevant for i in _topk(ranked, k)) else 0.0


def catalog_coverage(lists: Iterable[Sequence], n_items: int, k: int = 10) -> float:
    """Share of the candidate items that appear in at least one top-k list."""
    if n_items <= 0:
        return math.nan
    shown = set()
    for ranked in lists:
        shown.update(_topk(ranked, k))
    return len(shown) / n_items


def intra_list_diversity(vectors: np.ndarray) -> float:
    """Mean pairwise (1 - cosine similarity) of the rows (a list's feature vectors); NaN below 2 rows."""
    v = np.asarray(vectors, dtype=float)
    v = v[~np.isnan(v).any(axis=1)] if v.ndim == 2 else v
    if v.ndim != 2 or len(v) < 2:
        return math.nan
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    u = v / np.maximum(norms, 1e-12)
    sim = u @ u.T
    n = len(u)
    return float((1 - sim)[np.triu_indices(n, 1)].mean())


def novelty(ranked: Sequence, popularity: dict, k: int = 10) -> float:
    """Mean self-information -log2 p(item) of the top k, p = share of users/plays with the item.

    Items missing from ``popularity`` are skipped; NaN if none is known.
    """
    vals = [-math.log2(popularity[i]) for i in _topk(ranked, k) if popularity.get(i, 0) > 0]
    return float(np.mean(vals)) if vals else math.nan


PER_QUERY = {
    "precision@10": precision_at_k,
    "recall@10": recall_at_k,
    "ndcg@10": ndcg_at_k,
    "map@10": average_precision_at_k,
    "mrr": lambda r, rel, k=10: reciprocal_rank(r, rel),
    "hitrate@10": hit_rate_at_k,
}
