"""The builder's blend sliders, starting where the person's own data says (issue 15).

The weights tuned on this person's listening (``musicrec.evaluation.tuning.starting_weights``
of an ``evaluate_history`` result) become the sliders' starting values. The result comes from
the Model quality page, or from a measurement this module starts in the background the first
time the builder shows a person's own data. An engine that scored at or below random starts
at 0 with the reason beside its slider. "Reset to tuned" and "Reset to defaults" move the
sliders back.

This module owns its session keys (``_JOB``, ``_APPLIED``) and the sliders' widget keys.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import streamlit as st

from musicrec.hybrid import BlendWeights
from musicrec.ui import state

if TYPE_CHECKING:
    from musicrec.evaluation import EvaluationResult
    from musicrec.evaluation.tuning import StartingWeights

SLIDERS = {
    "collaborative": ("People like you", "w_collab"),
    "co_listening": ("Your sessions", "w_colisten"),
    "content": ("Sounds like your favourites", "w_content"),
    "mood": ("Mood", "w_mood"),
    "context": ("Activity and time", "w_context"),
}
"""Engine name -> (slider label, widget key), in the order the sliders are drawn."""
_JOB = "tuning_job"
"""The background measurement of this session's data (a ``TuningJob``), while it runs."""
_APPLIED = "tuning_applied"
"""(id() of the evaluation result, its starting weights) last put on the sliders."""
MAX_JOBS = 2
"""At most this many background measurements run or wait on the server at once (each holds
one person's plays and uses a core); beyond that the sliders start at the defaults and the
Model quality page measures on demand."""
_RUNNING = threading.BoundedSemaphore(1)
"""One background measurement computes at a time (the others wait their turn)."""
_ACTIVE = threading.BoundedSemaphore(MAX_JOBS)


@dataclass
class TuningJob:
    """A background ``evaluate_history`` of one session's data (no Streamlit inside the thread)."""

    key: tuple
    """What it measures: (source, the upload object's id, catalog name, time zone, counting rule)."""
    fraction: float = 0.0
    text: str = "Waiting for another measurement to finish"
    result: EvaluationResult | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def progress(self, fraction: float, text: str = "") -> None:
        """The evaluation's progress callback."""
        self.fraction, self.text = fraction, text

    def run(self, plays: Any, catalog: Any, community: Any, timezone: str, rule: Any) -> None:
        """Measure (one at a time on the server), then mark done; a failure becomes ``error``."""
        from musicrec.evaluation import evaluate_history

        try:
            with _RUNNING:
                self.text = "Measuring"
                self.result = evaluate_history(
                    plays, catalog=catalog, community=community, timezone=timezone,
                    progress=self.progress, rule=rule,
                )  # fmt: skip
        except Exception as exc:  # a background failure is told on the page, never raised there
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            _ACTIVE.release()
            self.done.set()


def _data_key() -> tuple:
    return (state.source_label(), id(state.uploaded()), state.catalog_name(), state.timezone(),
            state.rule())  # fmt: skip


def _start_job() -> TuningJob | None:
    """Start measuring this session's own data in the background (None when the server is busy)."""
    if not _ACTIVE.acquire(blocking=False):
        return None
    job = TuningJob(_data_key())
    plays, catalog, community = state.evaluation_inputs()
    threading.Thread(
        target=job.run, args=(plays, catalog, community, state.timezone(), state.rule()),
        name="musicrec-tuning", daemon=True,
    ).start()  # fmt: skip
    return job


def _poll() -> TuningJob | None:
    """The running job of this session's current data, after collecting a finished one.

    A finished job's result becomes this session's Model quality result (the page shows it);
    the builder of the demo, or of data already measured, starts no job; nor does a served app
    (several people on one server: a measurement per upload would hold a core for minutes while
    the others move sliders, so there it runs only on request, on Model quality).
    """
    ss = st.session_state
    job: TuningJob | None = ss.get(_JOB)
    if job is not None and job.key != _data_key():
        job = None  # other data now: the old job's result no longer applies
        ss.pop(_JOB, None)
    if job is not None and job.done.is_set():
        if job.result is None:
            return job  # failed: kept, so its error shows and it is not retried on every rerun
        ss.pop(_JOB, None)
        state.set_quality_result(job.result)
        return None
    if (
        job is None
        and not state.is_demo()
        and not state.is_served()
        and state.quality_result() is None
    ):
        job = _start_job()
        if job is not None:
            ss[_JOB] = job
    return job


def tune_in_background() -> None:
    """After loading: start measuring this session's own data in the background (once per data),
    or collect a measurement that ended. Cheap on every rerun; the app frame calls it."""
    _poll()


