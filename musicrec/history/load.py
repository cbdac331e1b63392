"""Loading files, folders, zips and uploads into one PLAYS table (and a LIBRARY table).

One bad file never stops the others: its ``FileReport.error`` says what is wrong.
"""

from __future__ import annotations

import dataclasses
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
from musicrec.history.counting import apply_counting_rule, set_apart
from musicrec.history.podcasts import SHOW_COLUMNS, find_shows, mark_shows

__all__ = [
    "FileReport",
    "IngestResult",
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
    bad: int = 0
    """Records left out because a value in them could not be read."""
    note: str | None = None
    """Why a file was skipped (not listening data), in words."""

    def as_dict(self) -> dict:
        """The report as plain JSON-ready values."""
        return {
            "path": self.path,
            "format": self.format,
            "records": self.records,
            "kept": self.kept,
            "bad": self.bad,
            "error": self.error,
            "note": self.note,
        }

    @property
    def loaded(self) -> bool:
        """True for a file (or member) that was read and gave plays or library rows."""
        return self.error is None and self.format not in (ZIP, SKIPPED)


@dataclass(frozen=True)
class IngestResult:
    """Plays, library rows and the per-file report of one load."""

    plays: pd.DataFrame = field(default_factory=S.empty_plays)
    library: pd.DataFrame = field(default_factory=S.empty_library)
    reports: list[FileReport] = field(default_factory=list)
    duplicates: int = 0
    """Plays found more than once (overlapping files, the same play in two formats), kept once."""
    merged: int = 0
    """Of ``duplicates``: plays found in both the extended and the account format."""
    shows: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype="object") for c in SHOW_COLUMNS})
    )
    """Artists taken for podcast or audiobook shows, with the evidence (``podcasts.SHOW_COLUMNS``);
    their plays have kind podcast. ``counting.move_artist`` moves one back."""
    rule: CountingRule | None = None
    """The counting rule applied while loading (None: every play kept, apply one later)."""
    set_apart_by_rule: dict[str, dict[str, float]] | None = None
    """What ``rule`` set apart while loading (see ``counting.set_apart``); None without a rule."""

    @property
    def errors(self) -> list[FileReport]:
        """The reports of files that could not be read."""
        return [r for r in self.reports if r.error]

    def totals(self) -> dict:
        """Summary figures for reports and the CLI ("files" counts the files that loaded)."""
        read = [r for r in self.reports if r.loaded]
        return {
            "files": len(read),
            "failed": len(self.errors),
            "not_listening": sum(r.format == SKIPPED for r in self.reports),
            "records": sum(r.records for r in read),
            "plays": len(self.plays),
            "library": len(self.library),
            "first": None if self.plays.empty else self.plays[S.TS].min().isoformat(),
            "last": None if self.plays.empty else self.plays[S.TS].max().isoformat(),
        }


def _combine(
    parsed: list[F.Parsed], reports: list[FileReport], rule: CountingRule | None
) -> IngestResult:
    tables = [p.plays for p in parsed if p.plays.num_rows]
    plays = T.to_plays(tables)
    duplicates = sum(t.num_rows for t in tables) - len(plays)
    shows = find_shows(plays, [s for p in parsed for s in p.shows])
    plays = mark_shows(plays, shows["artist"])
    apart = None
    if rule is not None:
        apart = set_apart(plays, rule)
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
        dataclasses.replace(r, kept=int(kept_plays.get(r.path, 0)) + int(kept_lib.get(r.path, 0)))
        if r.loaded
        else r
        for r in reports
    ]
    return IngestResult(
        plays=plays,
        library=library,
        reports=final,
        duplicates=duplicates,
        shows=shows,
        rule=rule,
        set_apart_by_rule=apart,
    )


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
            reports.append(FileReport(name, data.format, data.records, 0, bad=data.bad))
            continue
        if isinstance(data, UnrecognisedFileError):
            reports.append(
                FileReport(name, SKIPPED, 0, 0, note=f"not listening data: {data.problem}")
            )
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
            if mapping is None and F.not_listening_file(inner):
                note = "not listening data (a Spotify account file of another kind)"
                reports.append(FileReport(inner, SKIPPED, 0, 0, note=note))
                continue
            try:
                A.check_size(inner, len(payload), limits)
                result = F.parse_payload(inner, payload, mapping)
            except UnrecognisedFileError as exc:
                # Other files of the export (Userdata.json, SearchQueries.json...) are not
                # history; a broken file (truncated, not JSON, bad values) is an error. A CSV
                # of its own that we cannot place needs the column mapping: an error saying so.
                if is_zip or not inner.lower().endswith(".csv"):
                    note = f"not listening data: {exc.problem}"
                    reports.append(FileReport(inner, SKIPPED, 0, 0, note=note))
                else:
                    reports.append(FileReport(inner, None, 0, 0, str(exc)))
                continue
            except UnsupportedFileError as exc:
                reports.append(FileReport(inner, None, 0, 0, str(exc)))
                continue
            found_in_zip += 1
            parsed.append(result)
            reports.append(FileReport(inner, result.format, result.records, 0, bad=result.bad))
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
                if not q.is_symlink()  # a link in a folder may point anywhere (/etc/passwd)
                and q.is_file()
                and q.suffix.lower() in (*A.TEXT_SUFFIXES, ".zip")
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
                yield name, A.read_regular_file(path, limits)
            except UnsupportedFileError as exc:
                yield name, exc
            except OSError as exc:
                yield name, UnsupportedFileError(name, f"cannot be read ({exc.strerror or exc})")

    return _ingest(read(), rule, limits)


def load_generic_csv(
    name: str, data: bytes, mapping: Mapping[str, str], rule: CountingRule | None = None
) -> IngestResult:
    """Load a CSV of plays with a column mapping {plays column: CSV column} (ts, artist, track required)."""
    return _ingest([(name, data)], rule, DEFAULT_LIMITS, mapping=mapping)
