"""Collaborative model on the Last.fm hetrec-2k split: tune on a split of train, report test once.

Usage: python benchmarks/bench_hetrec.py [--final-only] [--split DIR]
Prints validation NDCG@10 per candidate config (tuned on a per-user 20% hold-out of
train.tsv, never on test.tsv), then the chosen config through `musicrec recommend-users`
scored on test.tsv by the small independent scorer below. Writes benchmarks/results/hetrec.json
(with ``--split DIR``, a split made by ``benchmarks/hetrec_split.py``: <DIR name>.json, the
same defaults on another random split, so that the choice does not fit one split).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SPLIT = (
    Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))
    / "lastfm-hetrec-2k"
    / "split"
)

TAGS = SPLIT.parent / "hetrec2011-lastfm-2k" / "user_taggedartists.dat"


def ndcg_at_k(recs: pd.DataFrame, test: pd.DataFrame, k: int = 10) -> dict[str, float]:
    """Independent scorer: binary relevance, mean over test users (users without recs score 0)."""
    rel = test.groupby("user")["item"].agg(set)
    ranked = recs[recs["rank"] <= k].sort_values(["user", "rank"]).groupby("user")["item"].agg(list)
    disc = 1 / np.log2(np.arange(2, k + 2))
    nd, rc = [], []
    for user, items in rel.items():
        got = ranked.get(user, [])
        hits = np.array([1.0 if it in items else 0.0 for it in got[:k]])
        dcg = float((hits * disc[: len(hits)]).sum())
        idcg = float(disc[: min(len(items), k)].sum())
        nd.append(dcg / idcg)
        rc.append(hits.sum() / min(len(items), k))
    return {"ndcg@10": float(np.mean(nd)), "recall@10": float(np.mean(rc)), "users": len(rel)}


def holdout(
    train: pd.DataFrame, frac: float = 0.2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    r = rng.random(len(train))
    sizes = train.groupby("user")["item"].transform("size")
    val_mask = (r < frac) & (sizes >= 5)
    return train[~val_mask], train[val_mask]


def main() -> None:
    global SPLIT
    sys.path.insert(0, str(ROOT))
    name = "hetrec.json"
    if "--split" in sys.argv:
        SPLIT = Path(sys.argv[sys.argv.index("--split") + 1])
        name = f"{SPLIT.name}.json"
    from musicrec.engines.collaborative import CollaborativeConfig, CommunityModel, load_hetrec_tags

    train = pd.read_csv(SPLIT / "train.tsv", sep="\t", dtype={"user": "string", "item": "string"})
    test = pd.read_csv(SPLIT / "test.tsv", sep="\t", dtype={"user": "string", "item": "string"})
    results: dict = {"validation": [], "test": None}
    if "--final-only" not in sys.argv:
        tr, va = holdout(train)
        pop = tr.groupby("item")["user"].nunique().sort_values(ascending=False)
        pop_recs = []
        for u, seen in tr.groupby("user")["item"].agg(set).items():
            top = [i for i in pop.index[:200] if i not in seen][:10]
            pop_recs.append(pd.DataFrame({"user": u, "item": top, "rank": range(1, len(top) + 1)}))
        m = ndcg_at_k(pd.concat(pop_recs), va)
        print(
            f"validation popularity                                     ndcg@10 {m['ndcg@10']:.4f}"
        )
        results["validation"].append({"config": "popularity", **m})
        base = CollaborativeConfig()
        grid = [
            dict(algorithm="ease", weighting=w, l2=l2, max_items=mi)
            for w in ("log", "binary", "user-log") for l2 in (50.0, 150.0, 400.0) for mi in (6000,)
        ] + [
            dict(algorithm="ease", weighting="log", l2=150.0, max_items=mi) for mi in (3000, 9000)
        ] + [
            dict(algorithm="rp3beta", weighting="binary", alpha=a, beta=b) for a in (0.8, 1.0) for b in (0.3, 0.5)
        ]  # fmt: skip
        for params in grid:
            cfg = dataclasses.replace(base, **params)
            t = time.perf_counter()
            model = CommunityModel(cfg).fit(tr)
            fit_s = time.perf_counter() - t
            m = ndcg_at_k(model.recommend_all(10), va)
            print(
                f"validation {json.dumps(params):60s} ndcg@10 {m['ndcg@10']:.4f}  fit {fit_s:.1f}s"
            )
            results["validation"].append({"config": params, "fit_s": fit_s, **m})
        tags = load_hetrec_tags(str(TAGS))
        for w in (0.0, 0.1, 0.2, 0.4):
            model = CommunityModel(CollaborativeConfig(tag_weight=w)).fit(tr, item_tags=tags)
            m = ndcg_at_k(model.recommend_all(10), va)
            print(
                f"validation default + tags, tag_weight {w:<4}                          ndcg@10 {m['ndcg@10']:.4f}"
            )
            results["validation"].append({"config": {"tag_weight": w}, **m})
    tags_file = TAGS
    for label, extra in (("default", []), ("with --tags", ["--tags", str(tags_file)])):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "recs.tsv"
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "musicrec.cli", "recommend-users", "--interactions", str(SPLIT / "train.tsv"),
                 "--k", "10", "--out", str(out), *extra],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            wall = time.perf_counter() - t
            recs = pd.read_csv(out, sep="\t", dtype={"user": "string", "item": "string"})
        m = ndcg_at_k(recs, test)
        leaked = recs.merge(train, on=["user", "item"]).shape[0]
        print(
            f"TEST ({label} via recommend-users): ndcg@10 {m['ndcg@10']:.4f} recall@10 {m['recall@10']:.4f} "
            f"users {m['users']} train-items-recommended {leaked} wall {wall:.1f}s ({proc.stderr.strip()})"
        )
        results["test" if label == "default" else "test_with_tags"] = {
            **m,
            "wall_s": wall,
            "cli": proc.stderr.strip(),
            "train_items_recommended": leaked,
        }
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    results["split"] = str(SPLIT) if name != "hetrec.json" else "shared split"
    (ROOT / "benchmarks" / "results" / name).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
