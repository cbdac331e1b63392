"""The rules for Spotify data inside a person's loaded data: merge an import, drop it on disconnect.

Data imported through the Spotify API is marked by its source (``SOURCE_PREFIX``...). An
import is added to what is already loaded (an export, earlier imports) with
``history.add_plays``, so nothing is counted twice; disconnecting removes every row that
came from the API (the Spotify Developer Policy asks for that) and keeps the rest.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from musicrec import schema as S
from musicrec.history import IngestResult, add_plays
from musicrec.spotify import SOURCE_PREFIX


def from_spotify(frame: pd.DataFrame) -> pd.Series:
    """Per row of PLAYS or LIBRARY (needs ``source``): True where it came from the Spotify API."""
    if frame.empty:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame[S.SOURCE].astype("string").str.startswith(SOURCE_PREFIX).fillna(False).astype(bool)


def merge_import(
    current: IngestResult | None, plays: pd.DataFrame, library: pd.DataFrame
) -> IngestResult:
    """What is loaded after a Spotify import: ``history.add_plays``, the one rule for each play once.

    Args:
        current: what the person had loaded before (None: nothing).
        plays: PLAYS from ``SpotifySession.import_all`` (source ``spotify-api:...``).
        library: LIBRARY rows from the same import.

    Returns:
        A new IngestResult: the earlier plays and library plus the imported rows, each once
        (a play or library row already there is not added again, so importing three times
        gives the same data as importing once; the shows found at load apply to new plays).
        The per-file reports are those of ``current``.
    """
    return add_plays(current or IngestResult(), plays, library)


def without_spotify(current: IngestResult | None) -> IngestResult | None:
    """What is loaded after disconnecting Spotify: every row from the API removed, the rest kept.

    Returns:
        None when nothing was loaded; else a new IngestResult with the same reports.
    """
    if current is None:
        return None
    return dataclasses.replace(
        current,
        plays=current.plays[~from_spotify(current.plays).to_numpy()].reset_index(drop=True),
        library=current.library[~from_spotify(current.library).to_numpy()].reset_index(drop=True),
    )
