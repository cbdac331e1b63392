"""The session reaper (musicrec.ui.sessions): a session gone for the TTL is closed, once, and
the sessions it follows stay bounded by the live ones. Its clock is the test's own; the
runtime is a small stand-in with the two methods of Streamlit's ``Runtime`` it calls (the
browser test ``tests/browser/test_sessions_end.py`` runs it in a real server)."""

from __future__ import annotations

import sys

import pytest

from musicrec.ui.sessions import (
    SessionReaper,
    keep_large_blocks_mapped,
    limit_malloc_arenas,
    release_memory,
)


class Runtime:
    """Which sessions have a websocket, and which ones were closed."""

    def __init__(self) -> None:
        self.connected: set[str] = set()
        self.closed: list[str] = []

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.connected

    def clear_user_info_for_session(self, session_id: str) -> None:
        self.closed.append(session_id)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def setup():
    rt, clock = Runtime(), Clock()
    return rt, clock, SessionReaper(rt, ttl_s=30, poll_s=2, clock=clock, release=lambda **_: None)


def test_a_connected_session_is_never_closed(setup):
    rt, clock, reaper = setup
    rt.connected.add("a")
    reaper.follow("a")
    for _ in range(100):
        clock.now += 10
        assert reaper.sweep() == []
    assert rt.closed == [] and reaper.followed() == 1


def test_a_gone_session_is_closed_once_before_streamlit_hides_it(setup):
    rt, clock, reaper = setup
    reaper.follow("a")
    assert reaper.sweep() == []  # first seen gone now
    clock.now += 22.4
    assert reaper.sweep() == []
    clock.now += 0.1  # 22.5 s gone: the TTL (30 s) less a quarter
    assert reaper.sweep() == ["a"]
    clock.now += 60
    assert reaper.sweep() == []
    assert rt.closed == ["a"] and reaper.followed() == 0 and reaper.closed == 1


def test_a_reconnect_starts_the_grace_again(setup):
    rt, clock, reaper = setup
    reaper.follow("a")
    reaper.sweep()
    clock.now += 20
    rt.connected.add("a")  # the browser came back (a network blip)
    assert reaper.sweep() == []
    rt.connected.discard("a")
    clock.now += 1
    reaper.sweep()
    clock.now += 20
    assert reaper.sweep() == []  # 20 s since it left again, not 41
    clock.now += 6
    assert reaper.sweep() == ["a"]


def test_followed_sessions_stay_bounded_by_the_live_ones(setup):
    rt, clock, reaper = setup
    for visit in range(500):  # visitors come and go, each for one session
        sid = f"s{visit}"
        rt.connected.add(sid)
        reaper.follow(sid)
        reaper.sweep()
        rt.connected.discard(sid)
        clock.now += 3
        reaper.sweep()
    assert reaper.followed() <= reaper.grace_s / 3 + 2  # only those still within their grace
    clock.now += 30
    reaper.sweep()
    clock.now += 30
    reaper.sweep()
    assert reaper.followed() == 0 and sorted(rt.closed) == sorted(f"s{v}" for v in range(500))


def test_a_full_collection_after_closes_waits_until_no_one_else_is_served(setup):
    rt, clock, _ = setup
    asked: list[bool] = []
    reaper = SessionReaper(rt, ttl_s=1, poll_s=2, clock=clock,
                           release=lambda collect: asked.append(collect))  # fmt: skip
    reaper.follow("a")
    reaper.follow("b")
    rt.connected.add("b")  # "a" has gone, "b" is still here
    reaper.sweep()
    assert reaper.sweep() == ["a"]
    assert reaper.release_now() is False  # "b" is still served: no full collection for it
    rt.connected.discard("b")
    reaper.sweep()
    assert reaper.sweep() == ["b"] and reaper.release_now() is True
    assert asked == [False, True]


