"""AppTest: the builder's blend sliders start at the weights tuned on the person's own data.

Tuned on the Model quality page (the demo) or in the background after loading (own data);
an engine at or below random starts at 0 with the reason; "Reset to tuned" / "to defaults".
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from musicrec.config import DEFAULT_COUNTING
from musicrec.hybrid import BlendWeights
from musicrec.ui.weights import SLIDERS
from musicrec.ui.widgets import plain

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def _isolated(app_isolated):
    # measurements that uploads in earlier tests started hold the server's slots: let them end
    for thread in threading.enumerate():
        if thread.name == "musicrec-tuning":
            thread.join(timeout=600)


def fresh(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def sliders(at: AppTest) -> BlendWeights:
    return BlendWeights(**{name: at.slider(key=key).value for name, (_, key) in SLIDERS.items()})


def starting_shown(at: AppTest):
    """The Model quality page's "Where the playlist builder starts" table."""
    return next(d.value for d in at.dataframe if "starts at" in d.value.columns)


def quality(at: AppTest):
    """The Model quality result this session holds (what the page shows)."""
    from musicrec.evaluation.tuning import starting_weights

    result = at.session_state["quality"][1]
    return result, starting_weights(result)


def test_demo_builder_starts_at_the_defaults_then_at_what_model_quality_tuned():
    at = fresh("pages/playlist.py")
    assert sliders(at) == BlendWeights()
    assert at.button(key="w_reset_tuned").proto.disabled  # nothing tuned yet
    at.switch_page("pages/quality.py").run()
    at.button(key="run_eval").click().run()
    assert not at.exception, at.exception
    _, start = quality(at)
    shown = starting_shown(at)
    assert list(shown["starts at"]) == [
        getattr(start.weights, name) for name in SLIDERS
    ]  # the page says where the builder starts
    at.switch_page("pages/playlist.py").run()
    assert not at.exception, at.exception
    assert sliders(at) == start.weights
    at.button(key="w_reset_defaults").click().run()
    assert sliders(at) == BlendWeights()
    at.button(key="w_reset_tuned").click().run()
    assert sliders(at) == start.weights


def _injected(at: AppTest, tables: dict, weights: dict) -> None:
    """Give the demo session a measured result (as the Model quality page would keep it)."""
    from musicrec.demo import generate
    from musicrec.evaluation.protocol import EvaluationResult, results_table

    result = EvaluationResult(
        tables={t: results_table({m: {"ndcg@10": v} for m, v in rows.items()})
                for t, rows in tables.items()},
        weights=weights,
    )  # fmt: skip
    key = ("Demo (fictional)", len(generate().plays), None, "UTC", DEFAULT_COUNTING)
    at.session_state["quality"] = (key, result)


def test_an_engine_at_or_below_random_starts_at_zero_with_the_reason_beside_its_slider():
    at = fresh("pages/playlist.py")
    scores = {"random": 0.010, "frequency": 0.08, "collaborative": 0.004, "co_listening": 0.20,
              "content": 0.05, "context": 0.010}  # fmt: skip
    tuned = {"collaborative": 2.0, "co_listening": 1.0, "content": 0.5, "context": 0.5}
    _injected(at, {"start": scores}, {"start": tuned})
    at.run()
    assert not at.exception, at.exception
    w = sliders(at)
    # below and equal to random start at 0 whatever tuning said; the others where tuning put them
    assert (w.collaborative, w.context) == (0.0, 0.0)
    assert (w.co_listening, w.content, w.mood) == (1.0, 0.5, BlendWeights().mood)
    reasons = [c.value for c in at.caption if c.value.startswith("Off:")]
    assert len(reasons) == 2
    assert "NDCG@10 0.004 vs random 0.010" in reasons[0]  # People like you
    assert "NDCG@10 0.010 vs random 0.010" in reasons[1]  # Activity and time
    assert "at or below random" in at.slider(key="w_collab").proto.help


def test_a_new_measurement_does_not_move_sliders_the_person_moved():
    at = fresh("pages/playlist.py")
    at.slider(key="w_content").set_value(1.7).run()
    scores = {"random": 0.01, "co_listening": 0.2, "content": 0.05, "collaborative": 0.1,
              "context": 0.1}  # fmt: skip
    _injected(at, {"start": scores}, {"start": {"co_listening": 2.0, "content": 0.1}})
    at.run()
    assert sliders(at).content == 1.7 and sliders(at).co_listening == BlendWeights().co_listening
    at.button(key="w_reset_tuned").click().run()
    assert (sliders(at).content, sliders(at).co_listening) == (0.1, 2.0)


