"""Match rates of every shared history against the TidyTuesday catalog, by method.

Usage: python benchmarks/match_rates.py
Prints, per person, the share of counted plays and of listening time matched by track URI,
normalised name, fuzzy title, and the artist-level fallback (genre-level needs a genre table);
writes benchmarks/results/match_rates.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("MUSICREC_SHARED_DATA", ROOT.parent / "shared" / "data"))


def main() -> None:
    from benchmarks.bench_evaluate import people
    from musicrec.catalog import load_artist_features, load_catalog
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.matching import match_plays, match_report

    catalog = load_catalog(
        [DATA / "track-catalog" / "tidytuesday-30k-spotify-songs" / "spotify_songs.csv.gz"]
    )
    artists = load_artist_features(
        DATA / "track-catalog" / "kaggle-1921-2020-aggregates" / "data_w_genres.csv"
    )
    out = {}
    print(
        f"{'person':28s} {'plays':>7s}  uri   name  fuzzy artist(+kaggle) none | time matched (track-level)  secs"
    )
    for name, files in people().items():
        plays = apply_counting_rule(load_paths(files).plays, DEFAULT_COUNTING)
        t = time.perf_counter()
        rep = match_report(match_plays(plays, catalog, artist_features=artists)).set_index("method")
        secs = time.perf_counter() - t
        share = rep["share_plays"]
        track_time = rep.loc[["uri", "name", "fuzzy"], "share_time"].sum()
        out[name] = {"plays": int(rep["plays"].sum()), **{m: round(float(v), 4) for m, v in share.items()},
                     "time_track_level": round(float(track_time), 4), "seconds": round(secs, 2)}  # fmt: skip
        print(f"{name:28s} {int(rep['plays'].sum()):7d} {share['uri']:5.1%} {share['name']:5.1%} {share['fuzzy']:5.1%} "
              f"{share['artist']:6.1%} {share['none']:6.1%} | {track_time:6.1%}  {secs:5.1f}")  # fmt: skip
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "match_rates.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
