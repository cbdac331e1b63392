"""Track catalogs with audio features: load the common public schemas, download and cache them.

Spotify's API no longer serves audio features to new apps, so features come from
public datasets the user loads or downloads. Supported schemas (recognised by header):

- TidyTuesday ``spotify_songs`` (track_name, track_artist, playlist_genre, ...).
- Kaggle / Hugging Face "Spotify Tracks Dataset" (artists ';'-joined, track_genre).
- The 2024 popularity files (track_artist may join several artists with ", ").
- ``playlist_2010to2022`` (artist_name, artist_genres as a Python list literal).

Public API:
    load_catalog(sources) -> CATALOG frame (+ TAGS)
    catalog_playlists(sources) -> INTERACTIONS (playlist, track_id, 1)
    load_artist_features(path) / load_genre_features(path) -> fallback tables
    fetch_catalog(url, ...) -> Path of a cached Parquet
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.errors import CatalogError

Source = str | Path | tuple[str, bytes]
MAX_DOWNLOAD_BYTES = 2 * 1024**3

# source column -> catalog column, per known schema (first match wins)
_ALIASES: dict[str, tuple[str, ...]] = {
    S.TRACK_ID: ("track_id", "id"),
    S.TRACK: ("track_name", "name", "track", "title"),
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


def _clean_header(columns: Iterable[str]) -> list[str]:
    return [str(c).replace("\ufeff", "").replace("ï»¿", "").strip().lower() for c in columns]


def _read_table(source: Source) -> tuple[str, pd.DataFrame]:
    if isinstance(source, tuple):
        name, data = source
        buffer: io.BytesIO | Path = io.BytesIO(data)
    else:
        name, buffer = str(source), Path(source)
    lower = name.lower()
    try:
        if lower.endswith(".parquet"):
            frame = pd.read_parquet(buffer)
        else:
            compression = (
                "gzip" if lower.endswith(".gz") else ("zip" if lower.endswith(".zip") else None)
            )
            frame = pd.read_csv(buffer, compression=compression, low_memory=False)
    except FileNotFoundError:
        raise CatalogError(f"{name}: file not found") from None
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(f"{name}: not a readable CSV/Parquet catalog ({exc})") from None
    frame.columns = _clean_header(frame.columns)
    return name, frame


def _pick(frame: pd.DataFrame, target: str) -> pd.Series | None:
    for alias in _ALIASES[target]:
        if alias in frame.columns:
            return frame[alias]
    return None


def _genre_words(raw: pd.Series) -> pd.Series:
    """Python list literals ("['permanent wave', 'pop']") -> "permanent wave, pop"."""

    def parse(v: object) -> str:
        if not isinstance(v, str) or not v.startswith("["):
            return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        try:
            return ", ".join(map(str, ast.literal_eval(v)))
        except (ValueError, SyntaxError):
            return v.strip("[]").replace("'", "")

    return raw.map(parse).astype("string")


def _normalise(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    ids = _pick(frame, S.TRACK_ID)
    title = _pick(frame, S.TRACK)
    artists = _pick(frame, S.ARTISTS)
    if ids is None or title is None or artists is None:
        raise CatalogError(
            f"{name}: not a track catalog (needs track id, track name and artist columns; found "
            f"{', '.join(frame.columns[:10])})"
        )
    present = [f for f in S.AUDIO_FEATURES if f in frame.columns]
    if len(present) < 3:
        raise CatalogError(
            f"{name}: has no audio-feature columns (danceability, energy, valence...)"
        )
    out = pd.DataFrame(index=frame.index)
    out[S.TRACK_ID] = ids.astype("string").str.replace("spotify:track:", "", regex=False)
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
    out = out[out[S.TRACK_ID].notna() & out[S.TRACK].notna() & out[S.ARTISTS].notna()]
    return out


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per track_id; genres/subgenres/tags of repeated rows are aggregated into TAGS."""
    first = frame.drop_duplicates(S.TRACK_ID, keep="first").set_index(S.TRACK_ID)
    repeated = frame[frame.duplicated(S.TRACK_ID, keep=False)]
    if not repeated.empty:
        merged = repeated.groupby(S.TRACK_ID, sort=False)[S.TAGS].agg(
            lambda s: " ".join(dict.fromkeys(" ".join(s.dropna()).split()))
        )
        first.loc[merged.index, S.TAGS] = merged.astype("string")
    return first.reset_index()


def load_catalog(sources: Iterable[Source]) -> pd.DataFrame:
    """Load and merge catalogs into one CATALOG frame (CATALOG_COLUMNS + TAGS), one row per track_id.

    Args:
        sources: paths (CSV, CSV.gz, Parquet) or (name, bytes) pairs; a single path is accepted too.

    Raises:
        CatalogError: naming the file when one cannot be read or is not a catalog.
    """
    if isinstance(sources, str | Path):
        sources = [sources]
    parts = [_normalise(*_read_table(src)) for src in sources]
    if not parts:
        raise CatalogError("no catalog given")
    frame = _dedupe(pd.concat(parts, ignore_index=True))
    return S.as_catalog(frame.reset_index(drop=True))


