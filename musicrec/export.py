"""Playlist exports: CSV, JSON and M3U bytes from a recommendation frame, safe to open.

Needs the columns rank, track, artist (album, genre, track_uri, reason and duration_ms are
used when present). Titles come from uploads, catalogs and Spotify, so they are untrusted:

- CSV: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  prefixed with ``'`` so a spreadsheet shows it as text instead of running it (OWASP's
  CSV-injection rule).
- M3U: control characters (newlines included), line separators and bidirectional overrides
  are removed from every title, so a title cannot add a location or directive line or
  disguise itself. Only a well-formed ``spotify:track:`` URI becomes a location line; a track
  without one gets a comment line, never a bare "artist - title" path.
- File names are a slug of the playlist's name (``playlist_filename``).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd

from musicrec import schema as S
from musicrec.errors import MusicrecError

_COLUMNS = [S.RANK, S.TRACK, S.ARTIST, S.ALBUM, S.GENRE, S.TRACK_URI, S.REASON]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SPOTIFY_TRACK = re.compile(r"spotify:track:[0-9A-Za-z]{22}")
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
FORMATS = {".csv": "text/csv", ".json": "application/json", ".m3u": "audio/x-mpegurl"}
"""File suffix -> MIME type of each export format."""


def _rows(recs: pd.DataFrame) -> pd.DataFrame:
    return recs[[c for c in _COLUMNS if c in recs.columns]]


def neutralise_cell(value: object) -> object:
    """``value`` made safe for a spreadsheet: text that would start a formula gets a ``'``.

    Numbers and missing values are returned unchanged (a negative number is not a formula).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def clean_text(value: object) -> str:
    """One line of plain text: control, line-separator and bidi-override characters removed.

    Every run of removed characters becomes one space; the result is stripped.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    out = []
    for ch in str(value):
        bad = ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        out.append(" " if bad else ch)
    return re.sub(r"\s{2,}", " ", "".join(out)).strip()


def to_csv(recs: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row; every text cell neutralised and quoted.

    Text cells are quoted (so a carriage return inside one stays inside it), numbers not.
    """
    rows = _rows(recs).astype(object).map(neutralise_cell)
    return rows.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def to_json(recs: pd.DataFrame) -> bytes:
    """A JSON list of objects, one per track (missing values as null)."""
    rows = _rows(recs).astype(object).where(_rows(recs).notna(), None).to_dict(orient="records")
    return json.dumps(rows, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def spotify_url(uri: object) -> str | None:
    """open.spotify.com link of a well-formed spotify:track: URI, else None."""
    track_id = spotify_track_id(uri)
    return "https://open.spotify.com/track/" + track_id if track_id else None


def spotify_track_id(uri: object) -> str | None:
    """The 22-character id of a well-formed spotify:track: URI, else None."""
    if isinstance(uri, str) and _SPOTIFY_TRACK.fullmatch(uri):
        return uri.rsplit(":", 1)[1]
    return None


def spotify_embed_url(uri: object) -> str | None:
    """Spotify's embed player for a track (played in the person's browser, no key), else None."""
    track_id = spotify_track_id(uri)
    return f"https://open.spotify.com/embed/track/{track_id}" if track_id else None


def spotify_search_url(artist: object, track: object) -> str:
    """open.spotify.com search for a track without a Spotify id (opens in the person's browser)."""
    from urllib.parse import quote

    query = f"{clean_text(artist)} {clean_text(track)}".strip()
    return "https://open.spotify.com/search/" + quote(query, safe="")


def to_m3u(recs: pd.DataFrame, title: str = "musicrec playlist") -> bytes:
    """Extended M3U: ``#EXTINF:<seconds>,<artist> - <title>`` then the track's location.

    The location is the track's ``spotify:track:`` URI; a track without one gets a comment
    line (``# no playable location``) so players skip it instead of opening a made-up path.
    """
    lines = ["#EXTM3U", f"#PLAYLIST:{clean_text(title) or 'musicrec playlist'}"]
    for row in recs.itertuples(index=False):
        d = getattr(row, S.DURATION_MS, None)
        seconds = int(d // 1000) if d is not None and not pd.isna(d) else -1
        name = f"{clean_text(row.artist)} - {clean_text(row.track)}"
        lines.append(f"#EXTINF:{seconds},{name}")
        uri = getattr(row, S.TRACK_URI, None)
        if isinstance(uri, str) and _SPOTIFY_TRACK.fullmatch(uri):
            lines.append(uri)
        else:
            lines.append("# no playable location for this track")
    return ("\n".join(lines) + "\n").encode("utf-8")


def playlist_title(mood: str | None, activity: str | None, hour: int | None) -> str:
    """A playlist's name from its request, e.g. "musicrec: chill, relax, 23:00"."""
    parts = [clean_text(x) for x in (mood, activity) if x]
    if hour is not None:
        parts.append(f"{int(hour) % 24:02d}:00")
    return "musicrec: " + ", ".join(parts) if parts else "musicrec playlist"


def playlist_filename(title: str | None, suffix: str) -> str:
    """A safe file name for a playlist: a lowercase ASCII slug of ``title`` plus ``suffix``.

    >>> playlist_filename("Chill · evening/../x", ".m3u")
    'chill-evening-x.m3u'
    """
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'musicrec-playlist'}{suffix}"


def export_bytes(recs: pd.DataFrame, suffix: str, title: str = "musicrec playlist") -> bytes:
    """The export of ``recs`` in the format named by a file suffix (.csv, .json, .m3u/.m3u8).

    Raises:
        MusicrecError: for any other suffix.
    """
    suffix = suffix.lower()
    if suffix == ".csv":
        return to_csv(recs)
    if suffix == ".json":
        return to_json(recs)
    if suffix in (".m3u", ".m3u8"):
        return to_m3u(recs, title)
    raise MusicrecError(f"can't export to '{suffix}' files; use .csv, .json or .m3u")


def write_export(recs: pd.DataFrame, path: str | Path, title: str = "musicrec playlist") -> Path:
    """Write ``recs`` to ``path`` in the format its suffix names; return the path.

    Raises:
        MusicrecError: when the suffix is not .csv, .json, .m3u or .m3u8.
    """
    path = Path(path)
    data = export_bytes(recs, path.suffix, title)
    path.write_bytes(data)
    return path
