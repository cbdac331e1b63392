"""The evaluation protocol on one person's history (issue #4, baselines of issue 15).

- Music plays of at least 30 s; time split at the 80% quantile of timestamps; sessions
  split at gaps over 30 minutes; hours and weekdays on the listener's clock.
- Start-of-session: for each test session with >= 3 plays of tracks known from training,
  rank all known tracks from training data, the session's start time (its hour and weekday,
  and the moment, for the activation baselines) only; relevant = the session's distinct
  known tracks.
- Continuation: the same sessions, given their first two tracks, rank the other known
  tracks; relevant = the session's distinct known tracks after the first two.
- Discovery (when a catalog or community is given; ``musicrec.evaluation.discovery``):
  artists first played in the test period, ranked among the candidate artists never played
  in training.

Baselines (``musicrec.evaluation.baselines``): random, frequency, recency (decayed
frequency), most recent, ACT-R activation, ACT-R x hour of week and, for continuation,
the person's transition probability from the last seed. "Best baseline" is the best of them.

Hybrid weights are tuned per task on a validation split cut from the training period only
(its last 20%; ``musicrec.evaluation.tuning``); the test period is never used for tuning.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.clock import DEFAULT_TIMEZONE, localize
from musicrec.config import DEFAULT_COUNTING, CountingRule
from musicrec.engines.sessions import session_ids
from musicrec.evaluation import baselines as B
from musicrec.evaluation.metrics import per_query
from musicrec.ranking import percentile_normalise, top_k
from musicrec.workspace import Request, Workspace

Progress = Callable[[float, str], None]
BASELINES = (
    "random",
    "frequency",
    "recency",
    "most recent",
    "ACT-R",
    "ACT-R x hour of week",
    "transition",
)
"""The baseline rows of the start and continuation tables ("transition": continuation only)."""


@dataclass(frozen=True)
class ProtocolConfig:
    """Defaults of the protocol."""

    split_quantile: float = 0.8
    """Train = plays before this quantile of timestamps, test = the rest."""
    session_gap_minutes: float = 30.0
    """A gap longer than this starts a new session."""
    min_known: int = 3
    """Test sessions need at least this many plays of tracks known from training."""
    half_life_days: float = 30.0
    """Half-life of the recency-weighted frequency baseline."""
    actr_decay: float = B.ACTR_DECAY
    """ACT-R's decay d in the activation baselines and hybrid parts."""
    hour_bandwidth: float = 2.0
    """Width (hours) of the hour-of-week kernel of the ACT-R x hour-of-week baseline."""
    k: int = 10
    """Cut-off of the metrics."""
    max_sessions: int = 400
    """At most this many test sessions are evaluated (evenly spaced), to bound run time."""
    random_state: int = 0
    """Seed of the random baseline."""


@dataclass
class EvaluationResult:
    """Tables per task (rows = models, columns = metrics), with the best baseline and who beats it.

    ``weights`` holds the hybrid weights per task (part name -> weight), tuned on the training
    period when tuning ran.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sessions: int = 0
    weights: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (tables as lists of records)."""
        return {
            "sessions": self.sessions,
            "notes": self.notes,
            "weights": self.weights,
            "tables": {
                t: df.reset_index().to_dict(orient="records") for t, df in self.tables.items()
            },
        }


def split(plays: pd.DataFrame, quantile: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) at the quantile of timestamps. Needs ts."""
    cut = plays[S.TS].quantile(quantile)
    return plays[plays[S.TS] < cut], plays[plays[S.TS] >= cut]


def test_sessions(test: pd.DataFrame, known: set, config: ProtocolConfig) -> list[pd.DataFrame]:
    """Test sessions with >= min_known plays of known tracks (each sorted by ts)."""
    test = test.sort_values(S.TS, kind="stable")
    sid = session_ids(test[S.TS], config.session_gap_minutes)
    is_known = test[S.ITEM_ID].isin(pd.Index(list(known), dtype="string")).to_numpy()
    counts = pd.Series(is_known).groupby(sid).sum()
    keep = set(counts.index[counts.to_numpy() >= config.min_known])
    out = [sess for s, sess in test.groupby(sid, sort=True) if s in keep]
    if len(out) > config.max_sessions:
        idx = np.linspace(0, len(out) - 1, config.max_sessions).round().astype(int)
        out = [out[i] for i in idx]
    return out


@dataclass(frozen=True)
class Query:
    """One test (or validation) session as the two tasks see it."""

    start: Request
    """The start-of-session request (hour and weekday of the first play)."""
    continuation: Request
    """The same with the first two known tracks as seeds."""
    at: pd.Timestamp
    """The session's first play: ages of the activation baselines are measured to it."""
    relevant: set
    """Start of session: the session's distinct known tracks."""
    continuation_relevant: set
    """Continuation: the known tracks after the first two."""


