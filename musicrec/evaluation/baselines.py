"""The simple rules a recommender of re-listening must beat (issue 15), as pure functions.

Each takes the person's training plays (PLAYS with at least ``ts`` and ``item_id``, any
order) and the item index to score over, and returns one float per item (0 or NaN for items
never played, as documented per function). Higher is better.

- ``frequency``: play count;
- ``recency``: play count with each play's weight halving every ``half_life_days``;
- ``most_recent``: last played first;
- ``actr_activation``: ACT-R's base-level learning equation (Anderson & Schooler 1991, used
  for music re-listening by Reiter-Haas et al., RecSys 2021): each past play contributes
  ``age ** -d`` (d = 0.5), so frequency and recency combine;
- ``actr_hour_of_week``: the same, each play also weighted by how close its hour of the week
  is to the hour asked for (the person's own habits at that time);
- ``transition``: per-user probability that an item follows the last one played (the best
  next-item predictor in Reiter-Haas et al.).

Ages are measured to ``now``, the moment of the prediction (e.g. a session's first play).
Hours of the week are read on the clock of ``ts`` as given: localize first
(``musicrec.clock.localize``) for the listener's own clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from musicrec import schema as S

ACTR_DECAY = 0.5
"""ACT-R's decay d (Anderson & Schooler; Reiter-Haas et al. use 0.5 for music)."""
HOURS_PER_WEEK = 168


