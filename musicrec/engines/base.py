"""The contract every engine follows (scikit-learn conventions, LensKit's fallback idea).

- ``__init__`` only stores parameters.
- ``fit(data)`` learns from a ``Workspace`` and returns ``self``; learned attributes end in ``_``.
- ``score(request)`` returns a float ``pd.Series`` indexed by ``item_id`` over
  ``data.items`` (the whole candidate universe), NaN where the engine cannot score.
  Higher is better. Scores need not be normalised: the hybrid normalises per engine.
- ``explain(item_ids, request)`` returns a short human reason per item (or "" if none).

Engines never import Streamlit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Self

import pandas as pd

MOODS: tuple[str, ...] = (
    "energetic", "chill", "happy", "melancholic", "party", "focused", "romantic", "workout",
)  # fmt: skip
ACTIVITIES: tuple[str, ...] = ("workout", "focus", "party", "relax", "commute", "sleep")
DAYPARTS: tuple[str, ...] = ("morning", "afternoon", "evening", "night")


@dataclass(frozen=True)
class Workspace:
    """Everything engines learn from. Frames follow ``musicrec.schema``.

    Attributes:
        items: ITEMS frame (one row per ``item_id``): the candidate universe.
        plays: PLAYS frame of the user, with ``item_id`` and ``match_method`` added by
            matching, already filtered by the counting rule. May be empty.
        community: INTERACTIONS frame (user, item, weight) where ``item`` uses the same ids
            as ``items.item_id`` where possible (artist-level communities may use artist
            names: see the collaborative engine). May be empty.
        library: LIBRARY frame (liked tracks, playlist items) with ``item_id``. May be empty.
    """

    items: pd.DataFrame
    plays: pd.DataFrame
    community: pd.DataFrame = field(default_factory=pd.DataFrame)
    library: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class Request:
    """What the person asks for right now (the playlist builder's sliders).

    Every field is optional; None means "no preference".
    """

    hour: int | None = None
    """0-23, local hour the playlist is for."""
    weekday: int | None = None
    """0 = Monday ... 6 = Sunday."""
    activity: str | None = None
    """One of ``ACTIVITIES``."""
    mood: str | None = None
    """One of ``MOODS`` (a preset); sets valence/energy targets unless those are given."""
    valence: float | None = None
    """Target valence 0-1."""
    energy: float | None = None
    """Target energy 0-1."""
    seeds: tuple[str, ...] = ()
    """item_ids to build around ("more like this")."""
    liked: tuple[str, ...] = ()
    """item_ids the person liked in this session."""
    disliked: tuple[str, ...] = ()
    """item_ids the person disliked: never recommended, and similar items pushed down."""


class Engine(ABC):
    """Base class of all engines; see the module docstring for the contract."""

    name: str = "engine"

    @abstractmethod
    def fit(self, data: Workspace) -> Self:
        """Learn from ``data``; return self."""

    @abstractmethod
    def score(self, request: Request) -> pd.Series:
        """Scores indexed by item_id over the fitted items, NaN where unknown."""

    def explain(self, item_ids: list[str], request: Request) -> pd.Series:
        """Short reason per item (index item_ids); default: no reason."""
        return pd.Series("", index=pd.Index(item_ids, name="item_id"), dtype="string")
