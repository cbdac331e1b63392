"""Parse alone: prompt text -> reading, p50/p95 in ms (goal <= 5 ms).

Usage: python benchmarks/bench_prompt.py [--repeat 20]
Reads 30 varied prompts against two vocabularies: the demo's (genres, tags and 620 artists)
and, where ../shared/data is present, the tidytuesday catalog's (its genres, subgenres and
~10,000 artists) with a real listener's artists as "own". The first parse (which loads
VADER's lexicon and builds the lookup tables) is reported apart as the cold start.
Writes benchmarks/results/prompt.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from musicrec import schema as S  # noqa: E402
from musicrec.prompt import Vocabulary, parse, vocabulary_from  # noqa: E402

PROMPTS = [
    "mellow indie sunday morning", "sad rainy night", "not sad", "a bit happier",
    "less intense", "90s", "early 2000s hip hop", "80s and 90s rock", "2016",
    "no rap", "nothing explicit", "like radiohead", "more adele", "daft punk vibes",
    "new to me", "deep cuts from my favourites", "haven't heard in a while", "45 minutes",
    "20 songs", "an hour of chill lofi for studyng", "30-minute run then cooldown",
    "upbeat songs for cleaning the house on saturday", "something dark and moody for a late night drive",
    "relaxing classical to fall asleep to", "gym bangers no country", "zxqv blorp wibble",
    "very happy k-pop from 2010 to 2015", "not too loud jazz for reading", "comfort songs tonight",
    "Beyoncé-ish r&b for a friday evening, no metal, 40 min",
]  # fmt: skip


def time_parses(vocab: Vocabulary, repeat: int) -> dict:
    now = datetime(2026, 12, 1, 21, tzinfo=UTC)
    t0 = time.perf_counter()
    parse(PROMPTS[0], vocabulary=vocab, now=now, tz="Europe/Paris")
    cold = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(repeat):
        for p in PROMPTS:
            t0 = time.perf_counter()
            parse(p, vocabulary=vocab, now=now, tz="Europe/Paris")
            times.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(times, n=100)
    return {
        "parses": len(times),
        "cold_ms": round(cold, 1),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(q[94], 3),
        "max_ms": round(max(times), 3),
        "genres": len(vocab.genres),
        "artists": len(vocab.own_artists) + len(vocab.catalog_artists),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    from musicrec.demo import demo_workspace

    ws = demo_workspace()
    results = {"demo": time_parses(vocabulary_from(ws.items, ws.plays), args.repeat)}
    shared = ROOT.parent / "shared" / "data"
    songs = shared / "track-catalog" / "tidytuesday-30k-spotify-songs" / "spotify_songs.csv.gz"
    history = shared / "spotify-account-history" / "lukaszamora"
    if songs.exists() and history.exists():
        from musicrec.history import load_paths

        raw = pd.read_csv(songs)
        items = pd.DataFrame(
            {
                S.ARTIST: raw["track_artist"].astype("string"),
                S.GENRE: raw["playlist_genre"].astype("string"),
                S.TAGS: raw["playlist_subgenre"].astype("string"),
            }
        )
        plays = load_paths([str(history)]).plays
        results["tidytuesday + a real listener"] = time_parses(
            vocabulary_from(items, plays), args.repeat
        )
    for name, r in results.items():
        print(
            f"{name:32s} {r['parses']} parses  p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms"
            f"  max {r['max_ms']:.1f} ms  cold {r['cold_ms']:.0f} ms"
            f"  ({r['genres']} genres/tags, {r['artists']} artists)"
        )
    out = ROOT / "benchmarks" / "results" / "prompt.json"
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"load average {load} (2 shared cores: the p95 tail is other processes)")
    out.write_text(
        json.dumps({"goal_p50_ms": 5.0, "load_average": load, "results": results}, indent=2) + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
