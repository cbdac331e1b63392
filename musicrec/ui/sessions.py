"""Ending browser sessions that are gone, so their data leaves the server (issue 16).

Streamlit 1.67 keeps a disconnected session in memory for ``server.disconnectedSessionTTL``
seconds, so a reconnect finds it. Past that time it is only *hidden*: its store drops it at
the next write (the next disconnect), and then without shutting it down, so its uploaded
files stay in the uploaded-file manager for good. On a served app the last visitors'
uploads, Workspaces and fitted models stayed in memory until someone else came and left
(``benchmarks/bench_memory.py``).

``SessionReaper`` (one per server, ``reaper()``) follows every session the app has run a
script in. A session disconnected for three quarters of the TTL (so before Streamlit hides it)
is emptied (its session state: Streamlit's runtime loop keeps the last session it served
referenced until another one is served) and closed through the runtime
(``Runtime.clear_user_info_for_session``: thread-safe, marks it not resumable and shuts it
down on the event loop: uploaded files, media, dataframe sources).
Then the collector runs and glibc is asked to give the freed memory back to the system
(``malloc_trim``), a few times in the next 30 s; and glibc keeps few malloc arenas
(``limit_malloc_arenas``), so what is freed is not scattered over one arena per thread.
Arrow memory (pandas 3 keeps every text column there) is allocated with the same malloc
(``arrow_on_the_system_allocator``): pyarrow's own mimalloc pool kept what a session had freed
(a 1M-row text frame built and dropped three times in a thread: 121 MB kept, 1-2 MB now).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import streamlit as st
from streamlit.logger import get_logger

_LOG = get_logger(__name__)
POLL_S = 2.0
"""How often the reaper looks at the sessions it follows."""
RELEASE_AFTER_POLLS = (1, 2, 4, 8, 15, 30)
"""Polls after the last close at which memory is released (2 s to 1 min): the event loop shuts
a session down within a poll, but a script run still ending (it stops at its next Streamlit
call, maybe a fit away) holds its data longer (bench_memory: one release a poll after the
close left 639 MB where one 25 s later left 503 MB)."""
MALLOC_ARENAS = 2
"""glibc malloc arenas the server may use (``mallopt(M_ARENA_MAX)``, as ``MALLOC_ARENA_MAX=2``).
Each script thread otherwise gets an arena of its own (up to 8 per core), and memory freed
in them stays fragmented: bench_memory after one round of two uploads, with the sessions
ended, emptied and trimmed, 524 MB with glibc's default arenas, 436 MB with 2 (idle 365-371
MB; malloc's in-use bytes 100 MB either way, free-but-held 192 vs 55 MB)."""
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024
"""Blocks of this size and larger get pages of their own from glibc (``mallopt(M_MMAP_THRESHOLD)``,
glibc's starting value, here kept fixed): glibc otherwise raises the threshold up to 32 MB as
large blocks are freed, and then a session's frames and arrays are carved out of the arenas
between longer-lived blocks. bench_load, two rounds at load average 1-8: after expiry 475 / 464
MB with it (idle 335 MB), 518 / 562 MB without (idle 353 MB), one run each."""
_M_MMAP_THRESHOLD = -3
ARROW_POOLS = ("mimalloc", "jemalloc")
"""Arrow's own allocators (pyarrow's default on Linux is mimalloc). pandas 3 keeps every text
column in Arrow memory, and these pools keep what was freed: the server's text columns are put
on the system allocator instead (``arrow_on_the_system_allocator``), whose free memory
``malloc_trim`` gives back."""


class _Runtime(Protocol):
    def is_active_session(self, session_id: str) -> bool: ...

    def clear_user_info_for_session(self, session_id: str) -> None: ...


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except (OSError, TypeError):  # no C library by that name
        return None


def _mallopt(param: int, value: int) -> bool:
    """glibc's ``mallopt(param, value)``; True when glibc took the setting (False elsewhere)."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return mallopt(param, value) == 1


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let glibc's malloc create at most ``arenas`` arenas from now on (threads started later
    share them). Returns True when glibc took the setting (False elsewhere)."""
    return _mallopt(_M_ARENA_MAX, arenas)


