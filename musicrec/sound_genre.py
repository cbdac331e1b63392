"""From an artist's genres and tags to its sound: ridge over the label set, blended with kNN.

A single label's mean ("the sound of metalcore") misses what a *set* of labels says: an
artist tagged "polish hip hop, polish trap" sounds unlike one tagged "hip hop, pop rap". So
each artist's evidence is a vector over its labels and the words in them ("w:polish",
"w:trap": rare labels share words with common ones), weighted ``log1p(evidence) * idf`` and
L2-normalised, and two models read it:

- **ridge**: a linear model per feature, fitted on catalog artists' mean features weighted by
  their track counts (the same fit as one row per track, in far fewer rows);
- **kNN**: the track-weighted mean features of the ``neighbours`` catalog artists with the most
  similar label sets (cosine similarity, squared).

The estimate is their mean. An artist none of whose labels the catalog's artists use gets
no estimate (NaN), never a guess. Held out by whole artists on the five offered catalogs
(``benchmarks/bench_sound.py``) the blend beats the label-mean model it replaces: see
``SoundConfig.genre_model``.

Public API:
    GenreSoundModel(config).fit(labels, artist_sums, artist_counts) -> self
    GenreSoundModel.predict(labels, keys) -> features per key (NaN where no label is known)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from musicrec import genres as G


@dataclass(frozen=True)
class GenreSoundConfig:
    """Settings of the genre -> features regression."""

    ridge_alpha: float = 1.0
    """Ridge penalty (per track-weighted row; 1.0 measured best of 1, 3, 10, 30)."""
    neighbours: int = 30
    """Catalog artists the kNN part averages (10, 30 and 100 measured: 30 best)."""
    knn_share: float = 0.5
    """Weight of the kNN part in the blend (the rest is ridge)."""
    word_prefix: str = "w:"
    """Marks a word of a label as a term of its own ("w:metalcore")."""
    chunk: int = 128
    """Query artists per block of the similarity product: a block holds chunk x training
    artists floats (128 x 18,260 = 19 MB on the five offered catalogs)."""


DEFAULT_GENRE_SOUND = GenreSoundConfig()


def _terms(labels: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """(artist_key, term, weight): each label, and each word of a multi-word label."""
    lab = labels[[G.ARTIST_KEY, G.LABEL, G.EVIDENCE_WEIGHT]]
    words = lab.assign(**{G.LABEL: lab[G.LABEL].astype(str).str.replace("-", " ").str.split()})
    words = words.explode(G.LABEL).dropna(subset=[G.LABEL])
    words = words.assign(**{G.LABEL: prefix + words[G.LABEL].astype(str)})
    both = pd.concat([lab, words], ignore_index=True)
    return both.groupby([G.ARTIST_KEY, G.LABEL], as_index=False, sort=False)[
        G.EVIDENCE_WEIGHT
    ].sum()


class GenreSoundModel:
    """Features of an artist from its label set (ridge + kNN over TF-IDF label vectors).

    Attributes (after ``fit``):
        vocabulary_: the terms (labels and label words) of the catalog's labelled artists.
        idf_: inverse document frequency per term.
        columns_: the features predicted.
        coef_, intercept_: ridge per feature (terms x features, features).
        neighbours_: L2-normalised term vectors of the training artists (CSR).
        sums_, counts_: per training artist and feature, the sum and count of known track values.
        low_, high_: the range of each feature over the training artists (estimates are clipped).
    """

    def __init__(self, config: GenreSoundConfig = DEFAULT_GENRE_SOUND) -> None:
        self.config = config

    def _matrix(self, terms: pd.DataFrame, keys: pd.Index) -> sp.csr_matrix:
        rows = keys.get_indexer(terms[G.ARTIST_KEY])
        cols = self.vocabulary_.get_indexer(terms[G.LABEL])
        ok = (rows >= 0) & (cols >= 0)
        vals = np.log1p(terms[G.EVIDENCE_WEIGHT].to_numpy(float)[ok]) * self.idf_[cols[ok]]
        m = sp.csr_matrix((vals, (rows[ok], cols[ok])), shape=(len(keys), len(self.vocabulary_)))
        norm = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        return (sp.diags(1.0 / np.maximum(norm, 1e-12)) @ m).tocsr()

    def fit(self, labels: pd.DataFrame, sums: pd.DataFrame, counts: pd.DataFrame) -> Self:
        """Learn from the labels of catalog artists and their tracks' features.

        Args:
            labels: (artist_key, label, weight) rows, e.g. ``SoundModel.artist_labels_``.
            sums: per artist key (index), the sum of each feature over its catalog tracks.
            counts: same shape: how many of its tracks have each feature.
        """
        cfg = self.config
        self.columns_ = list(sums.columns)
        known = pd.Index(sums.index.to_numpy(dtype=object))  # arrow strings hash slowly here
        labels = labels[labels[G.ARTIST_KEY].astype(object).isin(known)]
        terms = _terms(labels, cfg.word_prefix)
        keys = pd.Index(pd.unique(terms[G.ARTIST_KEY]))
        df = terms.groupby(G.LABEL)[G.ARTIST_KEY].size()
        self.vocabulary_ = pd.Index(df.index)
        self.idf_ = np.log((1 + len(keys)) / (1 + df.to_numpy(float))) + 1.0
        self.coef_ = np.zeros((len(self.vocabulary_), len(self.columns_)))
        self.intercept_ = np.full(len(self.columns_), np.nan)
        if len(keys) == 0:  # no labelled catalog artist: every estimate stays unknown
            self.vocabulary_ = pd.Index([], dtype=object)
            self.neighbours_ = sp.csr_matrix((0, 0))
            self.sums_ = self.counts_ = np.zeros((0, len(self.columns_)))
            self.low_ = self.high_ = np.full(len(self.columns_), np.nan)
            return self
        x = self._matrix(terms, keys)
        s = sums.reindex(keys).to_numpy(float)
        c = counts.reindex(keys).to_numpy(float)
        self.neighbours_, self.sums_, self.counts_ = x, s, c
        mean = np.divide(s, c, out=np.full_like(s, np.nan), where=c > 0)
        self.low_, self.high_ = np.nanmin(mean, axis=0), np.nanmax(mean, axis=0)
        groups: dict[bytes, list[int]] = {}  # features with the same known tracks: one solve
        for j in range(len(self.columns_)):
            groups.setdefault(c[:, j].tobytes(), []).append(j)
        for js in groups.values():
            w = c[:, js[0]]
            ok = w > 0
            if ok.any():
                y = np.nan_to_num(mean[np.ix_(ok, js)])
                self.coef_[:, js], self.intercept_[js] = _ridge(x[ok], y, w[ok], cfg.ridge_alpha)
        return self

    def predict(self, labels: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
        """Features per artist key from its rows in ``labels`` (NaN where no term is known)."""
        cfg = self.config
        idx = pd.Index(pd.unique(pd.Index(list(keys), dtype=object)), dtype=object)
        out = np.full((len(idx), len(self.columns_)), np.nan)
        lab = labels[labels[G.ARTIST_KEY].isin(idx)]
        if len(lab) and len(self.vocabulary_):
            q = self._matrix(_terms(lab, cfg.word_prefix), idx)
            known = q.getnnz(axis=1) > 0
            rows = np.flatnonzero(known)
            ridge = q[rows] @ self.coef_ + self.intercept_
            knn = np.vstack([self._knn(q[rows[a : a + cfg.chunk]]) for a in
                             range(0, len(rows), cfg.chunk)]) if len(rows) else ridge  # fmt: skip
            both = (1 - cfg.knn_share) * ridge + cfg.knn_share * knn
            blend = np.where(np.isnan(knn), ridge, both)
            out[rows] = np.clip(blend, self.low_, self.high_)
        return pd.DataFrame(out, index=idx, columns=self.columns_)

    def _knn(self, q: sp.csr_matrix) -> np.ndarray:
        """Track-weighted mean features of the most similar training artists (NaN: none similar)."""
        k = min(self.config.neighbours, self.neighbours_.shape[0])
        sim = (q @ self.neighbours_.T).toarray()
        if k == 0:
            return np.full((q.shape[0], len(self.columns_)), np.nan)
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        w = np.take_along_axis(sim, top, axis=1) ** 2
        num = np.einsum("rk,rkf->rf", w, self.sums_[top])
        den = np.einsum("rk,rkf->rf", w, self.counts_[top])
        return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)


def _ridge(
    x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted ridge with an unpenalised intercept, by conjugate gradients on the normal equations.

    Minimises sum_i w_i (y_i - x_i b - c)^2 + alpha |b|^2 for every column of ``y``. The
    centred normal matrix is applied as an operator (two sparse products), never formed:
    with ~4,000 terms a dense solve took most of the fit. Returns (b, c).
    """
    from scipy.sparse.linalg import LinearOperator, cg

    sw = float(w.sum())
    xw = x.multiply(w[:, None]).tocsr()
    xbar = np.asarray(xw.sum(axis=0)).ravel() / sw
    ybar = (w @ y) / sw
    n = x.shape[1]

    def normal(v: np.ndarray) -> np.ndarray:
        return xw.T @ (x @ v) - sw * xbar * (xbar @ v) + alpha * v

    op = LinearOperator((n, n), matvec=normal, dtype=float)
    rhs = np.asarray(xw.T @ y) - sw * np.outer(xbar, ybar)
    coef = np.zeros((n, y.shape[1]))
    for j in range(y.shape[1]):
        coef[:, j], _ = cg(op, rhs[:, j], rtol=1e-5, maxiter=1000)
    return coef, ybar - xbar @ coef
