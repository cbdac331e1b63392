"""The rules for Spotify data inside a person's loaded data: merge an import, drop it on disconnect.

Data imported through the Spotify API is marked by its source (``SOURCE_PREFIX``...). An
import is added to what is already loaded (an export, earlier imports) without doubling
anything that was imported before; disconnecting removes every row that came from the API
(the Spotify Developer Policy asks for that) and keeps the rest.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from musicrec import schema as S
from musicrec.history import IngestResult
from musicrec.spotify import SOURCE_PREFIX

_PLAY_KEYS = [S.TS, S.TRACK_URI, S.TRACK, S.ARTIST, S.SOURCE]
_LIBRARY_KEYS = [S.LIB_KIND, S.PLAYLIST, S.TRACK_URI, S.TRACK, S.ARTIST, S.SOURCE]


def from_spotify(frame: pd.DataFrame) -> pd.Series:
    """Per row of PLAYS or LIBRARY (needs ``source``): True where it came from the Spotify API."""
    if frame.empty:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame[S.SOURCE].astype("string").str.startswith(SOURCE_PREFIX).fillna(False).astype(bool)


def _union(old: pd.DataFrame, new: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of ``old`` then ``new``; a Spotify row already present (same keys) is kept once."""
    if new.empty:
        return old
    both = new if old.empty else pd.concat([old, new], ignore_index=True)
    api = from_spotify(both).to_numpy()
    repeat = both[keys].astype("string").fillna("\0").duplicated().to_numpy() & api
    return both[~repeat].reset_index(drop=True)


def merge_import(
    current: IngestResult | None, plays: pd.DataFrame, library: pd.DataFrame
) -> IngestResult:
    """What is loaded after a Spotify import.

    Args:
        current: what the person had loaded before (None: nothing).
        plays: PLAYS from ``SpotifySession.import_all`` (source ``spotify-api:...``).
        library: LIBRARY rows from the same import.

    Returns:
        A new IngestResult: the earlier plays and library plus the imported rows; a row that an
        earlier import already brought (same time, track, artist and endpoint) is not added
        again, so importing three times gives the same data as importing once. Everything else
        (the per-file reports, the load's counts) is that of ``current``.
    """
    current = current or IngestResult()
    return dataclasses.replace(
        current,
        plays=_union(current.plays, plays, _PLAY_KEYS),
        library=_union(current.library, library, _LIBRARY_KEYS),
    )


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
