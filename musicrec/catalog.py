"""Track catalogs with audio features: read the common public schemas, combine them, cache them.

Spotify's API no longer serves audio features to new apps, so features come from
public datasets the user loads or downloads. Supported schemas (recognised by header):

- TidyTuesday ``spotify_songs`` (track_name, track_artist, playlist_genre, ...).
- The "Spotify Tracks Dataset" (114k; artists ';'-joined, track_genre), whole or as per-genre parts.
- The 2024 popularity files (track_artist may join several artists with ", ").
- ``playlist_2010to2022`` and the 2024 per-genre scrape (artist_name, artist_genres as a list literal).
- The hit-predictor set (track, artist, uri).
- MusicOSet (tab-separated ``songs.csv`` + ``acoustic_features.csv``, optionally ``tracks.csv`` and
  ``artists.csv``), joined on song_id.

A source is a file (CSV, TSV, CSV.gz, Parquet), a folder of such files, a zip of them, or a
(name, bytes) pair (an upload). Every file is read through a byte counter and a row counter
(``CatalogLimits``), so a decompression bomb stops at the limit instead of filling memory.

Combining several catalogs (``read_catalog``): one row per track_id. **Rule: the catalog listed
first wins** for every field it has; later catalogs only fill its gaps (a missing feature, genre
or year), and tags are united. A later row whose id is already known under another artist *and*
another title is a name/id disagreement: it is dropped and counted in that part's report.

Public API:
    read_catalog(sources, limits) -> CatalogLoad (frame + per-file reports)
    load_catalog(sources) -> CATALOG frame (+ TAGS)
    catalog_playlists(sources) -> INTERACTIONS (playlist, track_id, 1)
    load_artist_features(path) / load_genre_features(path) -> fallback tables
    parse_list_literal(text) -> list of strings (bounded, non-recursive)
    fetch_catalog(url, ...) -> Path of a cached Parquet (see ``musicrec.catalog_sources``)
"""

from __future__ import annotations

import csv
import gzip
import io
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.errors import CatalogError

Source = str | Path | tuple[str, bytes]
MAX_DOWNLOAD_BYTES = 2 * 1024**3
_MiB = 1024 * 1024
CATALOG_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".gz", ".parquet", ".zip")


@dataclass(frozen=True)
class CatalogLimits:
    """Bounds on what one catalog load may read (uploads, downloads and local files alike)."""

    max_file_bytes: int = 512 * _MiB
    """Largest decompressed size of one file or zip member, counted while it streams."""
    max_total_bytes: int = 1024 * _MiB
    """Largest decompressed size of all files of one load together."""
    max_rows: int = 2_000_000
    """Most data rows of one load together (the union of the offered catalogs has ~340k)."""
    max_files: int = 2_000
    """Most files (folder entries or zip members) in one load."""
    max_list_chars: int = 20_000
    """A genre-list cell longer than this is cut before parsing."""
    max_list_items: int = 200
    """At most this many genres are kept from one cell."""


DEFAULT_CATALOG_LIMITS = CatalogLimits()

# source column -> catalog column, per known schema (first match wins)
_ALIASES: dict[str, tuple[str, ...]] = {
    S.TRACK_ID: ("track_id", "id", "uri", "song_id"),
    S.TRACK: ("track_name", "name", "track", "title", "song_name"),
    S.ARTISTS: ("track_artist", "artists", "artist_name", "artist"),
    S.ALBUM: ("track_album_name", "album_name", "album"),
    S.GENRE: ("playlist_genre", "track_genre", "genre"),
    S.SUBGENRE: ("playlist_subgenre", "subgenre"),
    S.POPULARITY: ("track_popularity", "popularity"),
    S.DURATION_MS: ("duration_ms",),
    "release": ("track_album_release_date", "release_date", "year"),
    "artist_genres": ("artist_genres",),
    "playlist_id": ("playlist_id",),
    **{f: (f,) for f in (*S.AUDIO_FEATURES, S.KEY, S.MODE)},
}


