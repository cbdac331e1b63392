"""How high can start-of-session NDCG@10 go? Signals alone, and an oracle ceiling.

Usage: python benchmarks/start_ceiling.py
For each shared history (as in bench_evaluate.py), on the protocol's own split and test
sessions, ranks the known tracks by one signal from the training period at a time:
play count, distinct days played, recency-weighted counts (half-lives 7/14/30/90/365
days), plays near the session's hour (a 2 h circular kernel), plays on the session's day
type (weekday or weekend) with a 14-day half-life, recency whose half-life is the gap
between the training period's end and the session (at least 7 days: a long gap trusts
long-term counts), and, as a ceiling no real model can reach, the
**oracle**: how many test sessions each track is in (the perfect context-free ranking of
the test period). Prints per-person and median NDCG@10 and writes
benchmarks/results/start_ceiling.json (medians and means; per person only in the
git-ignored benchmarks/results/local/). The oracle and the best single signal per person
(chosen on the test period) bound what re-weighting these signals can give.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from benchmarks.results_io import write_results  # noqa: E402


@dataclass(frozen=True)
class Plays:
    """One person's training plays, as the signals read them (computed once per person)."""

    pos: np.ndarray  # position of each play's track in ``ids``
    age: np.ndarray  # days before the last training play
    hour: np.ndarray  # hour of day, with minutes as a fraction
    weekend: np.ndarray
    day: pd.Series  # calendar day
    end: pd.Timestamp  # the last training play
    n: int  # known tracks

    @classmethod
    def of(cls, train: pd.DataFrame, ids: pd.Index) -> Plays:
        from musicrec import schema as S

        ts = train[S.TS]
        return cls(
            pos=ids.get_indexer(train[S.ITEM_ID]),
            age=((ts.max() - ts).dt.total_seconds() / 86400).to_numpy(),
            hour=(ts.dt.hour + ts.dt.minute / 60).to_numpy(),
            weekend=(ts.dt.day_of_week >= 5).to_numpy(),
            day=ts.dt.floor("D"),
            end=ts.max(),
            n=len(ids),
        )

    def count(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Plays per known track, optionally weighted."""
        return np.bincount(self.pos, weights=weights, minlength=self.n).astype(float)


def signals(plays: Plays) -> dict[str, np.ndarray]:
    """Context-free signals per known track."""
    out = {"frequency": plays.count()}
    days = pd.DataFrame({"pos": plays.pos, "day": plays.day.to_numpy()}).drop_duplicates()
    out["distinct days played"] = (
        np.bincount(days["pos"], minlength=plays.n) + 1e-3 * out["frequency"]
    )
    for hl in (7, 14, 30, 90, 365):
        out[f"recency {hl} d"] = plays.count(0.5 ** (plays.age / hl))
    return out


def near_hour(plays: Plays, start: pd.Timestamp) -> np.ndarray:
    """Plays near the session's hour (a 2 h circular kernel)."""
    d = np.abs(plays.hour - start.hour)
    d = np.minimum(d, 24 - d)
    return plays.count(np.exp(-0.5 * (d / 2.0) ** 2))


def same_daytype(plays: Plays, start: pd.Timestamp) -> np.ndarray:
    """Plays on the session's day type (weekday/weekend), other days at half, 14-day half-life."""
    same = plays.weekend == (start.day_of_week >= 5)
    return plays.count(0.5 ** (plays.age / 14) * np.where(same, 1.0, 0.5))


def gap_recency(plays: Plays, start: pd.Timestamp) -> np.ndarray:
    """Recency whose half-life is the gap from the training period's end to the session."""
    half_life = max(7.0, (start - plays.end).total_seconds() / 86400)
    return plays.count(0.5 ** (plays.age / half_life))


PER_SESSION = {
    "plays near the hour": near_hour,
    "same day type, 14 d": same_daytype,
    "recency, half-life = gap": gap_recency,
}


def main() -> None:
    from bench_evaluate import people

    from musicrec import schema as S
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.evaluation.metrics import ndcg_at_k
    from musicrec.evaluation.protocol import ProtocolConfig, split, test_sessions
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.matching import match_plays

    config = ProtocolConfig()
    per_person = {}
    for name, files in people().items():
        counted = apply_counting_rule(load_paths(files).plays, DEFAULT_COUNTING)
        matched = match_plays(counted.sort_values(S.TS, kind="stable"), None, fuzzy=False)
        train, test = split(matched, config.split_quantile)
        ids = pd.Index(pd.unique(train[S.ITEM_ID]))
        known = set(ids)
        sessions = test_sessions(test, known, config)
        if not sessions:
            continue
        relevant = [{i for i in s[S.ITEM_ID] if i in known} for s in sessions]
        starts = [s[S.TS].iloc[0] for s in sessions]
        oracle = np.zeros(len(ids))
        for rel in relevant:
            oracle[ids.get_indexer(list(rel))] += 1
        plays = Plays.of(train, ids)
        fixed = signals(plays)
        fixed["oracle (test-period counts)"] = oracle + 1e-6 * fixed["frequency"]
        row = {}
        for label in [*fixed, *PER_SESSION]:
            vals = []
            for rel, start in zip(relevant, starts, strict=True):
                score = fixed[label] if label in fixed else PER_SESSION[label](plays, start)
                top = np.argsort(-score, kind="stable")[: config.k]
                vals.append(ndcg_at_k(list(ids[top]), rel, config.k))
            row[label] = float(np.mean(vals))
        row["best single signal (picked on test)"] = max(
            v for k, v in row.items() if not k.startswith("oracle")
        )
        per_person[name] = row
        print(f"{name:28s} " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    df = pd.DataFrame(per_person).T
    med = df.median().round(4)
    print("\nmedian (mean) over people:")
    for label, m in med.items():
        print(f"  {label:40s} {m:.4f} ({df[label].mean():.4f})")
    result = {"median": med.to_dict(), "mean": df.mean().round(4).to_dict(), "people": per_person}
    write_results("start_ceiling.json", result, set(per_person))


if __name__ == "__main__":
    main()
