"""The baselines of the evaluation, each on a tiny hand-made history with a known right answer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.evaluation import baselines as B

NOW = pd.Timestamp("2024-03-01 12:00", tz="UTC")
IDS = pd.Index(["a", "b", "c", "d"], name=S.ITEM_ID)


def history(rows: list[tuple[str, str]]) -> pd.DataFrame:
    """PLAYS from (item, time) pairs."""
    return pd.DataFrame(
        {
            S.ITEM_ID: pd.array([i for i, _ in rows], dtype="string"),
            S.TS: pd.to_datetime([t for _, t in rows], utc=True),
        }
    )


# a: three plays a month ago; b: one play an hour ago; c: one play ten days ago; d: never.
PLAYS = history(
    [
        ("a", "2024-01-31 12:00"),
        ("a", "2024-01-31 12:05"),
        ("a", "2024-01-31 12:10"),
        ("c", "2024-02-20 12:00"),
        ("b", "2024-03-01 11:00"),
    ]
)


def order(scores: np.ndarray) -> list[str]:
    s = np.where(np.isnan(scores), -np.inf, scores)
    return [IDS[i] for i in np.argsort(-s, kind="stable") if np.isfinite(s[i])]


def test_frequency_and_most_recent():
    assert list(B.frequency(PLAYS, IDS)) == [3, 1, 1, 0]
    assert order(B.most_recent(PLAYS, IDS)) == ["b", "c", "a"]
    assert np.isnan(B.most_recent(PLAYS, IDS)[3])


def test_recency_halves_per_half_life():
    plays = history([("a", "2024-01-01"), ("b", "2024-01-31")])
    r = B.recency(plays, IDS, half_life_days=30)
    assert r[0] == pytest.approx(0.5) and r[1] == pytest.approx(1.0) and r[2] == 0


def test_actr_activation_is_the_log_of_summed_power_decay():
    act = B.actr_activation(PLAYS, IDS, NOW)
    hour, month = 3600.0, (NOW - pd.Timestamp("2024-01-31 12:00", tz="UTC")).total_seconds()
    assert act[1] == pytest.approx(math.log(hour**-0.5))
    expected_a = math.log(sum((month - m * 60) ** -0.5 for m in (0, 5, 10)))
    assert act[0] == pytest.approx(expected_a)
    assert np.isnan(act[3])
    # one play an hour ago beats three a month ago (frequency would say the opposite), and
    # three plays a month ago beat one ten days ago (recency would say the opposite):
    # (1/sqrt(3600) = 0.017 > 3/sqrt(2.6e6) = 0.0019 > 1/sqrt(864000) = 0.0011)
    assert order(act) == ["b", "a", "c"]


def test_actr_ignores_plays_after_now():
    act = B.actr_activation(PLAYS, IDS, pd.Timestamp("2024-02-01", tz="UTC"))
    assert order(act) == ["a"]


def test_actr_decay_zero_is_frequency():
    act = B.actr_activation(PLAYS, IDS, NOW, decay=0.0)
    assert np.exp(act[:3]) == pytest.approx([3, 1, 1])


def test_actr_hour_of_week_prefers_what_is_played_at_that_time():
    """x is played on Monday mornings, y on Friday nights (more often, and more recently)."""
    rows = [("a", f"2024-02-{d:02d} 08:00") for d in (5, 12, 19)]  # Mondays
    rows += [("b", f"2024-02-{d:02d} 22:00") for d in (2, 9, 16, 23)]  # Fridays
    plays = history(rows)
    monday = pd.Timestamp("2024-02-26 08:30", tz="UTC")
    assert order(B.actr_hour_of_week(plays, IDS, monday)) == ["a", "b"]
    assert order(B.actr_activation(plays, IDS, monday)) == ["b", "a"]
    friday = pd.Timestamp("2024-03-01 21:30", tz="UTC")
    assert order(B.actr_hour_of_week(plays, IDS, friday)) == ["b", "a"]


def test_hour_of_week_wraps_sunday_night_to_monday_morning():
    sunday = pd.Series(pd.to_datetime(["2024-03-03 23:00"], utc=True))
    assert B.hour_of_week(sunday)[0] == 167
    plays = history([("a", "2024-02-25 23:30"), ("b", "2024-02-28 00:30")])  # Sun night, Wed
    monday = pd.Timestamp("2024-03-04 00:30", tz="UTC")
    assert order(B.actr_hour_of_week(plays, IDS, monday)) == ["a", "b"]


def test_transition_probability_follows_the_last_item():
    """Sessions: a b, a b, a c, then (after a gap) c a; b never follows anything but a."""
    plays = history(
        [
            ("a", "2024-01-01 10:00"),
            ("b", "2024-01-01 10:04"),
            ("a", "2024-01-02 10:00"),
            ("b", "2024-01-02 10:04"),
            ("a", "2024-01-03 10:00"),
            ("c", "2024-01-03 10:04"),
            ("c", "2024-01-04 10:00"),
            ("a", "2024-01-04 18:00"),  # a new session: not a transition
        ]
    )
    pairs = B.transition_matrix(plays, IDS)
    p = B.transition(pairs, len(IDS), last=0)
    assert p[:3] == pytest.approx([0, 2 / 3, 1 / 3])
    assert B.transition(pairs, len(IDS), last=2).sum() == 0  # c is never followed in a session
    tie = B.transition(pairs, len(IDS), last=2, tie_break=B.frequency(plays, IDS))
    assert order(tie)[0] == "a" and tie[1] == tie[2] > tie[3]  # unseen: by frequency (4, 2, 2, 0)
    assert B.transition(pairs, len(IDS), last=-1).sum() == 0


def test_empty_history_scores_nothing():
    empty = history([])
    assert (B.frequency(empty, IDS) == 0).all()
    assert np.isnan(B.actr_activation(empty, IDS, NOW)).all()
    assert np.isnan(B.actr_hour_of_week(empty, IDS, NOW)).all()
    assert np.isnan(B.most_recent(empty, IDS)).all()
    assert B.transition(B.transition_matrix(empty, IDS), len(IDS), 0).sum() == 0
