"""Taste analytics for the Taste profile page: pure functions over PLAYS (and ITEMS).

Every function takes counted plays (the counting rule already applied) and returns a
new frame or dict; none mutates its input. Minutes are computed from ms_played; plays
of unknown duration (scrobbles) count as 3.5 minutes.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from musicrec import clock
from musicrec import schema as S
from musicrec.engines.features import artist_preference as _artist_preference

UNKNOWN_MINUTES = 3.5
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TIERS = ("core", "regular", "occasional", "tried")


def minutes(plays: pd.DataFrame) -> pd.Series:
    """Minutes per play (unknown durations count as UNKNOWN_MINUTES)."""
    return (
        plays[S.MS_PLAYED].astype("Float64").fillna(UNKNOWN_MINUTES * 60_000).astype(float) / 60_000
    )


def _day(value: object, tz: object) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize(tz or "UTC") if t.tzinfo is None else t


def filter_period(plays: pd.DataFrame, start: object | None, end: object | None) -> pd.DataFrame:
    """Plays with start <= ts < end + 1 day; None leaves a side open.

    Dates are inclusive and naive dates are days in the zone of ``ts`` (the listener's own days
    once the plays are localized with ``musicrec.clock.localize``; UTC days otherwise).
    """
    tz = plays[S.TS].dt.tz
    keep = np.ones(len(plays), dtype=bool)
    if start is not None:
        keep &= (plays[S.TS] >= _day(start, tz)).to_numpy()
    if end is not None:
        keep &= (plays[S.TS] < _day(end, tz) + pd.Timedelta(days=1)).to_numpy()
    return plays[keep]


def date_span(plays: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """First and last day with a play (needs ts; plays must not be empty)."""
    return plays[S.TS].min().date(), plays[S.TS].max().date()


PICK_DATES = "Pick dates…"
"""The period choice that shows the date picker."""


def period_choices(plays: pd.DataFrame) -> dict[str, tuple[dt.date, dt.date]]:
    """Ready-made periods, name -> (first day, last day), within the plays' span: all of it,
    the last 12 months and 90 days before the last play, then each calendar year (newest
    first). A choice applies at once; ``typed_period`` reads the days typed for another."""
    first, last = date_span(plays)
    choices = {"All time": (first, last)}
    for name, days in (("Last 12 months", 365), ("Last 90 days", 90)):
        start = max(first, last - dt.timedelta(days=days - 1))
        if start > first:
            choices[name] = (start, last)
    for year in range(last.year, first.year - 1, -1):
        choices[str(year)] = (max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31)))
    return choices


_TYPED_DAY = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
TYPED_DAY_HINT = "a day like 2024-03-05, a month like 2024-03, or a year like 2024"


def parse_day(text: str, *, end: bool = False) -> dt.date:
    """A typed day: ``2024-03-05`` (or with ``/`` or ``.``), a month ``2024-03`` or a year
    ``2024``. A month or a year means its first day, or its last with ``end=True``.

    Raises ValueError with a message that quotes the text and says what to type.
    """
    match = _TYPED_DAY.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(g) if g else None for g in match.groups())
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            first = dt.date(year, month, 1)
            if not end:
                return first
            return (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a date: type {TYPED_DAY_HINT}.") from None


def typed_period(start: str, end: str, plays: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """Two typed days (see ``parse_day``) as (first day, last day), kept within the span of
    ``plays``; an empty field means that end of the span.

    Raises ValueError (a message for the person) when a text is not a date, when the start is
    after the end, or when the period has no day in common with the plays.
    """
    first, last = date_span(plays)
    lo = parse_day(start) if start.strip() else first
    hi = parse_day(end, end=True) if end.strip() else last
    if lo > hi:
        raise ValueError(f"The start ({lo:%d %b %Y}) is after the end ({hi:%d %b %Y}).")
    if hi < first or lo > last:
        raise ValueError(
            f"Your plays run from {first:%d %b %Y} to {last:%d %b %Y}: choose days in between."
        )
    return max(lo, first), min(hi, last)


def period_stats(
    plays: pd.DataFrame, raw: pd.DataFrame, start: object | None, end: object | None
) -> dict:
    """``summary_stats`` of the counted plays between start and end (inclusive dates), with the
    discovery rate against the plays before ``start`` and the skip rate over all music plays of
    the period (``raw``: before the counting rule, since skipped plays are the short ones)."""
    sel = filter_period(plays, start, end)
    day_before = None if start is None else pd.Timestamp(start) - pd.Timedelta(days=1)
    before = filter_period(plays, None, day_before)
    stats = summary_stats(sel, before if start is not None and len(before) else None)
    raw_sel = filter_period(raw, start, end)
    stats["skip_rate"] = summary_stats(raw_sel[raw_sel[S.KIND] == S.KIND_MUSIC])["skip_rate"]
    return stats


def _top(plays: pd.DataFrame, keys: list[str], n: int, by: str) -> pd.DataFrame:
    frame = plays[keys].assign(minutes=minutes(plays).to_numpy())
    g = frame.groupby(keys, dropna=True).agg(plays=("minutes", "size"), minutes=("minutes", "sum"))
    return g.sort_values([by, "plays"], ascending=False).head(n).reset_index()


def top_artists(plays: pd.DataFrame, n: int = 10, by: str = "plays") -> pd.DataFrame:
    """Columns artist, plays, minutes; the n most played artists (by "plays" or "minutes")."""
    return _top(plays, [S.ARTIST], n, by)


def top_tracks(plays: pd.DataFrame, n: int = 10, by: str = "plays") -> pd.DataFrame:
    """Columns track, artist, plays, minutes."""
    return _top(plays, [S.TRACK, S.ARTIST], n, by)


def top_tracks_linked(plays: pd.DataFrame, n: int = 10, by: str = "plays") -> pd.DataFrame:
    """``top_tracks`` plus a ``spotify`` column: the track's open.spotify.com page when a play
    of it has a Spotify id, else a Spotify search for it; missing for the fictional demo's tracks.
    """
    from musicrec.demo import DEMO_URI_PREFIX
    from musicrec.export import spotify_search_url, spotify_url

    top = top_tracks(plays, n, by)
    known = plays.dropna(subset=[S.TRACK_URI]).groupby([S.TRACK, S.ARTIST])[S.TRACK_URI].first()
    links = []
    for track, artist in zip(top[S.TRACK], top[S.ARTIST], strict=True):
        uri = known.get((track, artist))
        if isinstance(uri, str) and uri.startswith(DEMO_URI_PREFIX):
            links.append(None)
        else:
            links.append(spotify_url(uri) or spotify_search_url(artist, track))
    return top.assign(spotify=links)


def top_albums(plays: pd.DataFrame, n: int = 10, by: str = "plays") -> pd.DataFrame:
    """Columns album, artist, plays, minutes (plays without an album are left out)."""
    return _top(plays.dropna(subset=[S.ALBUM]), [S.ALBUM, S.ARTIST], n, by)


def top_genres(plays_matched: pd.DataFrame, items: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Columns genre, plays, share: genres via the matched item (track or artist fallback)."""
    genre = plays_matched[S.ITEM_ID].map(items.set_index(S.ITEM_ID)[S.GENRE]).dropna()
    counts = genre.value_counts().head(n)
    return pd.DataFrame(
        {
            S.GENRE: counts.index,
            "plays": counts.to_numpy(),
            "share": (counts / max(len(genre), 1)).to_numpy(),
        }
    )


