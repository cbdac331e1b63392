"""Column contracts of every table musicrec passes around.

Column names are defined once, here. Loaders check them once, where data
enters (``validate``); everything downstream may rely on them.

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


def empty_plays() -> pd.DataFrame:
    """An empty PLAYS frame with the right dtypes."""
    return pd.DataFrame(
        {
            TS: pd.Series([], dtype="datetime64[ns, UTC]"),
            TRACK: pd.Series([], dtype="string"),
            ARTIST: pd.Series([], dtype="string"),
            ALBUM: pd.Series([], dtype="string"),
            MS_PLAYED: pd.Series([], dtype="Int64"),
            TRACK_URI: pd.Series([], dtype="string"),
            KIND: pd.Series([], dtype="string"),
            SKIPPED: pd.Series([], dtype="boolean"),
            REASON_START: pd.Series([], dtype="string"),
            REASON_END: pd.Series([], dtype="string"),
            SHUFFLE: pd.Series([], dtype="boolean"),
            PLATFORM: pd.Series([], dtype="string"),
            COUNTRY: pd.Series([], dtype="string"),
            SOURCE: pd.Series([], dtype="string"),
        }
    )


def empty_library() -> pd.DataFrame:
    """An empty LIBRARY frame with the right dtypes."""
    frame = pd.DataFrame({c: pd.Series([], dtype="string") for c in LIBRARY_COLUMNS})
    return frame.astype({ADDED_AT: "datetime64[ns, UTC]"})


def track_id_from_uri(uri: pd.Series) -> pd.Series:
    """``spotify:track:<id>`` or ``musicrec:track:<id>`` (demo) -> ``<id>``; anything else -> <NA>."""
    s = uri.astype("string")
    ids = s.str.extract(
        r"^spotify:track:([A-Za-z0-9]{22})$|^musicrec:track:([A-Za-z0-9]+)$", expand=True
    )
    return ids[0].fillna(ids[1])
