"""Shared fixtures. Real data lives in ../shared/data (research use only, never copied here)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Model signing keys made by tests go to a throw-away folder, never the developer's data dir.
os.environ.setdefault("MUSICREC_DATA_DIR", tempfile.mkdtemp(prefix="musicrec-test-data-"))
SHARED_DATA = Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; tests using it skip with a reason where it is absent."""
    if not (SHARED_DATA / "MANIFEST.md").exists():
        pytest.skip(
            f"real data not found at {SHARED_DATA} (only CI and developers have ../shared/data; "
            "set MUSICREC_SHARED_DATA to point elsewhere)"
        )
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """Every test keeps "the person's data" in a fresh folder, never in the real home."""
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path_factory.mktemp("musicrec-data")))
    monkeypatch.delenv("MUSICREC_SERVED", raising=False)


@pytest.fixture()
def app_isolated(tmp_path, monkeypatch):
    """For AppTests: the test's own feedback database and catalog cache, and no data cached by
    an earlier test (``st.cache_data``)."""
    import streamlit as st

    monkeypatch.setenv("MUSICREC_FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path / "cache"))
    st.cache_data.clear()


@pytest.fixture()
def fake():
    """A fake Spotify (accounts service + Web API) on 127.0.0.1 for one test (tests/fake_spotify.py)."""
    from tests.fake_spotify import FakeSpotify

    with FakeSpotify() as f:
        yield f


@pytest.fixture()
def no_token_cache(tmp_path, monkeypatch):
    """Runs the test in an empty folder and home, and fails it if spotipy left a token cache there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    yield
    assert not list(tmp_path.rglob(".cache*")), "a token cache file was written"


@pytest.fixture()
def quiet_then_hush_plays():
    """A listener who plays Quiet for 80 days, then discovers Hush (20 days): PLAYS columns
    ts, artist, track, ms_played, kind (the artist-discovery tests' history)."""
    import pandas as pd

    from musicrec import schema as S

    return pd.DataFrame(
        {
            S.TS: pd.date_range("2024-01-01", periods=100, freq="D", tz="UTC"),
            S.ARTIST: pd.array(["Quiet"] * 80 + ["Hush"] * 20, dtype="string"),
            S.TRACK: pd.array([f"t{i % 7}" for i in range(100)], dtype="string"),
            S.MS_PLAYED: pd.array([200_000] * 100, dtype="Int64"),
            S.KIND: pd.array(["music"] * 100, dtype="string"),
        }
    )
