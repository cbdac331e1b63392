"""Mood analytics for the Mood page: pure functions over matched PLAYS and ITEMS.

The mood *engine* (``musicrec.engines.mood``) scores tracks for a request; this module
describes a person's listening with the same mood probabilities: how much of it has
audio features, the share of each mood, the valence x energy plane, and mood by hour
or month. No function mutates its input.
"""

from __future__ import annotations

import pandas as pd

from musicrec import schema as S
from musicrec.engines.base import MOODS
from musicrec.engines.mood import mood_probabilities, sentiment


def with_features(plays_matched: pd.DataFrame, items: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The plays whose item has audio features, and their share of all plays.

    Args:
        plays_matched: PLAYS with item_id (a Workspace's plays).
        items: ITEMS with item_id and valence.

    Returns:
        (the plays with a known valence, a new frame; their share of ``plays_matched``, 0 if empty).
    """
    valence = items.set_index(S.ITEM_ID)[S.VALENCE]
    known = valence.reindex(plays_matched[S.ITEM_ID]).notna().to_numpy()
    share = float(known.mean()) if len(known) else 0.0
    return plays_matched[known], share


def item_moods(items: pd.DataFrame, item_ids: pd.Series | None = None) -> pd.DataFrame:
    """Mood probabilities and the top mood per item.

    Args:
        items: ITEMS with item_id and the audio-feature columns.
        item_ids: only these items (e.g. the played ones); None for all.

    Returns:
        A frame indexed by item_id: one column per mood (probabilities) and ``mood`` (the top
        one); an item without audio features has NaN probabilities and no mood (<NA>).
    """
    if item_ids is not None:
        items = items[items[S.ITEM_ID].isin(pd.unique(item_ids))]
    probs = mood_probabilities(items).set_axis(items[S.ITEM_ID].to_numpy())
    known = probs.notna().all(axis=1).to_numpy()
    top = pd.Series(pd.NA, index=probs.index, dtype="string")
    top[known] = probs[known].idxmax(axis=1).to_numpy()
    return probs.assign(mood=top)


def mood_distribution(
    plays_matched: pd.DataFrame, items: pd.DataFrame, moods: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Share of listening per mood (the expected share over each play's mood probabilities).

    Args:
        plays_matched: PLAYS with item_id.
        items: ITEMS with the audio-feature columns.
        moods: ``item_moods`` of these items, to avoid computing it again.

    Returns:
        Columns mood, share; one row per mood in ``MOODS`` order.
    """
    moods = item_moods(items) if moods is None else moods
    probs = moods.reindex(plays_matched[S.ITEM_ID])[list(MOODS)].dropna()
    share = probs.mean() if len(probs) else pd.Series(0.0, index=list(MOODS))
    return pd.DataFrame(
        {"mood": list(MOODS), "share": share.reindex(list(MOODS)).fillna(0).to_numpy()}
    )


def circumplex_points(
    plays_matched: pd.DataFrame,
    items: pd.DataFrame,
    max_points: int = 3000,
    moods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Distinct played items on the valence x energy plane, most played first.

    Returns:
        Columns item_id, track, artist, valence, energy, plays, mood (at most ``max_points`` rows).
    """
    moods = item_moods(items) if moods is None else moods
    counts = plays_matched[S.ITEM_ID].value_counts()
    pts = (
        items.set_index(S.ITEM_ID)
        .loc[:, [S.TRACK, S.ARTIST, S.VALENCE, S.ENERGY]]
        .join(counts.rename("plays"), how="inner")
    )
    pts = pts.dropna(subset=[S.VALENCE, S.ENERGY]).join(moods["mood"])
    return pts.sort_values("plays", ascending=False).head(max_points).reset_index(names=S.ITEM_ID)


def mood_by(
    plays_matched: pd.DataFrame,
    items: pd.DataFrame,
    by: str = "hour",
    moods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean mood probabilities by hour of day (0-23) or by month.

    Hours are those of ``ts`` as given: localize the plays first (``musicrec.clock.localize``)
    for the listener's own clock.

    Returns:
        A long frame with columns ``by`` ("hour" or "month"), mood, share.
    """
    if by not in ("hour", "month"):
        raise ValueError("by must be 'hour' or 'month'")
    moods = item_moods(items) if moods is None else moods
    probs = moods.reindex(plays_matched[S.ITEM_ID])[list(MOODS)].set_axis(plays_matched.index)
    ts = plays_matched[S.TS]
    key = (
        ts.dt.hour if by == "hour" else ts.dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    )
    g = probs.assign(**{by: key}).dropna().groupby(by)[list(MOODS)].mean()
    return g.reset_index().melt(id_vars=by, var_name="mood", value_name="share")


def words_by_month(plays_matched: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The mood of the words you listen to: mean VADER sentiment of the titles played, per month.

    Each play counts once (a title played ten times weighs ten times). Months are those of
    ``ts`` as given (localize first for the listener's own months).

    Returns:
        Columns month (first day, naive), sentiment (-1 gloomy words .. +1 bright words), plays.
    """
    if plays_matched.empty:
        return pd.DataFrame(columns=["month", "sentiment", "plays"])
    played = items[items[S.ITEM_ID].isin(pd.unique(plays_matched[S.ITEM_ID]))]
    by_item = pd.Series(sentiment(played[S.TRACK]).to_numpy(), index=played[S.ITEM_ID].to_numpy())
    score = by_item.reindex(plays_matched[S.ITEM_ID]).to_numpy()
    month = plays_matched[S.TS].dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    frame = pd.DataFrame({"month": month.to_numpy(), "sentiment": score}).dropna()
    g = frame.groupby("month").agg(sentiment=("sentiment", "mean"), plays=("sentiment", "size"))
    return g.reset_index()