def listening_clock(plays: pd.DataFrame) -> pd.DataFrame:
    """7 x 24 frame of plays: index weekday name (Mon..Sun), columns hours 0..23."""
    ts = plays[S.TS]
    grid = pd.crosstab(ts.dt.day_of_week, ts.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )
    grid.index = list(WEEKDAYS)
    return grid


def eras(
    plays: pd.DataFrame,
    n_artists: int = 8,
    other: bool = True,
    start: object | None = None,
    end: object | None = None,
) -> pd.DataFrame:
    """Long frame month, artist, plays for the overall top artists, every month of the span
    for every artist (0 where none: a chart draws no line across a gap).

    The other artists' plays are grouped as "Other", or left out with ``other=False`` (on a
    real history "Other" is most of every month and flattens the artists' own curves). The
    first and last months are left out when the period (``start``/``end``, else the plays)
    covers them only in part and at least three months remain: a half month is no dip.
    """
    cols = ["month", S.ARTIST, "plays"]
    if plays.empty:
        return pd.DataFrame(columns=cols)
    top = set(top_artists(plays, n_artists)[S.ARTIST])
    if not other:
        plays = plays[plays[S.ARTIST].isin(top)]
    artist = plays[S.ARTIST].where(plays[S.ARTIST].isin(top), "Other")
    month = plays[S.TS].dt.tz_localize(None).dt.to_period("M")
    first = pd.Timestamp(start if start is not None else plays[S.TS].min().date())
    last = pd.Timestamp(end if end is not None else plays[S.TS].max().date())
    months = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
    if len(months) >= 5:  # keep at least three whole months
        if first.day != 1:
            months = months[1:]
        if last.day != last.days_in_month:
            months = months[:-1]
    g = pd.DataFrame({"month": month, S.ARTIST: artist}).groupby(["month", S.ARTIST]).size()
    grid = pd.MultiIndex.from_product([months, sorted(set(artist))], names=["month", S.ARTIST])
    out = g.reindex(grid, fill_value=0).rename("plays").reset_index()
    return out.assign(month=out["month"].dt.to_timestamp())[cols]


