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

    max_file_bytes: int = 64 * 1024 * 1024
    """Largest single file (or decompressed zip member) we accept. Spotify's own files are
    at most ~13 MiB; a 47 MiB account-format file peaks at ~530 MB while loading."""
    max_upload_bytes: int = 1024 * 1024 * 1024
    """Most bytes (plain files plus decompressed zip members) read in one load: bounds the
    memory of a load (1M extended-history records, 785 MB in 67 files, peak ~650 MB)."""
    max_zip_members: int = 5_000
    """Zips with more entries than this are refused."""
    max_total_uncompressed: int = 4 * 1024 * 1024 * 1024
    """Sum of decompressed zip member sizes above which a zip is refused as a bomb."""
    max_compression_ratio: float = 200.0
    """A member whose decompressed/compressed ratio is above this is refused as a bomb."""


DEFAULT_COUNTING = CountingRule()
DEFAULT_LIMITS = IngestLimits()


@dataclass(frozen=True)
class ShowRules:
    """How podcast and audiobook shows are told apart from music in exports that mix them.

    Old account exports (before Spotify split ``StreamingHistory_music_``/``_podcast_``)
    hold episodes with the show as ``artistName``. An "artist" is taken for a show when one
    of these holds (checked on its plays that carry no Spotify label, i.e. no track URI):
    it is among the shows of ``YourLibrary.json``; its name says podcast; at least
    ``min_long_titles`` of its titles were played ``long_ms`` or longer in one go, and they
    are at least ``min_long_share`` of its titles; most of its titles look like episodes
    ("#12", "Ep. 3", "Episode", "Folge"...) and one was played long; or it has at most
    ``few_titles`` titles and one was played ``very_long_ms`` or longer; or it has at most
    ``few_titles`` titles, all reading like episodes ("Topic: Subtitle") and one played
    long. An artist that is none of these gives up its long episode-like titles when it has
    ``min_episode_titles`` of them (a band sharing a show's name). Measured on the shared
    real histories: every show named in them is caught, and no music artist is.
    """

    long_ms: int = 12 * 60_000
    """A title played at least this long in one go is long (few songs are; episodes are)."""
    min_long_titles: int = 2
    """An artist needs at least this many long titles..."""
    min_long_share: float = 0.5
    """...making up at least this share of its distinct titles."""
    few_titles: int = 2
    """An artist with at most this many titles..."""
    very_long_ms: int = 28 * 60_000
    """...is a show when one of them was played this long (longer than nearly any song)."""
    min_episode_share: float = 0.5
    """Share of titles that look like episodes (with one long) that makes an artist a show."""
    min_episode_titles: int = 2
    """An artist not taken for a show gives up its long titles that look like episodes when it
    has at least this many (a band and a show sharing a name)."""


DEFAULT_SHOWS = ShowRules()


@dataclass(frozen=True)
class FeedbackRules:
    """How long like/dislike rows are kept, and how many (``musicrec.feedback``).

    When the app is served, each visit has a random session id: once that session ended its
    rows are never read again, yet their ``item_id`` may hold words from a private upload.
    """

    max_age_days: float = 2.0
    """A session's rows are deleted once its newest row is this old (sessions listed as
    lasting, such as the one id of a person's own machine, are kept)."""
    max_rows_per_session: int = 2_000
    """Each session keeps at most this many rows; its oldest go first."""
    prune_every_s: float = 3_600.0
    """Expired sessions are looked for at most this often (and when the store opens)."""


DEFAULT_FEEDBACK = FeedbackRules()
