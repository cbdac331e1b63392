"""The worker process of served fits (musicrec.apart): real child processes, no mocks."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from musicrec import apart
from musicrec.errors import FitFailedError, UnsupportedFileError


@pytest.fixture(autouse=True)
def _fresh_worker():
    apart.shutdown()
    yield
    apart.shutdown()


def _pid_and_niceness() -> tuple[int, int]:
    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)


def _refuse(path: str) -> None:
    raise UnsupportedFileError(path, "is not a history")


def _die() -> None:
    os._exit(3)  # as the system's out-of-memory killer would end it


def _total(frame: pd.DataFrame, *, column: str) -> float:
    return float(frame[column].sum())


def test_a_fit_runs_in_another_process_at_a_lower_priority():
    pid, niceness = apart.run(_pid_and_niceness)
    assert pid != os.getpid()
    assert niceness == min(19, os.getpriority(os.PRIO_PROCESS, 0) + apart.NICENESS)
    # the next fit right after is served by the same (warm) worker
    assert apart.run(_pid_and_niceness)[0] == pid


def test_arguments_and_results_cross_as_pickles():
    frame = pd.DataFrame({"ms": [1.5, 2.5, 4.0]})
    assert apart.run(_total, frame, column="ms") == 8.0


def test_an_error_of_the_fit_comes_back_as_itself():
    with pytest.raises(UnsupportedFileError) as caught:
        apart.run(_refuse, "x.json")
    assert caught.value.path == "x.json" and "is not a history" in str(caught.value)


def test_a_dead_worker_is_a_clear_error_and_the_next_fit_gets_a_new_one():
    first = apart.run(_pid_and_niceness)[0]
    with pytest.raises(FitFailedError, match="stopped before it ended"):
        apart.run(_die)
    assert apart.run(_pid_and_niceness)[0] != first


def test_the_worker_stops_when_idle(monkeypatch):
    monkeypatch.setattr(apart, "IDLE_SECONDS", 0.2)
    pid = apart.run(_pid_and_niceness)[0]
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert apart.worker_pid() is None
    assert not _alive(pid)  # the process is gone, and the memory it used with it


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_sound_fit_and_estimates_come_back_from_the_worker_as_they_are_made_here():
    # the served app fits the SoundModel and estimates the uncatalogued items in the worker
    # (musicrec.ui.cache.sound_model, catalog_panel.with_sound): same results as in-process
    from musicrec import schema as S
    from musicrec import sound
    from musicrec.demo import generate
    from musicrec.workspace import build_workspace

    data = generate()
    catalog = data.catalog.iloc[::2]  # half the demo's tracks unknown to the catalog
    ws = build_workspace(data.plays, catalog, library=data.library)
    here = sound.SoundModel().fit(sound.catalog_from_items(ws.items))
    there = apart.run(sound.SoundModel().fit, sound.catalog_from_items(ws.items))
    pd.testing.assert_frame_equal(there.artist_features_, here.artist_features_)
    local = sound.with_sound(ws, here)
    remote = apart.run(sound.with_sound, ws, there)
    estimated = local.items[S.FEATURE_SOURCE] != "none"
    assert (~local.items[S.IN_CATALOG].astype(bool) & estimated).any()  # something was estimated
    pd.testing.assert_frame_equal(remote.items, local.items)
