"""Shared numeric views of the ITEMS table and of a user's plays, used by several engines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from musicrec import schema as S

TEMPO_RANGE = (50.0, 200.0)
LOUDNESS_RANGE = (-35.0, 0.0)


def unit_features(items: pd.DataFrame) -> pd.DataFrame:
    """Audio features scaled to 0-1 (tempo and loudness by fixed ranges); NaN stays NaN.

    Needs the AUDIO_FEATURES columns; returns a float frame with those columns, same index.
    """
    out = items[list(S.AUDIO_FEATURES)].astype(float).copy()
    lo, hi = TEMPO_RANGE
    out[S.TEMPO] = ((out[S.TEMPO] - lo) / (hi - lo)).clip(0, 1)
    lo, hi = LOUDNESS_RANGE
    out[S.LOUDNESS] = ((out[S.LOUDNESS] - lo) / (hi - lo)).clip(0, 1)
    return out


def standardised_matrix(items: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(X, has_features): z-scored audio features as float32 (NaN -> 0) and a mask of rows with any feature."""
    raw = items[list(S.AUDIO_FEATURES)].astype(float).to_numpy()
    has = ~np.isnan(raw).all(axis=1)
    mean = np.nanmean(raw[has], axis=0) if has.any() else np.zeros(raw.shape[1])
    std = np.nanstd(raw[has], axis=0) if has.any() else np.ones(raw.shape[1])
    std = np.where(std > 0, std, 1.0)
    x = np.nan_to_num((raw - mean) / std, nan=0.0).astype(np.float32)
    return x, has


def item_play_counts(plays: pd.DataFrame, item_ids: pd.Index) -> np.ndarray:
    """Number of plays per item, aligned to ``item_ids`` (0 where never played). Needs item_id."""
    if plays.empty:
        return np.zeros(len(item_ids), dtype=np.float32)
    counts = plays[S.ITEM_ID].value_counts()
    return counts.reindex(item_ids, fill_value=0).to_numpy(dtype=np.float32)


def engagement(plays: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    """Per play: ms_played / track duration where known (clipped to 0-1.5), else 1.0 (a counted listen).

    Needs plays item_id, ms_played and items item_id, duration_ms.
    """
    dur = plays[S.ITEM_ID].map(items.set_index(S.ITEM_ID)[S.DURATION_MS]).astype("Float64")
    ms = plays[S.MS_PLAYED].astype("Float64")
    ratio = (ms / dur).astype(float)
    return ratio.where(np.isfinite(ratio), 1.0).clip(0, 1.5)


def artist_preference(plays: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    """Artist preference score, 0-1, indexed by artist.

    score = 0.4 x total engagement + 0.3 x mean engagement + 0.2 x log(1 + plays) + 0.1 x log(1 + hours),
    each component min-max scaled to 0-1 across the user's artists before weighting;
    engagement = ms_played / track duration where known (see ``engagement``).
    Needs plays artist, item_id, ms_played.
    """
    if plays.empty:
        return pd.Series(dtype=float)
    frame = pd.DataFrame(
        {
            "artist": plays[S.ARTIST].to_numpy(),
            "eng": engagement(plays, items).to_numpy(),
            "hours": plays[S.MS_PLAYED].astype("Float64").fillna(210_000).astype(float).to_numpy()
            / 3.6e6,
        }
    )
    g = frame.groupby("artist").agg(
        total=("eng", "sum"), mean=("eng", "mean"), plays=("eng", "size"), hours=("hours", "sum")
    )
    comps = pd.DataFrame(
        {
            "total": g["total"],
            "mean": g["mean"],
            "plays": np.log1p(g["plays"]),
            "hours": np.log1p(g["hours"]),
        }
    )
    span = (comps.max() - comps.min()).replace(0, 1)
    scaled = (comps - comps.min()) / span
    return (
        0.4 * scaled["total"] + 0.3 * scaled["mean"] + 0.2 * scaled["plays"] + 0.1 * scaled["hours"]
    )
