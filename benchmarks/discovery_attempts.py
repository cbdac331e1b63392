"""Every artist-discovery scorer tried, on the training periods (validation) and the test periods.

Usage: python benchmarks/discovery_attempts.py
Same protocol as ``musicrec.evaluation.discovery.artist_discovery`` (the shared histories, the
hetrec-2k artist community, candidates = community artists never played before): "val" ranks
the artists new in the last 20% of each person's training period from its first 80% (the
only figures used to choose), "test" ranks those new in the test period from the whole
training period. Prints people with a hit and mean NDCG@10 for each, and writes
benchmarks/results/discovery_attempts.md (bench_evaluate.py puts it in SUMMARY.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_evaluate import DATA, catalog_credits, people  # noqa: E402

from musicrec import schema as S  # noqa: E402
from musicrec.config import DEFAULT_COUNTING  # noqa: E402
from musicrec.engines.collaborative import CommunityModel  # noqa: E402
from musicrec.evaluation.discovery import (  # noqa: E402
    co_credits,
    credit_strength,
    hetrec_artist_community,
)
from musicrec.evaluation.metrics import hit_rate_at_k, ndcg_at_k  # noqa: E402
from musicrec.evaluation.protocol import split  # noqa: E402
from musicrec.history import apply_counting_rule, load_paths  # noqa: E402
from musicrec.matching import normalise_name  # noqa: E402
from musicrec.ranking import percentile_normalise  # noqa: E402


def tasks(keyed: pd.DataFrame, names: pd.Index) -> dict:
    train, test = split(keyed, 0.8)
    inner, valid = split(train, 0.8)
    out = {}
    for label, (before, after) in (("val", (inner, valid)), ("test", (train, test))):
        played = set(before[S.ARTIST])
        cand = ~names.isin(list(played))
        rel = (set(after[S.ARTIST]) - played) & set(names[cand])
        cut = before[S.TS].quantile(0.75) if len(before) else None
        out[label] = (
            None
            if before.empty or not rel
            else {"cand": cand, "rel": rel, "counts": before[S.ARTIST].value_counts(),
                  "recent": before[before[S.TS] >= cut][S.ARTIST].value_counts()}
        )  # fmt: skip
    return out


def main() -> None:
    hetrec = DATA / "lastfm-hetrec-2k" / "hetrec2011-lastfm-2k"
    model = CommunityModel().fit(hetrec_artist_community(hetrec))
    names, pop = model.items_.index, model.popularity_.astype(float)
    credits = co_credits(catalog_credits())
    x = (model.x_ > 0).astype(np.float32).tocsr()
    norms = np.sqrt(np.asarray(x.sum(axis=1)).ravel())
    people_tasks = []
    for files in people().values():
        counted = apply_counting_rule(load_paths(files).plays, DEFAULT_COUNTING)
        if len(counted) >= 50:
            keyed = counted.assign(**{S.ARTIST: normalise_name(counted[S.ARTIST]).to_numpy()})
            people_tasks.append(tasks(keyed, names))

    def vec(counts: pd.Series, top: int | None = None) -> np.ndarray:
        c = counts if top is None else counts.iloc[:top]
        idx = names.get_indexer(c.index)
        v = np.zeros(len(names), np.float32)
        v[idx[idx >= 0]] = 1
        return v

    def collab(d: dict, top: int | None = None, key: str = "counts") -> np.ndarray:
        v = vec(d[key], top)
        return model._scores(v[model.kept_][None, :])[0].astype(float)

    def uknn(d: dict, k: int) -> np.ndarray:
        v = vec(d["counts"])
        s = (x @ v) / np.maximum(norms, 1e-9) / max(np.linalg.norm(v), 1e-9)
        s = np.where(s > -np.partition(-s, k)[k], s, 0)
        return np.asarray(x.T @ s).ravel() + 1e-3 * pop

    def pct(a: np.ndarray, cand: np.ndarray) -> np.ndarray:
        out = np.zeros(len(a))
        out[cand] = percentile_normalise(a[cand])
        return out

    def cred(d: dict) -> np.ndarray:
        return credit_strength(d["counts"], credits, names)

    attempts = {
        "popularity": lambda d: pop,
        "collaborative (every played artist)": collab,
        "collaborative, top 50 artists (as hetrec users)": lambda d: collab(d, 50),
        "collaborative, top 100 artists": lambda d: collab(d, 100),
        "collaborative, top 50 of the last quarter": lambda d: collab(d, 50, "recent"),
        "user-kNN k=50 over the community": lambda d: uknn(d, 50),
        "user-kNN k=200 over the community": lambda d: uknn(d, 200),
        "credits (ties by popularity)": lambda d: cred(d) + 1e-6 * pop,
        "credited artists first, then collaborative": lambda d: (
            (cred(d) > 0) * 10 + pct(collab(d), d["cand"])
        ),
    }
    for w in (0.5, 1.0, 2.0):
        attempts[f"collaborative + {w} x popularity (percentiles)"] = (
            lambda wt: lambda d: pct(collab(d), d["cand"]) + wt * pct(pop, d["cand"])
        )(w)
    for w in (0.25, 0.5, 1.0, 2.0):
        attempts[f"collaborative + {w} x credits (percentiles)"] = (
            lambda wt: lambda d: pct(collab(d), d["cand"]) + wt * pct(cred(d), d["cand"])
        )(w)
    lines = [
        "### Discovery: every scorer tried (benchmarks/discovery_attempts.py)",
        "",
        "val = the artists new in the last 20% of each training period, ranked from its first 80% "
        "(the only figures used to choose); test = the test period, as in the table above.",
        "",
        "| scorer | val: people with a hit | val: ndcg@10 (mean) | test: people with a hit | test: ndcg@10 (mean) |",
        "|---|---|---|---|---|",
    ]
    for label, fn in attempts.items():
        row = []
        for part in ("val", "test"):
            hits, nd, n = 0.0, [], 0
            for t in people_tasks:
                d = t[part]
                if d is None:
                    continue
                s = np.where(d["cand"], np.nan_to_num(fn(d), nan=-np.inf), -np.inf)
                ranked = list(names[np.argsort(-s, kind="stable")[:10]])
                hits += hit_rate_at_k(ranked, d["rel"], 10)
                nd.append(ndcg_at_k(ranked, d["rel"], 10))
                n += 1
            row += [f"{hits:.0f} of {n}", f"{np.mean(nd):.3f}"]
        print(f"{label:50s} " + "  ".join(row), flush=True)
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    out = ROOT / "benchmarks" / "results" / "discovery_attempts.md"
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
