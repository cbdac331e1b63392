"""Load listening history from any export into one PLAYS table (and a LIBRARY table).

Modules:
    load       the public loaders and the per-file report
    counting   which plays count as listens, and why the others were set apart
    dedupe     each play once: across files, formats and imports
    podcasts   podcast shows mixed into music, told apart by their plays
    report     one load report (files, plays, set apart and why) for the UI and the CLI
    archive    size limits and the safe reading of zips
    parallel   parsing big folders in worker processes
    formats    one parser per export format, each recognised by content
    plays_table  PLAYS as Arrow while loading; deduplication and order

Public API (re-exported here):
    load_paths(paths, rule=None, limits=DEFAULT_LIMITS) -> IngestResult
    load_uploads([(name, bytes), ...], rule=None, limits=DEFAULT_LIMITS) -> IngestResult
    load_generic_csv(name, data, mapping) -> IngestResult
    apply_counting_rule(plays, rule) -> plays
    load_report(result, rule) -> LoadReport
    move_artist(rule, artist, to="music" | "podcast") -> CountingRule
    add_plays(result, plays, library) -> IngestResult (e.g. a Spotify import, each play once)
"""

from __future__ import annotations

from musicrec.history.counting import apply_counting_rule, move_artist, set_apart
from musicrec.history.load import (
    FileReport,
    IngestResult,
    add_plays,
    load_generic_csv,
    load_paths,
    load_uploads,
)
from musicrec.history.report import LoadReport, load_report

__all__ = [
    "FileReport",
    "IngestResult",
    "LoadReport",
    "add_plays",
    "apply_counting_rule",
    "load_generic_csv",
    "load_paths",
    "load_report",
    "load_uploads",
    "move_artist",
    "set_apart",
]
