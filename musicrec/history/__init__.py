"""Load listening history from any export into one PLAYS table (and a LIBRARY table).

Public API:
    load_paths(paths, rule=None, limits=DEFAULT_LIMITS) -> IngestResult
    load_uploads([(name, bytes), ...], rule=None, limits=DEFAULT_LIMITS) -> IngestResult
    load_generic_csv(name, data, mapping) -> IngestResult
    apply_counting_rule(plays, rule) -> plays

Formats are recognised by content (see ``musicrec.history.formats``). One bad
file never stops the others: its ``FileReport.error`` says what is wrong.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from musicrec import schema as S
from musicrec.config import DEFAULT_LIMITS, CountingRule, IngestLimits
from musicrec.errors import (
    FileTooLargeError,
    UnrecognisedFileError,
    UnsafeArchiveError,
    UnsupportedFileError,
)
from musicrec.history import formats as F
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
SKIPPED = "skipped"
_TEXT_SUFFIXES = (".json", ".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class FileReport:
    """One input file (or zip member): what it was and what it gave."""

    path: str
    format: str | None
    records: int
    kept: int
    error: str | None = None

    def as_dict(self) -> dict:
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


# --- reading one payload -----------------------------------------------------------


def _parse_payload(name: str, data: bytes, mapping: Mapping[str, str] | None = None) -> F.Parsed:
    """Parse one file's bytes; anything wrong with them is an UnsupportedFileError naming the file."""
    try:
        return _parse_known(name, data, mapping)
    except (TypeError, ValueError, OverflowError) as exc:  # e.g. a flag of 1, a 30-digit duration
        raise UnsupportedFileError(
            name, f"some records hold values of an unexpected type or size ({exc})"
        ) from exc


def _parse_known(name: str, data: bytes, mapping: Mapping[str, str] | None) -> F.Parsed:
    lower = name.lower()
    if mapping is not None:
        return F.parse_generic_csv(name, F.decode_text(name, data), mapping)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"[":
        columns = F.fast_extended(data)
        if columns is not None:
            return F.parse_extended(name, columns, video_file="video" in posixpath.basename(lower))
    if stripped[:1] in (b"[", b"{") or lower.endswith(".json"):
        payload = F.parse_json(name, data)
        fmt = F.detect_json(name, payload)
        video = "video" in posixpath.basename(lower)
        if fmt == F.SPOTIFY_EXTENDED:
            return F.parse_extended(name, payload, video_file=video)
        return F.JSON_PARSERS[fmt](name, payload)
    return F.parse_csv(name, F.decode_text(name, data))


def _check_size(name: str, size: int, limits: IngestLimits) -> None:
    if size > limits.max_file_bytes:
        raise FileTooLargeError(
            name,
            f"{size / 1e6:.0f} MB is over the {limits.max_file_bytes / 1e6:.0f} MB limit per file",
        )


def _safe_members(
    name: str, archive: zipfile.ZipFile, limits: IngestLimits
) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_zip_members:
        raise UnsafeArchiveError(
            name, f"the zip has {len(infos)} entries (limit {limits.max_zip_members})"
        )
    total = 0
    members = []
    for info in infos:
        member = info.filename
        norm = posixpath.normpath(member.replace("\\", "/"))
        if member.startswith(("/", "\\")) or norm.startswith("..") or ":" in member.split("/")[0]:
            raise UnsafeArchiveError(
                name, f"entry {member!r} points outside the archive (path traversal); refused"
            )
        if info.is_dir():
            continue
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio and info.file_size > 1_000_000:
            raise UnsafeArchiveError(
                name, f"entry {member!r} expands {ratio:.0f}x (looks like a zip bomb); refused"
            )
        if total > limits.max_total_uncompressed:
            raise UnsafeArchiveError(
                name,
                f"entries expand to over {limits.max_total_uncompressed / 1e9:.1f} GB (looks like a zip bomb); refused",
            )
        parts = norm.split("/")
        if "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1].startswith("."):
            continue
        members.append(info)
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: IngestLimits) -> bytes:
    """Read a member, never more than the limit even if its header lies about its size."""
    with archive.open(info) as fh:
        data = fh.read(limits.max_file_bytes + 1)
    return data


