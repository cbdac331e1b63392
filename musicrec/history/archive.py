"""Opening uploads safely: size limits, and the members of a zip worth reading.

``expand`` turns one payload into the (name, bytes) pairs to parse: the file itself, or
each text member of a zip. Anything wrong with a member (too big, a zip bomb, a path
escaping the archive) is that member's error, yielded in its place; the other members
still load.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from musicrec.config import IngestLimits
from musicrec.errors import FileTooLargeError, UnsafeArchiveError, UnsupportedFileError

__all__ = ["TEXT_SUFFIXES", "Budget", "check_size", "expand", "is_zip", "mib", "read_regular_file"]

TEXT_SUFFIXES = (".json", ".csv", ".tsv", ".txt")
"""File endings read inside a zip (and in folders); other members are ignored."""


def is_zip(name: str, data: bytes) -> bool:
    """True when ``data`` is a zip (by its magic bytes) or ``name`` says so."""
    return data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip")


def mib(size: int, limit: int | None = None) -> str:
    """``size`` bytes in MiB, with a decimal when whole MiB would hide that it is over ``limit``."""
    whole = f"{size / 2**20:,.0f}"
    if limit is not None and whole == f"{limit / 2**20:,.0f}":
        return f"{size / 2**20:,.2f} MiB"
    return f"{whole} MiB"


def check_size(name: str, size: int, limits: IngestLimits) -> None:
    """Raise FileTooLargeError naming ``name`` when ``size`` bytes is over the per-file limit."""
    if size > limits.max_file_bytes:
        raise FileTooLargeError(
            name,
            f"{mib(size, limits.max_file_bytes)} is over the {mib(limits.max_file_bytes)} "
            "limit per file",
        )


def read_regular_file(path: Path, limits: IngestLimits) -> bytes:
    """The bytes of ``path`` if it is a regular file within the per-file size limit.

    A device (``/dev/zero``), pipe (a FIFO named ``x.json``) or socket is refused without
    waiting for it (opened non-blocking), and the limit is enforced while reading, not only
    from ``stat`` (which says 0 bytes for ``/dev/zero`` and cannot see a file that grows).

    Raises:
        UnsupportedFileError: not a regular file.
        FileTooLargeError: over ``limits.max_file_bytes``.
        OSError: the file cannot be opened or read.
    """
    name = str(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsupportedFileError(
                name, "is not a regular file (a device, pipe or socket); give an export file"
            )
        check_size(name, info.st_size, limits)
        data = fh.read(limits.max_file_bytes + 1)
    check_size(name, len(data), limits)
    return data


class Budget:
    """The bytes one load may still read (``IngestLimits.max_upload_bytes``)."""

    def __init__(self, limits: IngestLimits) -> None:
        self.limits = limits
        self.spent = 0

    def spend(self, name: str, size: int) -> None:
        """Count ``size`` bytes read for ``name``.

        Raises:
            FileTooLargeError: naming ``name`` when the load would go over its limit
                (the bytes are then not counted, so smaller files after it may still fit).
        """
        if self.spent + size > self.limits.max_upload_bytes:
            raise FileTooLargeError(
                name,
                f"not read: this load already holds {mib(self.spent)} and the limit for one "
                f"load is {mib(self.limits.max_upload_bytes)}; load the rest separately",
            )
        self.spent += size


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
        escapes = norm == ".." or norm.startswith("../")  # "..MyData/x.json" stays inside
        if member.startswith(("/", "\\")) or escapes or ":" in member.split("/")[0]:
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
                f"entries expand to over {mib(limits.max_total_uncompressed)} (looks like a zip bomb); refused",
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


def expand(name: str, data: bytes, limits: IngestLimits) -> Iterator[tuple[str, bytes | Exception]]:
    """Yield (name, bytes) for a plain file, or each text member of a zip (or that member's error).

    Args:
        name: the file name shown in reports; members are named ``name/member``.
        data: the raw bytes of the file.
        limits: size and archive safety limits.

    Yields:
        (name, bytes) to parse, or (name, UnsupportedFileError) for what cannot be read.
    """
    if not is_zip(name, data):
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
            if not info.filename.lower().endswith(TEXT_SUFFIXES):
                continue
            if info.flag_bits & 0x1:
                yield (
                    inner,
                    UnsupportedFileError(
                        inner, "is encrypted (password-protected); unzip it with its password first"
                    ),
                )
                continue
            try:
                check_size(inner, info.file_size, limits)
                member = _read_member(archive, info, limits)
                check_size(inner, len(member), limits)
            except NotImplementedError:  # Deflate64, PPMd...: methods zipfile cannot read
                yield (
                    inner,
                    UnsupportedFileError(
                        inner,
                        f"is compressed with a method this app cannot read (zip method "
                        f"{info.compress_type}); unzip it and load the files, or zip them again",
                    ),
                )
                continue
            except (RuntimeError, zlib.error, ValueError) as exc:  # e.g. encrypted, corrupt
                yield inner, UnsupportedFileError(inner, f"unreadable zip entry ({exc})")
                continue
            except (UnsupportedFileError, zipfile.BadZipFile, OSError, EOFError) as exc:
                err = (
                    exc
                    if isinstance(exc, UnsupportedFileError)
                    else UnsupportedFileError(inner, f"unreadable zip entry ({exc})")
                )
                yield inner, err
                continue
            yield inner, member
