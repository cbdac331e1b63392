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

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from musicrec import schema as S

FUZZY_CUTOFF = 88.0
"""Minimum rapidfuzz ``token_sort_ratio`` (0-100) for a fuzzy title match within one artist."""

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_TRANSLATE = str.maketrans(
    {**dict.fromkeys(_DASHES, "-"), "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
     "\u201c": '"', "\u201d": '"', "\u00b4": "'"}
)  # fmt: skip
_COMBINING = re.compile(r"[\u0300-\u036f]")
_BRACKET = re.compile(r"\s*[\(\[]([^\)\]]*)[\)\]]")
_DASH_SUFFIX = re.compile(r"\s+-\s+(.*)$")
_FEAT_RE = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s+.*$")
_SAME_RECORDING = re.compile(
    r"\b(?:remaster(?:ed)?|radio edit|edit|version|mono|stereo|single|bonus|deluxe|recorded|from|"
    r"explicit|clean|original|anniversary|feat|ft|featuring|with)\b"
)
_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), word)
    for p, word in (
        (r"\btaylor'?s version\b", "taylors version"),
        (r"\bre-?record(?:ed|ing)?\b", "rerecorded"),
        (r"\blive\b", "live"),
        (r"\bacoustic\b", "acoustic"),
        (r"\bunplugged\b", "unplugged"),
        (r"\bdemo\b", "demo"),
        (r"\binstrumental\b", "instrumental"),
        (r"\bkaraoke\b", "karaoke"),
        (r"\ba ?cappella\b|\bacapella\b", "acapella"),
        (r"\bsped up\b", "sped up"),
        (r"\bslowed\b", "slowed"),
        (r"\borchestral\b", "orchestral"),
    )
)
MARKER_WORDS = frozenset(
    {"taylors", "rerecorded", "live", "acoustic", "unplugged", "demo", "instrumental", "karaoke",
     "acapella", "sped", "slowed", "orchestral", "remix", "version"}
)  # fmt: skip
"""Words that, in a note or suffix, say the recording differs (kept in the normalised title)."""
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii", "xiv", "xv"})
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def _note(text: str) -> str:
    """What of a bracketed note or " - " suffix the normalised title keeps.

    A remix note is kept whole (the remixer tells remixes apart); a live, acoustic, demo,
    "Taylor's Version"... note keeps only its marker words; other notes (remastered, radio edit,
    feat., from the film...) are dropped, as they name the same recording.
    """
    if re.search(r"\bremix(?:ed)?\b|\brmx\b", text):
        return " " + text.replace("rmx", "remix")
    words = [word for pattern, word in _MARKERS if pattern.search(text)]
    return " " + " ".join(words) if words else ""


def normalise_one(text: str) -> str:
    """One name normalised for matching (see ``normalise_name``).

    Not cached across calls: names are a person's data, and a served app keeps no one's
    names in a process-wide cache (``normalise_name`` computes each distinct name once per call).
    """
    t = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_TRANSLATE).casefold()
    notes: list[str] = []

    def bracket(m: re.Match[str]) -> str:
        notes.append(_note(m.group(1)))
        return ""

    t = _BRACKET.sub(bracket, t)
    m = _DASH_SUFFIX.search(t)
    if m is not None:
        tail = m.group(1)
        kept = _note(tail)
        if kept or _SAME_RECORDING.search(tail):
            t = t[: m.start()]
            notes.insert(0, kept)
    t = _FEAT_RE.sub("", t) + "".join(notes)
    t = _PUNCT.sub(" ", t.replace("&", " and "))
    return _SPACES.sub(" ", t).strip()


def normalise_name(s: pd.Series) -> pd.Series:
    """Name normalisation for matching, one value per input (computed once per distinct name).

    Folds accents (keeping non-Latin scripts), casefolds, unifies Unicode dashes and quotes,
    drops "feat. X" and notes that name the same recording ("(Remastered 2011)", " - Radio
    Edit", "(from the film X)"), keeps what makes another recording ("(Live)" -> "live",
    "(Taylor's Version)" -> "taylors version", remix notes whole), drops punctuation; "&"
    becomes "and". So "Halo - Live at Wembley" is "halo live", never "halo".
    """
    values = s.astype("string")
    uniq = values.dropna().unique()
    table = {v: normalise_one(v) for v in uniq}
    return values.map(table).fillna("").astype("string")


