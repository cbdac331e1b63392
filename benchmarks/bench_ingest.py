"""Ingest speed: musicrec's loader vs the obvious pd.read_json approach, on generated extended history.

Usage: python benchmarks/bench_ingest.py [--records 1000000] [--per-file 15000]
Generates Streaming_History_Audio_*.json files (new key set, ~530 bytes per record) in a temp
folder, then runs, each in its own subprocess (peak RSS = ru_maxrss of that child):
  baseline: pd.read_json per file + pd.concat + pd.to_datetime + drop_duplicates
  musicrec: musicrec.history.load_paths (orjson, normalised to the plays contract, deduplicated)
Prints wall time, peak RSS and rows for each, and writes benchmarks/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]

BASELINE = """
import sys, glob, pandas as pd
files = sorted(glob.glob(sys.argv[1] + '/*.json'))
df = pd.concat([pd.read_json(f) for f in files], ignore_index=True)
df['ts'] = pd.to_datetime(df['ts'], utc=True)
df = df.drop_duplicates(subset=['ts', 'ms_played', 'spotify_track_uri'])
import resource
print(len(df), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0)
"""
MUSICREC = """
import sys
sys.path.insert(0, sys.argv[2])
from musicrec.history import load_paths
r = load_paths([sys.argv[1]])
assert not r.errors, r.errors[:3]
import resource
print(len(r.plays), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def generate(folder: Path, n: int, per_file: int, seed: int = 0) -> int:
    rng = np.random.default_rng(seed)
    artists = [f"Artist {i}" for i in range(3000)]
    start = 1_600_000_000
    size = 0
    for f, lo in enumerate(range(0, n, per_file)):
        m = min(per_file, n - lo)
        ts = start + np.sort(rng.integers(0, 150_000_000, m)) + lo * 100
        a = rng.integers(0, len(artists), m)
        t = rng.integers(0, 40, m)
        ms = rng.integers(0, 400_000, m)
        recs = [
            {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts[i]))),
                "platform": "android", "ms_played": int(ms[i]), "conn_country": "SE", "ip_addr": "10.0.0.1",
                "master_metadata_track_name": f"Song {t[i]} of {a[i]}", "master_metadata_album_artist_name": artists[a[i]],
                "master_metadata_album_album_name": f"Album {a[i] % 97}",
                "spotify_track_uri": f"spotify:track:{a[i]:011d}{t[i]:011d}", "episode_name": None,
                "episode_show_name": None, "spotify_episode_uri": None, "audiobook_title": None, "audiobook_uri": None,
                "audiobook_chapter_uri": None, "audiobook_chapter_title": None, "reason_start": "trackdone",
                "reason_end": "trackdone", "shuffle": bool(i % 2), "skipped": False, "offline": False,
                "offline_timestamp": int(ts[i]), "incognito_mode": False,
            }
            for i in range(m)
        ]  # fmt: skip
        if f == 1:
            recs[:100] = prev[-100:]  # noqa: F821  (overlap between files, removed by dedupe)
        prev = recs  # noqa: F841
        data = orjson.dumps(recs, option=orjson.OPT_INDENT_2)
        (folder / f"Streaming_History_Audio_2020-2024_{f}.json").write_bytes(data)
        size += len(data)
    return size


def run(code: str, folder: Path) -> dict:
    """Run one approach in a fresh interpreter (imports included in the time).

    Peak memory = the process's own max RSS plus, for musicrec's worker processes, the
    largest worker's max RSS times the number of workers (an upper bound: they run at once).
    """
    import os

    workers = min(os.cpu_count() or 1, 4)
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    rows, own_kb, child_kb = (int(x) for x in out.stdout.split()[-3:])
    peak = own_kb + workers * child_kb if child_kb else own_kb
    return {"seconds": round(wall, 2), "peak_rss_mb": round(peak / 1024), "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--per-file", type=int, default=15_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        size = generate(folder, args.records, args.per_file)
        print(
            f"generated {args.records:,} records in {len(list(folder.glob('*.json')))} files, {size / 1e6:.0f} MB, {time.perf_counter() - t:.1f} s"
        )
        ours = run(MUSICREC, folder)
        print(
            f"musicrec load_paths : {ours['seconds']:6.2f} s  peak {ours['peak_rss_mb']:6.0f} MB  rows {ours['rows']:,}"
        )
        base = run(BASELINE, folder)
        print(
            f"pd.read_json approach: {base['seconds']:6.2f} s  peak {base['peak_rss_mb']:6.0f} MB  rows {base['rows']:,}"
        )
        speedup = base["seconds"] / ours["seconds"]
        print(
            f"speed-up {speedup:.2f}x (goal >= 3x); musicrec peak {ours['peak_rss_mb']:.0f} MB (goal < 1024 MB)"
        )
    result = {
        "records": args.records,
        "mb": round(size / 1e6),
        "musicrec": ours,
        "baseline": base,
        "speedup": round(speedup, 2),
    }
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "ingest.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