def _expand(
    name: str, data: bytes, limits: IngestLimits
) -> Iterator[tuple[str, bytes | Exception]]:
    """Yield (name, bytes) for a plain file, or each text member of a zip (or the error)."""
    if data[:4] != b"PK\x03\x04" and not name.lower().endswith(".zip"):
        yield name, data
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        yield name, UnsupportedFileError(name, f"not a readable zip file ({exc})")
        return
    with archive:
        try:
            members = _safe_members(name, archive, limits)
        except UnsafeArchiveError as exc:
            yield name, exc
            return
        for info in members:
            inner = f"{name}/{info.filename}"
            if info.filename.lower().endswith(".zip"):
                yield (
                    inner,
                    UnsupportedFileError(inner, "zips inside zips are not read; unzip it first"),
                )
                continue
            if not info.filename.lower().endswith(_TEXT_SUFFIXES):
                continue
            try:
                _check_size(inner, info.file_size, limits)
                member = _read_member(archive, info, limits)
                _check_size(inner, len(member), limits)
            except (UnsupportedFileError, zipfile.BadZipFile, OSError, EOFError) as exc:
                err = (
                    exc
                    if isinstance(exc, UnsupportedFileError)
                    else UnsupportedFileError(inner, f"unreadable zip entry ({exc})")
                )
                yield inner, err
                continue
            yield inner, member


# --- public loaders ------------------------------------------------------------------


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
    items: Iterable[tuple[str, bytes | Exception]],
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
        is_zip = data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip")
        found_in_zip = 0
        for inner, payload in _expand(name, data, limits):
            if isinstance(payload, Exception):
                reports.append(FileReport(inner, None, 0, 0, str(payload)))
                continue
            try:
                _check_size(inner, len(payload), limits)
                result = _parse_payload(inner, payload, mapping)
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
                _check_size(name, len(data), limits)
            except FileTooLargeError as exc:
                yield name, exc
                continue
            yield name, data

    return _ingest(checked(), rule, limits, progress=progress, total=len(files))


PARALLEL_MIN_FILES = 8
"""load_paths parses plain JSON files in worker processes when there are at least this many..."""
PARALLEL_MIN_BYTES = 64 * 1024 * 1024
"""...and together they are at least this big (below that, starting workers costs more than it saves)."""


def _parse_path(path: Path, limits: IngestLimits) -> F.Parsed | Exception:
    """Worker: read and parse one plain file; errors are returned, not raised."""
    name = str(path)
    try:
        _check_size(name, path.stat().st_size, limits)
        return _parse_payload(name, path.read_bytes())
    except UnsupportedFileError as exc:
        return exc
    except OSError as exc:
        return UnsupportedFileError(name, f"cannot be read ({exc.strerror or exc})")


def _parallel_parse(paths: list[Path], limits: IngestLimits) -> dict[Path, F.Parsed | Exception]:
    """Parse many large plain JSON files on every core: here and in forked helper processes.

    Helpers take files from the front of the list and this process from the back, so all
    finish at about the same time, and no process sits waiting. Results (Arrow tables) come
    back pickled; fork means helpers start at once and share the loaded code.
    """
    import multiprocessing as mp
    import os
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    plain = [p for p in paths if p.suffix.lower() == ".json"]
    cores = os.cpu_count() or 1
    if (
        cores < 2
        or len(plain) < PARALLEL_MIN_FILES
        or sum(p.stat().st_size for p in plain) < PARALLEL_MIN_BYTES
    ):
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
                running[pool.submit(_parse_path, path, limits)] = path
            for future in [f for f in running if f.done()]:
                done[running.pop(future)] = future.result()
            if todo:
                path = todo.pop()
                done[path] = _parse_path(path, limits)
        for future, path in running.items():
            done[path] = future.result()
    return done


def _walk(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(
                q
                for q in p.rglob("*")
                if q.is_file() and q.suffix.lower() in (*_TEXT_SUFFIXES, ".zip")
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
    done = _parallel_parse(files, limits)

    def read() -> Iterator[tuple[str, bytes | Exception | F.Parsed]]:
        for path in files:
            name = str(path)
            if path in done:
                yield name, done[path]
                continue
            try:
                _check_size(name, path.stat().st_size, limits)
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
