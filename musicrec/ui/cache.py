"""Cached shared work: the fictional demo (the same for everyone) and the feedback store.

Only data that is the same for every visitor is cached across sessions here; a person's
own data lives in their session (``musicrec.ui.state``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from musicrec import schema as S
from musicrec.config import CountingRule

if TYPE_CHECKING:
    from musicrec.demo import DemoData
    from musicrec.feedback import FeedbackStore
    from musicrec.hybrid import Hybrid
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
