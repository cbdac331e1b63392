"""Playlist exports: CSV, JSON and M3U bytes from a recommendation frame.

Needs the columns rank, track, artist, album, track_uri, reason (duration_ms optional).
"""

from __future__ import annotations

import json

import pandas as pd

from musicrec import schema as S

_COLUMNS = [S.RANK, S.TRACK, S.ARTIST, S.ALBUM, S.GENRE, S.TRACK_URI, S.REASON]


def _rows(recs: pd.DataFrame) -> pd.DataFrame:
    return recs[[c for c in _COLUMNS if c in recs.columns]]


def to_csv(recs: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row."""
    return _rows(recs).to_csv(index=False).encode("utf-8")


def to_json(recs: pd.DataFrame) -> bytes:
    """A JSON list of objects, one per track (missing values as null)."""
    rows = _rows(recs).astype(object).where(_rows(recs).notna(), None).to_dict(orient="records")
    return json.dumps(rows, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def spotify_url(uri: object) -> str | None:
    """open.spotify.com link of a spotify:track: URI, else None."""
    if isinstance(uri, str) and uri.startswith("spotify:track:"):
        return "https://open.spotify.com/track/" + uri.rsplit(":", 1)[1]
    return None


def to_m3u(recs: pd.DataFrame, title: str = "musicrec playlist") -> bytes:
    """Extended M3U: #EXTINF:<seconds>,<artist> - <title> then the Spotify link (or the name)."""
    lines = ["#EXTM3U", f"#PLAYLIST:{title}"]
    for row in recs.itertuples(index=False):
        d = getattr(row, S.DURATION_MS, None)
        seconds = int(d // 1000) if d is not None and not pd.isna(d) else -1
        name = f"{row.artist} - {row.track}"
        lines.append(f"#EXTINF:{seconds},{name}")
        lines.append(spotify_url(getattr(row, S.TRACK_URI, None)) or name)
    return ("\n".join(lines) + "\n").encode("utf-8")
