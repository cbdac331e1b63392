"""Artist genres from weighted evidence: "unknown" beats a wrong label.

Catalogs carry two very different kinds of genre:

- **artist lists**: Spotify's genres of the artist (``artist_genres`` in the 2024 scrape,
  the top-hits set, MusicOSet, Kaggle's ``data_w_genres``) or MusicBrainz tags. They are
  about the artist and count as strong evidence.
- **track labels**: the playlist or search the track was collected from (TidyTuesday's
  ``playlist_genre``, the 114k set's ``track_genre``). A "latin" playlist can hold a
  metalcore band, so such a label is weak evidence and needs agreement over several tracks.

In a CATALOG frame the two are told apart by TAGS: artist lists are joined with ", ",
track labels are one word-group in GENRE. An artist gets a genre only when one label has
enough support and a clear majority of the artist's evidence; otherwise "unknown".

Public API:
    artist_keys(catalog) -> (row, artist key) pairs
    genre_evidence(catalog, artist_table=None, extra=None) -> EVIDENCE frame
    artist_genres(evidence, config) -> one row per artist: genre, support, share, labels
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from musicrec import schema as S
from musicrec.matching import normalise_name

UNKNOWN = "unknown"

ARTIST_KEY = "artist_key"  # normalised artist name (musicrec.matching.normalise_name)
LABEL = "label"  # a genre or tag, lower case
EVIDENCE_WEIGHT = "weight"
EVIDENCE_KIND = "kind"  # "artist" (a list about the artist) or "track" (a playlist/search label)
EVIDENCE_COLUMNS: tuple[str, ...] = (ARTIST_KEY, LABEL, EVIDENCE_WEIGHT, EVIDENCE_KIND)


@dataclass(frozen=True)
class GenreConfig:
    """How much each kind of evidence counts and how much an artist's genre needs."""

    artist_list_weight: float = 1.0
    """Weight of one artist-genre list (counted once per source, not once per track)."""
    track_label_weight: float = 0.25
    """Weight of one track's playlist/search label."""
    min_support: float = 1.0
    """An artist's top label needs at least this much evidence (4 agreeing track labels, or one list)."""
    min_share: float = 0.6
    """...and at least this share of the evidence on the artist's labels of the same kind."""
    min_label_artists: int = 3
    """A catalog list label must be used by this many artists to count (drops merge debris)."""


DEFAULT_GENRES = GenreConfig()


def normalise_unique(names: pd.Series) -> np.ndarray:
    """``normalise_name`` computed once per distinct name (catalogs repeat artists a lot)."""
    codes, uniq = pd.factorize(names.astype("string"), sort=False)
    norm = normalise_name(pd.Series(uniq, dtype="string")).to_numpy(dtype=object)
    out = np.full(len(codes), "", dtype=object)
    ok = codes >= 0
    out[ok] = norm[codes[ok]]
    return out


def artist_keys(catalog: pd.DataFrame) -> pd.DataFrame:
    """Which artists each catalog row is by.

    Needs ARTISTS. Returns columns ``row`` (position in ``catalog``) and ``artist_key``:
    the normalised full artist string, plus each ", "-separated piece that is itself an
    artist of a single-artist row ("Lady Gaga, Bruno Mars" -> both; "Tyler, The Creator"
    stays one artist unless "Tyler" is a catalog artist).
    """
    names = catalog[S.ARTISTS].astype("string")
    full = normalise_unique(names)
    rows = np.arange(len(catalog))
    base = pd.DataFrame({"row": rows, ARTIST_KEY: full})
    multi = names.str.contains(", ", regex=False, na=False).to_numpy(dtype=bool)
    if multi.any():
        solo = set(full[~multi])
        pieces = names[multi].str.split(", ").explode()
        norm = normalise_unique(pieces)
        pos = pd.Series(rows[multi], index=names.index[multi]).reindex(pieces.index)
        extra = pd.DataFrame({"row": pos.to_numpy(), ARTIST_KEY: norm})
        extra = extra[pd.Series(norm, dtype=object).isin(solo).to_numpy()]
        base = pd.concat([base, extra], ignore_index=True).drop_duplicates()
    return base[base[ARTIST_KEY] != ""].reset_index(drop=True)


def _split_list(tags: pd.Series) -> pd.Series:
    return (
        tags.astype("string")
        .fillna("")
        .str.split(r",\s*")
        .map(lambda xs: [x.strip().lower() for x in xs if x and x.strip()])
    )


