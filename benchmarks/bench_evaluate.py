"""The evaluation table over every shared history, and a one-page summary.

Usage: python benchmarks/bench_evaluate.py [--people SUBSTRING ...] [--no-discovery]
With --people only the histories whose short name contains one of the substrings run (to
iterate quickly); results are then printed but not written (the files hold full runs only).
Runs musicrec.evaluation.evaluate_history (the same code path as the Model quality page) on
each person in ../shared/data (account histories and extended histories with enough audio
plays), writes benchmarks/results/evaluate.json (aggregate metrics only, by folder short
name) and benchmarks/results/SUMMARY.md (medians over people and whether each goal is met).
Discovery is measured at artist level against the Last.fm hetrec-2k community
(musicrec.evaluation.discovery): one ranked list per person, so it reports means over people
and how many people had a new artist in their top 10.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))

from musicrec.evaluation.protocol import BASELINES  # noqa: E402


def people() -> dict[str, list[Path]]:
    out = {}
    acc = DATA / "spotify-account-history"
    for d in sorted(p for p in acc.iterdir() if p.is_dir()):
        subs = [s for s in d.iterdir() if s.is_dir()]
        for folder in subs or [d]:
            out[folder.relative_to(acc).as_posix()] = sorted(folder.glob("*.json"))
    ext = DATA / "spotify-extended-history"
    for d in sorted(p for p in ext.iterdir() if p.is_dir()):
        files = sorted([*d.glob("Streaming_History_Audio_*.json"), *d.glob("endsong_*.json")])
        if files:
            out[f"extended/{d.name}"] = files
    return out


def md(df: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (no extra dependency)."""
    cols = [df.index.name or "", *map(str, df.columns)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in df.iterrows():
        lines.append("| " + " | ".join([str(idx), *(f"{v:.3f}" for v in row)]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people", nargs="*", help="only histories whose name contains one of these"
    )
    parser.add_argument("--no-discovery", action="store_true", help="skip artist discovery")
    args = parser.parse_args()
    from musicrec.engines.collaborative import CommunityModel
    from musicrec.evaluation import evaluate_history
    from musicrec.evaluation.discovery import artist_discovery, hetrec_artist_community
    from musicrec.history import load_paths

    t = time.perf_counter()
    if not args.no_discovery:
        community = hetrec_artist_community(DATA / "lastfm-hetrec-2k" / "hetrec2011-lastfm-2k")
        artists = CommunityModel().fit(community)
        print(
            f"hetrec artist community: {community['item'].nunique():,} artists, fit {time.perf_counter() - t:.1f} s"
        )
    rows, per_person, disc_rows = [], {}, []
    chosen = {
        name: files
        for name, files in people().items()
        if not args.people or any(p in name for p in args.people)
    }
    for name, files in chosen.items():
        t = time.perf_counter()
        plays = load_paths(files).plays
        result = evaluate_history(plays)
        disc = None if args.no_discovery else artist_discovery(plays, artists)
        secs = time.perf_counter() - t
        if disc is not None:
            result.tables["discovery (artists)"] = disc
            disc_rows += [
                {"person": name, "model": m, **r} for m, r in disc.to_dict("index").items()
            ]
        per_person[name] = {"sessions": result.sessions, "seconds": round(secs, 1), "weights": result.weights,
                            "tables": {k: v.reset_index().to_dict(orient="records") for k, v in result.tables.items()}}  # fmt: skip
        print(f"{name:28s} sessions {result.sessions:4d}  {secs:5.1f}s", end="")
        for task, table in result.tables.items():
            for model in table.index:
                rows.append(
                    {"person": name, "task": task, "model": model, **table.loc[model].to_dict()}
                )
            if "hybrid + context" in table.index:
                print(
                    f"  {task}: hybrid+ctx {table.loc['hybrid + context', 'ndcg@10']:.3f}", end=""
                )
        print(flush=True)
    df = pd.DataFrame(rows)
    df = df[df["task"].isin(["start", "continuation"])]
    cols = ["ndcg@10", "r-precision", "hitrate@10", "recall@10", "mrr"]
    med = df.groupby(["task", "model"])[cols].median().round(3)
    n_people = df["person"].nunique()
    start, cont = med.loc["start"], med.loc["continuation"]
    lines = [
        "# Evaluation on the shared histories",
        "",
        f"`python benchmarks/bench_evaluate.py`, {time.strftime('%Y-%m-%d')}: {n_people} people with at least one test session "
        "(protocol in `musicrec/evaluation/protocol.py`, baselines in `musicrec/evaluation/baselines.py`; medians over "
        "people; times read in UTC, the shared exports carry no zone). Baselines: "
        + ", ".join(BASELINES)
        + ".",
        "",
        "## Start of session (median over people)",
        "",
        md(start),
        "",
        *_goal_lines(start, "hybrid + context", 1.10, "start"),
        "",
        "## Continuation",
        "",
        md(cont),
        "",
        *_goal_lines(cont, "hybrid", 2.2, "continuation"),
        *_engine_floor(df, "continuation"),
        "",
        *_discovery_lines(pd.DataFrame(disc_rows)),
    ]
    if args.people or args.no_discovery:
        print("\n".join(lines))
        return
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluate.json").write_text(json.dumps(per_person, indent=1, default=float))
    (out / "SUMMARY.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _goal_lines(table: pd.DataFrame, model: str, factor: float, task: str) -> list[str]:
    """Whether ``model``'s median NDCG@10 reaches ``factor`` x the best baseline's."""
    base = table.loc[[b for b in BASELINES if b in table.index], "ndcg@10"]
    best, got = base.max(), table.loc[model, "ndcg@10"]
    met = got >= factor * best
    return [
        f"Goal ({task}): {model} >= {factor:.2f}x the best baseline ({base.idxmax()} {best:.3f}). "
        f"Measured {got:.3f} ({got / best:.2f}x): **{'met' if met else 'not met'}**."
    ]


def _engine_floor(df: pd.DataFrame, task: str) -> list[str]:
    """Whether the hybrid's median is at least its best single engine's median."""
    sub = df[df["task"] == task].groupby("model")["ndcg@10"].median()
    engines = sub.drop([m for m in sub.index if m in BASELINES or m.startswith("hybrid")])
    best = engines.idxmax()
    met = sub["hybrid"] >= engines.max()
    return [
        "",
        f"Goal ({task}): hybrid never below its best single engine on the median ({best} "
        f"{engines.max():.3f}). Measured {sub['hybrid']:.3f}: **{'met' if met else 'not met'}**.",
    ]


def _discovery_lines(disc: pd.DataFrame) -> list[str]:
    """The artist-discovery section: means over people (one ranked list each) and people with a hit."""
    if disc.empty:
        return ["## Discovery", "", "No person had a new artist that the community knows."]
    n = disc["person"].nunique()
    table = disc.groupby("model").agg(
        **{"ndcg@10 (mean)": ("ndcg@10", "mean"), "recall@10 (mean)": ("recall@10", "mean"),
           "people with a hit": ("hitrate@10", "sum"), "coverage": ("coverage", "mean"),
           "novelty (bits)": ("novelty", "mean")}
    )  # fmt: skip
    return [
        "## Discovery (artists, against the Last.fm hetrec-2k community)",
        "",
        f"{n} people with at least one artist first played in the test period that the community knows "
        f"(median {disc.groupby('person')['relevant'].first().median():.0f} such artists). Candidates: the community's "
        "17k artists the person never played in training; one ranked list per person, so means over people. "
        "hybrid = percentile of collaborative + w x percentile of popularity, w chosen per person on the "
        "training period alone (`musicrec.evaluation.discovery.popularity_share`).",
        "",
        md(table),
        "",
        _discovery_goal(table),
    ]


def _discovery_goal(table: pd.DataFrame) -> str:
    """Whether the hybrid reaches a new artist for >= 1.5x as many people as popularity."""
    hyb, pop = (
        table.loc["hybrid", "people with a hit"],
        table.loc["popularity", "people with a hit"],
    )
    met = hyb >= 1.5 * pop
    return (
        f"Goal (discovery): the hybrid gets a new artist into the top 10 for >= 1.5x as many people "
        f"as popularity ({pop:.0f}). Measured {hyb:.0f}: **{'met' if met else 'not met'}**."
    )


if __name__ == "__main__":
    main()
