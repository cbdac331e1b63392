"""Cached shared work: the fictional demo (the same for everyone), the feedback store and the
fitted sound models (one per catalog while someone uses it); the server's cycle collector.

Only data that is the same for every visitor is cached across sessions here; a person's
own data lives in their session (``musicrec.ui.state``).
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from musicrec import schema as S
from musicrec.config import CountingRule

if TYPE_CHECKING:
    import pandas as pd

    from musicrec.demo import DemoData
    from musicrec.feedback import FeedbackStore
    from musicrec.hybrid import Hybrid
    from musicrec.sound import SoundModel
    from musicrec.workspace import Workspace


@st.cache_resource(show_spinner="Generating the fictional demo…")
def demo_data() -> DemoData:
    """The fictional demo's tables (generated once per server)."""
    from musicrec.demo import generate

    return generate()


@st.cache_resource(show_spinner="Preparing the demo…", max_entries=4)
def demo_workspace(rule: CountingRule, timezone: str = "UTC") -> Workspace:
    """The demo's Workspace under ``rule``, read in the zone ``timezone``."""
    from musicrec.workspace import build_workspace

    data = demo_data()
    return build_workspace(
        data.plays, data.catalog, community=data.community, library=data.library, rule=rule,
        timezone=timezone,
    )  # fmt: skip


@st.cache_resource(show_spinner="Training the recommender on the demo…", max_entries=4)
def demo_hybrid(rule: CountingRule, timezone: str = "UTC") -> Hybrid:
    """The demo's fitted Hybrid in ``timezone``.

    In UTC (the demo listener's own zone) it is loaded from models/ when a matching file
    exists, else fitted and saved; in another zone it is fitted in memory.
    """
    from musicrec.errors import ModelFileError
    from musicrec.hybrid import Hybrid
    from musicrec.persistence import fingerprint, load_model, save_model

    ws = demo_workspace(rule, timezone)
    fp = fingerprint(ws.items[[S.ITEM_ID]], ws.plays[[S.TS, S.ITEM_ID]])
    if timezone != "UTC":  # fitted in memory only: one saved demo model, not one per zone
        return Hybrid().fit(ws)
    try:
        return load_model("demo-hybrid", config=rule, data_fingerprint=fp)
    except ModelFileError:
        model = Hybrid().fit(ws)
        # a read-only install still works: it just fits again at the next start
        with contextlib.suppress(OSError):
            save_model(model, "demo-hybrid", config=rule, data_fingerprint=fp)
        return model


def feedback_store() -> FeedbackStore:
    """The SQLite feedback store (one per database path; rows are scoped by session id)."""
    from musicrec.feedback import default_path

    return _feedback_store(str(default_path()))


@st.cache_resource
def _feedback_store(path: str) -> FeedbackStore:
    from musicrec.feedback import FeedbackStore
    from musicrec.ui.state import LOCAL_ID

    return FeedbackStore(Path(path), lasting=(LOCAL_ID,))  # a person's own likes never expire


_HELD_SOUND_MODEL = "sound_model_held"
"""Session key (this module's): the SoundModel this session uses, its strong reference."""


class _Shared:
    """Values by key while someone else holds them (weak references; thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: weakref.WeakValueDictionary[str, object] = weakref.WeakValueDictionary()

    def get(self, key: str) -> object | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, value: object) -> None:
        with self._lock:
            self._items[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@st.cache_resource
def _sound_models() -> _Shared:
    return _Shared()


def sound_model(
    catalog: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> SoundModel:
    """The SoundModel of ``catalog`` (CATALOG-shaped, e.g. ``sound.catalog_from_items``) and the
    extra genre ``evidence``, ``progress(fraction, text)`` while it fits.

    Fitted once per content fingerprint for everyone who uses it at the same time (a catalog is
    the same for every visitor who loads it); the calling session holds it (in its state, in
    place of the one it used before), the server only a weak reference, so the model goes with
    the last session that uses it. It used to stay for good, up to three server-wide:
    bench_load, after all six sessions expired, one 17 MB model of the 30k catalog. When served
    the fit runs in the worker process (``state.fit_apart``), where it holds up no other visitor.
    """
    import hashlib

    import pandas as pd

    from musicrec import schema as S
    from musicrec.sound import FEATURES, SoundModel
    from musicrec.ui import state

    cols = [c for c in (S.TRACK_ID, S.ARTISTS, S.GENRE, S.TAGS, *FEATURES) if c in catalog.columns]
    parts = [catalog[cols]] + ([evidence] if evidence is not None and len(evidence) else [])
    h = hashlib.sha256()
    for part in parts:  # 0.2 s CPU for the five catalogs' union (persistence.fingerprint: 2.3 s)
        h.update(repr((list(part.columns), part.shape)).encode())
        h.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
    key = h.hexdigest()
    models = _sound_models()
    with _fitting_lock(key):  # people loading one catalog at once wait for one fit, not fit it each
        model = models.get(key)
        if model is None:
            # when served in the worker (0.4-0.5 s of the 30k catalog), without progress
            model = state.fit_apart(SoundModel().fit, catalog, evidence=evidence, progress=progress)
            models.put(key, model)
        st.session_state[_HELD_SOUND_MODEL] = model  # before the lock goes: the next one finds it
    return model  # type: ignore[return-value]


_fitting_guard = threading.Lock()
_fitting: dict[str, list] = {}
"""A lock per content fingerprint being fitted, with how many callers hold or wait for it."""


@contextlib.contextmanager
def _fitting_lock(key: str) -> Iterator[None]:
    """Hold the lock of ``key``: one fit per fingerprint at a time; forgotten when unused.

    bench_load: three people uploading one catalog at once each fitted its model (three fits,
    three models' memory at the peak) before any was cached."""
    with _fitting_guard:
        entry = _fitting.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _fitting_guard:
            entry[1] -= 1
            if entry[1] == 0:
                del _fitting[key]


CYCLE_SWEEP_SECONDS = 300.0
"""How often the server collects reference cycles. Streamlit's own full collection after every
script run (``runner.postScriptGC``) is off in ``.streamlit/config.toml``: it walked every
object of the process (the demo's models, each person's data) on every rerun, 230-690 ms of a
prompt's 400-930 ms on the demo (measured in the server at load average 3-4). The sweep is a
safety net for cycles the automatic collector would not reach soon (its thresholds count
objects, not the arrays they hold); what an expired session leaves is collected by the session
reaper (``sessions.release_memory``). Every 15 s it was a stall of every visitor: under
bench_load each sweep held the interpreter 140-170 ms of CPU (140-720 ms of wall time) over
~210k objects, and freed 0-1,900 of them."""

_sweeper_lock = threading.Lock()
_sweeper: threading.Thread | None = None


def start_cycle_sweeper(every: float = CYCLE_SWEEP_SECONDS) -> threading.Thread:
    """Start, once per process, a daemon thread that runs a full ``gc.collect()`` every
    ``every`` seconds, so cycles left by expired sessions are freed within that time
    without a collection on every rerun. Returns the thread (the running one if started)."""
    global _sweeper
    with _sweeper_lock:
        if _sweeper is None or not _sweeper.is_alive():
            _sweeper = threading.Thread(
                target=_sweep, args=(every,), name="musicrec-cycle-sweeper", daemon=True
            )
            _sweeper.start()
        return _sweeper


def _sweep(every: float) -> None:
    while True:
        time.sleep(every)
        gc.collect()
