"""Like/dislike feedback in a local SQLite file, scoped by a session id.

When the app is served to several people, each Streamlit session gets its own random
``session_id``; rows of other sessions are never read, so two people using the app at once
never see each other's feedback. On a person's own machine the id is the fixed
``musicrec.ui.state.LOCAL_ID``, so their likes survive a refresh and a restart.

Rows do not pile up (``config.FeedbackRules``): a session keeps at most
``max_rows_per_session`` rows, and the rows of a session whose newest row is older than
``max_age_days`` are deleted (an ended visit of a served app), except for the ``lasting``
ids the store was opened with.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

from musicrec.config import DEFAULT_FEEDBACK, FeedbackRules

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    session_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    at REAL NOT NULL,
    PRIMARY KEY (session_id, item_id)
)
"""


def default_path() -> Path:
    """``$MUSICREC_FEEDBACK_DB``, else feedback.sqlite3 in the data directory
    (``$MUSICREC_DATA_DIR`` or the per-user one, see ``musicrec.local_data.data_dir``)."""
    env = os.environ.get("MUSICREC_FEEDBACK_DB")
    if env:
        return Path(env)
    from musicrec.local_data import data_dir

    return data_dir() / "feedback.sqlite3"


class FeedbackStore:
    """Session-scoped likes (+1) and dislikes (-1); the latest value for an item wins."""

    def __init__(
        self,
        path: Path | None = None,
        rules: FeedbackRules = DEFAULT_FEEDBACK,
        lasting: Iterable[str] = (),
        now: Callable[[], float] = time.time,
    ) -> None:
        """Open (or create) the store at ``path``.

        Args:
            path: the SQLite file (None: ``default_path()``).
            rules: how long and how many rows are kept.
            lasting: session ids never expired by age (a person's own machine).
            now: the clock, in seconds since the epoch.
        """
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rules = rules
        self.lasting = tuple(lasting)
        self._now = now
        self._lock = threading.Lock()
        self._pruned_at = -float("inf")
        with closing(self._connect()) as con, con:
            con.execute(_SCHEMA)
        self.expire()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, session_id: str, item_id: str, value: int) -> None:
        """Store +1 (like) or -1 (dislike); 0 clears the item's feedback."""
        if value not in (-1, 0, 1):
            raise ValueError("feedback value must be -1, 0 or 1")
        with self._lock, closing(self._connect()) as con, con:
            if value == 0:
                con.execute(
                    "DELETE FROM feedback WHERE session_id = ? AND item_id = ?",
                    (session_id, item_id),
                )
            else:
                con.execute(
                    "INSERT INTO feedback VALUES (?, ?, ?, ?) ON CONFLICT(session_id, item_id) "
                    "DO UPDATE SET value = excluded.value, at = excluded.at",
                    (session_id, item_id, value, self._now()),
                )
                con.execute(  # the session's oldest rows past the bound go
                    "DELETE FROM feedback WHERE session_id = ? AND rowid NOT IN (SELECT rowid "
                    "FROM feedback WHERE session_id = ? ORDER BY at DESC, rowid DESC LIMIT ?)",
                    (session_id, session_id, self.rules.max_rows_per_session),
                )
        if self._now() - self._pruned_at >= self.rules.prune_every_s:
            self.expire()

    def expire(self) -> int:
        """Delete the rows of every session whose newest row is older than ``max_age_days``
        (except the ``lasting`` ids). Returns how many rows went."""
        now = self._now()
        cutoff = now - self.rules.max_age_days * 86_400
        sql = (
            "DELETE FROM feedback WHERE session_id IN "
            "(SELECT session_id FROM feedback GROUP BY session_id HAVING MAX(at) < ?)"
        )
        if self.lasting:  # placeholders only: the ids are parameters
            sql += f" AND session_id NOT IN ({','.join('?' * len(self.lasting))})"
        with self._lock, closing(self._connect()) as con, con:
            gone = con.execute(sql, (cutoff, *self.lasting)).rowcount
        self._pruned_at = now
        return gone

    def sessions(self) -> int:
        """How many sessions have rows."""
        with closing(self._connect()) as con:
            return con.execute("SELECT COUNT(DISTINCT session_id) FROM feedback").fetchone()[0]

    def _items(self, session_id: str, value: int) -> tuple[str, ...]:
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT item_id FROM feedback WHERE session_id = ? AND value = ? ORDER BY at",
                (session_id, value),
            ).fetchall()
        return tuple(r[0] for r in rows)

    def liked(self, session_id: str) -> tuple[str, ...]:
        return self._items(session_id, 1)

    def disliked(self, session_id: str) -> tuple[str, ...]:
        return self._items(session_id, -1)

    def clear(self, session_id: str) -> None:
        with self._lock, closing(self._connect()) as con, con:
            con.execute("DELETE FROM feedback WHERE session_id = ?", (session_id,))

    def forget(self, session_id: str) -> None:
        """Delete this id's feedback for good (the file is compacted, so no trace is left)."""
        self.clear(session_id)
        with self._lock, closing(self._connect()) as con:
            con.execute("VACUUM")
