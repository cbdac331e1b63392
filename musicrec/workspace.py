"""What engines learn from and what a person asks for: ``Workspace``, ``Request``, ``build_workspace``.

The workspace owns the one item index (LensKit's ``Dataset`` owns its id maps): engines
and the hybrid ask it for ``item_index`` and ``positions(ids)`` instead of rebuilding
``pd.Index(items[ITEM_ID])``. It also carries the listener's time zone, so anything that
learns from hours or weekdays reads the listener's own clock (``local_plays``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.clock import DEFAULT_TIMEZONE, localize
from musicrec.config import DEFAULT_COUNTING, CountingRule


@dataclass(frozen=True)
class Workspace:
    """Everything engines learn from. Frames follow ``musicrec.schema``.

    Attributes:
        items: ITEMS frame (one row per ``item_id``): the candidate universe.
        plays: PLAYS frame of the user, with ``item_id`` and ``match_method`` added by
            matching, already filtered by the counting rule; ``ts`` in UTC. May be empty.
        community: INTERACTIONS frame (user, item, weight) where ``item`` uses the same ids
            as ``items.item_id`` where possible (artist-level communities may use artist
            names: see the collaborative engine). May be empty.
        library: LIBRARY frame (liked tracks, playlist items) with ``item_id``. May be empty.
        timezone: the listener's IANA time zone; hours and weekdays are read in it.
    """

    items: pd.DataFrame
    plays: pd.DataFrame
    community: pd.DataFrame = field(default_factory=pd.DataFrame)
    library: pd.DataFrame = field(default_factory=pd.DataFrame)
    timezone: str = DEFAULT_TIMEZONE

    @cached_property
    def item_index(self) -> pd.Index:
        """The item ids in the order of ``items`` rows: position i is row i (built once)."""
        return pd.Index(self.items[S.ITEM_ID], name=S.ITEM_ID)

    def positions(self, item_ids: object) -> np.ndarray:
        """Row positions of ``item_ids`` (any list-like) in ``items``; -1 for unknown ids."""
        return self.item_index.get_indexer(pd.Index(list(item_ids), dtype="object"))

    def local_plays(self) -> pd.DataFrame:
        """``plays`` with ``ts`` in the listener's zone (same instants; see ``musicrec.clock``)."""
        if self.plays.empty or S.TS not in self.plays.columns:
            return self.plays
        return localize(self.plays, self.timezone)


@dataclass(frozen=True)
class Request:
    """What the person asks for right now (the playlist builder's sliders).

    Every field is optional; None means "no preference". Engines declare which fields
    they read (``Engine.reads``); the hybrid caches each engine's scores on those alone.
    """

    hour: int | None = None
    """0-23, the listener's local hour the playlist is for."""
    weekday: int | None = None
    """0 = Monday ... 6 = Sunday (the listener's local day)."""
    activity: str | None = None
    """One of ``musicrec.engines.base.ACTIVITIES``."""
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


def empty_interactions() -> pd.DataFrame:
    """An INTERACTIONS frame with no rows (user, item, weight)."""
    dtypes = ("string", "string", float)
    return pd.DataFrame(
        {c: pd.Series(dtype=t) for c, t in zip(S.INTERACTION_COLUMNS, dtypes, strict=True)}
    )


def build_workspace(
    plays: pd.DataFrame,
    catalog: pd.DataFrame | None,
    community: pd.DataFrame | None = None,
    library: pd.DataFrame | None = None,
    rule: CountingRule | None = DEFAULT_COUNTING,
    *,
    artist_features: pd.DataFrame | None = None,
    genre_features: pd.DataFrame | None = None,
    fuzzy: bool = True,
    timezone: str = DEFAULT_TIMEZONE,
) -> Workspace:
    """Counting rule -> matching -> items: everything the engines learn from.

    Args:
        plays: PLAYS frame (raw, deduplicated; ``ts`` in UTC).
        catalog: CATALOG frame or None.
        community: INTERACTIONS frame or None.
        library: LIBRARY frame or None.
        rule: counting rule (None keeps every play).
        artist_features: optional artist-level feature table (fallback features).
        genre_features: optional genre-level feature table (fallback features).
        fuzzy: also match titles fuzzily within an artist.
        timezone: the listener's IANA zone (unknown names mean UTC).

    Returns:
        A ``Workspace`` whose plays carry ``item_id`` and ``match_method``.
    """
    from musicrec.clock import resolve
    from musicrec.history import apply_counting_rule
    from musicrec.matching import build_items, match_plays

    counted = apply_counting_rule(plays, rule) if rule is not None else plays
    fb = {"artist_features": artist_features, "genre_features": genre_features}
    matched = match_plays(counted, catalog, fuzzy=fuzzy, **fb)
    lib = (
        match_plays(library, catalog, fuzzy=fuzzy, **fb)
        if library is not None and not library.empty
        else None
    )
    return Workspace(
        items=build_items(catalog, matched, lib, **fb),
        plays=matched,
        community=community if community is not None else empty_interactions(),
        library=lib if lib is not None else pd.DataFrame(),
        timezone=resolve(timezone),
    )