def title_signature(title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(numbers, version markers) of a normalised title; a fuzzy match needs both to agree.

    "the heart part 5" -> (("5",), ()); "parallel 2" -> (("2",), ());
    "all too well taylors version" -> ((), ("taylors", "version")).
    """
    words = title.split()
    numbers = tuple(sorted(w for w in words if w.isdigit() or w in _ROMAN))
    markers = tuple(sorted(w for w in words if w in MARKER_WORDS))
    return numbers, markers


def isin_strings(values: pd.Series, among: pd.Series | pd.Index | Iterable[str]) -> np.ndarray:
    """Boolean array: which of ``values`` are in ``among`` (NA is never in).

    ``Series.isin`` on pandas 3's Arrow strings loops in Python over ``among`` (9 s for 200k
    ids); Arrow's ``is_in`` takes 0.3 s.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    v = pa.array(values.astype("string")).cast(pa.large_string())
    if isinstance(among, pd.Series | pd.Index):
        ref = pa.array(pd.Series(among).astype("string")).cast(pa.large_string())
    else:
        ref = pa.array(list(among), type=pa.large_string())
    hit = pc.is_in(v, value_set=ref, skip_nulls=True).fill_null(False)
    return hit.to_numpy(zero_copy_only=False).astype(bool)


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
    """(artist_norm, track_norm, track_id) for catalog rows of the given artists.

    Only rows with one of ``known_artists`` (the history's normalised artists) are keyed, so
    titles are normalised for a few thousand rows instead of the whole catalog. A multi-artist
    string ("Lady Gaga, Bruno Mars") is also keyed under each of its pieces that is one of the
    user's artists, unless the whole string is itself a known artist (a single-artist catalog
    row or one of the user's artists): "Tyler, The Creator" stays one artist for whoever plays
    Tyler, The Creator. Where several rows share (artist, title), the most popular wins.
    """
    full = normalise_name(catalog[S.ARTISTS])
    multi = catalog[S.ARTISTS].str.contains(", ", regex=False, na=False).to_numpy(dtype=bool)
    wanted = pd.Series(sorted(known_artists), dtype="string")
    direct = isin_strings(full, wanted)
    frames = []
    if direct.any():
        rows = catalog.loc[direct]
        frames.append(
            pd.DataFrame(
                {"a": full[direct].to_numpy(), "t": normalise_name(rows[S.TRACK]).to_numpy(),
                 S.TRACK_ID: rows[S.TRACK_ID].to_numpy(), S.POPULARITY: rows[S.POPULARITY].to_numpy()}
            )
        )  # fmt: skip
    if multi.any():
        pieces = catalog.loc[multi, S.ARTISTS].str.split(", ").explode()
        pieces_norm = normalise_name(pieces)
        relevant = isin_strings(pieces_norm, wanted)
        rows_with = pd.Series(relevant, index=pieces_norm.index).groupby(level=0).any()
        rows_with = rows_with[rows_with].index
        if len(rows_with):
            sub = pieces_norm.loc[rows_with]
            solo = full[~multi]
            whole = full.loc[sub.index]
            whole_known = isin_strings(whole, solo) | isin_strings(whole, wanted)
            sub = sub[isin_strings(sub, wanted) & ~whole_known]
            titles = normalise_name(catalog.loc[rows_with, S.TRACK])
            frames.append(
                pd.DataFrame(
                    {"a": sub.to_numpy(), "t": titles.loc[sub.index].to_numpy(),
                     S.TRACK_ID: catalog.loc[sub.index, S.TRACK_ID].to_numpy(),
                     S.POPULARITY: catalog.loc[sub.index, S.POPULARITY].to_numpy()}
                )
            )  # fmt: skip
    if not frames:
        return pd.DataFrame(
            {"a": pd.Series(dtype="string"), "t": pd.Series(dtype="string"),
             S.TRACK_ID: pd.Series(dtype="string"), S.POPULARITY: pd.Series(dtype=float)}
        )  # fmt: skip
    base = pd.concat(frames, ignore_index=True)
    base = base.sort_values(S.POPULARITY, ascending=False, kind="stable", na_position="last")
    return base.drop_duplicates(["a", "t"]).reset_index(drop=True)


