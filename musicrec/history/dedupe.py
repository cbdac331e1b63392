"""Each play once: repeats across files, across formats and across imports.

Exact repeats (overlapping files, the same file loaded twice) are dropped while the
tables are combined (``plays_table.to_plays``). The same play can also arrive in two
formats: an export holding both extended history and the last year of account data has
each play of that year twice, to the second and to the minute. ``merge_formats`` finds
those pairs and keeps the richer (extended) record.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.history.plays_table import DEDUPE_KEYS

__all__ = ["LIBRARY_KEYS", "MINUTE", "dedupe_library", "dedupe_plays", "merge_formats"]

MINUTE = pd.Timedelta(seconds=60)
"""Account data gives end times to the minute: the same play in extended history ends within it."""
MS_TOLERANCE = 0.05
"""Two records of one play agree on ms played within 5% (or ``MS_SLACK``)..."""
MS_SLACK = 2_000
"""...or within 2 seconds, whichever is more."""
LIBRARY_KEYS = (S.LIB_KIND, S.PLAYLIST, S.TRACK_URI, S.ARTIST, S.TRACK)
"""A library row repeats an earlier one when all of these are equal."""


def merge_formats(plays: pd.DataFrame, coarse_sources: Iterable[str]) -> tuple[pd.DataFrame, int]:
    """Drop the minute-resolution records that are the same play as a record to the second.

    A record from ``coarse_sources`` (account-data files) is the same play as a record from
    any other file when the artist and track are equal, the end times are within a minute
    and the ms played agree (see ``MS_TOLERANCE``). Each fine record absorbs at most one
    coarse record; the fine one is kept.

    Args:
        plays: PLAYS (needs ts, artist, track, ms_played, source), in any order.
        coarse_sources: the ``source`` values of minute-resolution files.

    Returns:
        (plays without the merged coarse records, in the same order; how many were merged).
    """
    coarse_set = set(coarse_sources)
    if not coarse_set or plays.empty:
        return plays, 0
    is_coarse = plays[S.SOURCE].isin(list(coarse_set)).to_numpy(bool)
    if not is_coarse.any() or is_coarse.all():
        return plays, 0
    named = plays[S.ARTIST].notna().to_numpy(bool) & plays[S.TRACK].notna().to_numpy(bool)
    keys = [S.ARTIST, S.TRACK]
    cols = [S.TS, *keys, S.MS_PLAYED]
    coarse = plays.loc[is_coarse & named, cols].assign(_row=np.flatnonzero(is_coarse & named))
    fine = plays.loc[~is_coarse & named, cols].assign(_fine=np.flatnonzero(~is_coarse & named))
    if coarse.empty or fine.empty:
        return plays, 0
    pairs = pd.merge_asof(
        coarse.sort_values(S.TS, kind="stable"),
        fine.rename(columns={S.TS: "_fine_ts", S.MS_PLAYED: "_fine_ms"}).sort_values(
            "_fine_ts", kind="stable"
        ),
        left_on=S.TS,
        right_on="_fine_ts",
        by=keys,
        direction="nearest",
        tolerance=MINUTE,
    ).dropna(subset=["_fine"])
    a = pairs[S.MS_PLAYED].astype("Float64")
    b = pairs["_fine_ms"].astype("Float64")
    close = ((a - b).abs() <= np.maximum(MS_SLACK, MS_TOLERANCE * b)).fillna(a.isna() & b.isna())
    pairs = pairs[close.to_numpy(bool)].drop_duplicates("_fine", keep="first")
    if pairs.empty:
        return plays, 0
    drop = np.zeros(len(plays), dtype=bool)
    drop[pairs["_row"].to_numpy(int)] = True
    return plays[~drop].reset_index(drop=True), int(drop.sum())


def dedupe_plays(plays: pd.DataFrame) -> pd.DataFrame:
    """PLAYS with exact repeats dropped (the first kept), ordered by ts (stable)."""
    if plays.empty:
        return plays
    kept = plays.drop_duplicates(subset=list(DEDUPE_KEYS), keep="first")
    return kept.sort_values(S.TS, kind="stable").reset_index(drop=True)


def dedupe_library(library: pd.DataFrame) -> pd.DataFrame:
    """LIBRARY with repeated rows (same kind, playlist, URI, artist and track) dropped."""
    if library.empty:
        return library
    return library.drop_duplicates(subset=list(LIBRARY_KEYS)).reset_index(drop=True)