def keep_large_blocks_mapped(threshold: int = MMAP_THRESHOLD) -> bool:
    """Let glibc's malloc give every block of ``threshold`` bytes or more pages of its own,
    returned to the system when freed. Returns True when glibc took the setting."""
    return _mallopt(_M_MMAP_THRESHOLD, threshold)


def arrow_on_the_system_allocator() -> bool:
    """Allocate Arrow memory (pandas 3's text columns) with the C library's malloc from now on.

    Returns:
        True when pyarrow is installed and switched, False without pyarrow.
    """
    try:
        import pyarrow as pa
    except ImportError:
        return False
    pa.set_memory_pool(pa.system_memory_pool())
    return True


def _release_arrow_pools() -> None:
    """Ask Arrow's own allocators to give back the memory they hold unused (what was
    allocated there before ``arrow_on_the_system_allocator``)."""
    pa = sys.modules.get("pyarrow")
    if pa is None:
        return
    for name in ARROW_POOLS:
        try:
            pool = getattr(pa, f"{name}_memory_pool")()
        except (AttributeError, NotImplementedError):  # pyarrow built without that allocator
            continue
        pool.release_unused()


def release_memory(collect: bool = True) -> bool:
    """Collect garbage (unless ``collect`` is False), then return free heap memory to the
    system where glibc can (``malloc_trim`` runs without the interpreter lock: ctypes lets it
    go during the call; a full collection holds it throughout).

    Returns:
        True when ``malloc_trim`` ran (glibc), False elsewhere (musl, macOS, Windows).
    """
    if collect:
        gc.collect()
    _release_arrow_pools()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:  # not glibc
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


