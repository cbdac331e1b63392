"""Like/dislike feedback in a local SQLite file, scoped by a session id.

When the app is served to several people, each Streamlit session gets its own random
``session_id``; rows of other sessions are never read, so two people using the app at once
never see each other's feedback. On a person's own machine the id is the fixed
``musicrec.ui.state.LOCAL_ID``, so their likes survive a refresh and a restart.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

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

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with closing(self._connect()) as con, con:
            con.execute(_SCHEMA)

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
                    (session_id, item_id, value, time.time()),
                )

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