def catalog_playlists(sources: Iterable[Source]) -> pd.DataFrame:
    """INTERACTIONS (user = playlist id, item = track_id, weight = 1) from catalogs that list playlists.

    TidyTuesday's 471 playlists make a small community for collaborative filtering on real data.
    """
    parts = []
    for src in sources:
        _, frame = _read_table(src)
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


def load_artist_features(path: str | Path) -> pd.DataFrame:
    """Artist-level mean features (Kaggle ``data_w_genres.csv``): columns artist, genre, TAGS, features."""
    _, frame = _read_table(path)
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
    _, frame = _read_table(path)
    if "genres" not in frame.columns:
        raise CatalogError(f"{path}: expected a 'genres' column")
    out = pd.DataFrame({S.GENRE: frame["genres"].astype("string")})
    for f in S.AUDIO_FEATURES:
        out[f] = pd.to_numeric(frame.get(f), errors="coerce")
    return out.dropna(subset=[S.GENRE]).drop_duplicates(S.GENRE).reset_index(drop=True)


# --- download and cache ---------------------------------------------------------------


def cache_dir() -> Path:
    """Where downloaded catalogs are cached (the user's cache directory)."""
    import os

    import platformdirs

    root = os.environ.get("MUSICREC_CACHE_DIR") or platformdirs.user_cache_dir("musicrec")
    return Path(root) / "catalogs"


def cached_catalogs(directory: Path | None = None) -> list[Path]:
    """Cached catalogs, newest first."""
    d = directory or cache_dir()
    return (
        sorted(d.glob("*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
        if d.exists()
        else []
    )


def _cache_name(url: str, name: str | None) -> str:
    base = name or Path(urllib.parse.urlparse(url).path).name or "catalog"
    base = re.sub(r"\.(csv|parquet|gz|zip)$", "", base, flags=re.I)
    base = re.sub(r"\.(csv|parquet)$", "", base, flags=re.I)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", base)[:80] or "catalog"


def fetch_catalog(
    url: str,
    *,
    sha256: str | None = None,
    name: str | None = None,
    directory: Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    timeout: float = 30,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Path:
    """Download a public catalog, verify it, cache it as Parquet and return the cached path.

    Args:
        url: http(s) URL of a CSV, CSV.gz or Parquet catalog.
        sha256: expected SHA-256 of the downloaded bytes, checked when given.
        name: cache name (default: from the URL).
        directory: cache folder (default: ``cache_dir()``).
        progress: called with (bytes received, total bytes or None) as the download proceeds.
        timeout: socket timeout in seconds.
        max_bytes: downloads larger than this are refused.

    Raises:
        CatalogError: on network errors, HTTP errors, checksum mismatch or a body that is not a catalog.
    """
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise CatalogError(f"{url}: only http(s) URLs can be downloaded")
    target_dir = directory or cache_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    suffix = "".join(Path(urllib.parse.urlparse(url).path).suffixes[-2:]) or ".csv"
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}) if "127.0.0.1" in url else urllib.request.ProxyHandler()
    )
    with tempfile.NamedTemporaryFile(dir=target_dir, suffix=suffix, delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with opener.open(url, timeout=timeout) as resp:
                total = resp.headers.get("Content-Length")
                total_n = int(total) if total and total.isdigit() else None
                if total_n and total_n > max_bytes:
                    raise CatalogError(
                        f"{url}: {total_n / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB limit"
                    )
                done = 0
                while chunk := resp.read(1 << 16):
                    done += len(chunk)
                    if done > max_bytes:
                        raise CatalogError(
                            f"{url}: download exceeds the {max_bytes / 1e6:.0f} MB limit"
                        )
                    digest.update(chunk)
                    tmp.write(chunk)
                    if progress:
                        progress(done, total_n)
            if total_n is not None and done < total_n:
                raise CatalogError(f"{url}: download truncated ({done} of {total_n} bytes)")
        except urllib.error.HTTPError as exc:
            tmp_path.unlink(missing_ok=True)
            raise CatalogError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            tmp_path.unlink(missing_ok=True)
            if isinstance(exc, CatalogError):
                raise
            reason = getattr(exc, "reason", exc)
            raise CatalogError(
                f"{url}: could not download ({reason}); check the address and your connection"
            ) from None
        except CatalogError:
            tmp_path.unlink(missing_ok=True)
            raise
    try:
        if sha256 and digest.hexdigest() != sha256.lower():
            raise CatalogError(
                f"{url}: checksum mismatch (got {digest.hexdigest()[:12]}…, expected {sha256[:12]}…)"
            )
        catalog = load_catalog([tmp_path])
        out = target_dir / f"{_cache_name(url, name)}.parquet"
        catalog.to_parquet(out, index=False)
        return out
    finally:
        tmp_path.unlink(missing_ok=True)
