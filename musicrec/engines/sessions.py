"""Co-listening engine: "more like this" from the user's own sessions.

Sessions are split where the gap between plays is over ``session_gap_minutes``. Two
parts, added before a log:

- **neighbours**: two tracks co-occur when they are played within ``window`` positions of
  each other in a session, weighted 1/distance;
- **same session**: the number of sessions in which a track was played together with each
  seed, anywhere in the session (``session_weight``). A session is often one playlist or
  album played in any order, so this reaches the rest of it, not only the next few tracks
  (on the shared histories' continuation task, ``benchmarks/bench_evaluate.py``: NDCG@10
  0.124 with neighbours alone, 0.150 with both).

The score of an item is its co-occurrence with the request's seeds and liked tracks, or,
without any, with the user's most recent session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from musicrec import schema as S
from musicrec.engines.base import Engine, Request, Workspace


@dataclass(frozen=True)
class SessionConfig:
    """Defaults of the co-listening engine."""

    session_gap_minutes: float = 30.0
    """A gap longer than this between two plays starts a new session."""
    window: int = 3
    """Tracks up to this many positions apart in a session co-occur."""
    forward_weight: float = 1.0
    """Weight of "played after" co-occurrence."""
    backward_weight: float = 0.5
    """Weight of "played before" co-occurrence."""
    session_weight: float = 1.0
    """Weight of each shared session, anywhere in it (0 switches the same-session part off)."""


def session_ids(ts: pd.Series, gap_minutes: float = 30.0) -> np.ndarray:
    """Session number per play (plays must be sorted by ts): a new session after each gap > gap_minutes."""
    if len(ts) == 0:
        return np.array([], dtype=np.int64)
    gaps = ts.diff().dt.total_seconds().fillna(np.inf).to_numpy() > gap_minutes * 60
    return np.cumsum(gaps) - 1


def session_matrix(item_idx: np.ndarray, session: np.ndarray, n_items: int) -> sp.csr_matrix:
    """Sessions x items, 1 where the item was played in the session (0-based session numbers)."""
    n_sessions = int(session.max()) + 1 if len(session) else 0
    m = sp.csr_matrix(
        (np.ones(len(item_idx), dtype=np.float32), (session, item_idx)),
        shape=(n_sessions, n_items),
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def cooccurrence(
    item_idx: np.ndarray, session: np.ndarray, n_items: int, config: SessionConfig
) -> sp.csr_matrix:
    """Item x item co-listening matrix: C[a, b] = weight of b following (or preceding) a within a window."""
    rows, cols, vals = [], [], []
    for lag in range(1, config.window + 1):
        same = session[lag:] == session[:-lag]
        a, b = item_idx[:-lag][same], item_idx[lag:][same]
        keep = a != b
        w = 1.0 / lag
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
        vals += [
            np.full(keep.sum(), w * config.forward_weight),
            np.full(keep.sum(), w * config.backward_weight),
        ]
    if not rows:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    return sp.csr_matrix((v.astype(np.float32), (r, c)), shape=(n_items, n_items))


class CoListenEngine(Engine):
    """Scores items by how often the user plays them next to the seeds (see module docstring)."""

    name = "co_listening"
    label = "Your sessions"
    reads = ("seeds", "liked")
    can_score = "some"

    def __init__(self, config: SessionConfig = SessionConfig()) -> None:
        self.config = config

    def fit(self, data: Workspace) -> Self:
        self.item_ids_ = data.item_index
        self.tracks_ = data.items[S.TRACK].astype("string").fillna("").to_numpy()
        plays = data.plays.sort_values(S.TS, kind="stable") if not data.plays.empty else data.plays
        n = len(self.item_ids_)
        if plays.empty:
            self.matrix_ = sp.csr_matrix((n, n), dtype=np.float32)
            self.sessions_ = sp.csr_matrix((0, n), dtype=np.float32)
            self.active_ = np.zeros(n, dtype=bool)
            self.recent_ = np.array([], dtype=np.int64)
            return self
        idx = self.item_ids_.get_indexer(plays[S.ITEM_ID])
        session = session_ids(plays[S.TS], self.config.session_gap_minutes)
        ok = idx >= 0
        idx, session = idx[ok], session[ok]
        self.matrix_ = cooccurrence(idx, session, n, self.config)
        sessions = session_matrix(idx, session, n)
        shared = np.asarray(sessions.sum(axis=1)).ravel() >= 2  # sessions of one track link nothing
        self.sessions_ = sessions[shared].tocsr()
        self.items_by_session_ = self.sessions_.T.tocsr()
        self.active_ = np.zeros(n, dtype=bool)  # every co-occurrence lies in a shared session
        self.active_[self.sessions_.indices] = True
        self.recent_ = (
            np.unique(idx[session == session.max()])
            if len(session)
            else np.array([], dtype=np.int64)
        )
        return self

    def _seed_positions(self, request: Request) -> np.ndarray:
        pos = self.item_ids_.get_indexer(list(request.seeds) + list(request.liked))
        pos = pos[pos >= 0]
        return pos if len(pos) else self.recent_

    def _same_session(self, seeds: np.ndarray) -> np.ndarray:
        """Per item: the number of (session, seed) pairs it shares a session with."""
        per_session = np.asarray(self.sessions_[:, seeds].sum(axis=1)).ravel()
        return self.items_by_session_ @ per_session

    def score(self, request: Request) -> pd.Series:
        self.check_fitted()
        seeds = self._seed_positions(request)
        if len(seeds) == 0 or not self.active_.any():
            return pd.Series(np.nan, index=self.item_ids_, dtype=float)
        scores = np.asarray(self.matrix_[seeds].sum(axis=0)).ravel().astype(float)
        if self.config.session_weight > 0:
            scores += self.config.session_weight * self._same_session(seeds)
        scores = np.where(self.active_, np.log1p(scores), np.nan)
        return pd.Series(scores, index=self.item_ids_, dtype=float)

    def explain(self, item_ids: list[str], request: Request) -> pd.Series:
        self.check_fitted()
        seeds = self._seed_positions(request)
        pos = self.item_ids_.get_indexer(item_ids)
        out = []
        for p in pos:
            if p < 0 or len(seeds) == 0:
                out.append("")
                continue
            col = np.asarray(self.matrix_[seeds][:, p].todense()).ravel()
            if col.max() <= 0 and self.sessions_.shape[0]:
                together = self.sessions_[:, [p]].T @ self.sessions_[:, seeds]
                col = np.asarray(together.todense()).ravel()
            if col.max() <= 0:
                out.append("")
                continue
            out.append(f"you often play it next to {self.tracks_[seeds[int(col.argmax())]]}")
        return pd.Series(out, index=pd.Index(item_ids, name=S.ITEM_ID), dtype="string")