def feature_profile(plays_matched: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Mean 0-1 audio features of your plays vs the catalog: columns feature, you, catalog.

    Empty (no rows) when none of the plays has audio features (no catalog chosen yet).
    """
    from musicrec.engines.features import unit_features

    unit = unit_features(items).set_axis(items[S.ITEM_ID].to_numpy())
    mine = unit.reindex(plays_matched[S.ITEM_ID]).mean()
    if mine.isna().all():
        return pd.DataFrame(columns=["feature", "you", "catalog"])
    catalog = (
        unit[items[S.IN_CATALOG].to_numpy()].mean() if items[S.IN_CATALOG].any() else unit.mean()
    )
    return pd.DataFrame(
        {"feature": list(unit.columns), "you": mine.to_numpy(), "catalog": catalog.to_numpy()}
    )


def summary_stats(plays: pd.DataFrame, before: pd.DataFrame | None = None) -> dict:
    """Headline figures of a period.

    Returns plays, hours, artists, tracks, diversity (Shannon entropy over artists divided by
    its maximum, 0-1), discovery_rate (share of plays whose artist was not played in ``before``,
    the plays preceding the period; None without it) and skip_rate (share of plays with a known
    skip flag that were skipped; None when no play has one).
    """
    n = len(plays)
    counts = plays[S.ARTIST].value_counts()
    p = counts / max(counts.sum(), 1)
    entropy = float(-(p * np.log(p)).sum()) if len(p) > 1 else 0.0
    diversity = entropy / np.log(len(p)) if len(p) > 1 else 0.0
    discovery = None
    if before is not None and n:
        discovery = float((~plays[S.ARTIST].isin(set(before[S.ARTIST]))).mean())
    known = plays[S.SKIPPED].dropna()
    return {
        "plays": n,
        "hours": float(minutes(plays).sum() / 60),
        "artists": int(plays[S.ARTIST].nunique()),
        "tracks": int(plays[[S.ARTIST, S.TRACK]].drop_duplicates().shape[0]),
        "diversity": float(diversity),
        "discovery_rate": discovery,
        "skip_rate": float(known.astype(bool).mean()) if len(known) else None,
    }


def until(plays: pd.DataFrame, end: object | None) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """(the plays up to the end of day ``end``, that moment): "now" for a period that ends then.

    For ``forgotten_favourites(*until(plays, end))``: what was forgotten as of the period's end.
    """
    if end is None or plays.empty:
        return plays, None
    upto = filter_period(plays, None, end)
    return upto, _day(end, plays[S.TS].dt.tz) + pd.Timedelta(days=1)


def forgotten_favourites(
    plays: pd.DataFrame,
    now: pd.Timestamp | None = None,
    loved_before_days: int = 180,
    silent_days: int = 90,
    n: int = 20,
) -> pd.DataFrame:
    """Tracks played a lot before ``now - loved_before_days`` and not at all in the last ``silent_days``.

    Columns track, artist, plays, last_played.
    """
    if plays.empty:
        return pd.DataFrame(columns=[S.TRACK, S.ARTIST, "plays", "last_played"])
    now = plays[S.TS].max() if now is None else now
    early = plays[S.TS] < now - pd.Timedelta(days=loved_before_days)
    frame = plays[[S.TRACK, S.ARTIST, S.TS]].assign(early=early.to_numpy())
    g = frame.groupby([S.TRACK, S.ARTIST]).agg(
        plays=(S.TS, "size"), last_played=(S.TS, "max"), early=("early", "sum")
    )
    cand = g[(g["last_played"] < now - pd.Timedelta(days=silent_days)) & (g["early"] >= 3)]
    return (
        cand.sort_values("early", ascending=False)
        .head(n)
        .reset_index()[[S.TRACK, S.ARTIST, "plays", "last_played"]]
    )


def on_this_day(plays: pd.DataFrame, today: object) -> pd.DataFrame:
    """What you played on this calendar day in earlier years: columns year, track, artist, plays.

    ``today`` is any date or timestamp (e.g. the end of the period shown)."""
    today = pd.Timestamp(today)
    ts = plays[S.TS]
    same = (ts.dt.month == today.month) & (ts.dt.day == today.day) & (ts.dt.year < today.year)
    sub = plays[same]
    if sub.empty:
        return pd.DataFrame(columns=["year", S.TRACK, S.ARTIST, "plays"])
    g = (
        sub.groupby([sub[S.TS].dt.year.rename("year"), S.TRACK, S.ARTIST])
        .size()
        .rename("plays")
        .reset_index()
    )
    return (
        g.sort_values(["year", "plays"], ascending=[False, False])
        .groupby("year")
        .head(5)
        .reset_index(drop=True)
    )


def artist_tiers(plays_matched: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Artist preference score (see ``musicrec.engines.features.artist_preference``) and tier.

    Columns artist, score, plays, tier: core (top 5% of scores), regular (next 20%),
    occasional (next 35%), tried (the rest). Sorted by score.
    """
    score = _artist_preference(plays_matched, items)
    if score.empty:
        return pd.DataFrame(columns=[S.ARTIST, "score", "plays", "tier"])
    plays_n = plays_matched[S.ARTIST].value_counts()
    frame = pd.DataFrame(
        {
            S.ARTIST: score.index,
            "score": score.to_numpy(),
            "plays": plays_n.reindex(score.index).to_numpy(),
        }
    )
    frame = frame.sort_values("score", ascending=False).reset_index(drop=True)
    pct = (np.arange(len(frame)) + 1) / len(frame)
    frame["tier"] = np.select(
        [pct <= 0.05, pct <= 0.25, pct <= 0.60], list(TIERS[:3]), default=TIERS[3]
    )
    return frame


def search_artists(tiers: pd.DataFrame, query: str, n: int = 20) -> pd.DataFrame:
    """Rows of ``artist_tiers`` whose artist contains ``query``, ignoring case and accents
    ("sebnem" finds "Şebnem Ferah", "beyonce" finds "Beyoncé")."""
    from musicrec.matching import normalise_name

    wanted = normalise_name(pd.Series([query])).iloc[0]
    if not wanted:
        return tiers.head(0)
    names = normalise_name(tiers[S.ARTIST])
    hit = names.str.contains(wanted, regex=False).fillna(False).to_numpy(dtype=bool)
    return tiers[hit].head(n)


def _rows(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    return [
        {**{k: str(row[k]) for k in keys}, "plays": int(row["plays"]),
         "hours": round(float(row["minutes"]) / 60, 2)}
        for _, row in frame.iterrows()
    ]  # fmt: skip


def profile(
    plays: pd.DataFrame,
    raw: pd.DataFrame,
    *,
    timezone: str | None = None,
    start: object | None = None,
    end: object | None = None,
    set_apart: dict[str, int] | None = None,
    n: int = 10,
) -> dict:
    """The Taste page's headline figures as plain JSON values (``musicrec taste --json``).

    Args:
        plays: counted PLAYS (a Workspace's plays: the counting rule applied).
        raw: the same load before the counting rule (for the skip rate).
        timezone: the listener's IANA zone (hours, weekdays and the period's days); None = UTC.
        start, end: the period (inclusive dates in that zone); None leaves a side open.
        set_apart: plays set apart by reason (``musicrec.history.load_report(...).set_apart``).
        n: how many top artists and tracks.

    Returns:
        {"plays", "hours", "set_apart", "top_artists": [{"artist", "plays", "hours"}],
        "top_tracks": [{"track", "artist", "plays", "hours"}], "clock": 7 lists (Mon..Sun)
        of 24 play counts (hour 0..23), "timezone", "skip_rate"}.
    """
    zone = clock.resolve(timezone)
    local = clock.localize(plays, zone)
    sel = filter_period(local, start, end)
    stats = period_stats(local, clock.localize(raw, zone), start, end)
    return {
        "plays": stats["plays"],
        "hours": round(stats["hours"], 2),
        "set_apart": set_apart or {},
        "top_artists": _rows(top_artists(sel, n), [S.ARTIST]),
        "top_tracks": _rows(top_tracks(sel, n), [S.TRACK, S.ARTIST]),
        "clock": listening_clock(sel).to_numpy().astype(int).tolist(),
        "timezone": zone,
        "skip_rate": None if stats["skip_rate"] is None else round(stats["skip_rate"], 4),
    }