def _fuzzy(pairs: pd.DataFrame, keys: pd.DataFrame, cutoff: float) -> pd.Series:
    """track_id per unmatched (a, t) pair whose artist is in the catalog, by best title similarity.

    A candidate counts only if its numbers and version markers agree with the play's title
    (``title_signature``): "Part 5" never becomes "Part 4", a live play never the studio take.
    """
    from rapidfuzz import fuzz, process

    wanted = set(pairs["a"])
    keys = keys[keys["a"].isin(wanted)] if len(keys) else keys
    groups: dict[str, tuple[list[str], list[str], list[tuple]]] = {}
    for a, t, tid in zip(
        keys["a"].tolist(), keys["t"].tolist(), keys[S.TRACK_ID].tolist(), strict=True
    ):
        g = groups.setdefault(a, ([], [], []))
        g[0].append(t)
        g[1].append(tid)
        g[2].append(title_signature(t))
    out = pd.Series(pd.NA, index=pairs.index, dtype="string")
    for idx, a, t in zip(pairs.index, pairs["a"], pairs["t"], strict=True):
        cand = groups.get(a)
        if not cand or not t:
            continue
        sig = title_signature(t)
        ok = [i for i, cs in enumerate(cand[2]) if cs == sig]
        if not ok:
            continue
        hit = process.extractOne(
            t, [cand[0][i] for i in ok], scorer=fuzz.token_sort_ratio, score_cutoff=cutoff
        )
        if hit is not None:
            out[idx] = cand[1][ok[hit[2]]]
    return out


