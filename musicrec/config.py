"""Defaults that several modules share, one frozen dataclass per concern.

Engine-specific defaults (blend weights, context rules...) live next to their
engine; this module holds what data loading and counting need.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountingRule:
    """Which plays count as listens in statistics and models."""

    min_ms_played: int = 30_000
    """A play counts only if at least this many milliseconds were played (Last.fm's 30 s rule)."""
    include_podcasts: bool = False
    """Podcasts, audiobooks and videos are kept out of music stats unless this is True."""
    drop_unknown: bool = True
    """Drop Spotify's "Unknown Artist"/"Unknown Track" placeholder rows (local or unavailable files)."""
    music_artists: tuple[str, ...] = ()
    """Artists the person says are music although they were taken for a show (moved back in)."""
    show_artists: tuple[str, ...] = ()
    """Artists the person says are shows (podcasts, audiobooks) although they look like music."""


@dataclass(frozen=True)
class IngestLimits:
    """Safety limits applied to every uploaded file and zip member."""

    max_file_bytes: int = 512 * 1024 * 1024
    """Largest single file (or decompressed zip member) we accept."""
    max_zip_members: int = 5_000
    """Zips with more entries than this are refused."""
    max_total_uncompressed: int = 4 * 1024 * 1024 * 1024
    """Sum of decompressed zip member sizes above which a zip is refused as a bomb."""
    max_compression_ratio: float = 200.0
    """A member whose decompressed/compressed ratio is above this is refused as a bomb."""


DEFAULT_COUNTING = CountingRule()
DEFAULT_LIMITS = IngestLimits()
