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
from collections.abc import Callable, Iterable, Sequence

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


def discount(n: int) -> np.ndarray:
    """DCG's position discounts 1 / log2(rank + 1) for ranks 1..n."""
    return 1 / np.log2(np.arange(2, n + 2))


def ndcg_of_hits(hits: np.ndarray, n_relevant: int, k: int = 10) -> float:
    """Binary-relevance NDCG@k of a ranking given as hits (1/0 or bools) in rank order.

    The one NDCG: ``ndcg_at_k`` and the tuning's fast path both call it.
    """
    if n_relevant <= 0:
        return math.nan
    h = np.asarray(hits, dtype=float)[:k]
    return float((h * discount(len(h))).sum() / discount(min(n_relevant, k)).sum())


def ndcg_at_k(ranked: Sequence, relevant: set, k: int = 10) -> float:
    """Binary-relevance NDCG: DCG of the top k over the DCG of a perfect ranking."""
    if not relevant:
        return math.nan
    return ndcg_of_hits([i in relevant for i in _topk(ranked, k)], len(relevant), k)


def r_precision(ranked: Sequence, relevant: set) -> float:
    """Precision at R = the number of relevant items (1 when the top R are all relevant)."""
    if not relevant:
        return math.nan
    return sum(1 for i in _topk(ranked, len(relevant)) if i in relevant) / len(relevant)


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


Metric = Callable[[Sequence, set], float]


def per_query(k: int = 10) -> dict[str, Metric]:
    """Every per-query metric at cut-off ``k``, keyed by its name (e.g. "ndcg@10" for k = 10).

    Each takes (ranked, relevant) and returns a float, NaN when nothing is relevant.
    """
    return {
        f"precision@{k}": lambda r, rel: precision_at_k(r, rel, k),
        f"recall@{k}": lambda r, rel: recall_at_k(r, rel, k),
        f"ndcg@{k}": lambda r, rel: ndcg_at_k(r, rel, k),
        f"map@{k}": lambda r, rel: average_precision_at_k(r, rel, k),
        "r-precision": r_precision,
        "mrr": reciprocal_rank,
        f"hitrate@{k}": lambda r, rel: hit_rate_at_k(r, rel, k),
    }