def genre_evidence(
    catalog: pd.DataFrame | None,
    artist_table: pd.DataFrame | None = None,
    extra: pd.DataFrame | None = None,
    config: GenreConfig = DEFAULT_GENRES,
    keys: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Weighted genre evidence per artist from catalogs, an artist table and other sources.

    Args:
        catalog: CATALOG frame (with TAGS); artist lists (TAGS with ", ") count once per
            artist and distinct list, track labels (GENRE of rows without a list) per track.
        artist_table: optional artist-level table (``musicrec.catalog.load_artist_features``:
            artist, TAGS as ", "-joined genres).
        extra: optional EVIDENCE frame from elsewhere (e.g. ``musicrec.musicbrainz``).
        config: evidence weights.
        keys: ``artist_keys(catalog)`` when already computed.

    Returns:
        EVIDENCE_COLUMNS: artist_key, label, weight, kind ("artist" or "track").
    """
    parts: list[pd.DataFrame] = []
    if catalog is not None and not catalog.empty:
        keys = artist_keys(catalog) if keys is None else keys
        tags = catalog[S.TAGS] if S.TAGS in catalog.columns else pd.Series("", index=catalog.index)
        tags = tags.astype("string").fillna("").to_numpy()[keys["row"].to_numpy()]
        genre = catalog[S.GENRE].astype("string").str.lower().to_numpy()[keys["row"].to_numpy()]
        is_list = pd.Series(tags).str.contains(",", regex=False).to_numpy(dtype=bool)
        solo = ~catalog[S.ARTISTS].astype("string").str.contains(", ", regex=False, na=False)
        solo = solo.to_numpy(dtype=bool)[keys["row"].to_numpy()]
        # a list is about the one artist of its row: never hand it to co-artists
        lists = pd.DataFrame(
            {
                ARTIST_KEY: keys[ARTIST_KEY].to_numpy()[is_list & solo],
                "tags": tags[is_list & solo],
            }
        ).drop_duplicates()
        if len(lists):
            exploded = lists.assign(**{LABEL: _split_list(lists["tags"])}).explode(LABEL)
            exploded = exploded.dropna(subset=[LABEL]).drop_duplicates([ARTIST_KEY, LABEL])
            # labels no other artist uses are merge debris ("filmi, modern bollywood indian")
            used = exploded.groupby(LABEL)[ARTIST_KEY].transform("size")
            exploded = exploded[used >= config.min_label_artists]
            parts.append(
                exploded.assign(
                    **{EVIDENCE_WEIGHT: config.artist_list_weight, EVIDENCE_KIND: "artist"}
                )[list(EVIDENCE_COLUMNS)]
            )
        labels = pd.DataFrame(
            {
                ARTIST_KEY: keys[ARTIST_KEY].to_numpy()[~is_list],
                LABEL: genre[~is_list],
                "row": keys["row"].to_numpy()[~is_list],
            }
        ).dropna(subset=[LABEL])
        labels = labels[labels[LABEL].str.strip() != ""]
        if len(labels):
            parts.append(
                labels.assign(
                    **{EVIDENCE_WEIGHT: config.track_label_weight, EVIDENCE_KIND: "track"}
                )[list(EVIDENCE_COLUMNS)]
            )
    if artist_table is not None and not artist_table.empty:
        t = pd.DataFrame(
            {
                ARTIST_KEY: normalise_unique(artist_table[S.ARTIST]),
                LABEL: _split_list(artist_table[S.TAGS]).to_numpy(),
            }
        ).explode(LABEL)
        t = t.dropna(subset=[LABEL]).drop_duplicates([ARTIST_KEY, LABEL])
        parts.append(
            t.assign(**{EVIDENCE_WEIGHT: config.artist_list_weight, EVIDENCE_KIND: "artist"})[
                list(EVIDENCE_COLUMNS)
            ]
        )
    if extra is not None and not extra.empty:
        parts.append(extra[list(EVIDENCE_COLUMNS)])
    if not parts:
        return pd.DataFrame(
            {
                ARTIST_KEY: pd.Series(dtype="string"),
                LABEL: pd.Series(dtype="string"),
                EVIDENCE_WEIGHT: pd.Series(dtype=float),
                EVIDENCE_KIND: pd.Series(dtype="string"),
            }
        )
    out = pd.concat(parts, ignore_index=True)
    out = out[out[ARTIST_KEY].astype("string").str.len() > 0]
    # plain object strings: these columns are hashed and looked up a lot (arrow strings are slow there)
    return out.astype(
        {ARTIST_KEY: object, LABEL: object, EVIDENCE_WEIGHT: float, EVIDENCE_KIND: object}
    ).reset_index(drop=True)


def _join_runs(keys: np.ndarray, values: np.ndarray) -> pd.Series:
    """ ", "-joined values per run of equal consecutive keys (a fast groupby-join on sorted keys)."""
    if len(keys) == 0:
        return pd.Series(dtype="string")
    starts = np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1])
    ends = np.append(starts[1:], len(keys))
    joined = [", ".join(values[a:b]) for a, b in zip(starts, ends, strict=True)]
    return pd.Series(joined, index=keys[starts], dtype="string")


def _centrality(keys: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per (artist, label): how many of the artist's labels share a word with it.

    "punk" among "alternative rock, punk, hardcore punk, skate punk" scores 3: the family
    most of an artist's labels agree on wins a tie over a one-off label.
    """
    words = [frozenset(str(lab).replace("-", " ").split()) for lab in labels]
    out = np.zeros(len(labels), dtype=np.int64)
    groups: dict[object, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    for idx in groups.values():
        if len(idx) == 1:
            out[idx[0]] = 1
            continue
        for i in idx:
            wi = words[i]
            out[i] = sum(1 for j in idx if wi & words[j])
    return out


def artist_genres(evidence: pd.DataFrame, config: GenreConfig = DEFAULT_GENRES) -> pd.DataFrame:
    """One genre per artist, or "unknown" where the evidence is thin or split.

    Artist lists win over track labels: where an artist has any list, its genre comes from
    the lists (the label named by the most sources; ties go to the label sharing words
    with most of the artist's labels, then to the label more artists carry, i.e. the
    broader one, then to the shorter). Otherwise its track labels must agree: the top label
    needs ``min_support`` and ``min_share`` of the artist's track-label evidence.

    Needs EVIDENCE_COLUMNS. Returns a frame indexed by artist_key with columns genre
    (a label or "unknown"), support (evidence behind it), share (of the artist's evidence
    of that kind), kind ("artist", "track" or "" when unknown) and labels (the artist's
    labels, strongest first, joined with ", ").
    """
    if evidence.empty:
        return pd.DataFrame(
            columns=[S.GENRE, "support", "share", EVIDENCE_KIND, "labels"],
            index=pd.Index([], name=ARTIST_KEY, dtype="string"),
        )
    is_art = (evidence[EVIDENCE_KIND] == "artist").to_numpy(dtype=bool)
    has_list = pd.Series(is_art).groupby(evidence[ARTIST_KEY].to_numpy()).any()
    use_list = has_list.reindex(evidence[ARTIST_KEY].to_numpy()).to_numpy(dtype=bool)
    ev = evidence[is_art == use_list]
    per = ev.groupby([ARTIST_KEY, LABEL], sort=False)[EVIDENCE_WEIGHT].sum().rename("support")
    per = per.reset_index()
    breadth = ev.drop_duplicates([ARTIST_KEY, LABEL]).groupby(LABEL).size().rename("breadth")
    per = per.join(breadth, on=LABEL)
    per["centrality"] = _centrality(
        per[ARTIST_KEY].to_numpy(dtype=object), per[LABEL].to_numpy(dtype=object)
    )
    per["length"] = per[LABEL].str.len()
    total = per.groupby(ARTIST_KEY)["support"].transform("sum")
    per["share"] = per["support"] / total
    per = per.sort_values(
        [ARTIST_KEY, "support", "centrality", "breadth", "length", LABEL],
        ascending=[True, False, False, False, True, True],
    )
    head = per[per.groupby(ARTIST_KEY, sort=False).cumcount() < 8]
    labels = _join_runs(head[ARTIST_KEY].to_numpy(dtype=object), head[LABEL].to_numpy(dtype=object))
    top = per.drop_duplicates(ARTIST_KEY).set_index(ARTIST_KEY)
    kind = has_list.reindex(top.index).map({True: "artist", False: "track"})
    ok = np.where(
        kind == "artist",
        top["support"] >= config.artist_list_weight * 0.999,
        (top["support"] >= config.min_support) & (top["share"] >= config.min_share),
    )
    out = pd.DataFrame(
        {
            S.GENRE: np.where(ok, top[LABEL].astype(str), UNKNOWN),
            "support": top["support"].to_numpy(),
            "share": top["share"].to_numpy(),
            EVIDENCE_KIND: np.where(ok, kind.astype(str), ""),
            "labels": labels.reindex(top.index).to_numpy(),
        },
        index=top.index,
    )
    return out.astype({S.GENRE: "string", EVIDENCE_KIND: "string", "labels": "string"})


def genres_of(artists: pd.Series, table: pd.DataFrame) -> pd.Series:
    """Genre per artist display name (from ``artist_genres``); "unknown" where none."""
    key = normalise_name(artists).to_numpy()
    g = table[S.GENRE].reindex(key).fillna(UNKNOWN).to_numpy() if len(table) else UNKNOWN
    return pd.Series(g, index=artists.index, dtype="string")