def _starting(result: EvaluationResult | None) -> StartingWeights | None:
    """The starting weights of a measurement, None without one (or one with no table)."""
    from musicrec.evaluation.tuning import starting_weights

    return starting_weights(result) if result is not None and result.tables else None


def _put(weights: BlendWeights) -> None:
    for name, (_, key) in SLIDERS.items():
        st.session_state[key] = float(getattr(weights, name))


def _moved(tuned: BlendWeights | None) -> bool:
    """True when the person has moved a slider away from both the defaults and ``tuned``."""
    now = {n: st.session_state.get(k) for n, (_, k) in SLIDERS.items()}
    if all(v is None for v in now.values()):
        return False
    starts = [BlendWeights(), *([tuned] if tuned is not None else [])]
    return not any(
        all(v is None or abs(v - getattr(w, n)) < 1e-9 for n, v in now.items()) for w in starts
    )


def blend_sliders() -> BlendWeights:
    """One slider per engine, starting at the weights tuned on this person's listening.

    Returns:
        The weights the sliders show.
    """
    job = _poll()
    result = state.quality_result()
    start = _starting(result)
    tuned = start.weights if start is not None else None
    ss = st.session_state
    applied = ss.get(_APPLIED)
    if tuned is not None and (applied is None or applied[0] != id(result)):
        ss[_APPLIED] = (id(result), tuned)
        if not _moved(applied[1] if applied is not None else None):
            _put(tuned)  # a new measurement and sliders not moved by hand: start from it
    for name, (_, key) in SLIDERS.items():
        ss.setdefault(key, float(getattr(tuned or BlendWeights(), name)))
    values = {}
    for name, (label, key) in SLIDERS.items():
        reason = start.reasons.get(name) if start is not None else None
        values[name] = st.slider(label, 0.0, 2.0, step=0.1, key=key, help=reason)
        if reason and reason.startswith("off:"):
            st.caption(f"Off: {reason.removeprefix('off: ')}.")
    c1, c2 = st.columns(2)
    c1.button("Reset to tuned", key="w_reset_tuned", on_click=_put, args=(tuned,),
              disabled=tuned is None, help="The weights tuned on your own listening")  # fmt: skip
    c2.button("Reset to defaults", key="w_reset_defaults", on_click=_put, args=(BlendWeights(),))
    if job is not None and not job.done.is_set():
        _watch(job)
    else:
        st.caption(_status(job, start))
    return dataclasses.replace(BlendWeights(), **values)


@st.fragment(run_every=2.0)
def _watch(job: TuningJob) -> None:
    """The background measurement's progress, refreshed every 2 s; the app reruns when it ends."""
    if job.done.is_set():
        st.rerun()
    st.caption(_status(job, None))


def _status(job: TuningJob | None, start: StartingWeights | None) -> str:
    if start is not None:
        return "The sliders start at the weights tuned on this data (see Model quality)."
    if job is not None and job.error:
        from musicrec.ui.widgets import plain  # widgets draws these sliders

        return (
            f"Tuning on your listening failed ({plain(job.error)}); "
            "the sliders start at the defaults."
        )
    if job is not None:
        doing = job.text[:1].lower() + job.text[1:] if job.text else "measuring"
        return (
            f"Tuning on your listening in the background ({doing}: {job.fraction:.0%} done); "
            "the sliders start at the defaults until then."
        )
    if state.quality_result() is not None:
        return "Defaults: there was too little listening to tune on (see Model quality)."
    if state.is_demo():
        return "Defaults. “Measure on this data” on Model quality tunes them on the demo."
    if state.is_served():
        return "Defaults: on this shared app, “Measure on this data” on Model quality tunes them."
    return "Defaults (the server is busy: “Measure on this data” on Model quality tunes them)."


def background_progress() -> None:
    """On the Model quality page: the background measurement of this data, while it runs."""
    job: TuningJob | None = st.session_state.get(_JOB)
    if job is not None and job.key == _data_key() and not job.done.is_set():
        _watch(job)


def starting_table(result: EvaluationResult) -> None:
    """What the builder's sliders start at after ``result``, and why, one row per engine."""
    start = _starting(result)
    if start is None:
        return
    st.subheader("Where the playlist builder starts")
    st.caption(
        "The builder's sliders start at these weights (“Reset to tuned” goes back to them). "
        "An engine at or below random on your listening starts at 0."
    )
    rows = [
        {"engine": label, "starts at": float(getattr(start.weights, name)),
         "why": start.reasons.get(name, "default")}
        for name, (label, _) in SLIDERS.items()
    ]  # fmt: skip
    st.dataframe(rows, hide_index=True, key="q_starting",
                 column_config={"starts at": st.column_config.NumberColumn(format="%.2g")})  # fmt: skip
