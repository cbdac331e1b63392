"""Coverage, speed and memory of matching every shared history against the offered catalogs.

Usage: python benchmarks/match_rates.py [--quick]
Loads the union of the five offered catalogs (``musicrec.catalog_sources.CATALOGS``, read from
../shared/data/track-catalog, where the same files live), then for every shared history with
counted plays: matches it (names are normalised per call, so each person pays the full cost), and prints
the share of listening time at track level (uri + name + fuzzy), through the artist, through the
genre and with nothing, plus the CPU seconds of the match. Also measures TidyTuesday alone for
comparison, and the process memory with the union loaded and the largest history's workspace
built. Writes benchmarks/results/match_rates.json (over all people; per person only in the
git-ignored benchmarks/results/local/).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.results_io import write_results  # noqa: E402

DATA = Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))
CATALOG_DIRS = {
    "spotify-tracks-114k": "spotify-tracks-114k-by-genre",
    "spotify-2024-genres": "cristhianrg1-2024-by-genre",
    "tidytuesday-30k": "tidytuesday-30k-spotify-songs",
    "musicoset-2019": "musicoset-2019",
    "hit-predictor-41k": "hit-predictor-41k",
}
TRACK = ("uri", "name", "fuzzy")


def rss_mb() -> float:
    """Current resident memory of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def coverage(catalog, histories, label: str) -> dict:
    from musicrec.matching import match_plays, match_report

    rows = {}
    for name, plays in histories.items():
        t = time.process_time()
        rep = match_report(match_plays(plays, catalog)).set_index("method")["share_time"]
        cpu = time.process_time() - t
        rows[name] = {
            "counted_plays": len(plays),
            "track": round(float(rep[list(TRACK)].sum()), 4),
            **{m: round(float(rep[m]), 4) for m in rep.index},
            "cpu_s": round(cpu, 2),
        }
        r = rows[name]
        print(f"{label:10s} {name:28s} {len(plays):7d} track {r['track']:6.1%}  artist "
              f"{r['artist']:6.1%}  genre {r['genre']:6.1%}  none {r['none']:6.1%}  {cpu:5.2f} s",
              flush=True)  # fmt: skip
    med = {
        k: round(median(r[k] for r in rows.values()), 4)
        for k in ("track", "artist", "genre", "none")
    }
    return {"people": rows, "median_share_of_time": med}


def main() -> None:
    from benchmarks.bench_evaluate import people
    from musicrec.catalog import read_catalog
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.workspace import build_workspace

    root = DATA / "track-catalog"
    histories = {}
    for name, files in people().items():
        plays = apply_counting_rule(load_paths(files).plays, DEFAULT_COUNTING)
        if len(plays):
            histories[name] = plays
    base = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    load = read_catalog([root / d for d in CATALOG_DIRS.values()])
    union = load.catalog
    load_s, load_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"union: {len(union):,} tracks, loaded in {load_s:.1f} s ({load_cpu:.1f} s CPU); "
          f"conflicts dropped: {sum(r.conflicts for r in load.parts)}", flush=True)  # fmt: skip
    out = {
        "union_tracks": len(union),
        "union_load_s": round(load_s, 1),
        "union_load_cpu_s": round(load_cpu, 1),
        "conflicts_dropped": {
            r.name.rsplit("/", 1)[-1]: r.conflicts for r in load.parts if r.conflicts
        },
        "union": coverage(union, histories, "union"),
    }
    biggest = max(histories, key=lambda n: len(histories[n]))
    ws = build_workspace(histories[biggest], union, rule=None)
    out["memory_mb"] = {
        "before_catalog": round(base, 0),
        "union_loaded_and_largest_workspace": round(rss_mb(), 0),
        "peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
        "catalog_frame": round(union.memory_usage(deep=True).sum() / 1e6, 0),
        "items_frame": round(ws.items.memory_usage(deep=True).sum() / 1e6, 0),
    }
    cpu = [r["cpu_s"] for r in out["union"]["people"].values()]
    out["match_cpu_s"] = {"max": max(cpu), "median": round(median(cpu), 2),
                          "largest_history": biggest,
                          "largest_history_plays": len(histories[biggest]),
                          "largest_history_cpu_s": out["union"]["people"][biggest]["cpu_s"]}  # fmt: skip
    if "--quick" not in sys.argv:
        tidy = read_catalog(root / CATALOG_DIRS["tidytuesday-30k"]).catalog
        out["tidytuesday_alone"] = coverage(tidy, histories, "tidy")
    print(
        json.dumps(
            {k: v for k, v in out.items() if k not in ("union", "tidytuesday_alone")}, indent=1
        )
    )
    print("median share of listening time, union:", out["union"]["median_share_of_time"])
    if "tidytuesday_alone" in out:
        print(
            "median share of listening time, TidyTuesday alone:",
            out["tidytuesday_alone"]["median_share_of_time"],
        )
    write_results("match_rates.json", out, set(histories))


if __name__ == "__main__":
    main()