def test_a_short_ttl_closes_at_the_next_look(setup):
    rt, clock, _ = setup
    reaper = SessionReaper(rt, ttl_s=1, poll_s=2, clock=clock, release=lambda **_: None)
    reaper.follow("a")
    reaper.sweep()
    assert reaper.grace_s == 0 and reaper.sweep() == ["a"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_glibc_takes_the_arena_limit_and_gives_memory_back():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert limit_malloc_arenas() is True
    assert keep_large_blocks_mapped() is True
    assert release_memory() is True


def test_a_closed_session_s_state_is_emptied_first(setup):
    """Streamlit's runtime loop keeps the last session it served referenced; its data must
    not stay with it. A live session's state is never touched."""
    rt, clock, reaper = setup
    states = {"a": {"upload": b"x" * 10, "workspace": object()}, "b": {"upload": b"y"}}
    rt.connected.add("b")
    for sid, st in states.items():
        reaper.follow(sid, st.clear)
    reaper.sweep()
    clock.now += 30
    assert reaper.sweep() == ["a"]
    assert states["a"] == {} and states["b"] == {"upload": b"y"}


def test_work_a_session_started_is_stopped_when_it_is_closed(setup):
    """A background job of the session (the MusicBrainz lookup's stop switch) is told to stop when
    the session is closed, not before, and only once; another session's job keeps running."""
    import threading

    rt, clock, reaper = setup
    emptied = []
    mine, theirs = threading.Event(), threading.Event()
    rt.connected.add("b")
    reaper.follow("a", lambda: emptied.append(mine.is_set()))
    reaper.follow("b")
    reaper.on_end("a", mine.set)
    reaper.on_end("b", theirs.set)
    reaper.sweep()
    clock.now += 10
    assert reaper.sweep() == [] and not mine.is_set()  # still within its grace
    clock.now += 15
    assert reaper.sweep() == ["a"]
    assert mine.is_set() and emptied == [True]  # stopped before its state was emptied
    assert not theirs.is_set()
    clock.now += 60
    assert reaper.sweep() == [] and emptied == [True]


ARROW_KEPT_MB = 20
"""Resident memory a fresh interpreter may keep after building and dropping three 1M-row text
frames in a thread (before the fix: 121 MB, in Arrow's mimalloc pool; after: 1-2 MB)."""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, malloc_trim")
@pytest.mark.parametrize("switch", [False, True], ids=["arrow pool released", "system pool"])
def test_freed_text_columns_go_back_to_the_system(switch):
    """pandas 3 keeps text columns in Arrow memory; what a script thread freed there must leave
    the process once the reaper releases memory (bench_load: the server kept hundreds of MB
    after every session had ended)."""
    import os
    import platform
    import subprocess
    from pathlib import Path

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    pytest.importorskip("pyarrow")
    root = Path(__file__).resolve().parents[1]
    probe = [sys.executable, str(root / "tests" / "arrow_memory_probe.py")]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        probe + (["switch"] if switch else []), env=env, capture_output=True, text=True,
        timeout=300, check=True,
    )  # fmt: skip
    assert float(out.stdout.strip()) < ARROW_KEPT_MB


def test_what_is_left_with_no_session_is_kept_out_of_later_collections(setup):
    import gc

    _rt, clock, reaper = setup
    frozen = gc.get_freeze_count()
    reaper.follow("a")
    assert not reaper.freeze_if_alone()  # a visitor's objects are never frozen
    assert gc.get_freeze_count() == frozen
    clock.now += 1
    reaper.sweep()
    clock.now += 60
    assert reaper.sweep() == ["a"]
    try:
        assert reaper.freeze_if_alone()
        assert gc.get_freeze_count() > frozen + 1000  # this process's modules and objects
    finally:
        gc.unfreeze()


def test_what_an_earlier_freeze_kept_is_collected_once_it_is_dropped(setup):
    """A frozen object is never collected: each freeze thaws the last one first, so a cycle
    alive at one idle moment (a cache entry, a shared fit) goes at the next once it is dropped."""
    import gc
    import weakref

    class Node:
        pass

    _rt, _clock, reaper = setup
    cycle = Node()
    cycle.me = cycle
    alive = weakref.ref(cycle)
    try:
        assert reaper.freeze_if_alone()  # no session followed: the cycle is frozen, alive
        del cycle
        gc.collect()
        assert alive() is not None  # frozen: even a full collection leaves it
        assert reaper.freeze_if_alone()
        assert alive() is None
    finally:
        gc.unfreeze()


def test_a_closed_session_lets_go_of_what_its_widgets_and_fragments_hold():
    """The page's namespace (its Workspace, model) is held by a keyless button's callback and by
    a fragment's function, not only by session keys: the emptier the reaper gets drops all three
    (real Streamlit session state and fragment storage)."""
    import gc
    import weakref

    from streamlit.runtime.fragment import MemoryFragmentStorage
    from streamlit.runtime.state.common import WidgetMetadata
    from streamlit.runtime.state.safe_session_state import SafeSessionState
    from streamlit.runtime.state.session_state import SessionState

    from musicrec.ui.sessions import _empty

    class Workspace:
        pass

    held, kept = {"ws": Workspace()}, {"ws": Workspace()}
    gone = weakref.ref(held["ws"])
    state, other = (SafeSessionState(SessionState(), lambda: None) for _ in range(2))
    fragments, others = MemoryFragmentStorage(), MemoryFragmentStorage()
    for st_, frags, page in ((state, fragments, held), (other, others, kept)):
        st_["workspace"] = page["ws"]
        like = WidgetMetadata(id="$$ID-like-None", deserializer=bool, serializer=bool,
                              value_type="trigger_value", callback=lambda p=page: p)  # fmt: skip
        st_.register_widget(like, None)
        frags.register("builder", lambda p=page: p)
    del held
    _empty(state, fragments)
    gc.collect()
    assert gone() is None
    assert other["workspace"] is kept["ws"] and others.contains("builder")  # another session's
