"""Collaborative filtering: a community model learned from (user, item, weight) and folded-in users.

``CommunityModel`` learns an item-item model from community interactions (the demo
community, the Last.fm hetrec data, catalog playlists or any interactions file):

- ``ease``: EASE (Steck 2019) on the items with at least ``min_item_users`` users
  (a dense Gram inversion of the pruned item set), rarer items fall back to popularity;
- ``rp3beta``: random walks user->item->user->item, popularity-penalised by beta.

Interaction weights are play counts, transformed by ``weighting`` (log by default:
hetrec counts range from 1 to 352,698). A new user is folded in without retraining:
their weighted item vector times the item-item matrix.

``CommunityEngine`` wraps the model in the engine contract for the hybrid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from musicrec import schema as S
from musicrec.engines.base import Engine, Request, Workspace
from musicrec.ranking import top_k_rows


@dataclass(frozen=True)
class CollaborativeConfig:
    """Defaults of the community model (chosen on a 20% per-user hold-out of hetrec train.tsv; see benchmarks/bench_hetrec.py)."""

    algorithm: str = "ease"
    """"ease" or "rp3beta"."""
    weighting: str = "binary"
    """Interaction weight transform: "binary", "log" (log1p of counts) or "user-log" (log, then per-user L2)."""
    l2: float = 150.0
    """EASE ridge penalty lambda."""
    min_item_users: int = 2
    """Items with fewer community users are left out of the item-item model (scored by popularity only)."""
    max_items: int = 6000
    """At most this many most-popular items enter the item-item model (bounds EASE's cubic fit)."""
    alpha: float = 1.0
    """RP3beta: exponent of the transition probabilities."""
    beta: float = 0.5
    """RP3beta: popularity penalty exponent."""
    neighbours: int = 200
    """RP3beta: neighbours kept per item."""
    popularity_exponent: float = 0.25
    """Model scores are divided by (item popularity share) ** this, countering EASE's popularity bias
    (+4% validation NDCG@10 on hetrec at 0.25; 0.4 and above hurt)."""
    tag_weight: float = 0.0
    """Weight of the tag-similarity scores blended in when item tags are given (0 = off; see
    benchmarks/bench_hetrec.py for the measurement behind the default)."""
    popularity_weight: float = 1e-3
    """Tiny popularity prior added to every score so that ties and cold items rank by popularity."""


class IdMap:
    """Raw ids <-> integer indices, in one object (Surprise's Trainset.to_inner_uid)."""

    def __init__(self, raw: pd.Series) -> None:
        self.index = pd.Index(pd.unique(raw.astype("string")))

    def __len__(self) -> int:
        return len(self.index)

    def to_inner(self, raw: pd.Series | list) -> np.ndarray:
        """Indices of raw ids, -1 for unknown ids."""
        return self.index.get_indexer(pd.Index(raw).astype("string"))

    def to_raw(self, inner: np.ndarray) -> np.ndarray:
        return self.index.to_numpy()[inner]


def _transform(weights: np.ndarray, how: str) -> np.ndarray:
    if how == "binary":
        return np.ones_like(weights, dtype=np.float32)
    if how in ("log", "user-log"):
        return np.log1p(np.maximum(weights, 0)).astype(np.float32) + 1e-3
    raise ValueError(f"unknown weighting {how!r}")


def _spd_inverse(g: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite float32 matrix through its Cholesky factor
    (LAPACK spotrf + spotri): a quarter of ``np.linalg.inv``'s float64 time (6,000 hetrec items:
    3.2 s CPU instead of 14.2 s), relative error ~5e-7. Falls back to float64 ``inv`` when
    the factorisation fails."""
    from scipy.linalg import lapack

    factor, info = lapack.spotrf(g, lower=1, overwrite_a=0)
    if info == 0:
        inv, info = lapack.spotri(factor, lower=1, overwrite_c=1)
    if info != 0:
        return np.linalg.inv(g.astype(np.float64)).astype(np.float32)
    lower = np.tril(inv)
    return lower + np.tril(inv, -1).T


class CommunityModel:
    """Item-item collaborative model over community interactions (see module docstring)."""

    def __init__(self, config: CollaborativeConfig = CollaborativeConfig()) -> None:
        self.config = config

    def _matrix(
        self, users: np.ndarray, items: np.ndarray, weights: np.ndarray, n_users: int
    ) -> sp.csr_matrix:
        w = _transform(weights, self.config.weighting)
        x = sp.csr_matrix((w, (users, items)), shape=(n_users, len(self.items_)), dtype=np.float32)
        x.sum_duplicates()
        if self.config.weighting == "user-log":
            norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
            x = sp.diags(1 / np.maximum(norms, 1e-9)).astype(np.float32) @ x
        return x.tocsr()

    def fit(self, interactions: pd.DataFrame, item_tags: pd.DataFrame | None = None) -> Self:
        """Learn from INTERACTIONS (user, item, weight); returns self.

        Args:
            interactions: frame with user, item, weight.
            item_tags: optional frame with item, tag, weight (e.g. hetrec's user_taggedartists
                counted per artist); used when ``config.tag_weight`` > 0.
        """
        self.users_ = IdMap(interactions[S.USER])
        self.items_ = IdMap(interactions[S.ITEM])
        u = self.users_.to_inner(interactions[S.USER])
        i = self.items_.to_inner(interactions[S.ITEM])
        w = interactions[S.WEIGHT].to_numpy(dtype=float)
        self.x_ = self._matrix(u, i, w, len(self.users_))
        binary = (self.x_ > 0).astype(np.float32)
        counts = np.asarray(binary.sum(axis=0)).ravel()
        self.popularity_ = (counts / max(counts.max(), 1)).astype(np.float32)
        order = np.argsort(-counts, kind="stable")
        keep = order[counts[order] >= self.config.min_item_users][: self.config.max_items]
        self.kept_ = np.sort(keep)
        self.debias_ = (
            np.maximum(self.popularity_[self.kept_], 1e-3) ** self.config.popularity_exponent
        )
        if self.config.algorithm == "ease":
            self.b_ = self._fit_ease(self.x_[:, self.kept_])
        elif self.config.algorithm == "rp3beta":
            self.b_ = self._fit_rp3beta(binary[:, self.kept_], counts[self.kept_])
        else:
            raise ValueError(f"unknown algorithm {self.config.algorithm!r}")
        self.tag_sim_ = None
        if item_tags is not None and self.config.tag_weight > 0:
            self.tag_sim_ = self._tag_similarity(item_tags)
        return self

    def _tag_similarity(self, item_tags: pd.DataFrame) -> np.ndarray:
        """Cosine similarity of TF-IDF tag vectors between kept items (zero diagonal)."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.preprocessing import normalize

        idx = self.items_.to_inner(item_tags[S.ITEM])
        ok = idx >= 0
        kept_pos = np.full(len(self.items_), -1)
        kept_pos[self.kept_] = np.arange(len(self.kept_))
        rows = kept_pos[idx[ok]]
        good = rows >= 0
        tags = pd.factorize(item_tags.loc[ok, "tag"].to_numpy()[good])[0]
        m = sp.csr_matrix((item_tags.loc[ok, S.WEIGHT].to_numpy(dtype=float)[good], (rows[good], tags)),
                          shape=(len(self.kept_), tags.max() + 1 if len(tags) else 1))  # fmt: skip
        t = normalize(TfidfTransformer().fit_transform(m))
        sim = (t @ t.T).toarray().astype(np.float32)
        np.fill_diagonal(sim, 0)
        return sim

    def _fit_ease(self, x: sp.csr_matrix) -> np.ndarray:
        g = (x.T @ x).toarray().astype(np.float32)
        g[np.diag_indices_from(g)] += self.config.l2
        p = _spd_inverse(g)
        b = -p / np.diag(p)[None, :]
        b[np.diag_indices_from(b)] = 0.0
        return b.astype(np.float32)

    def _fit_rp3beta(self, x: sp.csr_matrix, counts: np.ndarray) -> np.ndarray:
        pui = sp.diags(1 / np.maximum(np.asarray(x.sum(axis=1)).ravel(), 1)) @ x
        piu = sp.diags(1 / np.maximum(np.asarray(x.sum(axis=0)).ravel(), 1)) @ x.T.tocsr()
        if self.config.alpha != 1.0:
            pui = pui.power(self.config.alpha)
            piu = piu.power(self.config.alpha)
        w = (piu @ pui).toarray()
        w /= np.maximum(counts, 1)[None, :] ** self.config.beta
        np.fill_diagonal(w, 0)
        k = min(self.config.neighbours, w.shape[1] - 1)
        if k > 0 and k < w.shape[1]:
            thresh = -np.partition(-w, k, axis=1)[:, k][:, None]
            w = np.where(w > thresh, w, 0)
        return w.astype(np.float32)

    def _scores(self, x_kept: np.ndarray | sp.spmatrix) -> np.ndarray:
        """Scores over all items for user rows given over kept items."""
        part = np.asarray(x_kept @ self.b_) / self.debias_[None, :]
        if self.tag_sim_ is not None:
            tag = np.asarray(x_kept @ self.tag_sim_)
            scale = np.abs(part).max(axis=1, keepdims=True) / np.maximum(
                np.abs(tag).max(axis=1, keepdims=True), 1e-9
            )
            part = part + self.config.tag_weight * tag * scale
        out = np.zeros((part.shape[0], len(self.items_)), dtype=np.float32)
        out[:, self.kept_] = part
        return out + self.config.popularity_weight * self.popularity_[None, :]

    def fold_in(self, weights: pd.Series) -> pd.Series:
        """Scores over all community items for a new user given raw item id -> weight (e.g. play counts).

        Items the community does not know are ignored; the result includes the user's own items
        (callers exclude what they want).
        """
        vec = np.zeros(len(self.items_), dtype=np.float32)
        if len(weights):
            idx = self.items_.to_inner(weights.index.to_series())
            ok = idx >= 0
            vals = _transform(weights.to_numpy(dtype=float)[ok], self.config.weighting)
            np.add.at(vec, idx[ok], vals)
            if self.config.weighting == "user-log" and vec.any():
                vec /= np.linalg.norm(vec)
        scores = self._scores(vec[self.kept_][None, :])[0]
        return pd.Series(scores, index=self.items_.index, dtype=float)

    def recommend_all(self, k: int = 10, batch: int = 1024) -> pd.DataFrame:
        """Top-k unseen items for every community user: columns user, item, rank (1 best), score."""
        parts = []
        xk = self.x_[:, self.kept_].tocsr()
        for start in range(0, len(self.users_), batch):
            rows = slice(start, min(start + batch, len(self.users_)))
            scores = self._scores(xk[rows])
            seen = self.x_[rows].tocoo()
            scores[seen.row, seen.col] = -np.inf
            top, top_scores = top_k_rows(scores, k)
            kk, n = top.shape[1], top.shape[0]
            users = self.users_.to_raw(np.repeat(np.arange(rows.start, rows.stop), kk))
            frame = pd.DataFrame(
                {
                    S.USER: users,
                    S.ITEM: self.items_.to_raw(top.ravel()),
                    S.RANK: np.tile(np.arange(1, kk + 1), n),
                    S.SCORE: top_scores.ravel(),
                }
            )
            parts.append(frame[np.isfinite(frame[S.SCORE])])
        return pd.concat(parts, ignore_index=True)


class CommunityEngine(Engine):
    """The community model folded in with the user's plays; "people who play X also play it".

    In the app the item-item model covers the 2,500 most popular community items by default,
    which keeps the fit around a second; the batch CLI uses the default (6,000).
    """

    name = "collaborative"
    label = "People like you"
    reads = ("seeds", "liked")
    can_score = "some"

    def __init__(self, config: CollaborativeConfig = CollaborativeConfig(max_items=2500)) -> None:
        self.config = config

    def fit(self, data: Workspace) -> Self:
        self.item_ids_ = data.item_index
        self.tracks_ = data.items.set_index(S.ITEM_ID)[S.TRACK]
        community = data.community
        self.model_ = None
        if (
            community is None
            or community.empty
            or not {S.USER, S.ITEM, S.WEIGHT} <= set(community.columns)
        ):
            return self
        self.model_ = CommunityModel(self.config).fit(community)
        plays = data.plays
        self.user_weights_ = (
            plays[S.ITEM_ID].value_counts().astype(float)
            if not plays.empty
            else pd.Series(dtype=float)
        )
        self.base_ = self._fold(self.user_weights_)
        return self

    def _fold(self, weights: pd.Series) -> np.ndarray:
        scores = self.model_.fold_in(weights)
        return scores.reindex(self.item_ids_).to_numpy(dtype=np.float32)

    def score(self, request: Request) -> pd.Series:
        self.check_fitted()
        if self.model_ is None:
            return pd.Series(np.nan, index=self.item_ids_, dtype=float)
        scores = self.base_
        extra = list(request.seeds) + list(request.liked)
        if extra:
            boost = self.user_weights_.mean() if len(self.user_weights_) else 1.0
            weights = self.user_weights_.add(pd.Series(boost * 3, index=extra), fill_value=0)
            scores = self._fold(weights)
        return pd.Series(scores, index=self.item_ids_, dtype=float)

    def explain(self, item_ids: list[str], request: Request) -> pd.Series:
        out = super().explain(item_ids, request)
        if self.model_ is None or not len(self.user_weights_):
            return out
        model = self.model_
        mine = list(request.seeds) + list(request.liked) or list(self.user_weights_.index[:200])
        mine_idx = model.items_.to_inner(mine)
        kept_pos = pd.Series(np.arange(len(model.kept_)), index=model.kept_)
        mine_k = kept_pos.reindex(mine_idx[mine_idx >= 0]).dropna().astype(int).to_numpy()
        if not len(mine_k):
            return out
        for item in item_ids:
            j = model.items_.to_inner([item])[0]
            if j < 0 or j not in kept_pos.index:
                continue
            col = model.b_[mine_k, int(kept_pos[j])]
            if col.max() <= 0:
                continue
            src = model.items_.to_raw(model.kept_[mine_k[int(col.argmax())]])
            name = self.tracks_.get(src, src)
            out[item] = f"people who play {name} also play it"
        return out


def load_hetrec_tags(path: str) -> pd.DataFrame:
    """hetrec ``user_taggedartists.dat`` -> (item = artistID, tag = tagID, weight = number of users)."""
    raw = pd.read_csv(path, sep="\t", dtype=str, encoding="latin-1")
    counts = raw.groupby(["artistID", "tagID"]).size().rename(S.WEIGHT).reset_index()
    return counts.rename(columns={"artistID": S.ITEM, "tagID": "tag"})
