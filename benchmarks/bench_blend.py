"""Hot-path latency: a slider change -> re-score + blend + MMR over 30,000 and 1,000,000 tracks.

Usage: python benchmarks/bench_blend.py [--sizes 30000 1000000] [--moves 30]
Builds a synthetic catalog of the given size (genre-typical features, as in the demo), a user
with 20,000 plays and a 300-user community, fits the Hybrid once, then times `recommend`
for slider moves that change valence/energy (the mood engine re-scores), the hour (context
re-scores) and a blend weight (no engine re-scores). Prints p50/p95 in ms and the process's
resident memory after fitting; writes benchmarks/results/blend.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from musicrec import schema as S  # noqa: E402
from musicrec.engines.base import Request, Workspace  # noqa: E402
from musicrec.hybrid import BlendWeights, Hybrid, HybridConfig  # noqa: E402


def synthetic(n: int, seed: int = 0) -> Workspace:
    rng = np.random.default_rng(seed)
    genres = np.array(["pop", "rock", "edm", "ambient", "jazz", "hip-hop", "folk", "metal"])
    g = rng.integers(0, len(genres), n)
    base = rng.random((len(genres), 9))
    feats = np.clip(base[g] + rng.normal(0, 0.12, (n, 9)), 0, 1)
    ids = pd.array([f"t{i:07d}" for i in range(n)], dtype="string")
    artists = pd.array(
        [f"Artist {a}" for a in rng.integers(0, max(n // 12, 10), n)], dtype="string"
    )
    items = pd.DataFrame({S.ITEM_ID: ids, S.TRACK: pd.array([f"Song {i % 5000}" for i in range(n)], dtype="string"),
                          S.ARTIST: artists, S.ALBUM: "A", S.GENRE: pd.array(genres[g], dtype="string"),
                          S.TAGS: pd.array(genres[g], dtype="string"), S.POPULARITY: rng.random(n) * 100,
                          S.DURATION_MS: 210_000.0, S.YEAR: 2020})  # fmt: skip
    for j, f in enumerate(S.AUDIO_FEATURES):
        items[f] = feats[:, j] * (150 if f == S.TEMPO else 1) - (30 if f == S.LOUDNESS else 0)
    items[S.TRACK_URI] = pd.NA
    items[S.FEATURE_SOURCE] = "track"
    items[S.IN_CATALOG] = True
    played = rng.choice(n, 3000, replace=False)
    picks = played[rng.zipf(1.5, 20_000) % 3000]
    ts = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.integers(0, 365 * 86400, 20_000)), unit="s"
    )
    plays = pd.DataFrame({S.TS: ts, S.ITEM_ID: ids[picks], S.ARTIST: artists[picks], S.TRACK: "x",
                          S.MS_PLAYED: pd.array(np.full(20_000, 200_000), dtype="Int64"), S.KIND: "music"})  # fmt: skip
    comm_items = rng.choice(n, 20_000, replace=False)
    community = pd.DataFrame({S.USER: [f"u{u}" for u in rng.integers(0, 300, 60_000)],
                              S.ITEM: ids[comm_items[rng.zipf(1.3, 60_000) % 20_000]], S.WEIGHT: 1.0})  # fmt: skip
    return Workspace(items=items, plays=plays, community=community)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n: int, moves: int) -> dict:
    ws = synthetic(n)
    t = time.perf_counter()
    hybrid = Hybrid().fit(ws)
    fit_s = time.perf_counter() - t
    resident = rss_mb()
    hybrid.recommend(Request(hour=8, weekday=1, valence=0.5, energy=0.5))  # warm
    out = {}
    cases = {
        "valence/energy slider": lambda i: (Request(hour=8, weekday=1, valence=(i % 20) / 20 + 0.01, energy=0.5), BlendWeights()),
        "hour slider": lambda i: (Request(hour=i % 24, weekday=1, valence=0.5, energy=0.5), BlendWeights()),
        "blend weight slider": lambda i: (Request(hour=8, weekday=1, valence=0.5, energy=0.5), BlendWeights(mood=0.5 + (i % 20) / 10)),
    }  # fmt: skip
    for name, make in cases.items():
        times = []
        for i in range(moves):
            req, w = make(i + 1)
            t = time.perf_counter()
            hybrid.recommend(req, w, HybridConfig(k=25))
            times.append((time.perf_counter() - t) * 1000)
        out[name] = {
            "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1),
        }
    return {"tracks": n, "fit_s": round(fit_s, 1), "resident_mb_after_fit": round(resident), **out}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[30_000, 1_000_000])
    ap.add_argument("--moves", type=int, default=30)
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        r = bench(n, args.moves)
        results.append(r)
        print(json.dumps(r))
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "blend.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
