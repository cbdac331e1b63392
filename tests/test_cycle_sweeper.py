"""The server's cycle collection: none after every rerun; a rare sweep and the reaper instead."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_runs_no_full_collection_after_every_rerun() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_sweeper_frees_a_cycle_without_automatic_collection() -> None:
    # a fresh interpreter: automatic collection off, so only the sweeper can free the cycle
    code = textwrap.dedent(
        """
        import gc, time, weakref
        gc.disable()
        from musicrec.ui.cache import start_cycle_sweeper

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # a cycle: reference counting alone keeps it
        first = start_cycle_sweeper(0.05)
        assert start_cycle_sweeper(0.05) is first  # one sweeper per process
        deadline = time.monotonic() + 20
        while gone() is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        print("freed" if gone() is None else "kept")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "freed"
