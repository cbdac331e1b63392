"""Load listening history from any export into one PLAYS table (and a LIBRARY table).

Modules:
    load       the public loaders, the per-file report and the counting rule
    archive    size limits and the safe reading of zips
    parallel   parsing big folders in worker processes
    formats    one parser per export format, each recognised by content
    plays_table  PLAYS as Arrow while loading; deduplication and order

Public API (re-exported here):
    load_paths(paths, rule=None, limits=DEFAULT_LIMITS) -> IngestResult
    load_uploads([(name, bytes), ...], rule=None, limits=DEFAULT_LIMITS) -> IngestResult
    load_generic_csv(name, data, mapping) -> IngestResult
    apply_counting_rule(plays, rule) -> plays
"""

from __future__ import annotations

from musicrec.history.load import (
    FileReport,
    IngestResult,
    apply_counting_rule,
    load_generic_csv,
    load_paths,
    load_uploads,
)

__all__ = [
    "FileReport",
    "IngestResult",
    "apply_counting_rule",
    "load_generic_csv",
    "load_paths",
    "load_uploads",
]
