"""Loading files, folders, zips and uploads into one PLAYS table (and a LIBRARY table).

One bad file never stops the others: its ``FileReport.error`` says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from musicrec import schema as S
from musicrec.config import DEFAULT_LIMITS, CountingRule, IngestLimits
from musicrec.errors import FileTooLargeError, UnrecognisedFileError, UnsupportedFileError
from musicrec.history import archive as A
from musicrec.history import formats as F
from musicrec.history import parallel
from musicrec.history import plays_table as T

__all__ = [
    "FileReport",
    "IngestResult",
    "apply_counting_rule",
    "load_generic_csv",
    "load_paths",
    "load_uploads",
]

ZIP = "zip"
"""FileReport.format of a zip itself (its members have their own reports)."""
SKIPPED = "skipped"
"""FileReport.format of a file that holds no listening data (another file of the export)."""


@dataclass(frozen=True)
class FileReport:
    """One input file (or zip member): what it was and what it gave."""

    path: str
    format: str | None
    records: int
    kept: int
    error: str | None = None

    def as_dict(self) -> dict:
        """The report as plain JSON-ready values."""
        return {
            "path": self.path,
            "format": self.format,
            "records": self.records,
            "kept": self.kept,
            "error": self.error,
        }


@dataclass(frozen=True)
class IngestResult:
    """Plays, library rows and the per-file report of one load."""

    plays: pd.DataFrame = field(default_factory=S.empty_plays)
    library: pd.DataFrame = field(default_factory=S.empty_library)
    reports: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> list[FileReport]:
        """The reports of files that could not be read."""
        return [r for r in self.reports if r.error]

    def totals(self) -> dict:
        """Summary figures for reports and the CLI."""
        read = [r for r in self.reports if r.format not in (ZIP, SKIPPED)]
        return {
            "files": len(read),
            "failed": len(self.errors),
            "records": sum(r.records for r in read),
            "plays": len(self.plays),
            "library": len(self.library),
            "first": None if self.plays.empty else self.plays[S.TS].min().isoformat(),
            "last": None if self.plays.empty else self.plays[S.TS].max().isoformat(),
        }


def apply_counting_rule(plays: pd.DataFrame, rule: CountingRule) -> pd.DataFrame:
    """Keep the plays that count as listens under ``rule``.

    Needs PLAYS columns ms_played, kind, artist, track; returns the kept rows (a new frame).
    Plays of unknown duration (Last.fm scrobbles, ms_played <NA>) pass the minimum:
    Last.fm only scrobbles a track after half of it or 4 minutes were played.
    """
    long_enough = plays[S.MS_PLAYED].fillna(rule.min_ms_played) >= rule.min_ms_played
    keep = long_enough.to_numpy(dtype=bool, copy=True)
    if not rule.include_podcasts:
        keep &= (plays[S.KIND] == S.KIND_MUSIC).to_numpy(dtype=bool)
    if rule.drop_unknown:
        unknown = (plays[S.ARTIST] == "Unknown Artist") | (plays[S.TRACK] == "Unknown Track")
        keep &= ~unknown.fillna(False).to_numpy(dtype=bool)
    return plays[keep].reset_index(drop=True)


def _combine(
    parsed: list[F.Parsed], reports: list[FileReport], rule: CountingRule | None
) -> IngestResult:
    plays = T.to_plays([p.plays for p in parsed if p.plays.num_rows])
    if rule is not None and not plays.empty:
        plays = apply_counting_rule(plays, rule)
    lib_parts = [p.library for p in parsed if p.library is not None and not p.library.empty]
    library = pd.concat(lib_parts, ignore_index=True) if lib_parts else S.empty_library()
    if not library.empty:
        library = library.drop_duplicates(
            subset=[S.LIB_KIND, S.PLAYLIST, S.TRACK_URI, S.ARTIST, S.TRACK]
        ).reset_index(drop=True)
    kept_plays = plays[S.SOURCE].value_counts() if not plays.empty else pd.Series(dtype="int64")
    kept_lib = library[S.SOURCE].value_counts() if not library.empty else pd.Series(dtype="int64")
    final = [
        r
        if r.error or r.format in (ZIP, SKIPPED)
        else FileReport(
            r.path,
            r.format,
            r.records,
            int(kept_plays.get(r.path, 0)) + int(kept_lib.get(r.path, 0)),
        )
        for r in reports
    ]
    return IngestResult(plays=plays, library=library, reports=final)


def _ingest(
    items: Iterable[tuple[str, bytes | Exception | F.Parsed]],
    rule: CountingRule | None,
    limits: IngestLimits,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[float, str], None] | None = None,
    total: int | None = None,
) -> IngestResult:
    parsed: list[F.Parsed] = []
    reports: list[FileReport] = []
    for done, (name, data) in enumerate(items):
        if progress is not None:
            progress(done / max(total or done + 1, 1), f"Reading {name}")
        if isinstance(data, F.Parsed):  # parsed already (in a worker process)
            parsed.append(data)
            reports.append(FileReport(name, data.format, data.records, 0))
            continue
        if isinstance(data, Exception):
            reports.append(FileReport(name, None, 0, 0, str(data)))
            continue
        is_zip = A.is_zip(name, data)
        found_in_zip = 0
        for inner, payload in A.expand(name, data, limits):
            if isinstance(payload, Exception):
                reports.append(FileReport(inner, None, 0, 0, str(payload)))
                continue
            try:
                A.check_size(inner, len(payload), limits)
                result = F.parse_payload(inner, payload, mapping)
            except UnsupportedFileError as exc:
                if is_zip and inner != name and isinstance(exc, UnrecognisedFileError):
                    # Other files of the export (Userdata.json, SearchQueries.json...) are not
                    # history; a broken member (truncated, not JSON, bad values) is an error.
                    reports.append(FileReport(inner, SKIPPED, 0, 0, None))
                    continue
                reports.append(FileReport(inner, None, 0, 0, str(exc)))
                continue
            found_in_zip += 1
            parsed.append(result)
            reports.append(FileReport(inner, result.format, result.records, 0))
        if is_zip and not any(r.path == name and r.error for r in reports):
            if found_in_zip == 0:
                reports.append(
                    FileReport(
                        name,
                        ZIP,
                        0,
                        0,
                        f"{name}: the zip holds no listening history, library or playlist file",
                    )
                )
            else:
                reports.append(FileReport(name, ZIP, 0, 0, None))
    if progress is not None:
        progress(1.0, "Combining and removing duplicates")
    return _combine(parsed, reports, rule)


def load_uploads(
    files: Iterable[tuple[str, bytes]],
    rule: CountingRule | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
    progress: Callable[[float, str], None] | None = None,
) -> IngestResult:
    """Load uploaded files given as (name, bytes) pairs; zips are opened safely.

    Args:
        files: (file name, raw bytes) pairs, e.g. from ``st.file_uploader``.
        rule: counting rule to apply; None keeps every play (deduplicated), so the caller
            can apply and change the rule later with ``apply_counting_rule``.
        limits: size and archive safety limits.
        progress: called with (fraction done, message) before each file.

    Returns:
        IngestResult with PLAYS, LIBRARY and one FileReport per file or zip member.
    """
    files = list(files)

    def checked() -> Iterator[tuple[str, bytes | Exception]]:
        for name, data in files:
            try:
                A.check_size(name, len(data), limits)
            except FileTooLargeError as exc:
                yield name, exc
                continue
            yield name, data

    return _ingest(checked(), rule, limits, progress=progress, total=len(files))


def _walk(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(
                q
                for q in p.rglob("*")
                if q.is_file() and q.suffix.lower() in (*A.TEXT_SUFFIXES, ".zip")
            )
        else:
            yield p


def load_paths(
    paths: Iterable[str | Path],
    rule: CountingRule | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> IngestResult:
    """Load files, folders (searched recursively) or zips from disk; see ``load_uploads``."""
    files = list(_walk(paths))
    done = parallel.parse_many(files, limits)

    def read() -> Iterator[tuple[str, bytes | Exception | F.Parsed]]:
        for path in files:
            name = str(path)
            if path in done:
                yield name, done[path]
                continue
            try:
                A.check_size(name, path.stat().st_size, limits)
                yield name, path.read_bytes()
            except FileTooLargeError as exc:
                yield name, exc
            except OSError as exc:
                yield name, UnsupportedFileError(name, f"cannot be read ({exc.strerror or exc})")

    return _ingest(read(), rule, limits)


def load_generic_csv(
    name: str, data: bytes, mapping: Mapping[str, str], rule: CountingRule | None = None
) -> IngestResult:
    """Load a CSV of plays with a column mapping {plays column: CSV column} (ts, artist, track required)."""
    return _ingest([(name, data)], rule, DEFAULT_LIMITS, mapping=mapping)
