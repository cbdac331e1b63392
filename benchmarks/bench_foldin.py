"""Fold-in latency: a new user with 100,000 plays scored against a fitted community model.

Usage: python benchmarks/bench_foldin.py
Community models: the Last.fm hetrec-2k train split (if ../shared/data is there) and the
fictional demo community. The new user's 100k plays are drawn (Zipf) over community items
and aggregated to play counts, as the CommunityEngine does. Prints p50/p95 over 20 repeats
of the whole fold-in (counting + scoring every item); writes benchmarks/results/foldin.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from musicrec import schema as S  # noqa: E402
from musicrec.engines.collaborative import CollaborativeConfig, CommunityModel  # noqa: E402

SPLIT = (
    Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))
    / "lastfm-hetrec-2k"
    / "split"
)


def measure(name: str, interactions: pd.DataFrame, config: CollaborativeConfig) -> dict:
    t = time.perf_counter()
    model = CommunityModel(config).fit(interactions)
    fit_s = time.perf_counter() - t
    rng = np.random.default_rng(0)
    items = model.items_.index.to_numpy()
    times = []
    for _ in range(20):
        plays = pd.Series(items[rng.zipf(1.2, 100_000) % len(items)])
        t = time.perf_counter()
        scores = model.fold_in(plays.value_counts().astype(float))
        times.append((time.perf_counter() - t) * 1000)
    assert len(scores) == len(items)
    r = {"community": name, "items": len(items), "fit_s": round(fit_s, 1),
         "p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1)}  # fmt: skip
    print(json.dumps(r))
    return r


def main() -> None:
    out = []
    if (SPLIT / "train.tsv").exists():
        train = pd.read_csv(
            SPLIT / "train.tsv", sep="\t", dtype={S.USER: "string", S.ITEM: "string"}
        )
        out.append(measure("hetrec-2k train", train, CollaborativeConfig()))
    from musicrec.demo import generate

    out.append(measure("demo", generate().community, CollaborativeConfig(max_items=2500)))
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "foldin.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