def session_queries(test: pd.DataFrame, known: set, config: ProtocolConfig) -> Iterator[Query]:
    """One ``Query`` per test session (``ts`` on the listener's clock)."""
    for sess in test_sessions(test, known, config):
        first = sess[S.TS].iloc[0]
        items = [i for i in sess[S.ITEM_ID].tolist() if i in known]
        request = Request(hour=int(first.hour), weekday=int(first.day_of_week))
        seeds = tuple(items[:2])
        yield Query(
            request,
            dataclasses.replace(request, seeds=seeds),
            first,
            set(items),
            set(items[2:]) - set(seeds),
        )


def metric_row(lists: list[list], rels: list[set], k: int) -> dict[str, float]:
    """Mean of every per-query metric over the queries that have relevant items."""
    row = {}
    for name, fn in per_query(k).items():
        vals = [fn(r, rel) for r, rel in zip(lists, rels, strict=True)]
        vals = [v for v in vals if not math.isnan(v)]
        row[name] = float(np.mean(vals)) if vals else math.nan
    return row


def results_table(rows: dict[str, dict], k: int = 10, baselines: tuple = BASELINES) -> pd.DataFrame:
    """Metric rows per model -> the table, with NDCG relative to the best baseline present."""
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "model"
    base = [b for b in baselines if b in df.index]
    key = f"ndcg@{k}"
    if base and key in df.columns:
        best = df.loc[base, key].max()
        df["vs best baseline"] = df[key] / best if best > 0 else math.nan
        df["beats baselines"] = (df[key] > best) & ~df.index.isin(base)
    return df


WEIGHT_NAMES = (
    "frequency",
    "recency",
    "actr",
    "actr_hour_of_week",
    "transition",
    "collaborative",
    "co_listening",
    "content",
    "context",
)
"""The hybrid's parts in the evaluation: priors from the training plays, then the engines."""
PRIORS = WEIGHT_NAMES[:5]
"""The parts computed here from the training plays (the rest are the hybrid's engines)."""


