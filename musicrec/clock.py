"""The listener's clock: every hour and weekday the app shows is in their own time zone.

Loaders keep play times in UTC (``schema.TS`` is ``datetime64[ns, UTC]``). Analytics,
engines and the evaluation call :func:`localize` once with the listener's zone; the
result keeps the same instants, so ``.dt.hour`` and ``.dt.day_of_week`` read the
listener's own clock and comparisons between times are unchanged.

A person who moved has a zone per period: :class:`Zones` is a zone name (the zone of
every play outside the periods, e.g. where they live now) that also carries periods
with their own zone. It is a ``str``, so everything that takes a zone name takes it; the
per-play zone is applied here, in :func:`to_local`, wherever hours are computed.
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


class Zones(str):
    """A zone name plus periods in other zones: ``Zones("Europe/Madrid", [(start, end, zone)])``.

    The string is the zone of plays outside every period. ``periods`` holds
    (start, end, zone) with start/end UTC timestamps (inclusive) and known IANA zones;
    unknown zones are left out. Equal to its plain name as a ``str``; code that must tell
    two plans apart compares ``key``.
    """

    periods: tuple[tuple[pd.Timestamp, pd.Timestamp, str], ...]

    def __new__(cls, zone: str | None, periods=()) -> Zones:
        obj = super().__new__(cls, resolve(str(zone) if zone is not None else None))
        obj.periods = tuple(
            (_utc(start), _utc(end), str(z)) for start, end, z in periods if is_timezone(z)
        )
        return obj

    @property
    def key(self) -> tuple:
        """The zone and its periods, for cache keys."""
        return (str(self), tuple((a.isoformat(), b.isoformat(), z) for a, b, z in self.periods))

    def __reduce__(self):
        return (Zones, (str(self), self.periods))


def _utc(t) -> pd.Timestamp:
    t = pd.Timestamp(t)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def zone_key(tz: str | None) -> tuple:
    """What tells two zone settings apart: the name and, for :class:`Zones`, its periods."""
    return tz.key if isinstance(tz, Zones) else (resolve(tz), ())


def to_local(ts: pd.Series, tz: str | None) -> pd.Series:
    """``ts`` (tz-aware, or naive meaning UTC) converted to the zone ``tz``.

    With :class:`Zones`, each play inside a period reads the wall clock of that period's
    zone (the series is labelled with the main zone, so its instants move by the
    difference); a wall time the main zone skips (a spring-forward hour) moves forward.
    """
    ts = pd.to_datetime(ts)
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize("UTC")
    zone = resolve(tz)
    local = ts.dt.tz_convert(str(zone))
    periods = getattr(zone, "periods", ())
    if not periods or ts.empty:
        return local
    wall = local.dt.tz_localize(None)
    moved = False
    for start, end, other in periods:
        inside = ((ts >= start) & (ts <= end)).fillna(False).to_numpy(bool)
        if inside.any() and other != str(zone):
            wall = wall.mask(inside, ts[inside].dt.tz_convert(other).dt.tz_localize(None))
            moved = True
    if not moved:
        return local
    return wall.dt.tz_localize(str(zone), ambiguous=True, nonexistent="shift_forward")


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


def period_text(start: pd.Timestamp, end: pd.Timestamp, zone: str) -> str:
    """A period in words by the months of its zone's own calendar: "2019-03 to 2020-08"."""
    return f"{start.tz_convert(zone):%Y-%m} to {end.tz_convert(zone):%Y-%m}"


def label(tz: str | None) -> str:
    """How charts name the zone they are drawn in, e.g. "times in America/Mexico_City"
    (with periods: "times in Europe/Madrid; America/Mexico_City 2019-03 to 2020-08")."""
    zone = resolve(tz)
    parts = [f"{z} {period_text(a, b, z)}" for a, b, z in getattr(zone, "periods", ())]
    return f"times in {zone}" + "".join(f"; {p}" for p in parts)


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
