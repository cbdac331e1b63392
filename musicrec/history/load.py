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
from musicrec.clock import is_timezone
from musicrec.config import DEFAULT_LIMITS, CountingRule, IngestLimits
from musicrec.errors import FileTooLargeError, UnrecognisedFileError, UnsupportedFileError
from musicrec.history import archive as A
from musicrec.history import formats as F
from musicrec.history import parallel
from musicrec.history import plays_table as T
from musicrec.history.counting import apply_counting_rule, set_apart
from musicrec.history.dedupe import dedupe_library, dedupe_plays, merge_formats
from musicrec.history.podcasts import SHOW_COLUMNS, find_shows, mark_shows

__all__ = [
    "FileReport",
    "IngestResult",
    "add_plays",
    "load_generic_csv",
    "load_mapped_paths",
    "load_paths",
    "load_uploads",
    "parse_mapping",
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
    # Richer formats first: of two equal records, the first one read is kept.
    coarse = [p.plays for p in parsed if p.plays.num_rows and p.format == F.SPOTIFY_ACCOUNT]
    fine = [p.plays for p in parsed if p.plays.num_rows and p.format != F.SPOTIFY_ACCOUNT]
    plays = T.to_plays(fine + coarse)
    account = {r.path for r in reports if r.format == F.SPOTIFY_ACCOUNT}
    plays, merged = merge_formats(plays, account)
    if coarse and fine:  # also count the account records equal to the second
        left = int(plays[S.SOURCE].isin(list(account)).sum())
        merged = len(T.to_plays(coarse)) - left
    duplicates = sum(t.num_rows for t in fine + coarse) - len(plays)
    shows = find_shows(plays, [s for p in parsed for s in p.shows])
    plays = mark_shows(plays, shows)
    apart = None
    if rule is not None:
        apart = set_apart(plays, rule)
        plays = apply_counting_rule(plays, rule)
    lib_parts = [p.library for p in parsed if p.library is not None and not p.library.empty]
    library = pd.concat(lib_parts, ignore_index=True) if lib_parts else S.empty_library()
    library = dedupe_library(library)
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
        merged=merged,
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
    tz: str | None = None,
    budget: A.Budget | None = None,
) -> IngestResult:
    parsed: list[F.Parsed] = []
    reports: list[FileReport] = []
    budget = budget or A.Budget(limits)
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
                budget.spend(inner, len(payload) if inner != name else 0)
                result = F.parse_payload(inner, payload, mapping, tz)
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

    budget = A.Budget(limits)

    def checked() -> Iterator[tuple[str, bytes | Exception]]:
        for name, data in files:
            try:
                A.check_size(name, len(data), limits)
                budget.spend(name, len(data))
            except FileTooLargeError as exc:
                yield name, exc
                continue
            yield name, data

    return _ingest(checked(), rule, limits, progress=progress, total=len(files), budget=budget)


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
    budget = A.Budget(limits)
    over: dict[Path, Exception] = {}
    for path in files:  # files past the per-load limit are not read at all
        try:
            budget.spend(str(path), path.stat().st_size)
        except FileTooLargeError as exc:
            over[path] = exc
        except OSError:
            pass  # reported when read
    done = parallel.parse_many([p for p in files if p not in over], limits)
    done.update(over)

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

    return _ingest(read(), rule, limits, budget=budget)


def load_generic_csv(
    name: str,
    data: bytes,
    mapping: Mapping[str, str],
    rule: CountingRule | None = None,
    tz: str | None = None,
) -> IngestResult:
    """Load any CSV of plays with a column mapping (the import for shapes we do not recognise).

    Args:
        name: the file name, for the report.
        data: the CSV bytes (UTF-8).
        mapping: {field: CSV column}: time (or ts), artist, track required; album,
            ms_played, track_uri optional (``formats.MAPPING_FIELDS``).
        rule: counting rule to apply, or None to keep every play.
        tz: IANA zone of times written without an offset (None: UTC).

    Raises:
        ValueError: when ``tz`` is not an IANA time zone name.
    """
    if tz is not None and not is_timezone(tz):
        raise ValueError(f"{tz!r} is not a time zone name; use one like Europe/Madrid or UTC")
    return _ingest([(name, data)], rule, DEFAULT_LIMITS, mapping=mapping, tz=tz)


def load_mapped_paths(
    paths: Iterable[str | Path],
    mapping: Mapping[str, str],
    rule: CountingRule | None = None,
    tz: str | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> IngestResult:
    """Load CSV files from disk with one column mapping (the CLI's ``ingest --map``).

    See ``load_generic_csv`` for ``mapping`` and ``tz``; unreadable files are reported.
    """
    if tz is not None and not is_timezone(tz):
        raise ValueError(f"{tz!r} is not a time zone name; use one like Europe/Madrid or UTC")

    budget = A.Budget(limits)

    def read() -> Iterator[tuple[str, bytes | Exception]]:
        for path in _walk(paths):
            name = str(path)
            try:
                data = A.read_regular_file(path, limits)
                budget.spend(name, len(data))
                yield name, data
            except UnsupportedFileError as exc:
                yield name, exc
            except OSError as exc:
                yield name, UnsupportedFileError(name, f"cannot be read ({exc.strerror or exc})")

    return _ingest(read(), rule, limits, mapping=mapping, tz=tz)


def parse_mapping(text: str) -> dict[str, str]:
    """``"time=COL,artist=COL,track=COL"`` (the CLI's --map) -> {field: CSV column}.

    Raises:
        ValueError: naming an entry that is not ``field=column`` or a field we do not know.
    """
    mapping = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        field_name, sep, column = entry.partition("=")
        if not sep or not field_name.strip() or not column.strip():
            raise ValueError(f"--map entry {entry!r} is not field=COLUMN")
        if field_name.strip() not in F.MAPPING_FIELDS:
            known = ", ".join(k for k in F.MAPPING_FIELDS if k != S.TS)
            raise ValueError(f"--map field {field_name.strip()!r} is not one of {known}")
        mapping[field_name.strip()] = column.strip()
    return mapping


def add_plays(
    result: IngestResult, plays: pd.DataFrame, library: pd.DataFrame | None = None
) -> IngestResult:
    """``result`` with more plays and library rows (e.g. imported from Spotify), each once.

    Importing the same data again adds nothing: exact repeats of plays and library rows
    are dropped and counted in ``duplicates``. The shows found at load also apply to the
    new plays. Expects a result loaded without a counting rule (the UI's way).

    Args:
        result: what was loaded so far.
        plays: PLAYS to add (checked with ``schema.as_plays``).
        library: LIBRARY rows to add, or None.
    """
    both = pd.concat([result.plays, S.as_plays(plays, "added plays")], ignore_index=True)
    kept = mark_shows(dedupe_plays(both), result.shows)
    lib = result.library
    if library is not None and len(library):
        lib = dedupe_library(
            pd.concat([lib, S.as_library(library, "added library")], ignore_index=True)
        )
    return dataclasses.replace(
        result, plays=kept, library=lib, duplicates=result.duplicates + len(both) - len(kept)
    )