class Scorer:
    """Scores of every model and every hybrid part over all items, for one query at a time."""

    def __init__(self, ws: Workspace, train: pd.DataFrame, config: ProtocolConfig) -> None:
        from musicrec.hybrid import Hybrid

        self.ws = ws
        self.config = config
        self.ids = ws.item_index
        self.hybrid = Hybrid().fit(ws)
        self.freq = B.frequency(train, self.ids)
        self.rec = B.recency(train, self.ids, config.half_life_days)
        self.last = B.most_recent(train, self.ids)
        self.history = B.PlayHistory.of(train, self.ids)
        self.pairs = B.transition_matrix(train, self.ids, config.session_gap_minutes)
        rng = np.random.default_rng(config.random_state)
        self.random = rng.random(len(self.ids))
        self.freq_norm = self._norm(self.freq)
        self.rec_norm = self._norm(self.rec)
        self._zeros = np.zeros(len(self.ids), dtype=np.float32)
        self._at: tuple[pd.Timestamp | None, dict[str, np.ndarray]] = (None, {})

    @staticmethod
    def _norm(x: np.ndarray) -> np.ndarray:
        return percentile_normalise(np.where(x > 0, np.log1p(x), np.nan))

    def _activations(self, at: pd.Timestamp) -> dict[str, np.ndarray]:
        """ACT-R and ACT-R x hour of week at ``at`` (raw), cached for the last moment asked."""
        if self._at[0] != at:
            c = self.config
            self._at = (at, {
                "actr": self.history.activation(at, c.actr_decay),
                "actr_hour_of_week": self.history.activation(at, c.actr_decay, c.hour_bandwidth),
            })  # fmt: skip
        return self._at[1]

    def _transition(self, request: Request) -> np.ndarray:
        last = self.ids.get_indexer(list(request.seeds[-1:]))
        if not len(last) or last[0] < 0:
            return np.zeros(len(self.ids))
        return B.transition(self.pairs, len(self.ids), int(last[0]), tie_break=self.freq)

    def baselines(self, request: Request, at: pd.Timestamp) -> dict[str, np.ndarray]:
        """Raw scores of every baseline row ("transition" only when the request has seeds)."""
        act = self._activations(at)
        out = {"random": self.random, "frequency": self.freq, "recency": self.rec,
               "most recent": self.last, "ACT-R": act["actr"],
               "ACT-R x hour of week": act["actr_hour_of_week"]}  # fmt: skip
        if request.seeds:
            out["transition"] = self._transition(request)
        return out

    def components(self, request: Request, at: pd.Timestamp, context: bool) -> np.ndarray:
        """(len(WEIGHT_NAMES), items) scores on 0-1; the context row is 0 without context."""
        act = self._activations(at)
        rows = [
            self.freq_norm,
            self.rec_norm,
            percentile_normalise(act["actr"]),
            percentile_normalise(act["actr_hour_of_week"]),
            self._transition(request) if request.seeds else self._zeros,
        ]
        for name in WEIGHT_NAMES[len(PRIORS) :]:
            use = name in self.hybrid.engines_ and (context or name != "context")
            rows.append(self.hybrid.engine_scores(name, request) if use else self._zeros)
        return np.vstack(rows).astype(np.float32)

    def hybrid_scores(
        self, request: Request, at: pd.Timestamp, w: dict, context: bool
    ) -> np.ndarray:
        """The weighted sum of the parts (the hybrid's blend, with the priors)."""
        vec = np.array([w.get(n, 0.0) for n in WEIGHT_NAMES], dtype=np.float32)
        return vec @ self.components(request, at, context)

    def all_scores(
        self, request: Request, at: pd.Timestamp, weights: dict
    ) -> dict[str, np.ndarray]:
        """Raw scores of every row of the table: baselines, engines, hybrids."""
        out = self.baselines(request, at)
        for name, engine in self.hybrid.engines_.items():
            if name == "mood":
                continue  # needs a requested mood: not part of these tasks
            out[name] = engine.score(request).to_numpy(dtype=float)
        out["hybrid"] = self.hybrid_scores(request, at, weights, context=False)
        out["hybrid + context"] = self.hybrid_scores(request, at, weights, context=True)
        return out


def _rank(scores: np.ndarray, candidates: np.ndarray, ids: np.ndarray, k: int,
          exclude: np.ndarray | None = None) -> list:  # fmt: skip
    """The ids of the k best-scored candidates, best first."""
    return list(ids[top_k(scores, k, candidates=candidates, exclude=exclude)])


