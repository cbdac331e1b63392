"""Join plays to a track catalog and build the recommendable item universe.

Matching runs in order, each step only on what the previous left unmatched:
1. ``uri``: the play's Spotify track URI is a catalog track_id;
2. ``name``: normalised artist + normalised title are equal;
3. ``fuzzy``: same normalised artist, title similarity >= ``fuzzy_cutoff`` (rapidfuzz);
then, for what is still unmatched, fallback features with their provenance:
4. ``artist``: the mean features of the artist's catalog tracks (or an artist-level table);
5. ``genre``: the mean features of the artist's genre (genre-level table);
6. ``none``: no features.

Public API:
    normalise_name(s), local_item_id(artist, track)
    match_plays(plays, catalog, ...) -> plays + item_id + match_method
    build_items(catalog, plays_matched, library_matched=None, ...) -> ITEMS
    match_report(plays_matched) -> frame
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from musicrec import schema as S

FUZZY_CUTOFF = 88.0
"""Minimum rapidfuzz ``token_sort_ratio`` (0-100) for a fuzzy title match within one artist."""

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00b4": "'",
}
_SUFFIX = (
    r"\s+-\s+(?:[^-]*\b(?:remaster(?:ed)?|live|radio edit|edit|version|mono|stereo|single|bonus|"
    r"deluxe|acoustic|demo|recorded|from|explicit|clean|original|anniversary)\b.*)$"
)
_BRACKETS = r"\s*[\(\[](?![^\)\]]*\bremix\b)[^\)\]]*[\)\]]"
_FEAT = r"\s+(?:feat\.?|ft\.?|featuring)\s+.*$"


def normalise_name(s: pd.Series) -> pd.Series:
    """Vectorised name normalisation for matching.

    Folds accents (keeping non-Latin scripts), casefolds, unifies Unicode dashes and
    quotes, drops "feat. X", bracketed notes other than remixes ("(Live)", "[Remastered]"),
    " - Remastered 2011"-style suffixes, and punctuation; "&" becomes "and".
    """
    t = s.astype("string").fillna("")
    t = t.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
    t = t.str.replace(f"[{_DASHES}]", "-", regex=True)
    for k, v in _QUOTES.items():
        t = t.str.replace(k, v, regex=False)
    t = t.str.casefold()
    t = t.str.replace(_BRACKETS, "", regex=True)
    t = t.str.replace(_SUFFIX, "", regex=True)
    t = t.str.replace(_FEAT, "", regex=True)
    t = t.str.replace("&", " and ", regex=False)
    t = t.str.replace(r"[^\w\s]", " ", regex=True).str.replace("_", " ", regex=False)
    return t.str.replace(r"\s+", " ", regex=True).str.strip()


def local_item_id(artist: pd.Series, track: pd.Series) -> pd.Series:
    """Item id of a track known only by name: "local:<normalised artist>|<normalised title>"."""
    return "local:" + normalise_name(artist) + "|" + normalise_name(track)


def _empty_catalog() -> pd.DataFrame:
    cols = {
        c: pd.Series(dtype="string")
        for c in (S.TRACK_ID, S.TRACK, S.ARTISTS, S.ALBUM, S.GENRE, S.SUBGENRE, S.TAGS)
    }
    cols.update({c: pd.Series(dtype=float) for c in (S.POPULARITY, *S.AUDIO_FEATURES)})
    cols.update({c: pd.Series(dtype="Int64") for c in (S.DURATION_MS, S.YEAR, S.KEY, S.MODE)})
    return pd.DataFrame(cols)


def _catalog_keys(catalog: pd.DataFrame, known_artists: set[str]) -> pd.DataFrame:
    """(artist_norm, track_norm, track_id) per catalog row and per known artist of multi-artist rows.

    A multi-artist string is split on ", " only when every piece is a known artist name (a
    single-artist catalog row or one of the user's artists), so "Tyler, The Creator" stays
    one artist while "Lady Gaga, Bruno Mars" yields both.
    """
    full = normalise_name(catalog[S.ARTISTS])
    title = normalise_name(catalog[S.TRACK])
    base = pd.DataFrame(
        {
            "a": full,
            "t": title,
            S.TRACK_ID: catalog[S.TRACK_ID],
            S.POPULARITY: catalog[S.POPULARITY],
        }
    )
    multi = catalog[S.ARTISTS].str.contains(", ", regex=False, na=False)
    if multi.any():
        pieces = catalog.loc[multi, S.ARTISTS].str.split(", ").explode()
        pieces_norm = normalise_name(pieces)
        solo = set(full[~multi])
        known = pieces_norm.isin(solo | known_artists)
        all_known = known.groupby(level=0).transform("all").to_numpy(dtype=bool)
        rows = pieces_norm[all_known]
        extra = pd.DataFrame(
            {
                "a": rows.to_numpy(),
                "t": title.loc[rows.index].to_numpy(),
                S.TRACK_ID: catalog.loc[rows.index, S.TRACK_ID].to_numpy(),
                S.POPULARITY: catalog.loc[rows.index, S.POPULARITY].to_numpy(),
            }
        )
        base = pd.concat([base, extra], ignore_index=True)
    base = base.sort_values(S.POPULARITY, ascending=False, kind="stable", na_position="last")
    return base.drop_duplicates(["a", "t"]).reset_index(drop=True)


def _fuzzy(pairs: pd.DataFrame, keys: pd.DataFrame, cutoff: float) -> pd.Series:
    """track_id per unmatched (a, t) pair whose artist is in the catalog, by best title similarity."""
    from rapidfuzz import fuzz, process

    by_artist = keys.groupby("a", sort=False)
    groups = {a: (g["t"].tolist(), g[S.TRACK_ID].tolist()) for a, g in by_artist if a}
    out = pd.Series(pd.NA, index=pairs.index, dtype="string")
    for idx, a, t in zip(pairs.index, pairs["a"], pairs["t"], strict=True):
        cand = groups.get(a)
        if not cand or not t:
            continue
        hit = process.extractOne(t, cand[0], scorer=fuzz.token_sort_ratio, score_cutoff=cutoff)
        if hit is not None:
            out[idx] = cand[1][hit[2]]
    return out


def _artist_table(catalog: pd.DataFrame, artist_features: pd.DataFrame | None) -> pd.DataFrame:
    """Mean features and main genre per normalised artist, from the catalog then the artist table."""
    cat = catalog.assign(a=normalise_name(catalog[S.ARTISTS]))
    feats = [f for f in S.AUDIO_FEATURES if f in cat.columns]
    table = cat.groupby("a")[feats].mean()
    counts = (
        cat.groupby(["a", S.GENRE]).size().sort_values(ascending=False, kind="stable").reset_index()
    )
    table[S.GENRE] = counts.drop_duplicates("a").set_index("a")[S.GENRE]
    table[S.TAGS] = cat.drop_duplicates("a").set_index("a")[S.TAGS]
    if artist_features is not None and not artist_features.empty:
        extra = (
            artist_features.assign(a=normalise_name(artist_features[S.ARTIST]))
            .drop_duplicates("a")
            .set_index("a")
        )
        extra = extra[[*feats, S.GENRE, S.TAGS]]
        table = pd.concat([table, extra[~extra.index.isin(table.index)]])
    return table.astype({S.GENRE: "string", S.TAGS: "string"})


def match_plays(
    plays: pd.DataFrame,
    catalog: pd.DataFrame | None,
    *,
    fuzzy: bool = True,
    fuzzy_cutoff: float = FUZZY_CUTOFF,
    artist_features: pd.DataFrame | None = None,
    genre_features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add ITEM_ID and MATCH_METHOD to plays (or library rows).

    Args:
        plays: a frame with at least artist, track and track_uri (PLAYS or LIBRARY).
        catalog: CATALOG frame (may be None or empty: everything then matches "none"/"artist").
        fuzzy: try fuzzy title matching within the same artist.
        artist_features / genre_features: optional fallback tables (``musicrec.catalog``).

    Returns:
        A new frame: the input columns plus item_id and match_method (see module docstring).
    """
    catalog = _empty_catalog() if catalog is None or catalog.empty else catalog
    out = plays.copy()
    n = len(out)
    item = pd.Series(pd.NA, index=out.index, dtype="string")
    method = pd.Series(S.MATCH_NONE, index=out.index, dtype="string")
    ids = (
        S.track_id_from_uri(out[S.TRACK_URI])
        if S.TRACK_URI in out.columns
        else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    known_ids = set(catalog[S.TRACK_ID].dropna())
    by_uri = ids.isin(known_ids).fillna(False)
    item[by_uri] = ids[by_uri]
    method[by_uri] = S.MATCH_URI
    if n and (~by_uri).any():
        rest = out.loc[~by_uri, [S.ARTIST, S.TRACK]]
        pairs = pd.DataFrame(
            {"a": normalise_name(rest[S.ARTIST]), "t": normalise_name(rest[S.TRACK])},
            index=rest.index,
        )
        uniq = pairs.drop_duplicates().reset_index(drop=True)
        keys = _catalog_keys(catalog, set(uniq["a"]))
        uniq = uniq.merge(keys[["a", "t", S.TRACK_ID]], on=["a", "t"], how="left")
        uniq["how"] = np.where(uniq[S.TRACK_ID].notna(), S.MATCH_NAME, S.MATCH_NONE)
        if fuzzy:
            todo = uniq[S.TRACK_ID].isna()
            found = _fuzzy(uniq[todo], keys, fuzzy_cutoff)
            hit = found.notna()
            uniq.loc[found[hit].index, S.TRACK_ID] = found[hit]
            uniq.loc[found[hit].index, "how"] = S.MATCH_FUZZY
        artists = _artist_table(catalog, artist_features)
        has_feats = artists.drop(columns=[S.GENRE, S.TAGS]).notna().any(axis=1)
        genre_known = (
            set(genre_features[S.GENRE])
            if genre_features is not None and not genre_features.empty
            else set()
        )
        keys_a = uniq["a"].to_numpy()
        miss = uniq[S.TRACK_ID].isna().to_numpy()
        art_ok = has_feats.reindex(keys_a).fillna(False).to_numpy(dtype=bool)
        genre_ok = artists[S.GENRE].reindex(keys_a).isin(genre_known).to_numpy(dtype=bool)
        uniq.loc[miss & art_ok, "how"] = S.MATCH_ARTIST
        uniq.loc[miss & ~art_ok & genre_ok, "how"] = S.MATCH_GENRE
        merged = pairs.reset_index().merge(uniq, on=["a", "t"], how="left").set_index("index")
        item[merged.index] = merged[S.TRACK_ID].astype("string")
        method[merged.index] = merged["how"].astype("string")
        local = item.isna()
        item[local] = local_item_id(out.loc[local, S.ARTIST], out.loc[local, S.TRACK])
    out[S.ITEM_ID] = item
    out[S.MATCH_METHOD] = method
    return out


def build_items(
    catalog: pd.DataFrame | None,
    plays_matched: pd.DataFrame,
    library_matched: pd.DataFrame | None = None,
    *,
    artist_features: pd.DataFrame | None = None,
    genre_features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ITEMS frame: every catalog track plus the user's own tracks the catalog lacks.

    Needs: CATALOG (+ TAGS) and plays/library frames from ``match_plays``.
    Returns: ITEM_COLUMNS, one row per item_id; feature_source says where features come from
    ("track", "artist", "genre", "none").
    """
    catalog = _empty_catalog() if catalog is None or catalog.empty else catalog
    tags = catalog[S.TAGS] if S.TAGS in catalog.columns else catalog[S.GENRE]
    tid = catalog[S.TRACK_ID].astype("string")
    cat_items = pd.DataFrame(
        {
            S.ITEM_ID: tid,
            S.TRACK: catalog[S.TRACK],
            S.ARTIST: catalog[S.ARTISTS],
            S.ALBUM: catalog[S.ALBUM],
            S.GENRE: catalog[S.GENRE],
            S.TAGS: tags.fillna(""),
            S.POPULARITY: catalog[S.POPULARITY].astype(float),
            S.DURATION_MS: catalog[S.DURATION_MS].astype("Float64"),
            S.YEAR: catalog[S.YEAR],
            **{f: catalog[f].astype(float) for f in S.AUDIO_FEATURES},
            S.TRACK_URI: ("spotify:track:" + tid).where(
                tid.str.fullmatch(r"[A-Za-z0-9]{22}").fillna(False)
            ),
            S.FEATURE_SOURCE: "track",
            S.IN_CATALOG: True,
        }
    )
    own = [f for f in (plays_matched, library_matched) if f is not None and not f.empty]
    if own:
        rows = pd.concat(
            [f[[S.ITEM_ID, S.TRACK, S.ARTIST, S.ALBUM, S.TRACK_URI]] for f in own],
            ignore_index=True,
        )
        rows = rows[~rows[S.ITEM_ID].isin(set(tid))].drop_duplicates(S.ITEM_ID)
    else:
        rows = pd.DataFrame(columns=[S.ITEM_ID, S.TRACK, S.ARTIST, S.ALBUM, S.TRACK_URI])
    artists = _artist_table(catalog, artist_features)
    a = normalise_name(rows[S.ARTIST]) if len(rows) else pd.Series(dtype="string")
    local = pd.DataFrame(
        {
            S.ITEM_ID: rows[S.ITEM_ID].astype("string").to_numpy(),
            S.TRACK: rows[S.TRACK].astype("string").to_numpy(),
            S.ARTIST: rows[S.ARTIST].astype("string").to_numpy(),
            S.ALBUM: rows[S.ALBUM].astype("string").to_numpy(),
            S.GENRE: artists[S.GENRE].reindex(a.to_numpy()).to_numpy(),
            S.TAGS: artists[S.TAGS].reindex(a.to_numpy()).fillna("").to_numpy(),
            S.POPULARITY: np.nan,
            S.DURATION_MS: pd.array([pd.NA] * len(rows), dtype="Float64"),
            S.YEAR: pd.array([pd.NA] * len(rows), dtype="Int64"),
            **{f: artists[f].reindex(a.to_numpy()).to_numpy(dtype=float) for f in S.AUDIO_FEATURES},
            S.TRACK_URI: rows[S.TRACK_URI].astype("string").to_numpy(),
        }
    )
    has_artist = local[list(S.AUDIO_FEATURES)].notna().any(axis=1)
    source = np.where(has_artist, "artist", "none")
    if genre_features is not None and not genre_features.empty and len(local):
        g = genre_features.drop_duplicates(S.GENRE).set_index(S.GENRE)
        need = ~has_artist & local[S.GENRE].isin(g.index)
        for f in S.AUDIO_FEATURES:
            local.loc[need, f] = local.loc[need, S.GENRE].map(g[f]).astype(float)
        source = np.where(need, "genre", source)
    local[S.FEATURE_SOURCE] = source
    local[S.IN_CATALOG] = False
    items = pd.concat([cat_items, local], ignore_index=True) if len(local) else cat_items
    items = items.drop_duplicates(S.ITEM_ID).reset_index(drop=True)
    return S.as_items(items)


def match_report(plays_matched: pd.DataFrame) -> pd.DataFrame:
    """Share of plays and of listening time by match method.

    Needs: match_method and ms_played. Returns columns method, plays, share_plays, hours,
    share_time, one row per method in MATCH_METHODS order (all present, zeros included).
    """
    ms = plays_matched[S.MS_PLAYED].astype("Float64").fillna(0).astype(float)
    g = (
        pd.DataFrame({"method": plays_matched[S.MATCH_METHOD], "ms": ms})
        .groupby("method")["ms"]
        .agg(["size", "sum"])
    )
    g = g.reindex(list(S.MATCH_METHODS), fill_value=0)
    n, total = max(int(g["size"].sum()), 1), max(float(g["sum"].sum()), 1.0)
    return pd.DataFrame(
        {
            "method": g.index,
            "plays": g["size"].astype(int).to_numpy(),
            "share_plays": (g["size"] / n).to_numpy(),
            "hours": (g["sum"] / 3.6e6).to_numpy(),
            "share_time": (g["sum"] / total).to_numpy(),
        }
    )
