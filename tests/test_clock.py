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