def _positions(plays: pd.DataFrame, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(item position, ok mask) of each play in ``ids``."""
    pos = ids.get_indexer(plays[S.ITEM_ID])
    return pos, pos >= 0


def frequency(plays: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Number of plays per item (0 for never played)."""
    pos, ok = _positions(plays, ids)
    return np.bincount(pos[ok], minlength=len(ids)).astype(float)


def recency(plays: pd.DataFrame, ids: pd.Index, half_life_days: float = 30.0) -> np.ndarray:
    """Plays per item, each weighted 0.5 ** (days before the last training play / half-life)."""
    if plays.empty:
        return np.zeros(len(ids))
    pos, ok = _positions(plays, ids)
    age = (plays[S.TS].max() - plays[S.TS]).dt.total_seconds().to_numpy() / 86400
    return np.bincount(pos[ok], weights=0.5 ** (age[ok] / half_life_days), minlength=len(ids))


def most_recent(plays: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Seconds since the epoch of each item's last play (NaN for never played): last played first."""
    out = np.full(len(ids), np.nan)
    if plays.empty:
        return out
    pos, ok = _positions(plays, ids)
    secs = (plays[S.TS] - pd.Timestamp(0, tz=plays[S.TS].dt.tz)).dt.total_seconds().to_numpy()
    last = pd.Series(secs[ok]).groupby(pos[ok]).max()
    out[last.index.to_numpy()] = last.to_numpy()
    return out


def hour_of_week(ts: pd.Series) -> np.ndarray:
    """Hour of the week 0-167 (Monday 0 h = 0) as floats with minutes, on the clock of ``ts``."""
    return (ts.dt.day_of_week * 24 + ts.dt.hour + ts.dt.minute / 60).to_numpy(dtype=float)


def _seconds(ts: pd.Series) -> np.ndarray:
    return (ts - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)


@dataclass(frozen=True)
class PlayHistory:
    """A person's plays as arrays over an item index, for activations at many moments.

    Attributes:
        pos: item position of each play (plays of items outside the index are left out).
        secs: its time in seconds since the epoch.
        how: its hour of the week (see ``hour_of_week``) on the clock the plays were given in.
        n_items: length of the index.
    """

    pos: np.ndarray
    secs: np.ndarray
    how: np.ndarray
    n_items: int

    @classmethod
    def of(cls, plays: pd.DataFrame, ids: pd.Index) -> PlayHistory:
        """From PLAYS with ``ts`` and ``item_id``."""
        if plays.empty:
            return cls(np.array([], np.int64), np.array([]), np.array([]), len(ids))
        pos, ok = _positions(plays, ids)
        ts = plays[S.TS]
        return cls(pos[ok], _seconds(ts)[ok], hour_of_week(ts)[ok], len(ids))

    def activation(
        self,
        now: pd.Timestamp,
        decay: float = ACTR_DECAY,
        bandwidth_hours: float | None = None,
    ) -> np.ndarray:
        """ln(sum of age ** -d) per item over the plays before ``now`` (NaN if none).

        With ``bandwidth_hours`` each play is also weighted by a Gaussian kernel of the gap
        between its hour of the week and ``now``'s, on the 168-hour circle (plus 1e-6, so
        that items never played near that hour still rank, by plain activation).
        """
        out = np.full(self.n_items, np.nan)
        now_s = _seconds(pd.Series([now]))[0]
        before = self.secs < now_s
        if not before.any():
            return out
        weight = np.maximum(now_s - self.secs[before], 1.0) ** -decay
        if bandwidth_hours is not None:
            gap = np.abs(self.how[before] - hour_of_week(pd.Series([now]))[0])
            gap = np.minimum(gap, HOURS_PER_WEEK - gap)
            weight = weight * (np.exp(-0.5 * (gap / bandwidth_hours) ** 2) + 1e-6)
        strength = np.bincount(self.pos[before], weights=weight, minlength=self.n_items)
        played = strength > 0
        out[played] = np.log(strength[played])
        return out


def actr_activation(
    plays: pd.DataFrame, ids: pd.Index, now: pd.Timestamp, decay: float = ACTR_DECAY
) -> np.ndarray:
    """ACT-R base-level activation per item: ln(sum over its plays before ``now`` of age ** -d).

    Plays at or after ``now`` are ignored; items never played before ``now`` get NaN. Ages are
    in seconds (at least 1); the unit only shifts every activation by the same constant, so the
    ranking is the same in seconds or days.
    """
    return PlayHistory.of(plays, ids).activation(now, decay)


def actr_hour_of_week(
    plays: pd.DataFrame,
    ids: pd.Index,
    now: pd.Timestamp,
    decay: float = ACTR_DECAY,
    bandwidth_hours: float = 2.0,
) -> np.ndarray:
    """ACT-R activation where each play also counts by the closeness of its hour of the week
    to ``now``'s (see ``PlayHistory.activation``); NaN for items never played before ``now``."""
    return PlayHistory.of(plays, ids).activation(now, decay, bandwidth_hours)


def transition_matrix(
    plays: pd.DataFrame, ids: pd.Index, session_gap_minutes: float = 30.0
) -> tuple[np.ndarray, np.ndarray]:
    """Per-user first-order transitions: (from positions, to positions) of consecutive plays in
    one session (gap <= ``session_gap_minutes``), repeats of the same item left out."""
    from musicrec.engines.sessions import session_ids

    if len(plays) < 2:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    ordered = plays.sort_values(S.TS, kind="stable")
    pos = ids.get_indexer(ordered[S.ITEM_ID])
    sess = session_ids(ordered[S.TS], session_gap_minutes)
    a, b = pos[:-1], pos[1:]
    keep = (sess[:-1] == sess[1:]) & (a >= 0) & (b >= 0) & (a != b)
    return a[keep], b[keep]


def transition(
    pairs: tuple[np.ndarray, np.ndarray],
    n_items: int,
    last: int,
    tie_break: np.ndarray | None = None,
) -> np.ndarray:
    """P(next = item | previous = ``last``) from ``transition_matrix`` pairs; 0 where never seen.

    Args:
        pairs: (from, to) positions.
        n_items: length of the result.
        last: position of the item played last (-1: unknown, every score 0).
        tie_break: optional scores (e.g. frequency) added x 1e-9 so that items never seen
            after ``last`` keep a sensible order instead of an arbitrary one.
    """
    out = np.zeros(n_items)
    src, dst = pairs
    if last >= 0 and len(src):
        nxt = dst[src == last]
        if len(nxt):
            out = np.bincount(nxt, minlength=n_items) / len(nxt)
    if tie_break is not None:
        out = out + 1e-9 * np.nan_to_num(tie_break) / max(np.nanmax(np.abs(tie_break)), 1e-12)
    return out
