"""Like/dislike rows in SQLite: scoped per session, bounded per session, expired after the visit."""

from __future__ import annotations

import sqlite3

from musicrec.config import FeedbackRules
from musicrec.feedback import FeedbackStore

DAY = 86_400.0


class Clock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def _rows(path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT session_id, item_id FROM feedback ORDER BY 1, 2").fetchall()


def test_an_ended_sessions_rows_are_deleted_after_max_age_but_a_lasting_id_keeps_its_own(tmp_path):
    clock = Clock()
    path = tmp_path / "fb.sqlite3"
    rules = FeedbackRules(max_age_days=2, prune_every_s=0)
    store = FeedbackStore(path, rules=rules, lasting=("local",), now=clock)
    store.record("visit-a", "my private upload|song", 1)
    store.record("local", "kept|song", 1)
    clock.t += 1 * DAY
    store.record("visit-b", "other|song", -1)
    assert store.sessions() == 3
    clock.t += 1.5 * DAY  # visit-a is now 2.5 days old, visit-b 1.5 days
    store.record("visit-b", "other|song 2", 1)  # any write prunes (prune_every_s=0)
    assert _rows(path) == [
        ("local", "kept|song"),
        ("visit-b", "other|song"),
        ("visit-b", "other|song 2"),
    ]
    assert store.liked("visit-a") == ()


def test_expired_sessions_go_when_the_store_opens_again(tmp_path):
    clock = Clock()
    path = tmp_path / "fb.sqlite3"
    FeedbackStore(path, now=clock).record("visit-a", "x", 1)
    clock.t += 3 * DAY  # the server restarted days later
    reopened = FeedbackStore(path, rules=FeedbackRules(max_age_days=2), now=clock)
    assert _rows(path) == [] and reopened.sessions() == 0


def test_a_session_keeps_at_most_max_rows_the_oldest_go_first(tmp_path):
    clock = Clock()
    store = FeedbackStore(
        tmp_path / "fb.sqlite3", rules=FeedbackRules(max_rows_per_session=3), now=clock
    )
    for i in range(5):
        clock.t += 1
        store.record("visit", f"item {i}", 1)
    store.record("other", "item 0", -1)
    assert store.liked("visit") == ("item 2", "item 3", "item 4")
    assert store.disliked("other") == ("item 0",)  # another session's bound is its own
