"""Run by test_sessions in a fresh interpreter: how much resident memory (MB) stays after a
script thread builds and drops text frames and the reaper thread releases memory.

Usage: python tests/arrow_memory_probe.py [switch]   (switch: Arrow on the system allocator)
"""

import sys
import threading

import numpy as np
import pandas as pd

from musicrec.ui import sessions


def resident_mb() -> float:
    """This process's resident size (MB)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def build_and_drop() -> None:
    """Three rounds of a 1M-row frame with two text columns, a sample of each kept."""
    kept = []
    for _ in range(3):
        df = pd.DataFrame({"title": [f"song number {i}" for i in range(1_000_000)]})
        df["artist"] = df["title"].str.upper()
        df["n"] = np.arange(len(df))
        kept.append(df.iloc[::1000].copy())


if __name__ == "__main__":
    if sys.argv[1:] == ["switch"]:
        sessions.arrow_on_the_system_allocator()
    sessions.limit_malloc_arenas()
    pd.Series([f"warm {i}" for i in range(1000)]).str.upper()
    before = resident_mb()
    worker = threading.Thread(target=build_and_drop)
    worker.start()
    worker.join()
    sessions.release_memory()
    print(f"{resident_mb() - before:.1f}")
