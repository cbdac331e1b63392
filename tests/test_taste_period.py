"""Typed days for the Taste page's period: what a person types, and the period it means."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec import taste

D = dt.date


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2024-03-05", False, D(2024, 3, 5)),
        (" 2024/3/5 ", True, D(2024, 3, 5)),
        ("2024.03.05", False, D(2024, 3, 5)),
        ("2024-02", False, D(2024, 2, 1)),
        ("2024-02", True, D(2024, 2, 29)),
        ("2023-12", True, D(2023, 12, 31)),
        ("2024", False, D(2024, 1, 1)),
        ("2024", True, D(2024, 12, 31)),
    ],
)
def test_a_typed_day_month_or_year(text, end, expected):
    assert taste.parse_day(text, end=end) == expected


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "2023-02-29", "05/03/2024", "24"])
def test_a_text_that_is_no_date_is_named_with_what_to_type(text):
    with pytest.raises(ValueError, match=r"is not a date: type a day like 2024-03-05") as e:
        taste.parse_day(text)
    assert f"“{text}”" in str(e.value)


PLAYS = pd.DataFrame(
    {S.TS: pd.to_datetime(["2023-06-10 08:00", "2024-01-02 12:00", "2024-05-20 23:00"], utc=True)}
)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024", "2024", (D(2024, 1, 1), D(2024, 5, 20))),  # kept within the plays
        ("", "", (D(2023, 6, 10), D(2024, 5, 20))),  # empty: that end of the span
        ("2023-01-01", "2024-01", (D(2023, 6, 10), D(2024, 1, 31))),
        ("2024-01-02", "2024-01-02", (D(2024, 1, 2), D(2024, 1, 2))),
    ],
)
def test_typed_period_within_the_span(start, end, expected):
    assert taste.typed_period(start, end, PLAYS) == expected


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-03-01", "2024-02-01", "The start (01 Mar 2024) is after the end (01 Feb 2024)."),
        ("2025", "2026", "Your plays run from 10 Jun 2023 to 20 May 2024: choose days in between."),
        ("2024-01-01", "soon", "“soon” is not a date"),
    ],
)
def test_typed_period_says_what_is_wrong(start, end, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        taste.typed_period(start, end, PLAYS)
