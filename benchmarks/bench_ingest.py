"""Ingest speed: musicrec's loader vs the obvious pd.read_json approach, on generated extended history.

Usage: python benchmarks/bench_ingest.py [--records 1000000] [--per-file 15000]
Generates Streaming_History_Audio_*.json files (new key set, ~530 bytes per record) in a temp
folder, then runs each approach in a fresh interpreter (imports included in the time):
  baseline: pd.read_json per file + pd.concat + pd.to_datetime + drop_duplicates
  musicrec: musicrec.history.load_paths (normalised to the full plays contract, deduplicated, sorted)
Prints wall time, peak memory and rows for each, and writes benchmarks/results/ingest.json.

Peak memory is measured for the whole process tree (musicrec parses in forked helper
processes too): every 20 ms the benchmark reads /proc/<pid>/statm of the process and of all
its descendants and sums their resident sizes. The reported peak is the largest sum seen,
or the process's own kernel-recorded max RSS if that is larger (a spike between samples).
Pages a forked helper still shares with its parent count once per process, so the sum
overstates the physical memory used. (Sampling PSS from smaps_rollup instead would split
shared pages fairly, but reading it walks the page tables under the process's memory-map
lock and slowed the measured run by ~2 s.)
"""

from __future__ import annotations

import argparse
import json
import os
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


PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc/<pid>/task/<tid>/children)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:  # exited meanwhile
            continue
    return found


def _resident(pids: list[int]) -> int:
    """Summed resident size in bytes of the processes still alive."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:  # exited meanwhile
            continue
    return total


def run(code: str, folder: Path) -> dict:
    """Run one approach in a fresh interpreter; wall time and sampled peak memory (see top)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(folder), str(ROOT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak_rss = 0
    while True:
        peak_rss = max(peak_rss, _resident(_tree(proc.pid)))
        try:
            proc.wait(timeout=0.02)  # returns as soon as it exits: the time stays exact
            break
        except subprocess.TimeoutExpired:
            continue
    wall = time.perf_counter() - t
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"benchmark subprocess failed:\n{err}")
    rows, own_kb, _ = (int(x) for x in out.split()[-3:])
    peak = max(peak_rss, own_kb * 1024)
    return {
        "seconds": round(wall, 2),
        "peak_rss_mb": round(peak / 2**20),
        "rows": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--per-file", type=int, default=15_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        size = generate(folder, args.records, args.per_file)
        os.sync()  # write the files out now, not while the first approach is being timed
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
