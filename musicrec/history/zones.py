"""A time zone per period for a person who moved, from the country of each play.

Extended history carries the country each play was streamed from (``conn_country``, our
``country``). ``propose_zones`` splits the history where that country changes for good
(a stay shorter than ``min_days`` is a trip and keeps the zone around it) and proposes
the main zone of each country. It only proposes: the person confirms or picks another.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import pandas as pd

from musicrec import schema as S

__all__ = ["ZONE_COLUMNS", "country_name", "country_zone", "propose_zones"]

ZONE_COLUMNS = ("start", "end", "country", "zone", "plays")
"""Columns of ``propose_zones``: one row per period, in time order."""

MAIN_ZONE = {
    "US": "America/New_York", "CA": "America/Toronto", "MX": "America/Mexico_City",
    "BR": "America/Sao_Paulo", "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago",
    "EC": "America/Guayaquil", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
    "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "ES": "Europe/Madrid", "PT": "Europe/Lisbon",
    "DE": "Europe/Berlin", "CN": "Asia/Shanghai", "ID": "Asia/Jakarta", "KZ": "Asia/Almaty",
    "MY": "Asia/Kuala_Lumpur", "MN": "Asia/Ulaanbaatar", "UZ": "Asia/Tashkent",
    "CD": "Africa/Kinshasa", "PG": "Pacific/Port_Moresby", "GL": "America/Nuuk",
}  # fmt: skip
"""For countries with several zones: the one most of their people live in."""


def _tz_table(name: str) -> str:
    """A table of the tz database (``zone.tab``, ``iso3166.tab``): from the tzdata package,
    else the system's /usr/share/zoneinfo, else empty."""
    try:
        return resources.files("tzdata").joinpath(f"zoneinfo/{name}").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = Path("/usr/share/zoneinfo") / name
        return path.read_text("utf-8") if path.exists() else ""


def _rows(text: str, columns: int) -> list[list[str]]:
    """The tab-separated rows of a tz table with at least ``columns`` fields, comments left out."""
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and line[0] != "#")
    return [r for r in rows if len(r) >= columns]


@functools.cache
def _zone_table() -> dict[str, str]:
    """Country code -> its first zone in the tz database's zone.tab."""
    table: dict[str, str] = {}
    for parts in _rows(_tz_table("zone.tab"), 3):
        table.setdefault(parts[0], parts[2])
    return table


@functools.cache
def _country_names() -> dict[str, str]:
    """Country code -> its usual English name, from the tz database's iso3166.tab."""
    return {parts[0]: parts[1].strip() for parts in _rows(_tz_table("iso3166.tab"), 2)}


def country_name(country: str) -> str:
    """The usual English name of an ISO country code ("IN" -> "India"), else the code as given."""
    return _country_names().get(country.strip().upper(), country)


def country_zone(country: str) -> str | None:
    """The main IANA zone of an ISO country code ("MX" -> "America/Mexico_City"), or None."""
    code = country.strip().upper()
    return MAIN_ZONE.get(code) or _zone_table().get(code)


def propose_zones(plays: pd.DataFrame, min_days: int = 14) -> pd.DataFrame:
    """One proposed zone per period of the history, split where the country changes for good.

    Each day gets the country most of its plays came from; runs of days in one country
    shorter than ``min_days`` (trips) join the period before them (or after, at the start).

    Args:
        plays: PLAYS (needs ts, country; plays without a country are ignored).
        min_days: the shortest stay that starts a new period.

    Returns:
        ZONE_COLUMNS, one row per period in time order (start/end: first and last play,
        UTC); empty when no play has a country.
    """
    known = plays.loc[plays[S.COUNTRY].notna(), [S.TS, S.COUNTRY]]
    if known.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ZONE_COLUMNS})
    known = known.sort_values(S.TS, kind="stable")
    day = known[S.TS].dt.floor("D")
    per_day = (
        known.assign(_day=day)
        .groupby(["_day", S.COUNTRY], sort=True)
        .size()
        .reset_index(name="n")
        .sort_values(["_day", "n"], ascending=[True, False], kind="stable")
        .drop_duplicates("_day")
    )
    runs: list[dict] = []
    for d, country in zip(per_day["_day"], per_day[S.COUNTRY], strict=True):
        if runs and runs[-1]["country"] == country:
            runs[-1]["last"] = d
        else:
            runs.append({"country": country, "first": d, "last": d})
    periods: list[dict] = []
    for run in runs:  # trips join the period around them
        days = (run["last"] - run["first"]).days + 1
        if periods and (days < min_days or periods[-1]["country"] == run["country"]):
            periods[-1]["last"] = run["last"]
        else:
            periods.append(dict(run))
    if len(periods) > 1 and (periods[0]["last"] - periods[0]["first"]).days + 1 < min_days:
        periods[1]["first"] = periods[0]["first"]  # a short first stay joins the next
        periods = periods[1:]
    # Days are UTC days; the boundary between two periods is found play by play: the old
    # period ends at its country's last play before the day after the new one began, the
    # new one starts at its country's first play after that.
    ts, where = known[S.TS], known[S.COUNTRY]
    rows = []
    start = ts[day >= periods[0]["first"]].min()
    for i, p in enumerate(periods):
        if i + 1 < len(periods):
            before = ts[(where == p["country"]) & (ts >= start)
                        & (day <= periods[i + 1]["first"])]  # fmt: skip
            end = before.max() if len(before) else ts[day <= p["last"]].max()
        else:
            end = ts.max()
        rows.append(
            {
                "start": start,
                "end": end,
                "country": str(p["country"]),
                "zone": country_zone(str(p["country"])),
                "plays": int(((ts >= start) & (ts <= end)).sum()),
            }
        )
        if i + 1 < len(periods):
            nxt = ts[(where == periods[i + 1]["country"]) & (ts > end)]
            start = nxt.min() if len(nxt) else ts[ts > end].min()
    return pd.DataFrame(rows, columns=list(ZONE_COLUMNS))