class SessionReaper:
    """Closes sessions disconnected for ``grace_s`` and frees their memory.

    Args:
        runtime: Streamlit's ``Runtime`` (anything with its ``is_active_session`` and
            ``clear_user_info_for_session``).
        ttl_s: The server's ``server.disconnectedSessionTTL``.
        poll_s: Seconds between two looks (``sweep``) in the background thread.
        clock: Seconds, monotonic (tests give their own).
        release: Run after sessions were closed (``release_memory``), with ``collect=``
            whether a full collection may run (:meth:`release_now`).
    """

    def __init__(
        self,
        runtime: _Runtime,
        ttl_s: float,
        poll_s: float = POLL_S,
        clock: Callable[[], float] = time.monotonic,
        release: Callable[..., object] = release_memory,
    ) -> None:
        self.runtime, self.ttl_s, self.poll_s = runtime, ttl_s, poll_s
        self.clock, self.release = clock, release
        self._lock = threading.Lock()
        self._gone_since: dict[str, float | None] = {}
        self._empty: dict[str, Callable[[], None]] = {}
        self._on_end: dict[str, list[Callable[[], None]]] = {}
        self._thread: threading.Thread | None = None
        self.closed = 0
        """Sessions closed so far (for the log and the tests)."""

    @property
    def grace_s(self) -> float:
        """How long a session may stay disconnected before it is closed: the TTL less a quarter
        (at least two polls). A close after the TTL finds nothing to shut down (Streamlit has
        hidden the session), and on a busy server the reaper and the event loop run late:
        with two polls of margin, one of six sessions of a bench_memory round at load average
        10-20 was closed too late and kept its uploaded files and dataframe sources."""
        return max(self.ttl_s - max(2 * self.poll_s, self.ttl_s / 4), 0.0)

    def follow(self, session_id: str, empty: Callable[[], None] | None = None) -> None:
        """Follow ``session_id`` (idempotent; a session seen running is not gone).

        ``empty()`` empties its session state, called when the session is closed: Streamlit
        1.67's runtime loop keeps the last session it sent messages to referenced (a local
        variable of ``Runtime._loop_coroutine``) until another session sends some, so a
        closed session's data would stay while the server is idle.
        """
        with self._lock:
            self._gone_since[session_id] = None
            if empty is not None:
                self._empty[session_id] = empty

    def on_end(self, session_id: str, stop: Callable[[], None]) -> None:
        """Call ``stop()`` when ``session_id`` is closed, before its state is emptied: work the
        session started in the background (a MusicBrainz lookup) ends with it."""
        with self._lock:
            self._on_end.setdefault(session_id, []).append(stop)

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
                    ending.append((sid, self._empty.pop(sid, None), self._on_end.pop(sid, [])))
        for sid, empty, stops in ending:
            for stop in stops:
                stop()
            if empty is not None:
                empty()
            self.runtime.clear_user_info_for_session(sid)
        ending = [sid for sid, _, _ in ending]
        self.closed += len(ending)
        return ending

    def release_now(self) -> bool:
        """Give the memory of closed sessions back: a full collection first only when no
        other session is followed. With others served, a full collection holds the interpreter
        for every one of them (py-spy under bench_load: ~1 s of the interpreter in the first
        10 s of a round, after the last round's closes; six releases follow a close); what a closed
        session held is freed by reference counting once its state is emptied, cycles by the
        automatic collector and the server's cycle sweep. Returns whether it collected."""
        alone = not self.followed()
        self.release(collect=alone)
        return alone

    def freeze_if_alone(self) -> bool:
        """With no session followed, move every object left into the collector's permanent
        generation (``gc.freeze``), after a collection: what is alive then is the server's own
        (modules, the demo's models, shared caches), and later collections, which stall every
        visitor, walk only what came after (the cycle sweep held the interpreter ~200 ms of
        each 15 s under bench_load). What an earlier freeze kept is thawed first: a frozen
        object is never collected, so what was alive at one idle moment and dropped later (a
        cache entry replaced, a shared fit let go) would stay for good. Returns whether it
        froze."""
        if self.followed():
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return True

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
                    self.release_now()
                if polls_since_close >= RELEASE_AFTER_POLLS[-1]:
                    polls_since_close = None
                    self.freeze_if_alone()
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
    limit_malloc_arenas()  # the first script run: before most threads have allocated
    keep_large_blocks_mapped()
    arrow_on_the_system_allocator()  # and before any upload's text columns
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
        # the session's own (st.session_state and the fragments are this thread's)
        state, fragments = ctx.session_state, ctx.fragment_storage
        found.follow(ctx.session_id, lambda: _empty(state, fragments))


def when_this_session_ends(stop: Callable[[], None]) -> bool:
    """Call ``stop()`` when the reaper closes this session; False where no reaper runs (AppTest)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    found = reaper()
    if ctx is None or found is None:
        return False
    found.on_end(ctx.session_id, stop)
    return True


def _empty(state: Any, fragments: Any = None) -> None:
    """Drop what a closed session holds of its person's data.

    Every key of its session state (Streamlit's ``SafeSessionState``), and then the rest of
    it: the widgets' metadata holds their callbacks, and the fragment storage (``fragments``)
    the fragments' functions, and both close over the page script's namespace (the builder's
    like button and ``builder`` fragment: its Workspace, Hybrid and prompt lookups). Deleting
    the keys alone left one upload's data on the session the runtime loop still holds:
    bench_load, after all six sessions expired, one AppSession with a 34 MB Workspace and its
    69 MB Hybrid (deep sizes) through exactly these two.
    """
    for key in list(state.filtered_state):
        try:
            del state[key]
        except KeyError:  # a widget's value Streamlit had already dropped
            continue
    # Streamlit 1.67 has no public way to this: SafeSessionState has no clear(), and
    # SessionState.clear() keeps the widgets' metadata (nothing in Streamlit ever drops it).
    # tests/test_sessions.py checks it with the real classes, so a rename fails there.
    inner, lock = getattr(state, "_state", None), getattr(state, "_lock", None)
    if inner is not None and lock is not None:
        with lock:
            inner.clear()  # widget values, keyless widgets' too
            inner._new_widget_state.widget_metadata.clear()  # their callbacks
    if fragments is not None:
        fragments.clear()
        fragments.clear_outside_wrappers()
