"""Parsing many large plain files at once, in forked worker processes.

Only worth it for big folders of extended history (``PARALLEL_MIN_FILES`` files of
together at least ``PARALLEL_MIN_BYTES``); below that, starting workers costs more than it
saves and ``parse_many`` returns nothing, so the caller parses in order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from musicrec.config import IngestLimits
from musicrec.errors import UnsupportedFileError
from musicrec.history import formats as F
from musicrec.history.archive import read_regular_file

__all__ = ["PARALLEL_MIN_BYTES", "PARALLEL_MIN_FILES", "parse_many", "parse_path"]

PARALLEL_MIN_FILES = 8
"""parse_many uses worker processes when there are at least this many plain JSON files..."""
PARALLEL_MIN_BYTES = 64 * 1024 * 1024
"""...and together they are at least this big."""


def parse_path(path: Path, limits: IngestLimits) -> F.Parsed | Exception:
    """Read and parse one plain file; errors are returned (to cross a process boundary), not raised."""
    name = str(path)
    try:
        return F.parse_payload(name, read_regular_file(path, limits))
    except UnsupportedFileError as exc:
        return exc
    except OSError as exc:
        return UnsupportedFileError(name, f"cannot be read ({exc.strerror or exc})")


def _size(path: Path) -> int:
    """The size ``stat`` says, 0 when it cannot (a missing file is that file's error, when read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def parse_many(paths: list[Path], limits: IngestLimits) -> dict[Path, F.Parsed | Exception]:
    """Parse many large plain JSON files on every core: here and in forked helper processes.

    Helpers take files from the front of the list and this process from the back, so all
    finish at about the same time, and no process sits waiting. Results (Arrow tables) come
    back pickled; fork means helpers start at once and share the loaded code.

    Returns:
        {path: Parsed or error} for the files parsed here; empty when not worth it.
    """
    plain = [p for p in paths if p.suffix.lower() == ".json"]
    cores = os.cpu_count() or 1
    if cores < 2 or len(plain) < PARALLEL_MIN_FILES or sum(map(_size, plain)) < PARALLEL_MIN_BYTES:
        return {}
    try:
        ctx = mp.get_context("fork")
    except ValueError:
        return {}
    helpers = min(cores, 4) - 1
    todo = deque(plain)
    done: dict[Path, F.Parsed | Exception] = {}
    with ProcessPoolExecutor(max_workers=helpers, mp_context=ctx) as pool:
        running: dict[Future, Path] = {}
        while todo:
            while todo and len(running) < 2 * helpers:  # one file working, one waiting
                path = todo.popleft()
                running[pool.submit(parse_path, path, limits)] = path
            for future in [f for f in running if f.done()]:
                done[running.pop(future)] = future.result()
            if todo:
                path = todo.pop()
                done[path] = parse_path(path, limits)
        for future, path in running.items():
            done[path] = future.result()
    return done
