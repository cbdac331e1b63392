"""The contract every engine follows (scikit-learn conventions, LensKit's scorer contract).

- ``__init__`` only stores parameters.
- ``fit(data)`` learns from a ``Workspace`` and returns ``self``; learned attributes end in ``_``.
- ``score(request)`` returns a float ``pd.Series`` over the workspace's ``item_index``,
  NaN where the engine cannot score (``can_score`` says where that may happen).
- ``explain(item_ids, request)`` returns a short human reason per item (or "" if none).
- Class attributes declare the engine: ``name`` (its one id everywhere: blend weights,
  contribution columns, evaluation rows), ``label`` (shown to people), ``reads`` (the
  request fields its scores depend on: the hybrid's cache key) and ``can_score``.

Engines never import Streamlit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Literal, Self

import pandas as pd

from musicrec import schema as S
from musicrec.errors import NotFittedError
from musicrec.workspace import Request, Workspace

MOODS: tuple[str, ...] = (
    "energetic", "chill", "happy", "melancholic", "party", "focused", "romantic", "workout",
)  # fmt: skip
ACTIVITIES: tuple[str, ...] = ("workout", "focus", "party", "relax", "commute", "sleep")
DAYPARTS: tuple[str, ...] = ("morning", "afternoon", "evening", "night")

CanScore = Literal["all", "known", "some"]
"""Where an engine returns numbers (LensKit's ``can_score``):

- ``"all"``: every item of the workspace, for every request;
- ``"known"``: at least every item the person has played (others may be NaN);
- ``"some"``: any item may be NaN (the engine needs features, co-plays, a community or a
  request field it reads; with nothing to go on every score is NaN).
"""

__all__ = ["ACTIVITIES", "DAYPARTS", "MOODS", "CanScore", "Engine", "Request", "Workspace"]


class Engine(ABC):
    """Base class of all engines; see the module docstring for the contract."""

    name: ClassVar[str] = "engine"
    """The engine's one id (a Python identifier: also the ``BlendWeights`` field)."""
    label: ClassVar[str] = "Engine"
    """What people see (slider labels, contribution columns, the model-quality table)."""
    reads: ClassVar[tuple[str, ...]] = ()
    """The ``Request`` fields the scores depend on; other fields never change them."""
    can_score: ClassVar[CanScore] = "some"
    """Where scores may be NaN (see ``CanScore``)."""

    @abstractmethod
    def fit(self, data: Workspace) -> Self:
        """Learn from ``data``.

        Args:
            data: the workspace; its frames are never modified.

        Returns:
            self, with learned attributes ending in ``_`` (at least ``item_ids_``, the
            workspace's ``item_index``).
        """

    @abstractmethod
    def score(self, request: Request) -> pd.Series:
        """Scores for ``request``; higher is better, scale is the engine's own.

        Args:
            request: what the person asks for; only the fields in ``reads`` matter.

        Returns:
            float Series indexed by ``item_ids_`` (every item of the workspace, in order),
            NaN where the engine cannot score (see ``can_score``).

        Raises:
            NotFittedError: ``fit`` was not called first.
        """

    def explain(self, item_ids: list[str], request: Request) -> pd.Series:
        """Short reason per item ("" when the engine has none).

        Args:
            item_ids: items to explain (unknown ids get "").
            request: the request the items were recommended for.

        Returns:
            string Series indexed by ``item_ids``.
        """
        self.check_fitted()
        return pd.Series("", index=pd.Index(item_ids, name=S.ITEM_ID), dtype="string")

    def check_fitted(self) -> None:
        """Raise ``NotFittedError`` unless ``fit`` has run."""
        if not hasattr(self, "item_ids_"):
            raise NotFittedError(
                f"{type(self).__name__} ({self.name}) is not fitted: call fit(workspace) "
                "before score or explain"
            )
