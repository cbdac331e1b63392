"""The listener's clock: UTC play times shown in the listener's own zone."""

from __future__ import annotations

import pandas as pd
import pytest

from musicrec import clock
from musicrec import schema as S


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("America/Mexico_City", "America/Mexico_City"),
        ("Europe/Istanbul", "Europe/Istanbul"),
        ("UTC", "UTC"),
        ("Not/AZone", "UTC"),
        ("", "UTC"),
        (None, "UTC"),
        ("../../etc/passwd", "UTC"),
    ],
)
def test_resolve_accepts_only_known_zones(name, expected):
    assert clock.resolve(name) == expected


def test_localize_moves_the_hour_and_keeps_the_instant():
    # 02:30 UTC on a Saturday is 20:30 on Friday in Mexico City (UTC-6, no DST since 2022).
    plays = pd.DataFrame({S.TS: pd.to_datetime(["2024-03-02 02:30"], utc=True), S.TRACK: ["x"]})
    local = clock.localize(plays, "America/Mexico_City")
    assert local[S.TS].dt.hour.tolist() == [20]
    assert local[S.TS].dt.day_of_week.tolist() == [4]  # Friday
    assert (local[S.TS] == plays[S.TS]).all()
    assert plays[S.TS].dt.hour.tolist() == [2]  # input untouched


def test_naive_times_are_read_as_utc():
    ts = pd.Series(pd.to_datetime(["2024-07-01 12:00"]))
    assert clock.to_local(ts, "Asia/Kolkata").dt.strftime("%H:%M").tolist() == ["17:30"]


def test_zone_names_are_searchable_and_include_utc():
    names = clock.timezone_names()
    assert "UTC" in names and "America/Mexico_City" in names
    assert list(names) == sorted(names)


def _mover_history() -> pd.DataFrame:
    """Extended history of a person who lived in Mexico City (2019-03 to 2020-08), then Madrid.

    Every play is at 20:15 on their own wall clock: 02:15 UTC the next day in Mexico City
    (UTC-6, with DST then), 18:15 or 19:15 UTC in Madrid; one week of 2020-01 is a trip to Spain.
    """
    rows = []
    for day in pd.date_range("2019-03-01", "2021-06-30", freq="D"):
        country = "MX" if day < pd.Timestamp("2020-09-01") else "ES"
        if pd.Timestamp("2020-01-10") <= day < pd.Timestamp("2020-01-17"):
            country = "ES"  # a trip: keeps the zone around it
        zone = "America/Mexico_City" if day < pd.Timestamp("2020-09-01") else "Europe/Madrid"
        wall = (day + pd.Timedelta(hours=20, minutes=15)).tz_localize(zone)
        rows.append({S.TS: wall.tz_convert("UTC"), S.COUNTRY: country})
    return pd.DataFrame(rows)


def test_a_person_who_moved_gets_a_zone_per_period_and_every_play_reads_its_own_clock():
    from musicrec.history.zones import propose_zones

    plays = _mover_history()
    proposed = propose_zones(plays)
    assert proposed["zone"].tolist() == ["America/Mexico_City", "Europe/Madrid"]
    mexico = proposed.iloc[0]
    first, last = (t.tz_convert(mexico["zone"]) for t in (mexico["start"], mexico["end"]))
    assert f"{first:%Y-%m-%d %H:%M} {last:%Y-%m-%d %H:%M}" == "2019-03-01 20:15 2020-08-31 20:15"
    assert proposed["plays"].tolist() == [550, 303]
    zones = clock.Zones("Europe/Madrid", [(mexico["start"], mexico["end"], mexico["zone"])])
    local = clock.localize(plays, zones)
    assert set(local[S.TS].dt.strftime("%H:%M")) == {"20:15"}  # every play, both periods
    days = pd.date_range("2019-03-01", "2021-06-30", freq="D").strftime("%Y-%m-%d")
    assert local[S.TS].dt.strftime("%Y-%m-%d").tolist() == list(days)  # their own dates too
    one_zone = clock.localize(plays, "Europe/Madrid")[S.TS].dt.hour
    assert set(one_zone[: len(proposed)]).isdisjoint(
        {20}
    )  # one zone for all: Mexico's evenings move
    assert clock.label(zones) == "times in Europe/Madrid; America/Mexico_City 2019-03 to 2020-08"
    assert zones == "Europe/Madrid" and clock.zone_key(zones) != clock.zone_key("Europe/Madrid")


def test_zones_leave_out_unknown_zones_and_plays_outside_every_period():
    ts = pd.to_datetime(["2020-01-01 12:00", "2021-01-01 12:00"], utc=True)
    plays = pd.DataFrame({S.TS: ts})
    zones = clock.Zones(
        "UTC",
        [("2019-12-01", "2020-02-01", "Asia/Tokyo"), ("2020-12-01", "2021-02-01", "Not/AZone")],
    )
    assert len(zones.periods) == 1
    assert clock.localize(plays, zones)[S.TS].dt.hour.tolist() == [21, 12]
