"""Mood engine: eight moods on the valence-arousal circumplex, plus VADER sentiment of words.

Each mood is a prototype over (valence, energy, danceability, acousticness, tempo,
instrumentalness), all on 0-1 (tempo scaled over 50-200 BPM); a track's mood
probabilities are a softmax of its negative weighted distance to each prototype.

Words shift valence a little: VADER's compound sentiment of tags (or lyrics) moves it by up
to ``tag_shift`` and of titles by only ``title_shift``, since VADER misreads titles
("Smells Like Teen Spirit" scores positive).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Self

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.engines.base import MOODS, Engine, Request, Workspace
from musicrec.engines.features import unit_features

_DIMS = (S.VALENCE, S.ENERGY, S.DANCEABILITY, S.ACOUSTICNESS, S.TEMPO, S.INSTRUMENTALNESS)
# prototype value per dim (NaN = this mood does not care)
PROTOTYPES: dict[str, tuple[float, ...]] = {
    "energetic": (0.60, 0.88, np.nan, 0.10, 0.60, np.nan),
    "chill": (0.50, 0.28, np.nan, 0.65, 0.30, np.nan),
    "happy": (0.85, 0.65, 0.65, np.nan, np.nan, np.nan),
    "melancholic": (0.18, 0.30, np.nan, 0.55, np.nan, np.nan),
    "party": (0.72, 0.80, 0.85, 0.08, np.nan, np.nan),
    "focused": (0.40, 0.32, np.nan, np.nan, np.nan, 0.85),
    "romantic": (0.58, 0.40, 0.55, 0.45, 0.35, 0.05),
    "workout": (0.55, 0.92, 0.72, np.nan, 0.75, np.nan),
}
# weight of each dim in the distance
_DIM_WEIGHTS = np.array([1.5, 1.5, 0.8, 0.6, 0.5, 0.8])


@dataclass(frozen=True)
class MoodConfig:
    """Defaults of the mood engine."""

    temperature: float = 0.04
    """Softmax temperature over squared distances: lower = sharper mood probabilities."""
    title_shift: float = 0.05
    """Max valence shift from the VADER sentiment of the title (low: VADER misreads titles)."""
    tag_shift: float = 0.15
    """Max valence shift from the VADER sentiment of tags or lyrics."""
    bandwidth: float = 0.18
    """Width of the closeness kernel around the requested valence/energy."""
    max_sentiment_items: int = 200_000
    """VADER runs on at most this many distinct titles (the rest count as neutral) to bound fit time."""


def mood_targets(mood: str) -> tuple[float, float]:
    """(valence, energy) of a mood preset."""
    if mood not in PROTOTYPES:
        raise ValueError(f"unknown mood {mood!r}; choose one of {', '.join(MOODS)}")
    v, e = PROTOTYPES[mood][:2]
    return float(v), float(e)


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(texts: pd.Series, limit: int = 200_000) -> pd.Series:
    """VADER compound sentiment (-1..1) per text; empty text -> 0. Distinct texts are scored once."""
    t = texts.fillna("").astype(str)
    uniq = pd.unique(t)[:limit]
    sia = _vader()
    scores = {u: (sia.polarity_scores(u)["compound"] if u.strip() else 0.0) for u in uniq}
    return t.map(scores).fillna(0.0).astype(float)


def adjusted_valence(items: pd.DataFrame, config: MoodConfig = MoodConfig()) -> pd.Series:
    """Valence shifted by title and tag sentiment (clipped to 0-1); NaN where valence is unknown."""
    v = items[S.VALENCE].astype(float)
    title = sentiment(items[S.TRACK], config.max_sentiment_items)
    tags = sentiment(items[S.TAGS], config.max_sentiment_items) if S.TAGS in items.columns else 0.0
    return (v + config.title_shift * title + config.tag_shift * tags).clip(0, 1)


def mood_probabilities(
    items: pd.DataFrame, config: MoodConfig = MoodConfig(), valence: pd.Series | None = None
) -> pd.DataFrame:
    """Probability of each of the eight moods per item (rows sum to 1; NaN rows without features).

    Needs the audio-feature columns (and track/tags for sentiment unless ``valence`` is given).
    Returns a frame indexed like ``items`` with one column per mood.
    """
    u = unit_features(items)
    if valence is None:
        valence = adjusted_valence(items, config)
    u[S.VALENCE] = valence.to_numpy()
    x = u[list(_DIMS)].to_numpy(dtype=float)
    protos = np.array([PROTOTYPES[m] for m in MOODS])
    care = ~np.isnan(protos)
    diff = np.nan_to_num(x[:, None, :] - np.nan_to_num(protos)[None, :, :], nan=0.0)
    d2 = (diff**2 * (_DIM_WEIGHTS * care)[None, :, :]).sum(axis=2) / (_DIM_WEIGHTS * care).sum(
        axis=1
    )[None, :]
    logits = -d2 / config.temperature
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    known = ~np.isnan(x[:, :2]).any(axis=1)
    p[~known] = np.nan
    return pd.DataFrame(p, index=items.index, columns=list(MOODS))


class MoodEngine(Engine):
    """Scores items by closeness to the requested valence/energy and by the probability of the requested mood."""

    name = "mood"
    label = "Mood"
    reads = ("mood", "valence", "energy")
    can_score = "some"

    def __init__(self, config: MoodConfig = MoodConfig()) -> None:
        self.config = config

    def fit(self, data: Workspace) -> Self:
        items = data.items
        self.item_ids_ = data.item_index
        self.valence_ = adjusted_valence(items, self.config).to_numpy(dtype=np.float32)
        self.energy_ = items[S.ENERGY].astype(float).to_numpy(dtype=np.float32)
        probs = mood_probabilities(
            items, self.config, valence=pd.Series(self.valence_, index=items.index)
        )
        self.probs_ = probs.to_numpy(dtype=np.float32)
        return self

    def _targets(self, request: Request) -> tuple[float | None, float | None]:
        v, e = request.valence, request.energy
        if request.mood and request.mood in PROTOTYPES:
            pv, pe = mood_targets(request.mood)
            v = pv if v is None else v
            e = pe if e is None else e
        return v, e

    def score(self, request: Request) -> pd.Series:
        self.check_fitted()
        v, e = self._targets(request)
        if v is None and e is None and not request.mood:
            return pd.Series(np.nan, index=self.item_ids_, dtype=float)
        d2 = np.zeros(len(self.item_ids_), dtype=np.float32)
        if v is not None:
            d2 += (self.valence_ - v) ** 2
        if e is not None:
            d2 += (self.energy_ - e) ** 2
        score = np.exp(-d2 / (2 * self.config.bandwidth**2))
        if request.mood in PROTOTYPES:
            score = 0.5 * score + 0.5 * self.probs_[:, MOODS.index(request.mood)]
        return pd.Series(score, index=self.item_ids_, dtype=float)

    def explain(self, item_ids: list[str], request: Request) -> pd.Series:
        self.check_fitted()
        pos = self.item_ids_.get_indexer(item_ids)
        v, e = self._targets(request)
        out = []
        for p in pos:
            if p < 0 or np.isnan(self.probs_[p]).any():
                out.append("")
                continue
            top = MOODS[int(np.nanargmax(self.probs_[p]))]
            if request.mood:
                feel = "" if top == request.mood else f" ({top} feel)"
                out.append(f"fits your {request.mood} mood{feel}")
            else:  # the track's own values beside the ones asked for: never a made-up label
                asked = [
                    (label, value, target)
                    for label, value, target in (
                        ("valence", self.valence_[p], v),
                        ("energy", self.energy_[p], e),
                    )
                    if target is not None
                ]
                values = ", ".join(f"{label} {value:.2f}" for label, value, _ in asked)
                targets = " / ".join(f"{target:.2f}" for _, _, target in asked)
                out.append(f"{values}: near the {targets} you set" if asked else "")
        return pd.Series(out, index=pd.Index(item_ids, name=S.ITEM_ID), dtype="string")
