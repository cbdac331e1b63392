"""Context engine: activity and time-of-day rules, plus what this user actually plays at that hour.

Two parts, added together:

- **Rules** (``ContextRules``): each activity and each part of the day moves a target
  sound away from the user's usual sound (e.g. workout: energy +0.3, danceability +0.2;
  night: calmer). Items close to the target score high.
- **Learned habits**: the user's plays are weighted by a circular kernel over hour of day
  (and a smaller weight for the other day type, weekday vs weekend). The weighted play
  counts say which tracks this person plays at this time; the weighted mean sound of
  those plays says which *kind* of track, so tracks never played can score too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.engines.base import ACTIVITIES, DAYPARTS, Engine, Request, Workspace
from musicrec.engines.features import unit_features

_UNIT = list(S.AUDIO_FEATURES)


def _offsets(**kw: float) -> dict[str, float]:
    return kw


@dataclass(frozen=True)
class ContextRules:
    """Documented rules: feature offsets (on 0-1 scales; tempo over 50-200 BPM, loudness over -35..0 dB)."""

    workout: dict[str, float] = field(
        default_factory=lambda: _offsets(energy=0.3, danceability=0.2, tempo=0.2)
    )
    """Workout: more energy, more danceable, faster."""
    focus: dict[str, float] = field(
        default_factory=lambda: _offsets(instrumentalness=0.4, speechiness=-0.2, energy=-0.1)
    )
    """Focus/study: instrumental, few words, a bit calmer."""
    party: dict[str, float] = field(
        default_factory=lambda: _offsets(danceability=0.3, energy=0.2, valence=0.2)
    )
    """Party: danceable, energetic, happy."""
    relax: dict[str, float] = field(default_factory=lambda: _offsets(energy=-0.3, acousticness=0.3))
    """Relax: calm and acoustic."""
    commute: dict[str, float] = field(default_factory=lambda: _offsets(energy=0.1, valence=0.05))
    """Commute: a little more lively than usual."""
    sleep: dict[str, float] = field(
        default_factory=lambda: _offsets(
            energy=-0.5, acousticness=0.4, instrumentalness=0.3, loudness=-0.3
        )
    )
    """Sleep: very calm, soft, acoustic, instrumental."""
    morning: dict[str, float] = field(default_factory=lambda: _offsets(energy=0.1, valence=0.05))
    """Morning (5-11 h): a little brighter."""
    afternoon: dict[str, float] = field(default_factory=dict)
    """Afternoon (12-16 h): the user's usual sound."""
    evening: dict[str, float] = field(default_factory=lambda: _offsets(energy=-0.05))
    """Evening (17-21 h): slightly calmer."""
    night: dict[str, float] = field(
        default_factory=lambda: _offsets(energy=-0.25, acousticness=0.15)
    )
    """Night (22-4 h): calmer."""


@dataclass(frozen=True)
class ContextConfig:
    """Defaults of the context engine."""

    rules: ContextRules = field(default_factory=ContextRules)
    """Activity and daypart rules."""
    hour_bandwidth: float = 3.0
    """Width (hours) of the circular kernel over hour of day."""
    other_daytype_weight: float = 0.5
    """Weight of plays from the other day type (weekday vs weekend)."""
    habit_weight: float = 1.0
    """Weight of the learned "you play this at this hour" part for tracks you have played."""
    sound_bandwidth: float = 0.25
    """Width of the closeness kernel around a target sound."""
    half_life_days: float = 14.0
    """Learned habits fade: a play's weight halves every this many days before the last play."""


def daypart(hour: int) -> str:
    """morning 5-11, afternoon 12-16, evening 17-21, night 22-4."""
    if 5 <= hour <= 11:
        return "morning"
    if 12 <= hour <= 16:
        return "afternoon"
    if 17 <= hour <= 21:
        return "evening"
    return "night"


_HOUR_PART = np.array([DAYPARTS.index(daypart(h)) for h in range(24)])
"""The index in ``DAYPARTS`` of each hour's daypart."""


def daypart_label(hour: int, weekday: int | None) -> str:
    day = "" if weekday is None else ("weekend " if weekday >= 5 else "weekday ")
    return f"{day}{daypart(hour)}s" if daypart(hour) != "night" else f"{day}nights".strip()


