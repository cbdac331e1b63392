"""The evaluation table over every shared history, and a one-page summary.

Usage: python benchmarks/bench_evaluate.py [--people SUBSTRING ...] [--no-discovery] [--no-taste]
With --people only the histories whose short name contains one of the substrings run (to
iterate quickly); results are then printed but not written (the files hold full runs only).
Runs musicrec.evaluation.evaluate_history (the same code path as the Model quality page) on
each person in ../shared/data (account histories and extended histories with enough audio
plays), writes benchmarks/results/evaluate.json (medians over people only; the per-person figures
go to the git-ignored benchmarks/results/local/, see results_io) and
benchmarks/results/SUMMARY.md (medians over people and whether each goal is met).
Discovery is measured at artist level against the Last.fm hetrec-2k community
(musicrec.evaluation.discovery): one ranked list per person, so it reports means over people
and how many people had a new artist in their top 10.
Taste fit (issue 15, skipped with --no-taste): each person's plays against the TidyTuesday 30k
catalog (US/UK pop, rap, rock, latin, r&b, edm: the catalog the issue worries about), the
builder's blend at the person's starting weights (``musicrec.evaluation.tuning.starting_weights``)
asked for 25 tracks never played at four hours of a Wednesday; the share of those new tracks on
the person's taste (``musicrec.taste_fit``: an artist they play or one of their top genres), with
and without the builder's taste guard, and how much of their listening the catalog places.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))

from benchmarks.results_io import write_results  # noqa: E402
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


def catalog_credits() -> pd.Series:
    """The ';'-joined artist credits of the 114k Spotify Tracks Dataset's per-genre parts."""
    folder = DATA / "track-catalog" / "spotify-tracks-114k-by-genre"
    return pd.concat(
        [pd.read_csv(f, usecols=["artists"])["artists"] for f in sorted(folder.glob("*.csv"))],
        ignore_index=True,
    )


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
    parser.add_argument("--no-taste", action="store_true", help="skip the on-taste share")
    args = parser.parse_args()
    from musicrec.engines.collaborative import CommunityModel
    from musicrec.evaluation import evaluate_history
    from musicrec.evaluation.discovery import (
        artist_discovery,
        co_credits,
        hetrec_artist_community,
    )
    from musicrec.history import load_paths

    t = time.perf_counter()
    if not args.no_discovery:
        community = hetrec_artist_community(DATA / "lastfm-hetrec-2k" / "hetrec2011-lastfm-2k")
        artists = CommunityModel().fit(community)
        credits = co_credits(catalog_credits())
        print(
            f"hetrec artist community: {community['item'].nunique():,} artists, fit {time.perf_counter() - t:.1f} s"
        )
    catalog = None
    if not args.no_taste:
        from musicrec.catalog import load_catalog

        catalog = load_catalog([DATA / "track-catalog" / "tidytuesday-30k-spotify-songs"])
    rows, per_person, disc_rows, taste_rows = [], {}, [], []
    chosen = {
        name: files
        for name, files in people().items()
        if not args.people or any(p in name for p in args.people)
    }
    for name, files in chosen.items():
        t = time.perf_counter()
        plays = load_paths(files).plays
        result = evaluate_history(plays)
        disc = None if args.no_discovery else artist_discovery(plays, artists, credits=credits)
        fit = None if catalog is None else taste_fit(plays, catalog, result)
        secs = time.perf_counter() - t
        if fit is not None:
            taste_rows.append(fit)
        if disc is not None:
            result.tables["discovery (artists)"] = disc
            disc_rows += [
                {"person": name, "model": m, **r} for m, r in disc.to_dict("index").items()
            ]
        per_person[name] = {"sessions": result.sessions, "seconds": round(secs, 1), "weights": result.weights, "taste_fit": fit,
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
        "",
        *_taste_lines(pd.DataFrame(taste_rows)),
    ]
    if args.people or args.no_discovery or args.no_taste:
        print("\n".join(lines))
        return
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    write_results("evaluate.json", evaluation_result(per_person), set(per_person))
    (out / "SUMMARY.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


TASTE_HOURS = (8, 13, 19, 23)
"""The hours (on a Wednesday) the on-taste lists are asked for."""


def evaluation_result(per_person: dict[str, dict]) -> dict:
    """What evaluate.json holds: per person (kept local) and medians over people (committed).

    ``per_person`` maps a history's short name to its sessions, weights, taste fit and tables
    (each a list of records with a ``model`` column). The medians are over the people a task's
    table has, per model and metric.
    """
    rows = [
        {"task": task, **rec}
        for person in per_person.values()
        for task, recs in person["tables"].items()
        for rec in recs
    ]
    df = pd.DataFrame(rows)
    metrics = [c for c in df.columns if c not in ("task", "model") and df[c].dtype.kind == "f"]
    med = df.groupby(["task", "model"])[metrics].median().round(4)
    median = {
        task: {
            model: med.loc[(task, model)].dropna().to_dict()
            for model in grp.index.get_level_values(1)
        }
        for task, grp in med.groupby(level=0)
    }
    return {"people": len(per_person), "median": median, "by_person": per_person}


def taste_fit(plays: pd.DataFrame, catalog: pd.DataFrame, result) -> dict:
    """On-taste share of the builder's new tracks for one person (see the module docstring).

    Returns:
        {"coverage", "top_genres" (how many), "new", "on_taste", "new_guarded",
        "on_taste_guarded"}: new tracks per list and the share on taste, means over the hours.
    """
    import numpy as np

    from musicrec import taste_fit as TF
    from musicrec.evaluation.tuning import starting_weights
    from musicrec.hybrid import Hybrid, HybridConfig
    from musicrec.workspace import Request, build_workspace

    ws = build_workspace(plays, catalog)
    taste = TF.own_taste(ws)
    model = Hybrid().fit(ws)
    weights = starting_weights(result).weights
    guard = TF.taste_guard(ws.items, taste)
    config = HybridConfig(exclude_heard=True)
    out: dict[str, list] = {"new": [], "on_taste": [], "new_guarded": [], "on_taste_guarded": []}
    for hour in TASTE_HOURS:
        request = Request(hour=hour, weekday=2)
        for suffix, allowed in (("", None), ("_guarded", guard)):
            share, new = TF.on_taste_share(
                model.recommend(request, weights, config, allowed=allowed), taste
            )
            out["new" + suffix].append(new)
            out["on_taste" + suffix].append(share)
    return {
        "coverage": round(taste.coverage, 4),
        "top_genres": len(taste.genres),
        "guard": guard is not None,
        **{k: round(float(np.nanmean(v)), 4) if any(x == x for x in v) else None
           for k, v in out.items()},
    }  # fmt: skip


def _taste_lines(fit: pd.DataFrame) -> list[str]:
    """The taste-fit section: medians over people, and how many lists were mostly off taste."""
    if fit.empty:
        return []
    n = len(fit)
    low = fit[fit["guard"]]
    med = fit[["coverage", "new", "on_taste", "new_guarded", "on_taste_guarded"]].median()
    off = int((fit["on_taste"] < 0.5).sum())
    off_g = int((fit["on_taste_guarded"] < 0.5).sum())
    lines = [
        "## Taste fit of the builder's new tracks (TidyTuesday 30k catalog)",
        "",
        f"{n} people. The builder's blend at each person's starting weights, 25 tracks never played, "
        f"asked for at {', '.join(f'{h}:00' for h in TASTE_HOURS)} on a Wednesday. On taste = an artist the "
        "person plays or one of their top genres (at most 3, each >= 10% of all their counted plays, "
        "unplaced plays included; `musicrec.taste_fit`). The guard applies when the catalog places "
        "< 50% of the listening time: then only the person's own tracks and new tracks on taste stay "
        "(on taste by construction; what it costs is the number of new tracks).",
        "",
        "| | median over people | people with < 50% on taste |",
        "|---|---|---|",
        f"| catalog places (share of listening time) | {med['coverage']:.3f} | |",
        f"| on-taste share, blend alone | {med['on_taste']:.3f} | {off} of {n} |",
        f"| on-taste share, with the builder's guard | {med['on_taste_guarded']:.3f} | {off_g} of {n} |",
        f"| new tracks per list, with the guard | {med['new_guarded']:.1f} of 25 | |",
    ]
    if len(low):
        lines += [
            "",
            f"The guard applied for {len(low)} people (catalog places a median "
            f"{low['coverage'].median():.0%} of their listening): on-taste share of the blend alone "
            f"median {low['on_taste'].median():.3f} (lowest {low['on_taste'].min():.3f}), with the guard "
            f"{low['on_taste_guarded'].median():.3f}, new tracks per list median "
            f"{low['new_guarded'].median():.1f} (fewest {low['new_guarded'].min():.1f}).",
        ]
    return lines


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
        "credits = artists credited on the same tracks as the artists the person played in training, in the "
        "114k Spotify Tracks Dataset (`co_credits`, `credit_strength`: log plays x shared tracks). "
        "hybrid = percentile of collaborative + 1 x percentile of credits (weight chosen on the training periods, "
        "`CREDIT_WEIGHT`); collaborative + popularity = the previous hybrid (popularity weight chosen per person "
        "on the training period, `popularity_share`).",
        "",
        md(table),
        "",
        _discovery_goal(table),
        *_attempts(),
    ]


def _attempts() -> list[str]:
    """The discovery attempts table (benchmarks/discovery_attempts.py writes it)."""
    path = ROOT / "benchmarks" / "results" / "discovery_attempts.md"
    return ["", path.read_text().strip()] if path.exists() else []


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
