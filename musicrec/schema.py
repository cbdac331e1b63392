"""Column contracts of every table musicrec passes around.

Column names are defined once, here, with the type of each column. Frames are
checked once, where they enter (loaders, the demo, the Spotify client, matching):
``as_plays``, ``as_library``, ``as_catalog``, ``as_items`` and ``as_interactions``
name what is missing and give back the columns in order with these types, so
everything downstream may rely on them.

Tables
------
PLAYS      one row per playback (any source), see ``PLAYS_COLUMNS``.
LIBRARY    liked tracks and playlist items, see ``LIBRARY_COLUMNS``.
CATALOG    one row per track with audio features, see ``CATALOG_COLUMNS``.
ITEMS      the recommendable universe: catalog tracks plus the user's own
           tracks, each with features and their provenance, see ``ITEM_COLUMNS``.
INTERACTIONS  community (user, item, weight) triples, see ``INTERACTION_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

# --- plays -----------------------------------------------------------------
TS = "ts"  # datetime64[ns, UTC]; end of playback
TRACK = "track"  # str
ARTIST = "artist"  # str
ALBUM = "album"  # str or <NA>
MS_PLAYED = (
    "ms_played"  # Int64 (nullable): <NA> when the source has no duration (Last.fm scrobbles)
)
TRACK_URI = "track_uri"  # "spotify:track:<id>", "musicrec:track:<id>" (fictional demo) or <NA>
KIND = "kind"  # one of KINDS
SKIPPED = "skipped"  # pandas "boolean": True/False/<NA> (unknown)
REASON_START = "reason_start"  # str or <NA>
REASON_END = "reason_end"  # str or <NA>
SHUFFLE = "shuffle"  # pandas "boolean"
PLATFORM = "platform"  # str or <NA>, coarse token (android, ios, windows, osx, web, ...)
COUNTRY = "country"  # ISO code or <NA>
SOURCE = "source"  # file name (or "spotify-api:<endpoint>", "demo") the row came from

PLAYS_COLUMNS: tuple[str, ...] = (
    TS, TRACK, ARTIST, ALBUM, MS_PLAYED, TRACK_URI, KIND, SKIPPED,
    REASON_START, REASON_END, SHUFFLE, PLATFORM, COUNTRY, SOURCE,
)  # fmt: skip

KIND_MUSIC = "music"
KIND_PODCAST = "podcast"
KIND_AUDIOBOOK = "audiobook"
KIND_VIDEO = "video"
KINDS: tuple[str, ...] = (KIND_MUSIC, KIND_PODCAST, KIND_AUDIOBOOK, KIND_VIDEO)

# Added to plays by matching (musicrec.matching)
ITEM_ID = "item_id"  # catalog track_id when matched, else a "local:" key of the normalised names
MATCH_METHOD = "match_method"  # one of MATCH_METHODS

MATCH_URI = "uri"
MATCH_NAME = "name"
MATCH_FUZZY = "fuzzy"
MATCH_ARTIST = "artist"  # only artist-level fallback features
MATCH_GENRE = "genre"  # only genre-level fallback features
MATCH_NONE = "none"
MATCH_METHODS: tuple[str, ...] = (
    MATCH_URI, MATCH_NAME, MATCH_FUZZY, MATCH_ARTIST, MATCH_GENRE, MATCH_NONE,
)  # fmt: skip

# --- library (YourLibrary.json, Playlist*.json, Spotify API) ----------------
LIB_KIND = "lib_kind"  # "liked", "playlist", "saved_album", "followed_artist", "top"
PLAYLIST = "playlist"  # playlist name or <NA>
ADDED_AT = "added_at"  # datetime64[ns, UTC] or NaT

LIBRARY_COLUMNS: tuple[str, ...] = (
    LIB_KIND,
    PLAYLIST,
    TRACK,
    ARTIST,
    ALBUM,
    TRACK_URI,
    ADDED_AT,
    SOURCE,
)

# --- catalog ---------------------------------------------------------------
TRACK_ID = "track_id"  # Spotify 22-char id (or a demo id), unique per row
ARTISTS = "artists"  # display string of all artists ("Lady Gaga, Bruno Mars")
GENRE = "genre"
SUBGENRE = "subgenre"
POPULARITY = "popularity"  # 0-100 or NaN
DURATION_MS = "duration_ms"
YEAR = "year"  # release year (Int64) or <NA>
TAGS = "tags"  # free text of tags/genres, space separated, may be ""

DANCEABILITY = "danceability"
ENERGY = "energy"
VALENCE = "valence"
TEMPO = "tempo"
ACOUSTICNESS = "acousticness"
INSTRUMENTALNESS = "instrumentalness"
SPEECHINESS = "speechiness"
LIVENESS = "liveness"
LOUDNESS = "loudness"
KEY = "key"
MODE = "mode"

AUDIO_FEATURES: tuple[str, ...] = (
    DANCEABILITY, ENERGY, VALENCE, TEMPO, ACOUSTICNESS, INSTRUMENTALNESS,
    SPEECHINESS, LIVENESS, LOUDNESS,
)  # fmt: skip
"""Continuous audio features used by content and mood engines (key/mode are categorical)."""

CATALOG_COLUMNS: tuple[str, ...] = (
    TRACK_ID, TRACK, ARTISTS, ALBUM, GENRE, SUBGENRE, POPULARITY, DURATION_MS, YEAR,
    *AUDIO_FEATURES, KEY, MODE,
)  # fmt: skip

# --- items (catalog + the user's own tracks) ---------------------------------
FEATURE_SOURCE = (
    "feature_source"  # "track", "artist", "genre" or "none": where the features come from
)
IN_CATALOG = "in_catalog"  # bool

ITEM_COLUMNS: tuple[str, ...] = (
    ITEM_ID,
    TRACK,
    ARTIST,
    ALBUM,
    GENRE,
    TAGS,
    POPULARITY,
    DURATION_MS,
    YEAR,
    *AUDIO_FEATURES,
    TRACK_URI,
    FEATURE_SOURCE,
    IN_CATALOG,
)

# --- community interactions ---------------------------------------------------
USER = "user"
ITEM = "item"
WEIGHT = "weight"
INTERACTION_COLUMNS: tuple[str, ...] = (USER, ITEM, WEIGHT)

# --- recommendations -----------------------------------------------------------
SCORE = "score"
RANK = "rank"
REASON = "reason"


def missing_columns(frame: pd.DataFrame, required: Iterable[str]) -> list[str]:
    """Return the required columns absent from ``frame``, in the order given."""
    return [c for c in required if c not in frame.columns]


def validate(frame: pd.DataFrame, required: Iterable[str], what: str) -> pd.DataFrame:
    """Check that ``frame`` has every required column; return it unchanged.

    Raises:
        SchemaError: naming the table and the missing columns.
    """
    from musicrec.errors import SchemaError

    missing = missing_columns(frame, required)
    if missing:
        raise SchemaError(f"{what} is missing column(s) {', '.join(missing)}")
    return frame


_UTC = "datetime64[ns, UTC]"
PLAYS_TYPES: dict[str, str] = {
    TS: _UTC, TRACK: "string", ARTIST: "string", ALBUM: "string", MS_PLAYED: "Int64",
    TRACK_URI: "string", KIND: "string", SKIPPED: "boolean", REASON_START: "string",
    REASON_END: "string", SHUFFLE: "boolean", PLATFORM: "string", COUNTRY: "string",
    SOURCE: "string",
}  # fmt: skip
"""The pandas dtype of every PLAYS column."""
PLAYS_REQUIRED: tuple[str, ...] = (TS, TRACK, ARTIST)
LIBRARY_TYPES: dict[str, str] = {
    LIB_KIND: "string", PLAYLIST: "string", TRACK: "string", ARTIST: "string",
    ALBUM: "string", TRACK_URI: "string", ADDED_AT: _UTC, SOURCE: "string",
}  # fmt: skip
"""The pandas dtype of every LIBRARY column."""
LIBRARY_REQUIRED: tuple[str, ...] = (LIB_KIND, TRACK, ARTIST)
CATALOG_TYPES: dict[str, str] = {
    TRACK_ID: "string", TRACK: "string", ARTISTS: "string", ALBUM: "string",
    GENRE: "string", SUBGENRE: "string", POPULARITY: "float64", DURATION_MS: "Int64",
    YEAR: "Int64", **dict.fromkeys(AUDIO_FEATURES, "float64"), KEY: "Int64", MODE: "Int64",
    TAGS: "string",
}  # fmt: skip
"""The pandas dtype of every CATALOG column (CATALOG_COLUMNS, then TAGS)."""
CATALOG_REQUIRED: tuple[str, ...] = (TRACK_ID, TRACK, ARTISTS)
ITEM_TYPES: dict[str, str] = {
    ITEM_ID: "string", TRACK: "string", ARTIST: "string", ALBUM: "string", GENRE: "string",
    TAGS: "string", POPULARITY: "float64", DURATION_MS: "Float64", YEAR: "Int64",
    **dict.fromkeys(AUDIO_FEATURES, "float64"), TRACK_URI: "string",
    FEATURE_SOURCE: "string", IN_CATALOG: "bool",
}  # fmt: skip
"""The pandas dtype of every ITEMS column."""
ITEM_REQUIRED: tuple[str, ...] = (ITEM_ID, TRACK, ARTIST)
INTERACTION_TYPES: dict[str, str] = {USER: "string", ITEM: "string", WEIGHT: "float64"}
"""The pandas dtype of every INTERACTIONS column."""


def _conform(
    frame: pd.DataFrame,
    types: dict[str, str],
    required: Iterable[str],
    what: str,
    defaults: dict[str, object] | None = None,
) -> pd.DataFrame:
    """A new frame with exactly the columns of ``types``, in order, of those types.

    Columns absent from ``frame`` and not in ``required`` are added, filled with
    ``defaults[column]`` or missing values; extra columns are dropped.

    Raises:
        SchemaError: naming ``what`` and the required columns it lacks.
    """
    validate(frame, required, what)
    defaults = defaults or {}
    index = frame.index
    columns = {}
    for name, dtype in types.items():
        if name in frame.columns:
            column = frame[name]
        else:
            column = pd.Series(defaults.get(name, pd.NA), index=index, dtype="object")
        same = column.dtype == pd.api.types.pandas_dtype(dtype)  # "str" (NaN) is not "string"
        columns[name] = column if same else _cast(column, dtype)
    return pd.DataFrame(columns, index=index)


def _cast(column: pd.Series, dtype: str) -> pd.Series:
    if dtype == _UTC:
        return pd.to_datetime(column, utc=True).astype(_UTC)
    if dtype == "float64" and column.dtype == "object":
        return pd.to_numeric(column).astype(dtype)
    if dtype == "Int64" and pd.api.types.is_float_dtype(column.dtype):
        return column.round().astype(dtype)
    return column.astype(dtype)


def as_plays(frame: pd.DataFrame, what: str = "plays") -> pd.DataFrame:
    """A PLAYS frame (PLAYS_COLUMNS in order, PLAYS_TYPES) from ``frame``; call it where plays enter.

    Needs at least ts, track and artist; absent columns become <NA>, except kind (music).

    Raises:
        SchemaError: when a required column is missing.
    """
    return _conform(frame, PLAYS_TYPES, PLAYS_REQUIRED, what, {KIND: KIND_MUSIC})


def as_library(frame: pd.DataFrame, what: str = "library") -> pd.DataFrame:
    """A LIBRARY frame (LIBRARY_COLUMNS, LIBRARY_TYPES); needs lib_kind, track and artist."""
    return _conform(frame, LIBRARY_TYPES, LIBRARY_REQUIRED, what)


def as_catalog(frame: pd.DataFrame, what: str = "catalog") -> pd.DataFrame:
    """A CATALOG frame (CATALOG_COLUMNS + TAGS, CATALOG_TYPES); needs track_id, track, artists.

    Absent feature columns become NaN, absent tags "".
    """
    return _conform(frame, CATALOG_TYPES, CATALOG_REQUIRED, what, {TAGS: ""})


def as_items(frame: pd.DataFrame, what: str = "items") -> pd.DataFrame:
    """An ITEMS frame (ITEM_COLUMNS, ITEM_TYPES); needs item_id, track and artist.

    Absent tags become "", feature_source "none" and in_catalog False.
    """
    defaults = {TAGS: "", FEATURE_SOURCE: "none", IN_CATALOG: False}
    return _conform(frame, ITEM_TYPES, ITEM_REQUIRED, what, defaults)


def as_interactions(frame: pd.DataFrame, what: str = "interactions") -> pd.DataFrame:
    """An INTERACTIONS frame (user, item as text; weight float); needs user and item (weight 1)."""
    return _conform(frame, INTERACTION_TYPES, (USER, ITEM), what, {WEIGHT: 1.0})


def listening_weights(plays: pd.DataFrame) -> tuple[pd.Series, str]:
    """Listening time per play (ms) and what it measures: "listening time", or one per play and
    "plays" when the history has no durations at all (Last.fm scrobbles). In a history with
    durations, a play without one counts the median play."""
    ms = pd.to_numeric(plays[MS_PLAYED], errors="coerce") if MS_PLAYED in plays.columns else None
    if ms is None or ms.isna().all() or not (ms.fillna(0) > 0).any():
        return pd.Series(1.0, index=plays.index), "plays"
    return ms.fillna(float(ms.median())).astype(float), "listening time"


def empty_plays() -> pd.DataFrame:
    """An empty PLAYS frame with the right dtypes."""
    return as_plays(pd.DataFrame(columns=list(PLAYS_REQUIRED)))


def empty_library() -> pd.DataFrame:
    """An empty LIBRARY frame with the right dtypes."""
    return as_library(pd.DataFrame(columns=list(LIBRARY_REQUIRED)))


def track_id_from_uri(uri: pd.Series) -> pd.Series:
    """``spotify:track:<id>`` or ``musicrec:track:<id>`` (demo) -> ``<id>``; anything else -> <NA>."""
    s = uri.astype("string")
    ids = s.str.extract(
        r"^spotify:track:([A-Za-z0-9]{22})$|^musicrec:track:([A-Za-z0-9]+)$", expand=True
    )
    return ids[0].fillna(ids[1])