class ContextEngine(Engine):
    """Rules for activity and time of day plus learned hour/weekday habits (see module docstring)."""

    name = "context"
    label = "Time and activity"
    reads = ("hour", "weekday", "activity")
    can_score = "some"

    def __init__(self, config: ContextConfig = ContextConfig()) -> None:
        self.config = config

    def fit(self, data: Workspace) -> Self:
        items = data.items
        self.item_ids_ = data.item_index
        unit = unit_features(items)
        self.unit_ = unit.to_numpy(dtype=np.float32)
        self.has_ = ~np.isnan(self.unit_).all(axis=1)
        filled = np.where(
            np.isnan(self.unit_),
            np.nanmean(self.unit_, axis=0) if self.has_.any() else 0.5,
            self.unit_,
        )
        self.filled_ = filled.astype(np.float32)
        plays = data.local_plays()  # hours and weekdays on the listener's clock
        pos = (
            self.item_ids_.get_indexer(plays[S.ITEM_ID])
            if not plays.empty
            else np.array([], dtype=int)
        )
        ok = pos >= 0
        self.play_item_ = pos[ok]
        ts = plays[S.TS][ok] if not plays.empty else pd.Series(dtype="datetime64[ns, UTC]")
        self.play_hour_ = (ts.dt.hour + ts.dt.minute / 60).to_numpy(dtype=np.float32)
        self.play_weekend_ = (ts.dt.day_of_week >= 5).to_numpy()
        self.play_part_ = _HOUR_PART[ts.dt.hour.to_numpy(dtype=int)]
        age_days = (
            ((ts.max() - ts).dt.total_seconds() / 86400).to_numpy(dtype=np.float32)
            if len(ts)
            else np.array([], np.float32)
        )
        self.play_decay_ = (0.5 ** (age_days / self.config.half_life_days)).astype(np.float32)
        played_feats = (
            self.has_[self.play_item_] if len(self.play_item_) else np.array([], dtype=bool)
        )
        self.usual_ = (
            np.nanmean(self.unit_[self.play_item_[played_feats]], axis=0)
            if played_feats.any()
            else (
                np.nanmean(self.unit_[self.has_], axis=0)
                if self.has_.any()
                else np.full(len(_UNIT), 0.5)
            )
        ).astype(np.float32)
        self._cache: dict[tuple, np.ndarray] = {}
        return self

    # -- parts ---------------------------------------------------------------------------
    def _play_weights(self, hour: int, weekday: int | None) -> np.ndarray:
        d = np.abs(self.play_hour_ - hour)
        d = np.minimum(d, 24 - d)
        w = np.exp(-0.5 * (d / self.config.hour_bandwidth) ** 2) * self.play_decay_
        if weekday is not None:
            same = self.play_weekend_ == (weekday >= 5)
            w = w * np.where(same, 1.0, self.config.other_daytype_weight)
        return w.astype(np.float32)

    def _slot_plays(self, hour: int, weekday: int | None) -> np.ndarray:
        """Plays per item in the daypart of ``hour`` (and its day type, given a weekday)."""
        mask = self.play_part_ == DAYPARTS.index(daypart(hour))
        if weekday is not None:
            mask &= self.play_weekend_ == (weekday >= 5)
        return np.bincount(self.play_item_[mask], minlength=len(self.item_ids_))

    def _closeness(self, target: np.ndarray, touched: np.ndarray) -> np.ndarray:
        """Closeness to the target sound; dims a rule touched count three times as much."""
        weights = np.where(touched, 3.0, 1.0).astype(np.float32)
        d2 = ((self.filled_ - target) ** 2 @ weights) / weights.sum()
        return np.exp(-d2 / (2 * self.config.sound_bandwidth**2)).astype(np.float32)

    def _rule_target(self, request: Request, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        target = base.copy()
        touched = np.zeros(len(_UNIT), dtype=bool)
        names = []
        if request.activity in ACTIVITIES:
            names.append(request.activity)
        if request.hour is not None:
            names.append(daypart(request.hour))
        for name in names:
            for feat, off in getattr(self.config.rules, name).items():
                i = _UNIT.index(feat)
                target[i] = np.clip(target[i] + off, 0, 1)
                touched[i] = True
        return target, touched

    def _parts(self, request: Request) -> tuple[np.ndarray, np.ndarray]:
        key = (request.hour, request.weekday, request.activity)
        if key in self._cache:
            return self._cache[key]
        n = len(self.item_ids_)
        habit = np.zeros(n, dtype=np.float32)
        base = self.usual_
        if request.hour is not None and len(self.play_item_):
            w = self._play_weights(request.hour, request.weekday)
            counts = np.bincount(self.play_item_, weights=w, minlength=n).astype(np.float32)
            total = np.bincount(self.play_item_, weights=self.play_decay_, minlength=n).astype(
                np.float32
            )
            habit = np.log1p(counts) * (counts / np.maximum(total, 1)) ** 0.5
            feats = self.has_[self.play_item_]
            if feats.any():
                ww = w[feats]
                base = (self.unit_[self.play_item_[feats]] * ww[:, None]).sum(axis=0) / max(
                    ww.sum(), 1e-9
                )
        target, touched = self._rule_target(request, base)
        sound = self._closeness(target, touched)
        self._cache[key] = (habit, sound)
        return habit, sound

    def score(self, request: Request) -> pd.Series:
        self.check_fitted()
        if request.hour is None and request.activity is None:
            return pd.Series(np.nan, index=self.item_ids_, dtype=float)
        habit, sound = self._parts(request)
        h = habit / habit.max() if habit.max() > 0 else habit
        score = np.where(self.has_, sound, 0.0) + self.config.habit_weight * h
        score = np.where(self.has_ | (habit > 0), score, np.nan)
        return pd.Series(score, index=self.item_ids_, dtype=float)

    def explain(self, item_ids: list[str], request: Request) -> pd.Series:
        self.check_fitted()
        pos = self.item_ids_.get_indexer(item_ids)
        # "often" only with plays in that very daypart: the habit score also counts nearby hours
        there = None if request.hour is None else self._slot_plays(request.hour, request.weekday)
        out = []
        for p in pos:
            if there is not None and p >= 0 and there[p] >= 2:
                out.append(f"you often play it on {daypart_label(request.hour, request.weekday)}")
            elif request.activity:
                out.append(
                    f"fits {request.activity}: {', '.join(self._rule_words(request.activity))}"
                )
            elif request.hour is not None:
                out.append(
                    f"you play this kind of track on {daypart_label(request.hour, request.weekday)}"
                )
            else:
                out.append("")
        return pd.Series(out, index=pd.Index(item_ids, name=S.ITEM_ID), dtype="string")

    def _rule_words(self, activity: str) -> list[str]:
        rule = getattr(self.config.rules, activity)
        words = [
            f"{'more' if v > 0 else 'less'} {k}"
            for k, v in sorted(rule.items(), key=lambda kv: -abs(kv[1]))[:2]
        ]
        return words or ["your usual sound"]


__all__ = ["DAYPARTS", "ContextConfig", "ContextEngine", "ContextRules", "daypart"]