def _history(n_days: int = 150, seed: int = 0) -> bytes:
    """A listener with habits: each evening one of three albums, in order, and a few extras."""
    rng = random.Random(seed)
    albums = [[(f"Artist {a}", f"Song {a}-{t}") for t in range(8)] for a in range(3)]
    plays = []
    for day in range(n_days):
        album = albums[day % 3]
        start = 19 * 60 + rng.randint(0, 90)
        for i, (artist, track) in enumerate(album):
            minute = start + 4 * i
            stamp = (
                f"2021-{1 + day // 28:02d}-{1 + day % 28:02d} {minute // 60:02d}:{minute % 60:02d}"
            )
            plays.append({"endTime": stamp, "artistName": artist, "trackName": track,
                          "msPlayed": 200_000})  # fmt: skip
    return json.dumps(plays).encode()


def test_own_data_is_tuned_in_the_background_after_loading_and_the_builder_starts_there():
    at = fresh("pages/your_data.py")
    at.file_uploader(key="history_files").upload(
        "StreamingHistory0.json", _history(), "application/json"
    )
    at.run()
    at.button(key="load_files").click().run()
    assert at.session_state["source"] == "upload"
    at.switch_page("pages/playlist.py").run()
    assert not at.exception, at.exception
    _measured(at, 240)
    assert "tuning_job" not in at.session_state  # collected (a failed one would stay, told)
    result, start = quality(at)
    assert result.sessions > 0 and "continuation" in result.tables
    assert sliders(at) == start.weights
    assert any("tuned on this data" in c.value for c in at.caption)
    at.switch_page("pages/quality.py").run()  # the page shows the measurement made meanwhile
    assert not at.exception, at.exception
    assert list(starting_shown(at)["starts at"]) == [getattr(start.weights, n) for n in SLIDERS]
    assert "hybrid + context" in set(at.dataframe[0].value["model"])


def _measured(at: AppTest, timeout: float) -> None:
    """Wait for the background measurement of this data, then rerun to collect it (in a browser,
    the progress fragment's timer does). It starts when the data loads (the app frame) and may
    already be collected by the time the builder is drawn, so wait on the thread, not the key."""
    threads = [t for t in threading.enumerate() if t.name == "musicrec-tuning"]
    started = threads or "tuning_job" in at.session_state or "quality" in at.session_state
    assert started, "no measurement was started"
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "the background measurement did not finish"
    at.run()
    assert not at.exception, at.exception


def _load(at: AppTest, history: bytes) -> None:
    at.switch_page("pages/your_data.py").run()
    at.file_uploader(key="history_files").upload(
        "StreamingHistory0.json", history, "application/json"
    )
    at.run()
    at.button(key="load_files").click().run()
    at.switch_page("pages/playlist.py").run()
    assert not at.exception, at.exception


def test_too_little_listening_keeps_the_defaults_and_says_why():
    at = fresh("pages/playlist.py")
    _load(at, _history(n_days=5))  # 40 plays: fewer than the 50 the evaluation needs
    _measured(at, 120)
    assert sliders(at) == BlendWeights()
    assert any("too little listening to tune on" in c.value for c in at.caption)
    assert "tuning_job" not in at.session_state  # measured once, not again on every rerun


def test_a_failed_background_measurement_is_told_and_not_retried(monkeypatch):
    import musicrec.evaluation as evaluation

    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ValueError("no clock in these plays")

    monkeypatch.setattr(evaluation, "evaluate_history", broken)
    at = fresh("pages/playlist.py")
    _load(at, _history(n_days=20))
    assert at.session_state["tuning_job"].done.wait(60)
    at.run()
    at.run()
    assert sliders(at) == BlendWeights()
    told = f"failed ({plain('ValueError: no clock in these plays')})"  # shown as written
    assert any(told in c.value for c in at.caption)
    assert len(calls) == 1


def test_a_served_app_tunes_only_on_request(monkeypatch):
    """Several people on one server: no measurement per upload (each would hold a core)."""
    monkeypatch.setenv("MUSICREC_SERVED", "1")
    at = fresh("pages/playlist.py")
    _load(at, _history())
    assert "tuning_job" not in at.session_state
    assert not any(t.name == "musicrec-tuning" for t in threading.enumerate())
    assert sliders(at) == BlendWeights()
    assert any("on this shared app" in c.value for c in at.caption)


def test_the_background_tuning_note_reads_as_a_sentence():
    from musicrec.ui import weights

    job = weights.TuningJob(("demo",))
    job.progress(0.0, "Measuring")
    note = weights._status(job, None)
    assert "(measuring: 0% done)" in note, note
    job.progress(0.4, "")
    assert "(measuring: 40% done)" in weights._status(job, None)
