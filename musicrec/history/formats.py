"""Parsers for every history format we read, each recognised by its content.

Each parser takes the decoded payload of one file and returns a ``Parsed``:
the raw record count, and the rows it yields as a PLAYS and/or LIBRARY frame.
Personal fields (IP addresses, user agents, user names) are never read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import operator
import posixpath
import re
import urllib.parse
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from musicrec import schema as S
from musicrec.errors import UnrecognisedFileError, UnsupportedFileError
from musicrec.history import plays_table as T

# Format names shown in reports
SPOTIFY_ACCOUNT = "spotify-account"
SPOTIFY_EXTENDED = "spotify-extended"
SPOTIFY_LIBRARY = "spotify-library"
SPOTIFY_PLAYLISTS = "spotify-playlists"
LASTFM_GHAN = "lastfm-csv"
LASTFM_R = "lastfm-csv-r"
LASTFM_BENFOXALL = "lastfm-csv-noheader"
GENERIC_CSV = "generic-csv"

_EXTENDED_KEYS = {"ts", "ms_played"}
_ACCOUNT_TIME = "endTime"


@dataclass(frozen=True)
class Parsed:
    """What one file yielded: plays as an Arrow table (``plays_table.SCHEMA``), library rows.

    ``library`` is None for files without library rows (building an empty frame per file
    would cost more than parsing a small one).
    """

    format: str
    records: int
    plays: pa.Table = field(default_factory=T.empty)
    library: pd.DataFrame | None = None
    bad: int = 0
    """Records left out because a value in them could not be read (counted, never silent)."""
    shows: tuple[str, ...] = ()
    """Podcast shows the person follows (YourLibrary.json "shows"), to tell episodes apart."""


NOT_LISTENING_FILES = frozenset(
    name.lower()
    for name in (
        "Userdata.json", "Identity.json", "Identifiers.json", "UserAddress.json",
        "Payments.json", "SearchQueries.json", "Follow.json", "Inferences.json",
        "Marquee.json", "YourSoundCapsule.json", "CustomerServiceHistory.json",
        "FamilyPlan.json", "DuoNewFamily.json", "MessageData.json", "Podcasts.json",
        "PodcastInteractivityRatedShow.json", "ConnectedDevices.json", "Voice.json",
    )
)  # fmt: skip
"""Files of a Spotify account export that hold no listening (some, like UserAddress.json, are not even JSON)."""
_WRAPPED = re.compile(r"wrapped\d{4}\.json")


def not_listening_file(path: str) -> bool:
    """True for a file Spotify puts in an account export that holds no listening, by its name."""
    base = posixpath.basename(path.replace("\\", "/")).lower()
    return base in NOT_LISTENING_FILES or _WRAPPED.fullmatch(base) is not None


def decode_text(path: str, data: bytes) -> str:
    """UTF-8 text (a BOM is tolerated) or a specific error naming the file."""
    if not data.strip():
        raise UnsupportedFileError(path, "the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedFileError(
            path,
            f"not UTF-8 text (invalid byte at position {exc.start}); re-export it or save it as UTF-8",
        ) from None


def parse_json(path: str, data: bytes) -> Any:
    """orjson-parse ``data``; truncated or invalid JSON gives a specific error.

    Numbers JSON cannot hold in a double (``1e400``) and the ``NaN``/``Infinity`` some tools
    write are read as float infinity/NaN (by the standard library), so they cost only the
    records holding them.
    """
    if not data.strip():
        raise UnsupportedFileError(path, "the file is empty")
    body = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            pass
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as uexc:
            raise UnsupportedFileError(
                path, f"not UTF-8 text (invalid byte at position {uexc.start})"
            ) from None
        msg = str(exc)
        hint = (
            "the file looks truncated (cut off before its end)"
            if "EOF" in msg or "unexpected end" in msg.lower()
            else "not valid JSON"
        )
        raise UnsupportedFileError(path, f"{hint}: {msg}") from None


def detect_json(path: str, payload: Any) -> str:
    """Name the JSON format from its shape and keys (the file name is not used)."""
    if isinstance(payload, dict):
        if isinstance(payload.get("playlists"), list):
            return SPOTIFY_PLAYLISTS
        if isinstance(payload.get("tracks"), list):
            return SPOTIFY_LIBRARY
        raise UnrecognisedFileError(
            path, "JSON object is neither a Spotify library (tracks) nor playlists (playlists)"
        )
    if not isinstance(payload, list):
        raise UnrecognisedFileError(path, "JSON is not a list of plays")
    if not payload:
        raise UnrecognisedFileError(path, "the file holds no records (an empty list)")
    first = next((r for r in payload if isinstance(r, dict)), None)
    if first is None:
        raise UnrecognisedFileError(path, "JSON list holds no objects: not a listening history")
    keys = set(first)
    if keys >= _EXTENDED_KEYS:
        return SPOTIFY_EXTENDED
    if _ACCOUNT_TIME in keys and "msPlayed" in keys:
        return SPOTIFY_ACCOUNT
    shown = ", ".join(sorted(keys)[:8])
    raise UnrecognisedFileError(
        path,
        f"unrecognised records (keys: {shown}); expected Spotify streaming history (endTime/msPlayed or ts/ms_played)",
    )


TEXT_VALUE, NUMBER_VALUE, FLAG_VALUE = "text", "number", "flag"


def _readable(value: Any, kind: str) -> bool:
    """Whether one value of a record is of the kind its field holds (None always is)."""
    if value is None:
        return True
    if kind == TEXT_VALUE:
        return isinstance(value, str)
    if kind == FLAG_VALUE:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    return isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 2**63


def good_records(
    path: str, records: list, fields: Mapping[str, str], required: tuple[str, ...]
) -> tuple[list[dict], int]:
    """The records whose every field holds a readable value, and how many were left out.

    A record is left out when it is not a JSON object, lacks a ``required`` field, or holds
    a value of the wrong kind (an artist that is a number or a list, a flag of "yes", a
    duration of "abc", 1e400 or NaN). One bad value costs its record, not the file.

    Raises:
        UnsupportedFileError: when there are records but none of them is readable.
    """
    good = []
    problem = None
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            problem = problem or f"record {i} is not a JSON object"
            continue
        missing = next((k for k in required if rec.get(k) is None), None)
        wrong = next((k for k, kind in fields.items() if not _readable(rec.get(k), kind)), None)
        if missing is None and wrong is None:
            good.append(rec)
        elif problem is None:
            problem = (
                f"record {i} has no {missing}"
                if missing is not None
                else f"record {i} holds an unreadable {wrong} (a value of an unexpected type or size)"
            )
    if records and not good:
        raise UnsupportedFileError(
            path, f"none of its {len(records)} records is readable: {problem}"
        )
    return good, len(records) - len(good)


class Columns:
    """Typed records from the fast decoder, read a column at a time; stands in for the record list.

    The values were type-checked while decoding (text is str or None, flags bool or None,
    durations int, float or None), so a column goes to Arrow without a Python list.
    """

    def __init__(self, records: list[msgspec.Struct]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def column(self, key: str) -> Iterator[Any]:
        """A fresh iterator over one field of every record."""
        return map(operator.attrgetter(key), self.records)

    def blank(self, keys: tuple[str, ...]) -> bool:
        """True when no record has a value for any of ``keys`` (stops at the first that has).

        One pass for all of them, instead of one per key when converting each to Arrow.
        """
        nothing = (None,) * len(keys)
        values = map(operator.attrgetter(*keys), self.records)
        return next(filter(nothing.__ne__, values), None) is None


class _ExtendedRecord(msgspec.Struct, gc=False):
    """The extended-history fields we use; everything else (IP addresses, user names...) is skipped unread.

    ``gc=False``: the fields are scalars, so a record can never be part of a reference
    cycle, and a million records need not be tracked (or scanned) by the garbage collector.
    """

    ts: str | None = None
    ms_played: int | float | None = None
    platform: str | None = None
    conn_country: str | None = None
    master_metadata_track_name: str | None = None
    master_metadata_album_artist_name: str | None = None
    master_metadata_album_album_name: str | None = None
    spotify_track_uri: str | None = None
    episode_name: str | None = None
    episode_show_name: str | None = None
    spotify_episode_uri: str | None = None
    audiobook_title: str | None = None
    audiobook_uri: str | None = None
    audiobook_chapter_title: str | None = None
    reason_start: str | None = None
    reason_end: str | None = None
    shuffle: bool | None = None
    skipped: bool | None = None


_EXTENDED_DECODER = msgspec.json.Decoder(list[_ExtendedRecord])
_NOT_MUSIC_FIELDS = (
    "episode_name",
    "episode_show_name",
    "spotify_episode_uri",
    "audiobook_title",
    "audiobook_uri",
    "audiobook_chapter_title",
)
"""Podcast and audiobook fields: missing in every record of most music histories."""


def fast_extended(data: bytes) -> Columns | None:
    """Decode an extended-history file straight into columns with msgspec (measured ~1.6x faster
    than orjson to dicts, and unused personal fields are never materialised).

    Returns None when the bytes do not look like extended history or do not fit the typed
    schema; the caller then takes the generic path, which gives the precise error.
    """
    head = data[:4096]
    if b'"ms_played"' not in head or b'"ts"' not in head:
        return None
    try:
        recs = _EXTENDED_DECODER.decode(data[3:] if data[:3] == b"\xef\xbb\xbf" else data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if not recs:
        return None
    return Columns(recs)


def _col(records: list[dict] | Columns, key: str) -> list:
    if isinstance(records, Columns):
        return list(records.column(key))
    return [r.get(key) for r in records]


def _text(values: list) -> pa.Array:
    try:  # pyarrow converts a list of str ~10x faster than pandas' own constructor
        return pa.array(values, type=T.TEXT)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=T.TEXT)


def _strings(values: list) -> pd.Series:
    return pd.Series(pd.array(_text(values), dtype="string"))


def _booleans(values: list) -> pd.Series:
    return pd.Series(values, dtype="object").astype("boolean")


def _ms(path: str, values: list) -> pd.Series:
    ms = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
    ms = ms.astype("float64").where(lambda s: (s >= 0) & (s < 2**63))  # beyond: not a duration
    if ms.isna().all() and len(ms):
        raise UnsupportedFileError(
            path, "no record has a readable play duration (ms_played/msPlayed)"
        )
    return ms.round().astype("Int64")


EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
LATEST = pd.Timestamp("2100-01-01", tz="UTC")
"""Times outside [EARLIEST, LATEST) are not real plays (Spotify writes 9999-12-31 for "unknown")."""


def _timestamps(path: str, values: list, fmt: str, *, typed: bool = False) -> pd.Series:
    """Parse to datetime64[ns, UTC]; unreadable or implausible values become NaT (``typed``: all str or None)."""
    raw = np.asarray(values, dtype=object) if typed else pd.Series(values, dtype="string")
    ts = pd.Series(pd.to_datetime(raw, format=fmt, utc=True, errors="coerce"))
    ts = ts.where((ts >= EARLIEST) & (ts < LATEST))
    if len(ts) and ts.isna().all():
        raise UnsupportedFileError(
            path, f"no record has a readable timestamp (expected format {fmt})"
        )
    return ts.astype("datetime64[ns, UTC]")


_PLATFORM_RULES = [
    (token, re.compile(pattern))
    for token, pattern in [
        ("android", "android"), ("ios", r"\bios\b|iphone|ipad"), ("windows", "windows"),
        ("osx", r"os ?x|mac"), ("linux", "linux"), ("web", "web"),
        ("cast", "cast|sonos|speaker|tv|partner|ps4|xbox|alexa"),
    ]
]  # fmt: skip
"""Coarse platform tokens; the first rule that matches the lower-cased platform string wins."""


def platform_token(raw: str) -> str | None:
    """A verbose platform string ("iOS 13.3.1 (iPhone10,3)") -> its coarse token ("ios").

    Unmatched strings give "other"; "not_applicable" and "unknown" give None.
    """
    low = raw.lower()
    for token, pattern in _PLATFORM_RULES:
        if pattern.search(low):
            return token
    return None if low in ("not_applicable", "unknown") else "other"


def _text_column(records: list[dict] | Columns, key: str) -> pa.Array:
    if isinstance(records, Columns):
        return pa.array(records.column(key), type=T.TEXT, size=len(records))
    return _text(_col(records, key))


def _durations(path: str, records: list[dict] | Columns) -> pa.Array:
    """Play durations as int64 milliseconds (rounded), as ``_ms`` gives them."""
    if isinstance(records, Columns):
        try:
            arr = pa.array(records.column("ms_played"), size=len(records))
            if pa.types.is_floating(arr.type):
                arr = pc.round(arr).cast(pa.int64())
            if pa.types.is_integer(arr.type) and arr.null_count < len(arr):
                return arr.cast(pa.int64())
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass  # e.g. integers beyond int64: the general path below decides
    return pa.array(_ms(path, _col(records, "ms_played")).array)


def _flags(records: list[dict] | Columns, key: str) -> pa.Array:
    if isinstance(records, Columns):
        return pa.array(records.column(key), type=pa.bool_(), size=len(records))
    return pa.array(_booleans(_col(records, key)).array)


def _plays_frame(cols: Mapping[str, Any], n: int) -> pd.DataFrame:
    return S.as_plays(pd.DataFrame(dict(cols), index=range(n)), "parsed plays")


_ACCOUNT_FIELDS = {
    _ACCOUNT_TIME: TEXT_VALUE, "msPlayed": NUMBER_VALUE, "artistName": TEXT_VALUE,
    "trackName": TEXT_VALUE, "podcastName": TEXT_VALUE, "episodeName": TEXT_VALUE,
    "audiobookName": TEXT_VALUE, "authorName": TEXT_VALUE,
}  # fmt: skip


def parse_account(path: str, records: list[dict]) -> Parsed:
    """Spotify account data: StreamingHistory*.json (music, podcast or audiobook rows).

    Records with an unreadable value, an end time that is not a date (9999-12-31) or no
    duration are left out and counted in ``Parsed.bad``.
    """
    total = len(records)
    records, bad = good_records(path, records, _ACCOUNT_FIELDS, (_ACCOUNT_TIME, "msPlayed"))
    n = len(records)
    artist = _col(records, "artistName")
    track = _col(records, "trackName")
    podcast = _col(records, "podcastName")
    episode = _col(records, "episodeName")
    book = _col(records, "audiobookName")
    kind = np.where(
        [a is not None for a in artist], S.KIND_MUSIC,
        np.where([p is not None for p in podcast], S.KIND_PODCAST,
                 np.where([b is not None for b in book], S.KIND_AUDIOBOOK, S.KIND_MUSIC)),
    )  # fmt: skip
    artist_s = (
        _strings(artist).fillna(_strings(podcast)).fillna(_strings(_col(records, "authorName")))
    )
    track_s = _strings(track).fillna(_strings(episode)).fillna(_strings(book))
    if artist_s.isna().all() and track_s.isna().all():
        raise UnsupportedFileError(path, "records have no artist/track (or podcast/episode) names")
    cols = {
        S.TS: _timestamps(path, _col(records, _ACCOUNT_TIME), "%Y-%m-%d %H:%M"),
        S.TRACK: track_s,
        S.ARTIST: artist_s,
        S.MS_PLAYED: _ms(path, _col(records, "msPlayed")),
        S.KIND: pd.Series(kind, dtype="string"),
        S.SOURCE: pd.Series([path] * n, dtype="string"),
    }
    plays = _plays_frame(cols, n).dropna(subset=[S.TS, S.MS_PLAYED])
    bad += n - len(plays)
    if plays.empty:
        raise UnsupportedFileError(path, f"none of its {total} records has a readable time")
    return Parsed(SPOTIFY_ACCOUNT, total, plays=T.from_frame(plays), bad=bad)


_EXTENDED_FIELDS = {
    name: (
        NUMBER_VALUE
        if name == "ms_played"
        else FLAG_VALUE
        if name in ("shuffle", "skipped")
        else TEXT_VALUE
    )
    for name in _ExtendedRecord.__struct_fields__
}


def parse_extended(path: str, records: list[dict] | Columns, *, video_file: bool = False) -> Parsed:
    """Spotify extended history: Streaming_History_Audio/Video_*.json and legacy endsong_*.json.

    Records with an unreadable value, a time that is not a date or no duration are left out
    and counted in ``Parsed.bad``.
    """
    total = len(records)
    bad = 0
    if not isinstance(records, Columns):
        records, bad = good_records(path, records, _EXTENDED_FIELDS, ("ts", "ms_played"))
    n = len(records)
    music_only = isinstance(records, Columns) and records.blank(_NOT_MUSIC_FIELDS)

    def text(key: str) -> pa.Array:
        if music_only and key in _NOT_MUSIC_FIELDS:
            return pa.nulls(n, type=T.TEXT)
        return _text_column(records, key)

    episode_name = text("episode_name")
    book_title = text("audiobook_title")
    is_episode = pc.or_(text("spotify_episode_uri").is_valid(), episode_name.is_valid())
    is_book = pc.or_(book_title.is_valid(), text("audiobook_uri").is_valid())
    kind_codes = np.where(
        is_episode.to_numpy(zero_copy_only=False),
        1,
        np.where(is_book.to_numpy(zero_copy_only=False), 2, 0),
    ).astype(np.int32)
    music_kind = S.KIND_VIDEO if video_file else S.KIND_MUSIC
    kinds = pa.array([music_kind, S.KIND_PODCAST, S.KIND_AUDIOBOOK], type=T.TEXT)
    ts = _timestamps(path, _col(records, "ts"), "ISO8601", typed=isinstance(records, Columns))
    columns = {
        S.TS: pa.array(ts.array),
        S.TRACK: pc.coalesce(
            text("master_metadata_track_name"),
            episode_name,
            text("audiobook_chapter_title"),
            book_title,
        ),
        S.ARTIST: pc.coalesce(
            text("master_metadata_album_artist_name"), text("episode_show_name"), book_title
        ),
        S.ALBUM: text("master_metadata_album_album_name"),
        S.MS_PLAYED: _durations(path, records),
        S.TRACK_URI: text("spotify_track_uri"),
        S.KIND: pa.DictionaryArray.from_arrays(pa.array(kind_codes), kinds),
        S.SKIPPED: _flags(records, "skipped"),
        S.REASON_START: T.coded(text("reason_start")),
        S.REASON_END: T.coded(text("reason_end")),
        S.SHUFFLE: _flags(records, "shuffle"),
        S.PLATFORM: T.coded(text("platform"), platform_token),
        S.COUNTRY: T.coded(text("conn_country"), lambda code: None if code == "ZZ" else code),
        S.SOURCE: T.constant(path, n),
    }
    plays = pa.Table.from_arrays([columns[c] for c in T.SCHEMA.names], schema=T.SCHEMA)
    if ts.hasnans or plays[S.MS_PLAYED].null_count:
        plays = plays.filter(pc.and_(plays[S.TS].is_valid(), plays[S.MS_PLAYED].is_valid()))
        bad += n - plays.num_rows
        if not plays.num_rows:
            raise UnsupportedFileError(
                path, f"none of its {total} records has a readable time and duration"
            )
    return Parsed(SPOTIFY_EXTENDED, total, plays=plays, bad=bad)


def _library_frame(rows: dict[str, list], n: int) -> pd.DataFrame:
    frame = pd.DataFrame({c: rows.get(c, [None] * n) for c in S.LIBRARY_COLUMNS}, index=range(n))
    frame[S.ADDED_AT] = pd.to_datetime(
        frame[S.ADDED_AT], errors="coerce", utc=True, format="ISO8601"
    )
    return S.as_library(frame, "parsed library")


def _local_track(uri: str) -> tuple[str | None, str | None, str | None]:
    """spotify:local:<artist>:<album>:<title>:<seconds> (URL-encoded, + for spaces)."""
    parts = uri.split(":")
    if len(parts) < 6:
        return None, None, None
    dec = [urllib.parse.unquote_plus(p) or None for p in parts[2:5]]
    return dec[0], dec[1], dec[2]


def parse_playlists(path: str, payload: dict) -> Parsed:
    """Playlist*.json: every track (or local track) of every playlist becomes a LIBRARY row.

    Reads today's shape (``playlists[].items[].track``) and the 2019 one
    (``playlists[].tracks[] = {trackName, artistName, albumName, trackUri}``).
    """
    rows: dict[str, list] = {c: [] for c in S.LIBRARY_COLUMNS}
    records = 0
    for pl in payload["playlists"]:
        if not isinstance(pl, dict):
            raise UnsupportedFileError(path, "a playlist entry is not a JSON object")
        entries = pl.get("items") or pl.get("tracks") or []
        if not isinstance(entries, list):
            continue
        for item in entries:
            records += 1
            if not isinstance(item, dict):
                continue
            track = item.get("track") if "track" in item else item if "trackName" in item else None
            local = item.get("localTrack")
            if isinstance(track, dict):
                values = (
                    track.get("trackName"),
                    track.get("artistName"),
                    track.get("albumName"),
                    track.get("trackUri"),
                )
            elif isinstance(local, dict) and local.get("uri"):
                artist, album, title = _local_track(local["uri"])
                values = (title, artist, album, None)
            else:
                continue  # episodes and audiobooks are not music signals
            for col, v in zip((S.TRACK, S.ARTIST, S.ALBUM, S.TRACK_URI), values, strict=True):
                rows[col].append(v)
            rows[S.LIB_KIND].append("playlist")
            rows[S.PLAYLIST].append(pl.get("name"))
            rows[S.ADDED_AT].append(item.get("addedDate"))
            rows[S.SOURCE].append(path)
    n = len(rows[S.TRACK])
    return Parsed(SPOTIFY_PLAYLISTS, records, library=_library_frame(rows, n))


def parse_library(path: str, payload: dict) -> Parsed:
    """YourLibrary.json: liked tracks become LIBRARY rows; all list entries are counted as records."""
    records = sum(len(v) for v in payload.values() if isinstance(v, list))
    tracks = [t for t in payload["tracks"] if isinstance(t, dict)]
    n = len(tracks)
    rows = {
        S.LIB_KIND: ["liked"] * n,
        S.PLAYLIST: [None] * n,
        S.TRACK: _col(tracks, "track"),
        S.ARTIST: _col(tracks, "artist"),
        S.ALBUM: _col(tracks, "album"),
        S.TRACK_URI: _col(tracks, "uri"),
        S.ADDED_AT: [None] * n,
        S.SOURCE: [path] * n,
    }
    shows = tuple(
        s["name"]
        for s in payload.get("shows") or []
        if isinstance(s, dict) and isinstance(s.get("name"), str)
    )
    return Parsed(SPOTIFY_LIBRARY, records, library=_library_frame(rows, n), shows=shows)


# --- CSV -----------------------------------------------------------------------

_MONTH_TIME = "%d %b %Y %H:%M"


def _read_csv(path: str, text: str, **kwargs: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text), dtype="string", keep_default_na=False, na_values=[""], **kwargs
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise UnsupportedFileError(path, f"not a readable CSV: {exc}") from None


def _csv_plays(
    path: str, fmt: str, frame: pd.DataFrame, ts: pd.Series, mapping: Mapping[str, str]
) -> Parsed:
    n = len(frame)
    ts = ts.where((ts >= EARLIEST) & (ts < LATEST))
    if n and ts.isna().all():
        raise UnsupportedFileError(path, "no row has a readable date/time")
    cols: dict[str, Any] = {S.TS: ts.astype("datetime64[ns, UTC]").reset_index(drop=True)}
    for target, src in mapping.items():
        cols[target] = frame[src].astype("string").reset_index(drop=True)
    if S.MS_PLAYED in cols:
        cols[S.MS_PLAYED] = pd.to_numeric(cols[S.MS_PLAYED], errors="coerce").astype("Int64")
    else:  # scrobbles carry no duration: unknown, and the counting rule lets them through
        cols[S.MS_PLAYED] = pd.Series(pd.NA, index=range(n), dtype="Int64")
    if S.ALBUM in cols:
        cols[S.ALBUM] = cols[S.ALBUM].mask(cols[S.ALBUM] == "NA")
    cols[S.KIND] = pd.Series([S.KIND_MUSIC] * n, dtype="string")
    cols[S.SOURCE] = pd.Series([path] * n, dtype="string")
    plays = _plays_frame(cols, n).dropna(subset=[S.TS, S.TRACK, S.ARTIST])
    return Parsed(fmt, n, plays=T.from_frame(plays), bad=n - len(plays))


SCROBBLES_CSV = "scrobbles-csv"
SPOTIFY_ACCOUNT_CSV = "spotify-account-csv"
SPOTIFY_EXTENDED_CSV = "spotify-extended-csv"

_TIME_COLUMNS = (
    "uts", "timestamp", "played_at", "utc_time", "datetime", "date_time", "time",
    "scrobble_time", "listened_at", "date",
)  # fmt: skip
"""Column names that may hold when a scrobble was played, in order of preference on a tie."""
_ARTIST_COLUMNS = ("artist", "artist_name", "artist name", "artistname")
_TRACK_COLUMNS = ("track", "track_name", "track name", "trackname", "title", "song")
_ALBUM_COLUMNS = ("album", "album_name", "album name", "albumname")


def parse_times(values: pd.Series) -> pd.Series:
    """Times in any common spelling (unix seconds or ms, ISO, "24 Jan 2023, 09:42"...) -> UTC.

    Times without an offset are taken as UTC. Unreadable values become NaT.
    """
    text = values.astype("string").str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    if numeric.notna().mean() > 0.9:
        unit = "ms" if numeric.median() > 1e11 else "s"
        return pd.Series(
            pd.to_datetime(numeric, unit=unit, utc=True, errors="coerce"), index=values.index
        )
    first = text.dropna()
    ts = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if first.empty:
        return ts
    with warnings.catch_warnings(), contextlib.suppress(ValueError, TypeError):
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": handled below
        ts = pd.to_datetime(text, utc=True, errors="coerce")  # one format, from the first value
    if ts.notna().sum() < 0.9 * len(first):
        ts = pd.to_datetime(text, format="mixed", utc=True, errors="coerce")
    return pd.Series(ts, index=values.index)


def _resolution(ts: pd.Series) -> int:
    """3: seconds, 2: minutes, 1: hours, 0: days only (every time at midnight)."""
    ok = ts.dropna()
    if ok.empty:
        return -1
    if (ok.dt.second != 0).any():
        return 3
    if (ok.dt.minute != 0).any():
        return 2
    return 1 if (ok.dt.hour != 0).any() else 0


def _best_time(frame: pd.DataFrame, cols: Mapping[str, str]) -> tuple[str, pd.Series] | None:
    """The most precise readable time column: a day-only ``date`` never beats ``played_at``."""
    best = None
    for key in _TIME_COLUMNS:
        if key not in cols:
            continue
        values = frame[cols[key]]
        ts = parse_times(values)
        filled = values.notna().sum()
        if not filled or ts.notna().sum() < 0.9 * filled:
            continue
        score = _resolution(ts)
        if best is None or score > best[0]:
            best = (score, key, ts)
    return None if best is None else (best[1], best[2])


def _first_of(cols: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((cols[n] for n in names if n in cols), None)


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _csv_records(
    frame: pd.DataFrame, cols: Mapping[str, str], flags: tuple[str, ...]
) -> list[dict]:
    """Rows of a re-saved Spotify CSV as JSON-like records (flags read as true/false)."""
    out = frame.rename(columns={v: k for k, v in cols.items()})
    out = out.astype(object).where(out.notna(), None)
    records = out.to_dict(orient="records")
    for rec in records:
        for key in flags:
            value = rec.get(key)
            if isinstance(value, str):
                low = value.strip().lower()
                rec[key] = True if low in _TRUE else False if low in _FALSE else value
    return records


def _spotify_csv(path: str, frame: pd.DataFrame, cols: Mapping[str, str]) -> Parsed | None:
    """Spotify history re-saved as CSV (by Excel or another tool): account or extended columns."""
    exact = {c.lower(): c for c in _ACCOUNT_FIELDS} | {c: c for c in _EXTENDED_FIELDS}
    named = {exact[k]: v for k, v in cols.items() if k in exact}
    if {_ACCOUNT_TIME, "msPlayed"} <= named.keys() and (
        "artistName" in named or "podcastName" in named
    ):
        ts = parse_times(frame[named[_ACCOUNT_TIME]])
        records = _csv_records(frame, named, ())
        for rec, t in zip(records, ts, strict=True):
            rec[_ACCOUNT_TIME] = None if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M")
        return dataclasses.replace(parse_account(path, records), format=SPOTIFY_ACCOUNT_CSV)
    if {"ts", "ms_played", "master_metadata_track_name"} <= named.keys():
        ts = parse_times(frame[named["ts"]])
        records = _csv_records(frame, named, ("shuffle", "skipped"))
        for rec, t in zip(records, ts, strict=True):
            rec["ts"] = None if pd.isna(t) else t.strftime("%Y-%m-%dT%H:%M:%SZ")
        return dataclasses.replace(parse_extended(path, records), format=SPOTIFY_EXTENDED_CSV)
    return None


def parse_csv(path: str, text: str) -> Parsed:
    """Scrobble CSVs (Last.fm exports and the like) and Spotify history re-saved as CSV.

    Recognised by header: an artist and a track column and the most precise time column
    (``uts``, ``played_at``, ``utc_time``, ``date``...; see ``_TIME_COLUMNS``), or Spotify's
    own column names; a headerless artist,album,track,time file by its shape.
    """
    head = _read_csv(path, text, nrows=0)
    cols = {c.strip().lstrip("\ufeff").strip('"').lower(): c for c in head.columns}
    artist = _first_of(cols, _ARTIST_COLUMNS)
    track = _first_of(cols, _TRACK_COLUMNS)
    if artist is not None and track is not None and any(c in cols for c in _TIME_COLUMNS):
        frame = _read_csv(path, text)
        best = _best_time(frame, cols)
        if best is None:
            raise UnsupportedFileError(path, "no time column has readable dates/times")
        key, ts = best
        mapping = {S.ARTIST: artist, S.TRACK: track}
        album = _first_of(cols, _ALBUM_COLUMNS)
        if album is not None:
            mapping[S.ALBUM] = album
        fmt = LASTFM_GHAN if key == "uts" else LASTFM_R if key == "date" else SCROBBLES_CSV
        return _csv_plays(path, fmt, frame, ts, mapping)
    if any(k in cols for k in ("endtime", "ms_played", "msplayed")):
        spotify = _spotify_csv(path, _read_csv(path, text), cols)
        if spotify is not None:
            return spotify
    frame = _read_csv(path, text, header=None)
    if frame.shape[1] == 4:
        ts = pd.to_datetime(frame[3], format=_MONTH_TIME, errors="coerce", utc=True)
        if ts.notna().mean() > 0.9:
            return _csv_plays(
                path, LASTFM_BENFOXALL, frame, ts, {S.ARTIST: 0, S.ALBUM: 1, S.TRACK: 2}
            )
    shown = ", ".join(list(cols)[:8])
    raise UnrecognisedFileError(
        path,
        f"unrecognised CSV columns ({shown}); expected a scrobble export (artist, track and a time "
        "such as uts, played_at or date) or Spotify's own columns; otherwise use the column "
        "mapping import (time, artist, track...)",
    )


MAPPING_FIELDS = {"time": S.TS, S.TS: S.TS, S.ARTIST: S.ARTIST, S.TRACK: S.TRACK,
                  S.ALBUM: S.ALBUM, S.MS_PLAYED: S.MS_PLAYED, S.TRACK_URI: S.TRACK_URI}  # fmt: skip
"""What a column mapping may name: time (or ts), artist, track, album, ms_played, track_uri."""
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)


def localize_naive(raw: pd.Series, ts: pd.Series, tz: str) -> pd.Series:
    """``ts`` (parsed from ``raw`` with naive times taken as UTC), naive ones moved to zone ``tz``.

    Times that carry an offset ("...Z", "+02:00") and unix numbers are already UTC and stay.
    Wall times that do not exist (a spring-forward gap) move forward; ambiguous ones become NaT.
    """
    text = raw.astype("string").str.strip()
    naive = ~text.str.contains(_OFFSET).fillna(False) & pd.to_numeric(text, errors="coerce").isna()
    if not naive.any():
        return ts
    wall = ts.dt.tz_localize(None).dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
    return ts.where(~naive, wall.dt.tz_convert("UTC"))


def parse_generic_csv(
    path: str, text: str, mapping: Mapping[str, str], tz: str | None = None
) -> Parsed:
    """Any CSV with a column mapping {field: CSV column}; fields in ``MAPPING_FIELDS``.

    Args:
        path: the file name, for messages.
        text: the CSV text.
        mapping: CSV column for time (or ts), artist and track (required), and optionally
            album, ms_played, track_uri.
        tz: IANA zone of times written without an offset (None: UTC).

    Raises:
        UnsupportedFileError: for a mapping that names an unknown field, lacks a required
            one or names a column the CSV does not have; or when no time is readable.
    """
    unknown = [k for k in mapping if k not in MAPPING_FIELDS]
    if unknown:
        raise UnsupportedFileError(
            path,
            f"the column mapping names unknown field(s) {', '.join(unknown)}; "
            f"use {', '.join(k for k in MAPPING_FIELDS if k != S.TS)}",
        )
    fields = {MAPPING_FIELDS[k]: v for k, v in mapping.items()}
    missing_targets = [
        "time" if c == S.TS else c for c in (S.TS, S.ARTIST, S.TRACK) if c not in fields
    ]
    if missing_targets:
        raise UnsupportedFileError(
            path, f"the column mapping must name CSV columns for {', '.join(missing_targets)}"
        )
    frame = _read_csv(path, text)
    absent = [src for src in fields.values() if src not in frame.columns]
    if absent:
        raise UnsupportedFileError(
            path, f"CSV has no column(s) {', '.join(absent)} named in the mapping"
        )
    raw_ts = frame[fields[S.TS]]
    ts = parse_times(raw_ts)
    if tz is not None:
        ts = localize_naive(raw_ts, ts, tz)
    rest = {k: v for k, v in fields.items() if k != S.TS}
    return _csv_plays(path, GENERIC_CSV, frame, ts, rest)


JsonParser = Callable[[str, Any], Parsed]
JSON_PARSERS: dict[str, JsonParser] = {
    SPOTIFY_ACCOUNT: parse_account,
    SPOTIFY_EXTENDED: parse_extended,
    SPOTIFY_PLAYLISTS: parse_playlists,
    SPOTIFY_LIBRARY: parse_library,
}


def parse_payload(
    name: str, data: bytes, mapping: Mapping[str, str] | None = None, tz: str | None = None
) -> Parsed:
    """Parse one file's bytes, recognising its format by content.

    Args:
        name: the file name shown in reports (its suffix and "video" in it are hints only).
        data: the raw bytes.
        mapping: a column mapping {field: CSV column} for a generic CSV, else None.
        tz: with a mapping, the IANA zone of times written without an offset (None: UTC).

    Raises:
        UnsupportedFileError: naming the file, for anything wrong with it
            (UnrecognisedFileError when it is readable but not a history of ours).
    """
    try:
        return _parse_known(name, data, mapping, tz)
    except (TypeError, ValueError, OverflowError) as exc:  # e.g. a flag of 1, a 30-digit duration
        raise UnsupportedFileError(
            name, f"some records hold values of an unexpected type or size ({exc})"
        ) from exc


def _parse_known(
    name: str, data: bytes, mapping: Mapping[str, str] | None, tz: str | None = None
) -> Parsed:
    lower = name.lower()
    if mapping is not None:
        return parse_generic_csv(name, decode_text(name, data), mapping, tz=tz)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    video = "video" in posixpath.basename(lower)
    if stripped[:1] == b"[":
        columns = fast_extended(data)
        if columns is not None:
            return parse_extended(name, columns, video_file=video)
    if stripped[:1] in (b"[", b"{") or lower.endswith(".json"):
        payload = parse_json(name, data)
        fmt = detect_json(name, payload)
        if fmt == SPOTIFY_EXTENDED:
            return parse_extended(name, payload, video_file=video)
        return JSON_PARSERS[fmt](name, payload)
    return parse_csv(name, decode_text(name, data))