def run_tasks(scorer: Scorer, train: pd.DataFrame, test: pd.DataFrame, config: ProtocolConfig,
              weights: dict[str, dict], progress: Progress | None = None,
              span: tuple[float, float] = (0.0, 1.0)) -> tuple[dict, int]:  # fmt: skip
    """Every model on both tasks; ``weights`` holds the hybrid weights per task.

    Returns:
        ({task: {model: metric row}}, number of sessions).
    """
    known = set(train[S.ITEM_ID])
    ids = scorer.ids.to_numpy()
    cand = np.flatnonzero(scorer.ids.isin(known))
    lists: dict[str, dict[str, list]] = {"start": {}, "continuation": {}}
    rels: dict[str, list[set]] = {"start": [], "continuation": []}
    queries = list(session_queries(test, known, config))
    for n, q in enumerate(queries):
        if progress is not None and n % 10 == 0:
            progress(
                span[0] + (span[1] - span[0]) * n / max(len(queries), 1),
                f"Session {n + 1} of {len(queries)}",
            )
        rels["start"].append(q.relevant)
        for m, sc in scorer.all_scores(q.start, q.at, weights["start"]).items():
            lists["start"].setdefault(m, []).append(_rank(sc, cand, ids, config.k))
        rels["continuation"].append(q.continuation_relevant)
        excl = scorer.ids.get_indexer(list(q.continuation.seeds))
        for m, sc in scorer.all_scores(q.continuation, q.at, weights["continuation"]).items():
            lists["continuation"].setdefault(m, []).append(
                _rank(sc, cand, ids, config.k, exclude=excl)
            )
    tables = {
        task: {m: metric_row(ls, rels[task], config.k) for m, ls in lists[task].items()}
        for task in lists
    }
    return {t: rows for t, rows in tables.items() if rows}, len(queries)


def evaluate_history(
    plays: pd.DataFrame,
    *,
    catalog: pd.DataFrame | None = None,
    community: pd.DataFrame | None = None,
    config: ProtocolConfig = ProtocolConfig(),
    tune: bool = True,
    progress: Progress | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    rule: CountingRule = DEFAULT_COUNTING,
) -> EvaluationResult:
    """Run the protocol on one person's raw plays (the counting rule is applied here).

    Args:
        plays: PLAYS frame (raw or counted; ``ts`` in UTC).
        catalog: optional CATALOG frame (features for content/context; discovery candidates).
        community: optional INTERACTIONS for the collaborative engine.
        config: the protocol's settings.
        tune: choose hybrid weights on a validation split of the training period.
        progress: called with (fraction, message).
        timezone: the listener's IANA zone: session hours and weekdays are read in it.
        rule: which plays count (the person's choice on Your data; the default otherwise).

    Returns:
        The tables per task, the tuned weights and notes.
    """
    from musicrec.evaluation.discovery import chance_note, track_discovery
    from musicrec.evaluation.tuning import UNTUNED, tune_weights
    from musicrec.history import apply_counting_rule
    from musicrec.matching import match_plays
    from musicrec.workspace import build_workspace

    counted = localize(
        apply_counting_rule(plays, rule).sort_values(S.TS, kind="stable").reset_index(drop=True),
        timezone,
    )
    result = EvaluationResult()
    if len(counted) < 50:
        result.notes.append("Fewer than 50 counted music plays: not enough to evaluate.")
        return result
    matched = match_plays(counted, catalog, fuzzy=False)
    train, test = split(matched, config.split_quantile)

    def ws_builder(tr: pd.DataFrame) -> Workspace:
        return build_workspace(
            tr, catalog, community=community, rule=None, fuzzy=False, timezone=timezone
        )

    weights = tune_weights(ws_builder, train, config, progress) if tune else UNTUNED
    result.weights = weights
    scorer = Scorer(ws_builder(train), train, config)
    tables, n = run_tasks(scorer, train, test, config, weights, progress, (0.5, 0.95))
    result.sessions = n
    if not n:
        result.notes.append(
            "No test session has 3 or more plays of tracks known from the training period."
        )
    for task, rows in tables.items():
        result.tables[task] = results_table(rows, config.k)
    disc = track_discovery(scorer, train, test, config, weights["discovery"])
    if disc is not None:
        result.tables["discovery"] = disc
        note = chance_note(int(disc["candidates"].iloc[0]), int(disc["relevant"].iloc[0]), config.k)
        if note is not None:
            result.notes.append(note)
    else:
        result.notes.append(
            "Discovery needs a catalog or community (candidate artists you never played)."
        )
    for task, df in result.tables.items():
        if "beats baselines" in df.columns:
            losers = [
                m
                for m in df.index
                if m not in BASELINES and m != "popularity" and not df.loc[m, "beats baselines"]
            ]
            if losers:
                result.notes.append(f"{task}: {', '.join(losers)} do not beat the best baseline.")
    if progress is not None:
        progress(1.0, "Done")
    return result