@dataclass
class PartReport:
    """What one file of a catalog load gave: rows read, tracks kept, and why if nothing."""

    name: str
    rows: int = 0
    tracks: int = 0
    conflicts: int = 0
    """Rows dropped because their id belongs to another artist and title in an earlier catalog."""
    note: str = ""
    """Why the file gave no tracks (header only, not a catalog, unreadable...), or ""."""


@dataclass
class CatalogLoad:
    """The combined catalog and one report per file read."""

    catalog: pd.DataFrame
    parts: list[PartReport] = field(default_factory=list)


# --- bounded reading --------------------------------------------------------------------


class _Budget:
    """Shared byte and row budget of one load."""

    def __init__(self, limits: CatalogLimits) -> None:
        self.limits = limits
        self.bytes = 0
        self.rows = 0
        self.files = 0

    def add_rows(self, name: str, n: int) -> None:
        self.rows += n
        if self.rows > self.limits.max_rows:
            raise CatalogError(
                f"{name}: the catalog has more than {self.limits.max_rows:,} rows, the limit of one "
                "load; use fewer or smaller files"
            )


class _Limited(io.RawIOBase):
    """A read-only stream that raises CatalogError once more than the allowed bytes came through."""

    def __init__(self, raw: IO[bytes], name: str, budget: _Budget) -> None:
        self._raw, self._name, self._budget, self._seen = raw, name, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        n = len(data)
        self._seen += n
        self._budget.bytes += n
        lim = self._budget.limits
        if self._seen > lim.max_file_bytes:
            raise CatalogError(
                f"{self._name}: more than {lim.max_file_bytes / _MiB:,.0f} MiB once decompressed, "
                "over the limit for one catalog file"
            )
        if self._budget.bytes > lim.max_total_bytes:
            raise CatalogError(
                f"{self._name}: the catalog files add up to more than "
                f"{lim.max_total_bytes / _MiB:,.0f} MiB once decompressed, over the limit of one load"
            )
        b[:n] = data
        return n


@dataclass
class _Entry:
    """One file to read: a display name and a function opening its raw (maybe compressed) bytes."""

    name: str
    open: Callable[[], IO[bytes]]


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _is_catalog_name(name: str) -> bool:
    low = name.lower()
    base = low.rsplit("/", 1)[-1]
    return not base.startswith((".", "_")) and low.endswith(CATALOG_SUFFIXES)


def _zip_entries(name: str, data: IO[bytes], budget: _Budget) -> Iterator[_Entry]:
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CatalogError(f"{name}: not a readable zip ({exc})") from None
    members = [m for m in archive.infolist() if not m.is_dir() and _is_catalog_name(m.filename)]
    if len(members) > budget.limits.max_files:
        raise CatalogError(f"{name}: more than {budget.limits.max_files:,} files in the zip")
    for m in sorted(members, key=lambda m: m.filename):
        if m.filename.lower().endswith(".zip"):
            continue  # no zips inside zips

        def opener(m: zipfile.ZipInfo = m) -> IO[bytes]:
            if m.flag_bits & 0x1:
                raise CatalogError(f"{name}/{m.filename}: encrypted zip members cannot be read")
            try:
                return archive.open(m)
            except (NotImplementedError, RuntimeError, zipfile.BadZipFile, ValueError) as exc:
                raise CatalogError(f"{name}/{m.filename}: cannot be unpacked ({exc})") from None

        yield _Entry(f"{name}/{m.filename}", opener)