def _artist_table(
    catalog: pd.DataFrame,
    artist_features: pd.DataFrame | None,
    only: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Mean features and main genre per normalised artist, from the catalog then the artist table.

    ``only``: the normalised artists wanted (default all); other catalog rows are not grouped.
    With ``only``, a wanted artist also gets the tracks it shares with others ("Daft Punk,
    Pharrell Williams" counts for Pharrell Williams), by the rule of ``_catalog_keys``.
    """
    names = normalise_name(catalog[S.ARTISTS])
    if only is not None:
        wanted = pd.Series(sorted(set(only)), dtype="string")
        keep = isin_strings(names, wanted)
        multi = catalog[S.ARTISTS].str.contains(", ", regex=False, na=False).to_numpy(dtype=bool)
        shared = multi & ~keep
        parts = [catalog[keep].assign(a=names[keep])]
        if shared.any():
            pieces = normalise_name(catalog.loc[shared, S.ARTISTS].str.split(", ").explode())
            whole = names.loc[pieces.index]
            whole_known = isin_strings(whole, names[~multi]) | isin_strings(whole, wanted)
            hit = isin_strings(pieces, wanted) & ~whole_known
            if hit.any():
                rows = catalog.loc[pieces.index[hit]]
                parts.append(rows.assign(a=pieces[hit].to_numpy()))
        cat = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    else:
        cat = catalog.assign(a=names)
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


def _uri_matches(plays: pd.DataFrame, ids: pd.Series, catalog: pd.DataFrame) -> pd.Series:
    """Plays whose track id is in the catalog *and* whose names agree with that catalog row.

    A catalog whose ids and names disagree (an id found by someone's search, pointing at
    another song) is caught here: the id counts only when the catalog row has the play's
    artist or its title; otherwise the play goes on to name matching.
    """
    known = isin_strings(ids, catalog[S.TRACK_ID])
    out = pd.Series(known, index=plays.index)
    if not known.any() or S.ARTIST not in plays.columns:
        return out
    pos = pd.Index(catalog[S.TRACK_ID].to_numpy(object)).get_indexer(ids[known].to_numpy(object))
    rows = catalog.iloc[pos]
    p_art = normalise_name(plays.loc[known, S.ARTIST]).tolist()
    c_art = normalise_name(rows[S.ARTISTS]).tolist()
    p_tit = normalise_name(plays.loc[known, S.TRACK]).tolist()
    c_tit = normalise_name(rows[S.TRACK]).tolist()
    agree = [
        (pa_ != "" and pa_ in ca)
        or (pt != "" and (pt == ct or pt in ct or ct in pt))
        or pa_ == pt == ""
        for pa_, ca, pt, ct in zip(p_art, c_art, p_tit, c_tit, strict=True)
    ]
    out[known] = agree
    return out


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
    by_uri = _uri_matches(out, ids, catalog)
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
        artists = _artist_table(catalog, artist_features, only=set(uniq["a"]))
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
        rows = rows[~isin_strings(rows[S.ITEM_ID], tid)].drop_duplicates(S.ITEM_ID)
    else:
        rows = pd.DataFrame(columns=[S.ITEM_ID, S.TRACK, S.ARTIST, S.ALBUM, S.TRACK_URI])
    a = normalise_name(rows[S.ARTIST]) if len(rows) else pd.Series(dtype="string")
    artists = _artist_table(catalog, artist_features, only=set(a))
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
    weight, _ = S.listening_weights(plays_matched)  # time shares in plays without durations
    g = (
        pd.DataFrame({"method": plays_matched[S.MATCH_METHOD], "ms": ms, "w": weight})
        .groupby("method")
        .agg(size=("ms", "size"), sum=("ms", "sum"), w=("w", "sum"))
    )
    g = g.reindex(list(S.MATCH_METHODS), fill_value=0)
    n, total = max(int(g["size"].sum()), 1), max(float(g["w"].sum()), 1e-9)
    return pd.DataFrame(
        {
            "method": g.index,
            "plays": g["size"].astype(int).to_numpy(),
            "share_plays": (g["size"] / n).to_numpy(),
            "hours": (g["sum"] / 3.6e6).to_numpy(),
            "share_time": (g["w"] / total).to_numpy(),
        }
    )


LEVELS: tuple[str, ...] = (*S.MATCH_METHODS[:-1], "alongside", S.MATCH_NONE)
"""Every level a play's sound can come from, best first: the track (uri, name, fuzzy), the
artist, the genre, what the person plays alongside it, nothing."""


def match_summary(plays_matched: pd.DataFrame) -> dict:
    """Every level of ``LEVELS`` with plays, hours and shares, as plain data (``--json``).

    Needs: match_method and ms_played (plays from ``match_plays`` after the counting rule). A
    play the catalog could not place whose sound ``musicrec.sound`` estimated from its genres or
    from the sessions around it (``sound_source`` "genre" / "alongside") is counted at that level
    instead of "none"; without that column those levels come from matching alone.

    Returns:
        {"counted_plays", "hours", "levels": [{"level", "plays", "share_plays", "hours",
        "share_time"}...], "note"}; "note" says so when there are no counted plays (for example
        a history of videos or podcasts only), else "".
    """
    method = (
        plays_matched[S.MATCH_METHOD].astype("string")
        if len(plays_matched)
        else pd.Series(dtype="string")
    )
    if "sound_source" in plays_matched.columns:
        # a play the catalog could not place may still get a sound from the session graph
        # (alongside) or from its artist's genres (musicrec.sound): count it at that level
        source = plays_matched["sound_source"].astype("string").fillna("")
        unplaced = (method == S.MATCH_NONE).to_numpy(dtype=bool)
        for level in ("genre", "alongside"):
            method = method.mask(unplaced & (source == level).to_numpy(dtype=bool), level)
    ms = pd.to_numeric(plays_matched.get(S.MS_PLAYED), errors="coerce")
    ms = ms.fillna(0).astype(float) if ms is not None else pd.Series(0.0, index=plays_matched.index)
    weight, _ = S.listening_weights(plays_matched)  # time shares in plays without durations
    g = (
        pd.DataFrame({"level": method, "ms": ms, "w": weight})
        .groupby("level")
        .agg(size=("ms", "size"), sum=("ms", "sum"), w=("w", "sum"))
    )
    g = g.reindex(list(LEVELS), fill_value=0)
    n, total, weights = int(g["size"].sum()), float(g["sum"].sum()), float(g["w"].sum())
    levels = [
        {"level": lvl, "plays": int(row["size"]),
         "share_plays": round(float(row["size"]) / n, 4) if n else 0.0,
         "hours": round(float(row["sum"]) / 3.6e6, 2),
         "share_time": round(float(row["w"]) / weights, 4) if weights else 0.0}
        for lvl, row in g.iterrows()
    ]  # fmt: skip
    note = (
        ""
        if n
        else "no counted plays: this history has no music plays of 30 s or more (videos, podcasts "
        "and short plays are not counted), so nothing was matched"
    )
    return {"counted_plays": n, "hours": round(total / 3.6e6, 2), "levels": levels, "note": note}
