"""Where benchmarks write what they measured, keeping people's own figures off the repo.

The shared histories are real people's listening, published by them for local use; their
MANIFEST asks us not to commit or publish per-person results. So a benchmark writes two
files: ``benchmarks/results/NAME`` (committed) holds only figures over all people (medians,
means, sorted distributions with no names), and ``benchmarks/results/local/NAME`` (ignored by
git) holds everything, per person, for whoever ran it on their own machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
LOCAL = RESULTS / "local"


def without_people(obj: Any, people: set[str]) -> Any:
    """A copy of ``obj`` with every dict entry keyed by a person's name left out.

    A string value that is a person's name becomes ``"(a shared history)"``. Lists and dicts
    are walked all the way down; nothing in ``obj`` is changed.
    """
    if isinstance(obj, dict):
        return {k: without_people(v, people) for k, v in obj.items() if k not in people}
    if isinstance(obj, list):
        return [without_people(v, people) for v in obj]
    if isinstance(obj, str) and obj in people:
        return "(a shared history)"
    return obj


def write_results(name: str, result: dict, people: set[str]) -> tuple[Path, Path]:
    """Write ``result`` whole to ``results/local/NAME`` and without people to ``results/NAME``.

    Args:
        name: the file name, e.g. ``"evaluate.json"``.
        result: what the benchmark measured (JSON-serialisable; floats from numpy are fine).
        people: the names (folder short names) of the histories measured.

    Returns:
        The committed file's path and the local file's path.
    """
    LOCAL.mkdir(parents=True, exist_ok=True)
    local, public = LOCAL / name, RESULTS / name
    local.write_text(json.dumps(result, indent=1, default=float))
    public.write_text(json.dumps(without_people(result, people), indent=1, default=float))
    return public, local