def _entries(sources: Iterable[Source], budget: _Budget) -> Iterator[_Entry]:
    """Every file of the sources: folders are walked (regular files only, no symlinks), zips opened."""
    for src in sources:
        if isinstance(src, tuple):
            name, data = src
            if name.lower().endswith(".zip"):
                yield from _zip_entries(name, io.BytesIO(data), budget)
            else:
                yield _Entry(name, lambda data=data: io.BytesIO(data))
            continue
        path = Path(src)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if not p.is_symlink() and _regular_file(p) and _is_catalog_name(p.name)
            )
            if not found:
                raise CatalogError(
                    f"{path}: no catalog files (CSV, TSV, CSV.gz, Parquet) in this folder"
                )
            for p in found:
                yield from _entries([p], budget)
            continue
        if not path.exists():
            raise CatalogError(f"{path}: file not found")
        if not _regular_file(path):
            raise CatalogError(f"{path}: not a regular file")
        if path.name.lower().endswith(".zip"):
            yield from _zip_entries(str(path), path.open("rb"), budget)
        else:
            yield _Entry(str(path), lambda path=path: path.open("rb"))


def _read_entry(entry: _Entry, budget: _Budget) -> pd.DataFrame:
    """One file as a frame with cleaned lower-case headers, within the budget."""
    budget.files += 1
    if budget.files > budget.limits.max_files:
        raise CatalogError(f"{entry.name}: more than {budget.limits.max_files:,} catalog files")
    low = entry.name.lower()
    raw = entry.open()
    try:
        if low.endswith(".parquet"):
            frame = _read_parquet(entry.name, raw, budget)
        else:
            if low.endswith(".gz"):
                raw = gzip.GzipFile(fileobj=raw, mode="rb")
            frame = _read_delimited(entry.name, _Limited(raw, entry.name, budget), budget)
    except CatalogError:
        raise
    except (ValueError, OSError, EOFError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(f"{entry.name}: not a readable CSV/Parquet catalog ({exc})") from None
    finally:
        raw.close()
    frame.columns = _clean_header(frame.columns)
    return frame


def _read_delimited(name: str, stream: io.RawIOBase, budget: _Budget) -> pd.DataFrame:
    buffered = io.BufferedReader(stream, buffer_size=1 << 16)
    head = buffered.peek(1 << 16)[: 1 << 16]
    if not head.strip():
        return pd.DataFrame()
    first = head.split(b"\n", 1)[0]
    tab = first.count(b"\t") > first.count(b",")
    options: dict = {"sep": "\t", "quoting": csv.QUOTE_NONE} if tab else {}
    chunks = []
    try:
        reader = pd.read_csv(
            buffered, chunksize=100_000, low_memory=False, encoding="utf-8", **options
        )
        with reader:
            for chunk in reader:
                budget.add_rows(name, len(chunk))
                chunks.append(chunk)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _read_parquet(name: str, raw: IO[bytes], budget: _Budget) -> pd.DataFrame:
    import pyarrow.parquet as pq

    data = raw.read(budget.limits.max_file_bytes + 1)
    if len(data) > budget.limits.max_file_bytes:
        raise CatalogError(f"{name}: over the size limit for one catalog file")
    pf = pq.ParquetFile(io.BytesIO(data))
    meta = pf.metadata
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > budget.limits.max_file_bytes:
        raise CatalogError(
            f"{name}: more than {budget.limits.max_file_bytes / _MiB:,.0f} MiB once decompressed"
        )
    budget.bytes += unpacked
    budget.add_rows(name, meta.num_rows)
    return pf.read().to_pandas()


def _clean_header(columns: Iterable[object]) -> list[str]:
    return [str(c).replace("\ufeff", "").replace("ï»¿", "").strip().lower() for c in columns]


def _pick(frame: pd.DataFrame, target: str) -> pd.Series | None:
    for alias in _ALIASES[target]:
        if alias in frame.columns:
            return frame[alias]
    return None


# --- list literals ---------------------------------------------------------------------------


def parse_list_literal(text: str, *, max_chars: int = 20_000, max_items: int = 200) -> list[str]:
    """The quoted strings of a Python list/tuple/dict literal, read by a flat scanner.

    ``"['permanent wave', 'pop']"`` -> ``["permanent wave", "pop"]``;
    ``"{'66CX': 'Ariana Grande'}"`` -> ``["66CX", "Ariana Grande"]``. Nesting is not interpreted
    (brackets are just separators), nothing is evaluated, the input is cut at ``max_chars`` and at
    most ``max_items`` strings are returned, so a crafted cell costs time linear in ``max_chars``.
    Unquoted words between separators (``[pop, rock]``, an edited copy) are kept too.
    """
    s = text[:max_chars]
    out: list[str] = []
    i, n = 0, len(s)
    bare: list[str] = []
    while i < n and len(out) < max_items:
        c = s[i]
        if c in "'\"":
            j = i + 1
            buf: list[str] = []
            while j < n and s[j] != c:
                if s[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(s[j])
                j += 1
            out.append("".join(buf).strip())
            bare = []
            i = j + 1
        elif c in ",:[](){}":
            word = "".join(bare).strip()
            if word:
                out.append(word)
            bare = []
            i += 1
        else:
            bare.append(c)
            i += 1
    word = "".join(bare).strip()
    if word and len(out) < max_items:
        out.append(word)
    return [w for w in out if w]


def _genre_words(raw: pd.Series, limits: CatalogLimits = DEFAULT_CATALOG_LIMITS) -> pd.Series:
    """List literals ("['permanent wave', 'pop']") -> "permanent wave, pop"; plain text kept."""

    def parse(v: object) -> str:
        if not isinstance(v, str):
            return ""
        if not v.lstrip().startswith(("[", "(", "{")):
            return v[: limits.max_list_chars]
        words = parse_list_literal(
            v, max_chars=limits.max_list_chars, max_items=limits.max_list_items
        )
        return ", ".join(words)

    uniq = pd.Series(raw.dropna().unique())
    table = dict(zip(uniq, uniq.map(parse), strict=True))
    return raw.map(table).fillna("").astype("string")


# --- schemas ---------------------------------------------------------------------------------


def _musicoset(tables: list[tuple[str, pd.DataFrame]]) -> tuple[str, pd.DataFrame] | None:
    """Join MusicOSet's songs + acoustic_features (+ tracks, artists) into one frame, or None."""
    songs = next((t for t in tables if {"song_id", "song_name", "artists"} <= set(t[1])), None)
    feats = next(
        (t for t in tables if "song_id" in t[1] and "song_name" not in t[1] and "energy" in t[1]),
        None,
    )
    if songs is None or feats is None:
        return None
    frame = songs[1].drop(columns=["billboard"], errors="ignore")
    frame = frame.merge(feats[1].drop_duplicates("song_id"), on="song_id", how="inner",
                        suffixes=("", "_feat"))  # fmt: skip
    tracks = next((t for t in tables if {"song_id", "release_date"} <= set(t[1])), None)
    if tracks is not None:
        frame = frame.merge(
            tracks[1][["song_id", "release_date"]].drop_duplicates("song_id"),
            on="song_id",
            how="left",
        )
    pairs = frame["artists"].map(lambda v: parse_list_literal(v) if isinstance(v, str) else [])
    ids = pairs.map(lambda p: p[0::2])
    frame["artist_name"] = pairs.map(lambda p: ", ".join(p[1::2]) or pd.NA)
    artists = next((t for t in tables if {"artist_id", "name", "genres"} <= set(t[1])), None)
    if artists is not None:
        table = artists[1].drop_duplicates("artist_id")
        words = dict(
            zip(table["artist_id"].astype(str), _genre_words(table["genres"]), strict=True)
        )
        frame["artist_genres"] = [
            ", ".join(dict.fromkeys(w for i in a for w in str(words.get(i, "")).split(", ") if w))
            for a in ids
        ]
    frame = frame.drop(columns=["artists"])
    return f"{songs[0]} + {feats[0]}", frame


def _normalise(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    ids = _pick(frame, S.TRACK_ID)
    title = _pick(frame, S.TRACK)
    artists = _pick(frame, S.ARTISTS)
    if ids is None or title is None or artists is None:
        raise CatalogError(
            f"{name}: not a track catalog (needs track id, track name and artist columns; found "
            f"{', '.join(map(str, frame.columns[:10]))})"
        )
    present = [f for f in S.AUDIO_FEATURES if f in frame.columns]
    if len(present) < 3:
        raise CatalogError(
            f"{name}: has no audio-feature columns (danceability, energy, valence...)"
        )
    out = pd.DataFrame(index=frame.index)
    out[S.TRACK_ID] = (
        ids.astype("string").str.strip().str.replace("spotify:track:", "", regex=False)
    )
    out[S.TRACK] = title.astype("string")
    art = artists.astype("string")
    out[S.ARTISTS] = art.str.replace(";", ", ", regex=False) if "artists" in frame.columns else art
    for col in (S.ALBUM, S.GENRE, S.SUBGENRE):
        src = _pick(frame, col)
        out[col] = (
            src.astype("string")
            if src is not None
            else pd.Series(pd.NA, index=frame.index, dtype="string")
        )
    genre_list = _pick(frame, "artist_genres")
    if genre_list is not None:
        words = _genre_words(genre_list)
        first = words.str.split(", ").str[0].replace("", pd.NA)
        out[S.GENRE] = out[S.GENRE].fillna(first)
        out[S.TAGS] = words
    else:
        out[S.TAGS] = (
            out[S.GENRE].fillna("").str.cat(out[S.SUBGENRE].fillna(""), sep=" ").str.strip()
        )
    for col in (S.POPULARITY, S.DURATION_MS, *S.AUDIO_FEATURES, S.KEY, S.MODE):
        src = _pick(frame, col)
        out[col] = pd.to_numeric(src, errors="coerce") if src is not None else np.nan
    release = _pick(frame, "release")
    year = (
        pd.to_numeric(release.astype("string").str.slice(0, 4), errors="coerce")
        if release is not None
        else np.nan
    )
    out[S.YEAR] = pd.Series(year, index=frame.index).round().astype("Int64")
    out = out.astype({S.DURATION_MS: "Float64", S.KEY: "Float64", S.MODE: "Float64"})
    out = out.astype({S.DURATION_MS: "Int64", S.KEY: "Int64", S.MODE: "Int64"}, errors="ignore")
    keep = out[S.TRACK_ID].notna() & out[S.TRACK].notna() & out[S.ARTISTS].notna()
    return out[keep & (out[S.TRACK_ID] != "")]


def _union_tags(ids: pd.Series, tags: pd.Series) -> dict[str, str]:
    """Per id, the tags of all its rows united in first-seen order, each kind kept whole.

    An artist list (", "-joined, e.g. the 2024 scrape's artist genres) is united label by label;
    a track's label string without commas ("pop dance pop": a playlist's genre and subgenre,
    or "k-pop") is kept as it is, never split into words, and the same string is kept once.
    Where an id has both, its lists win: a track label joined to a list would read as one of
    the artist's genres (``musicrec.genres`` weighs the two kinds differently).
    """
    lists: dict[str, dict[str, None]] = {}
    labels: dict[str, dict[str, None]] = {}
    for i, t in zip(ids.tolist(), tags.tolist(), strict=True):
        mine, theirs = lists.setdefault(i, {}), labels.setdefault(i, {})
        if not isinstance(t, str) or not t.strip():
            continue
        if "," in t:
            mine.update((w.strip(), None) for w in t.split(",") if w.strip())
        else:
            theirs[" ".join(t.split())] = None
    return {i: ", ".join(lists[i]) if lists[i] else " ".join(labels[i]) for i in lists}


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per track_id (first row wins, later rows fill its gaps); tags are united."""
    if frame[S.TRACK_ID].is_unique:
        return frame.reset_index(drop=True)
    dup = frame.duplicated(S.TRACK_ID, keep=False)
    single = frame[~dup]
    repeated = frame[dup]
    cols = [c for c in frame.columns if c not in (S.TRACK_ID, S.TAGS)]
    first = repeated.groupby(S.TRACK_ID, sort=False)[cols].first()
    tags = _union_tags(repeated[S.TRACK_ID], repeated[S.TAGS])
    first[S.TAGS] = pd.Series(tags, dtype="string").reindex(first.index)
    merged = pd.concat([single, first.reset_index()], ignore_index=True)
    return merged.astype(frame.dtypes.to_dict())


def _conflicts(known: pd.DataFrame, part: pd.DataFrame) -> np.ndarray:
    """Boolean over ``part``: its id is in ``known`` under another artist and another title."""
    from musicrec.matching import isin_strings, normalise_name

    shared = isin_strings(part[S.TRACK_ID], known[S.TRACK_ID])
    out = np.zeros(len(part), dtype=bool)
    if not shared.any():
        return out
    mine = part[shared]
    pos = pd.Index(known[S.TRACK_ID].to_numpy(object)).get_indexer(
        mine[S.TRACK_ID].to_numpy(object)
    )
    theirs = known.iloc[pos]
    raw_title = mine[S.TRACK].str.casefold().to_numpy() == theirs[S.TRACK].str.casefold().to_numpy()
    raw_artist = (
        mine[S.ARTISTS].str.casefold().to_numpy() == theirs[S.ARTISTS].str.casefold().to_numpy()
    )
    check = ~(np.asarray(raw_title, dtype=bool) | np.asarray(raw_artist, dtype=bool))
    verdict = np.zeros(len(mine), dtype=bool)
    if check.any():
        m, t = mine[check], theirs[check]
        same_title = normalise_name(m[S.TRACK]).to_numpy() == normalise_name(t[S.TRACK]).to_numpy()
        a_m = normalise_name(m[S.ARTISTS].str.split(", ").str[0]).tolist()
        a_t = normalise_name(t[S.ARTISTS].str.split(", ").str[0]).tolist()
        f_m = normalise_name(m[S.ARTISTS]).tolist()
        f_t = normalise_name(t[S.ARTISTS]).tolist()
        same_artist = np.array(
            [x in fy or y in fx for x, y, fx, fy in zip(a_m, a_t, f_m, f_t, strict=True)],
            dtype=bool,
        )
        verdict[check] = ~(np.asarray(same_title, dtype=bool) | same_artist)
    out[shared] = verdict
    return out


def combine_catalogs(
    parts: list[pd.DataFrame], reports: list[PartReport] | None = None
) -> pd.DataFrame:
    """Several normalised catalogs as one, by the rule in the module docstring.

    Args:
        parts: CATALOG frames (+ TAGS), in order of precedence (first wins).
        reports: one per part, whose ``conflicts`` and ``tracks`` are filled in (optional).

    Returns:
        One CATALOG frame (+ TAGS), one row per track_id.
    """
    from musicrec.matching import isin_strings

    if not parts:
        raise CatalogError("no catalog given")
    kept: list[pd.DataFrame] = []
    known: pd.DataFrame | None = None
    for i, part in enumerate(parts):
        part = _dedupe(part)
        new = np.ones(len(part), dtype=bool)
        if known is not None and len(part):
            bad = _conflicts(known, part)
            part = part[~bad]
            new = ~isin_strings(part[S.TRACK_ID], known[S.TRACK_ID])
            if reports is not None:
                reports[i].conflicts = int(bad.sum())
        if reports is not None:
            reports[i].tracks = int(new.sum())
        kept.append(part)
        names = part.loc[new, [S.TRACK_ID, S.TRACK, S.ARTISTS]]
        known = names if known is None else pd.concat([known, names], ignore_index=True)
    frame = _dedupe(pd.concat(kept, ignore_index=True)) if len(kept) > 1 else kept[0]
    return S.as_catalog(frame.reset_index(drop=True))


def _source_tables(
    src: Source, budget: _Budget, reports: list[PartReport]
) -> list[tuple[str, pd.DataFrame]]:
    """The readable, non-empty tables of one source; the others are reported and left out."""
    tables: list[tuple[str, pd.DataFrame]] = []
    for entry in _entries([src], budget):
        try:
            frame = _read_entry(entry, budget)
        except CatalogError as exc:
            if "limit" in str(exc) or "more than" in str(exc):
                raise
            reports.append(PartReport(entry.name, note=str(exc)))
            continue
        if frame.empty:
            reports.append(PartReport(entry.name, note="no rows (header only or empty): skipped"))
            continue
        tables.append((entry.name, frame))
    return tables


def _catalog_tables(
    sources: list[Source], budget: _Budget, reports: list[PartReport]
) -> list[tuple[str, pd.DataFrame]]:
    """One table per catalog, in source order: MusicOSet's files joined (even when given as
    separate files), and within one source the parts with the same columns concatenated (a
    folder of per-genre files is one catalog)."""
    tables = [(i, name, frame) for i, src in enumerate(sources)
              for name, frame in _source_tables(src, budget, reports)]  # fmt: skip
    joined = _musicoset([(name, frame) for _, name, frame in tables])
    if joined is not None:
        used = set(joined[0].split(" + "))
        first = min(i for i, name, _ in tables if name in used)
        tables = [
            t for t in tables
            if t[1] not in used
            and not {"artist_id", "genres"} <= set(t[2])
            and not {"song_id", "release_date"} <= set(t[2])
        ]  # fmt: skip
        tables.append((first, *joined))
        tables.sort(key=lambda t: t[0])
    groups: dict[tuple[int, tuple[str, ...]], list[tuple[str, pd.DataFrame]]] = {}
    for i, name, frame in tables:
        groups.setdefault((i, tuple(sorted(map(str, frame.columns)))), []).append((name, frame))
    out = []
    for (i, _), members in groups.items():
        if len(members) == 1:
            out.append(members[0])
        else:
            src = sources[i]
            label = f"{src[0] if isinstance(src, tuple) else src} ({len(members)} files)"
            out.append((label, pd.concat([f for _, f in members], ignore_index=True)))
    return out


def read_catalog(
    sources: Source | Iterable[Source], limits: CatalogLimits = DEFAULT_CATALOG_LIMITS
) -> CatalogLoad:
    """Read catalogs from files, folders, zips or uploads and combine them into one.

    A file that gives no tracks (header only, not a catalog, unreadable) is reported and skipped;
    the load fails only when no file gave any track, or a limit is crossed.

    Args:
        sources: paths (CSV, TSV, CSV.gz, Parquet, zip, or a folder of them) or (name, bytes)
            pairs; a single source is accepted too. Order is precedence (first wins).
        limits: byte, row and file bounds of this load.

    Returns:
        CatalogLoad: the CATALOG frame (+ TAGS) and one PartReport per file.

    Raises:
        CatalogError: naming the file, when a limit is crossed or nothing could be read.
    """
    if isinstance(sources, str | Path | tuple):
        sources = [sources]
    budget = _Budget(limits)
    reports: list[PartReport] = []
    parts: list[pd.DataFrame] = []
    part_reports: list[PartReport] = []
    for name, frame in _catalog_tables(list(sources), budget, reports):
        report = PartReport(name, rows=len(frame))
        reports.append(report)
        try:
            part = _normalise(name, frame)
        except CatalogError as exc:
            report.note = str(exc)
            continue
        parts.append(part)
        part_reports.append(report)
    if not parts:
        why = next((r.note for r in reports if r.note), "no catalog given")
        raise CatalogError(why)
    catalog = combine_catalogs(parts, part_reports)
    return CatalogLoad(catalog, reports)


def load_catalog(
    sources: Source | Iterable[Source], limits: CatalogLimits = DEFAULT_CATALOG_LIMITS
) -> pd.DataFrame:
    """Load and merge catalogs into one CATALOG frame (CATALOG_COLUMNS + TAGS), one row per track_id.

    See ``read_catalog`` for sources, limits and the combining rule; this returns only the frame.

    Raises:
        CatalogError: naming the file when nothing could be read or a limit is crossed.
    """
    return read_catalog(sources, limits).catalog


def _read_tables(sources: Source | Iterable[Source]) -> Iterator[tuple[str, pd.DataFrame]]:
    if isinstance(sources, str | Path | tuple):
        sources = [sources]
    budget = _Budget(DEFAULT_CATALOG_LIMITS)
    for entry in _entries(list(sources), budget):
        yield entry.name, _read_entry(entry, budget)


def catalog_playlists(sources: Iterable[Source]) -> pd.DataFrame:
    """INTERACTIONS (user = playlist id, item = track_id, weight = 1) from catalogs that list playlists.

    TidyTuesday's 471 playlists make a small community for collaborative filtering on real data.
    """
    parts = []
    for _, frame in _read_tables(sources):
        pl, ids = _pick(frame, "playlist_id"), _pick(frame, S.TRACK_ID)
        if pl is None or ids is None:
            continue
        parts.append(
            pd.DataFrame({S.USER: pl.astype("string"), S.ITEM: ids.astype("string"), S.WEIGHT: 1.0})
        )
    if not parts:
        return S.as_interactions(pd.DataFrame(columns=[S.USER, S.ITEM, S.WEIGHT]))
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates([S.USER, S.ITEM]).dropna()
    return S.as_interactions(pairs.reset_index(drop=True))


def _one_table(path: Source) -> tuple[str, pd.DataFrame]:
    tables = list(_read_tables(path))
    if not tables:
        raise CatalogError(f"{path}: nothing to read")
    return tables[0]


def load_artist_features(path: str | Path) -> pd.DataFrame:
    """Artist-level mean features (Kaggle ``data_w_genres.csv``): columns artist, genre, TAGS, features."""
    _, frame = _one_table(path)
    if "artists" not in frame.columns:
        raise CatalogError(f"{path}: expected an 'artists' column of artist names")
    words = (
        _genre_words(frame["genres"])
        if "genres" in frame.columns
        else pd.Series("", index=frame.index)
    )
    out = pd.DataFrame({S.ARTIST: frame["artists"].astype("string"), S.TAGS: words})
    out[S.GENRE] = words.str.split(", ").str[0].replace("", pd.NA)
    for f in S.AUDIO_FEATURES:
        out[f] = pd.to_numeric(frame.get(f), errors="coerce")
    return out.dropna(subset=[S.ARTIST]).drop_duplicates(S.ARTIST).reset_index(drop=True)


def load_genre_features(path: str | Path) -> pd.DataFrame:
    """Genre-level mean features (Kaggle ``data_by_genres.csv``): columns genre, features."""
    _, frame = _one_table(path)
    if "genres" not in frame.columns:
        raise CatalogError(f"{path}: expected a 'genres' column")
    out = pd.DataFrame({S.GENRE: frame["genres"].astype("string")})
    for f in S.AUDIO_FEATURES:
        out[f] = pd.to_numeric(frame.get(f), errors="coerce")
    return out.dropna(subset=[S.GENRE]).drop_duplicates(S.GENRE).reset_index(drop=True)


# --- downloads live in musicrec.catalog_sources; these names stay for existing callers --------


def cache_dir(user: str | None = None) -> Path:
    """See ``musicrec.catalog_sources.cache_dir``."""
    from musicrec import catalog_sources

    return catalog_sources.cache_dir(user)


def cached_catalogs(directory: Path | None = None) -> list[Path]:
    """See ``musicrec.catalog_sources.cached_catalogs``."""
    from musicrec import catalog_sources

    return catalog_sources.cached_catalogs(directory)


def fetch_catalog(url: str, **kwargs: object) -> Path:
    """See ``musicrec.catalog_sources.fetch_catalog`` (guarded download, cached as Parquet)."""
    from musicrec import catalog_sources

    return catalog_sources.fetch_catalog(url, **kwargs)  # type: ignore[arg-type]
