"""Ending browser sessions that are gone, so their data leaves the server (issue 16).

Streamlit 1.67 keeps a disconnected session in memory for ``server.disconnectedSessionTTL``
seconds, so a reconnect finds it. Past that time it is only *hidden*: its store drops it at
the next write (the next disconnect), and then without shutting it down, so its uploaded
files stay in the uploaded-file manager for good. On a served app the last visitors'
uploads, Workspaces and fitted models stayed in memory until someone else came and left
(``benchmarks/bench_memory.py``).

``SessionReaper`` (one per server, ``reaper()``) follows every session the app has run a
script in. A session disconnected for the TTL (less two polls, so before Streamlit hides it)
is closed through the runtime (``Runtime.clear_user_info_for_session``: thread-safe, marks it
not resumable and shuts it down on the event loop: session state, uploaded files, media).
Then the collector runs and glibc is asked to give the freed memory back to the system
(``malloc_trim``; pandas and Arrow free many small blocks that would otherwise stay mapped).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import time
from collections.abc import Callable
from typing import Protocol

import streamlit as st
from streamlit.logger import get_logger

_LOG = get_logger(__name__)
POLL_S = 2.0
"""How often the reaper looks at the sessions it follows."""
RELEASE_AFTER_POLLS = (1, 4, 15)
"""Polls after the last close at which memory is released: the event loop shuts a session down
within a poll, but a script run still ending holds its frames a while longer (bench_memory:
a single release a poll after the close left 639 MB where one 25 s later left 503 MB)."""


class _Runtime(Protocol):
    def is_active_session(self, session_id: str) -> bool: ...

    def clear_user_info_for_session(self, session_id: str) -> None: ...


def release_memory() -> bool:
    """Collect garbage, then return free heap memory to the system where glibc can.

    Returns:
        True when ``malloc_trim`` ran (glibc), False elsewhere (musl, macOS, Windows).
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):  # no C library by that name, or not glibc
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


class SessionReaper:
    """Closes sessions disconnected for ``ttl_s`` (less ``2 * poll_s``) and frees their memory.

    Args:
        runtime: Streamlit's ``Runtime`` (anything with its ``is_active_session`` and
            ``clear_user_info_for_session``).
        ttl_s: The server's ``server.disconnectedSessionTTL``.
        poll_s: Seconds between two looks (``sweep``) in the background thread.
        clock: Seconds, monotonic (tests give their own).
        release: Run after sessions were closed (``release_memory``).
    """

    def __init__(
        self,
        runtime: _Runtime,
        ttl_s: float,
        poll_s: float = POLL_S,
        clock: Callable[[], float] = time.monotonic,
        release: Callable[[], object] = release_memory,
    ) -> None:
        self.runtime, self.ttl_s, self.poll_s = runtime, ttl_s, poll_s
        self.clock, self.release = clock, release
        self._lock = threading.Lock()
        self._gone_since: dict[str, float | None] = {}
        self._thread: threading.Thread | None = None
        self.closed = 0
        """Sessions closed so far (for the log and the tests)."""

    @property
    def grace_s(self) -> float:
        """How long a session may stay disconnected before it is closed."""
        return max(self.ttl_s - 2 * self.poll_s, 0.0)

    def follow(self, session_id: str) -> None:
        """Follow ``session_id`` (idempotent; a session seen running is not gone)."""
        with self._lock:
            self._gone_since[session_id] = None

    def followed(self) -> int:
        """How many sessions are followed (live ones and ones waiting out their grace)."""
        with self._lock:
            return len(self._gone_since)

    def sweep(self) -> list[str]:
        """Close the sessions disconnected for longer than ``grace_s``; returns their ids."""
        now = self.clock()
        ending = []
        with self._lock:
            for sid, since in list(self._gone_since.items()):
                if self.runtime.is_active_session(sid):
                    self._gone_since[sid] = None
                elif since is None:
                    self._gone_since[sid] = now
                elif now - since >= self.grace_s:
                    del self._gone_since[sid]
                    ending.append(sid)
        for sid in ending:
            self.runtime.clear_user_info_for_session(sid)
        self.closed += len(ending)
        return ending

    def start(self) -> None:
        """Sweep every ``poll_s`` in a daemon thread (once); memory is released after closes."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="musicrec-reaper", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        polls_since_close: int | None = None
        while True:
            time.sleep(self.poll_s)
            if polls_since_close is not None:
                polls_since_close += 1
                if polls_since_close in RELEASE_AFTER_POLLS:
                    self.release()
                if polls_since_close >= RELEASE_AFTER_POLLS[-1]:
                    polls_since_close = None
            ended = self.sweep()
            if ended:
                _LOG.info(
                    "musicrec: ended %d session(s) gone for %.0f s (%d followed)",
                    len(ended), self.grace_s, self.followed(),
                )  # fmt: skip
                polls_since_close = 0


@st.cache_resource
def reaper() -> SessionReaper | None:
    """The server's SessionReaper, started (None outside a running server, e.g. AppTest)."""
    from streamlit import runtime

    if not runtime.exists():
        return None
    ttl = float(st.get_option("server.disconnectedSessionTTL"))
    found = SessionReaper(runtime.get_instance(), ttl)
    found.start()
    return found


def follow_this_session() -> None:
    """Let the server's reaper end this session once it is gone (the app frame calls it)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    found = reaper()
    if ctx is not None and found is not None:
        found.follow(ctx.session_id)
