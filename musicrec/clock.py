"""The listener's clock: every hour and weekday the app shows is in their own time zone.

Loaders keep play times in UTC (``schema.TS`` is ``datetime64[ns, UTC]``). Analytics,
engines and the evaluation call :func:`localize` once with the listener's zone; the
result keeps the same instants, so ``.dt.hour`` and ``.dt.day_of_week`` read the
listener's own clock and comparisons between times are unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pandas as pd

from musicrec import schema as S

DEFAULT_TIMEZONE = "UTC"


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """All IANA zone names this machine knows, sorted (for a searchable picker)."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def is_timezone(name: object) -> bool:
    """True if ``name`` is an IANA zone name this machine knows."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def resolve(name: str | None) -> str:
    """The zone to use: ``name`` when it is a known IANA zone, else UTC."""
    return name if name is not None and is_timezone(name) else DEFAULT_TIMEZONE


def to_local(ts: pd.Series, tz: str | None) -> pd.Series:
    """``ts`` (tz-aware, or naive meaning UTC) converted to the zone ``tz``."""
    ts = pd.to_datetime(ts)
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize("UTC")
    return ts.dt.tz_convert(resolve(tz))


def localize(plays: pd.DataFrame, tz: str | None) -> pd.DataFrame:
    """A copy of ``plays`` whose ``ts`` column is in the listener's zone ``tz``.

    Args:
        plays: a frame with at least the column ``ts``.
        tz: an IANA zone name; unknown names and None mean UTC.

    Returns:
        The same rows and columns; ``ts`` holds the same instants in zone ``tz``.
    """
    if S.TS not in plays.columns:
        return plays
    return plays.assign(**{S.TS: to_local(plays[S.TS], tz)})


def label(tz: str | None) -> str:
    """How charts name the zone they are drawn in, e.g. "times in America/Mexico_City"."""
    return f"times in {resolve(tz)}"


def from_wall_clock(plays: pd.DataFrame, tz: str | None) -> pd.DataFrame:
    """A copy of ``plays`` whose ``ts``, read as UTC but really written on a ``tz`` wall clock
    (a CSV whose times carry no zone), is corrected to the true instants, still in UTC.

    "2024-01-01 10:00" written in Europe/Berlin becomes 09:00 UTC. A wall time that does not
    exist (the spring-forward gap) moves forward; an ambiguous one (autumn) takes the first.
    """
    zone = resolve(tz)
    if zone == DEFAULT_TIMEZONE or S.TS not in plays.columns or plays.empty:
        return plays
    wall = to_local(plays[S.TS], DEFAULT_TIMEZONE).dt.tz_localize(None)
    true = wall.dt.tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    return plays.assign(**{S.TS: true.dt.tz_convert(DEFAULT_TIMEZONE)})
