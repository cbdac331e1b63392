"""Catalog loading (public schemas, quirks), download+cache over real HTTP, and matching."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import threading
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.catalog import (
    CatalogLimits,
    catalog_playlists,
    load_catalog,
    parse_list_literal,
    read_catalog,
)
from musicrec.catalog_sources import FetchRules, fetch_catalog
from musicrec.errors import CatalogError
from musicrec.matching import local_item_id, match_plays, match_report, normalise_name
from musicrec.workspace import build_workspace

FEATS = "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo"
VALS = "0.5,0.6,1,-6,1,0.05,0.1,0,0.1,0.7,120"
TIDY = (
    "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,"
    f"playlist_name,playlist_id,playlist_genre,playlist_subgenre,{FEATS},duration_ms\n"
    f"AAAAAAAAAAAAAAAAAAAAAA,Yonkers,\"Tyler, The Creator\",70,x,Goblin,2011-05-10,P1,pl1,rap,hip hop,{VALS},249000\n"
    f"AAAAAAAAAAAAAAAAAAAAAA,Yonkers,\"Tyler, The Creator\",70,x,Goblin,2011,P2,pl2,r&b,urban,{VALS},249000\n"
    f"BBBBBBBBBBBBBBBBBBBBBB,Die With A Smile,\"Lady Gaga, Bruno Mars\",100,y,DWAS,2024-08-16,P1,pl1,pop,mainstream,{VALS},251668\n"
    f"CCCCCCCCCCCCCCCCCCCCCC,Poker Face,Lady Gaga,80,z,The Fame,2008,P3,pl3,pop,dance pop,{VALS},237000\n"
)  # fmt: skip
HF = (
    f"track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATS},time_signature,track_genre\n"
    f"DDDDDDDDDDDDDDDDDDDDDD,Daft Punk;Pharrell Williams,RAM,Get Lucky,82,369000,False,{VALS},4,electro\n"
)


def test_tidytuesday_duplicates_are_merged_and_genres_aggregated():
    cat = load_catalog([("spotify_songs.csv", TIDY.encode())])
    assert list(cat.columns) == [*S.CATALOG_COLUMNS, S.TAGS]
    assert cat[S.TRACK_ID].is_unique and len(cat) == 3
    yonkers = cat.set_index(S.TRACK_ID).loc["AAAAAAAAAAAAAAAAAAAAAA"]
    assert yonkers[S.ARTISTS] == "Tyler, The Creator" and yonkers[S.YEAR] == 2011
    assert {"rap", "r&b"} <= set(yonkers[S.TAGS].split())


@pytest.mark.parametrize(
    ("tags", "united"),
    [
        (["k-pop", "k-pop"], "k-pop"),  # the same label twice is one label, not "k-pop k-pop"
        (["pop dance pop", "k-pop"], "pop dance pop k-pop"),  # labels kept whole, never word by word
        (["pop dance pop", "k-pop", "k-pop, boy group"], "k-pop, boy group"),  # an artist list wins
        (["k-pop, boy group", "girl group, k-pop"], "k-pop, boy group, girl group"),
        (["", None, "rock"], "rock"),
    ],
)  # fmt: skip
def test_tags_of_one_track_from_several_catalogs_are_united_label_by_label(tags, united):
    from musicrec.catalog import _union_tags

    ids = pd.Series(["t"] * len(tags))
    assert _union_tags(ids, pd.Series(tags, dtype=object)) == {"t": united}


def test_the_same_track_in_two_catalogs_keeps_its_genre_once():
    other = HF.replace("electro", "k-pop")
    cat = load_catalog([("a.csv", other.encode()), ("b.csv", other.encode())])
    assert cat[S.TAGS].tolist() == ["k-pop"]


def test_hugging_face_schema_joins_artists():
    cat = load_catalog([("dataset.csv", HF.encode())])
    row = cat.iloc[0]
    assert (row[S.ARTISTS], row[S.GENRE], row[S.ALBUM]) == (
        "Daft Punk, Pharrell Williams",
        "electro",
        "RAM",
    )


def test_not_a_catalog_names_the_file():
    with pytest.raises(CatalogError, match=r"plays\.csv"):
        load_catalog([("plays.csv", b"a,b\n1,2\n")])


def test_catalog_playlists_are_a_community():
    comm = catalog_playlists([("spotify_songs.csv", TIDY.encode())])
    assert set(comm[S.USER]) == {"pl1", "pl2", "pl3"} and len(comm) == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hey Jude - Remastered 2015", "hey jude"),
        ("Song (feat. Someone)", "song"),
        ("Song feat. Someone", "song"),
        ("Track [Live]", "track live"),
        ("Halo - Live at Wembley", "halo live"),
        ("I Don't Care (with Justin Bieber) - Loud Luxury Remix", "i don t care loud luxury remix"),
        ("Go‐Go’s", "go go s"),
        ("Beyoncé", "beyonce"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("На Дне", "на дне"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(pd.Series([raw])).iloc[0] == expected


def _plays(rows):
    frame = pd.DataFrame(rows, columns=[S.ARTIST, S.TRACK, S.TRACK_URI])
    frame[S.MS_PLAYED] = 200_000
    frame[S.ALBUM] = pd.NA
    return frame


def test_matching_order_uri_name_fuzzy_artist_none():
    cat = load_catalog([("spotify_songs.csv", TIDY.encode())])
    plays = _plays(
        [
            ("Lady Gaga", "Poker Face", "spotify:track:CCCCCCCCCCCCCCCCCCCCCC"),
            ("Tyler, The Creator", "Yonkers - Remastered 2020", None),
            (
                "Bruno Mars",
                "Die With A Smile",
                None,
            ),  # one of the known artists of a multi-artist row
            ("Lady Gaga", "Poker Faces", None),
            ("Lady Gaga", "Bad Romance", None),
            ("Nobody Known", "Nothing", None),
        ]
    )
    m = match_plays(plays, cat)
    assert list(m[S.MATCH_METHOD]) == ["uri", "name", "name", "fuzzy", "artist", "none"]
    assert m[S.ITEM_ID].iloc[3] == "CCCCCCCCCCCCCCCCCCCCCC"
    assert (
        m[S.ITEM_ID].iloc[5]
        == local_item_id(pd.Series(["Nobody Known"]), pd.Series(["Nothing"])).iloc[0]
    )
    rep = match_report(m)
    assert rep["share_plays"].sum() == pytest.approx(1.0)


def test_tyler_the_creator_is_not_split():
    cat = load_catalog([("spotify_songs.csv", TIDY.encode())])
    plays = _plays([("Tyler, The Creator", "Yonkers", None), ("Tyler", "Yonkers", None)])
    m = match_plays(plays, cat)
    assert list(m[S.MATCH_METHOD]) == ["name", "none"]


def test_a_piece_of_a_multi_artist_row_matches_its_artist():
    cat = load_catalog([("dataset.csv", HF.encode())])  # "Daft Punk;Pharrell Williams"
    m = match_plays(_plays([("Pharrell Williams", "Get Lucky", None)]), cat)
    assert m[S.ITEM_ID].iloc[0] == "DDDDDDDDDDDDDDDDDDDDDD"


def test_workspace_items_carry_feature_provenance():
    cat = load_catalog([("spotify_songs.csv", TIDY.encode())])
    plays = _plays([("Lady Gaga", "Bad Romance", None), ("Nobody", "X", None)])
    plays[S.KIND] = "music"
    ws = build_workspace(plays, cat, rule=None)
    src = ws.items.set_index(S.ITEM_ID)[S.FEATURE_SOURCE]
    assert src["local:lady gaga|bad romance"] == "artist" and src["local:nobody|x"] == "none"
    assert (src[src.index.str.len() == 22] == "track").all()


# --- download over real HTTP on 127.0.0.1 ---------------------------------------------------


@pytest.fixture()
def server():
    routes: dict[str, tuple[int, bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = routes.get(self.path, (404, b"not found"))
            self.send_response(status)
            length = len(body) + (1000 if self.path == "/truncated.csv" else 0)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    httpd.shutdown()


LOCAL = FetchRules(allow_hosts=frozenset({"127.0.0.1"}), stall_s=5)
"""Tests reach their own server on 127.0.0.1 only through this explicit allow-list."""


def test_fetch_downloads_verifies_and_caches_parquet(server, tmp_path):
    url, routes = server
    body = TIDY.encode()
    routes["/spotify_songs.csv"] = (200, body)
    seen = []
    path = fetch_catalog(f"{url}/spotify_songs.csv", sha256=hashlib.sha256(body).hexdigest(), directory=tmp_path,
                         progress=lambda d, t: seen.append((d, t)), rules=LOCAL)  # fmt: skip
    assert path.suffix == ".parquet" and path.parent == tmp_path
    assert len(pd.read_parquet(path)) == 3
    assert seen[-1] == (len(body), len(body))


@pytest.mark.parametrize(
    ("route", "body", "sha", "problem"),
    [
        ("/missing.csv", None, None, "HTTP 404"),
        ("/bad.csv", TIDY.encode(), "0" * 64, "checksum mismatch"),
        ("/plays.csv", b"a,b\n1,2\n", None, "not a track catalog"),
        ("/truncated.csv", TIDY.encode(), None, "truncated"),
    ],
)
def test_fetch_failures_are_specific(server, tmp_path, route, body, sha, problem):
    url, routes = server
    if body is not None:
        routes[route] = (200, body)
    with pytest.raises(CatalogError, match=problem):
        fetch_catalog(f"{url}{route}", sha256=sha, directory=tmp_path, rules=LOCAL)
    assert not list(tmp_path.glob("*.parquet"))


def test_fetch_connection_refused(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CatalogError, match="could not download"):
        fetch_catalog(f"http://127.0.0.1:{port}/x.csv", directory=tmp_path, rules=LOCAL)


def test_shared_catalogs_load(shared_data: Path):
    root = shared_data / "track-catalog"
    tidy = load_catalog([root / "tidytuesday-30k-spotify-songs" / "spotify_songs.csv.gz"])
    assert 28_300 <= len(tidy) <= 28_356 and tidy[S.TRACK_ID].is_unique
    pop = load_catalog(sorted((root / "spotify-2024-popularity").glob("*.csv")))
    assert len(pop) == 1437 + 3101 - 43
    hits = load_catalog([root / "top-hits-2000-2022" / "playlist_2010to2022.csv"])
    assert len(hits) == 2202 and hits[S.TAGS].str.contains("pop").any()


def test_shared_catalogs_that_were_not_read_before(shared_data: Path):
    root = shared_data / "track-catalog"
    hits = read_catalog(root / "hit-predictor-41k")
    assert len(hits.catalog) == 40_560
    musicoset = load_catalog(root / "musicoset-2019")
    assert len(musicoset) == 20_405 and musicoset[S.TAGS].str.contains("pop").mean() > 0.3
    scrape = read_catalog(root / "cristhianrg1-2024-by-genre")
    assert len(scrape.catalog) == 63_381  # 63,382 ids, one row without a title
    assert sum("header only" in r.note for r in scrape.parts) == 3


def test_match_rates_on_a_shared_history(shared_data: Path):
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import apply_counting_rule, load_paths

    cat = load_catalog(
        [shared_data / "track-catalog" / "tidytuesday-30k-spotify-songs" / "spotify_songs.csv.gz"]
    )
    plays = apply_counting_rule(
        load_paths([shared_data / "spotify-account-history" / "josh-blas"]).plays, DEFAULT_COUNTING
    )
    rep = match_report(match_plays(plays, cat)).set_index("method")
    assert rep["share_plays"].sum() == pytest.approx(1.0)
    assert rep.loc["name", "share_plays"] > 0.1
    assert (
        rep.loc[["name", "fuzzy", "artist"], "share_plays"].sum() > rep.loc["name", "share_plays"]
    )


# --- every catalog read: hit predictor, MusicOSet, header-only parts, folders, zips ----------

HIT = (
    f"track,artist,uri,{FEATS},duration_ms,time_signature,chorus_hit,sections,target\n"
    f"Jealous Kind Of Fella,Garland Green,spotify:track:1dtKN6wwlolkM8XZy2y9C1,{VALS},173533,3,32.9,9,1\n"
)
MUSICOSET_SONGS = (
    "song_id\tsong_name\tbillboard\tartists\tpopularity\texplicit\tsong_type\n"
    "3e9HZxeyfWwjeyPAMmWSSQ\tthank u, next\t('Thank U, Next', 'Ariana Grande')\t"
    "{'66CXWjxzNUsdJxJ2JdwvnR': 'Ariana Grande'}\t86\tTrue\tSolo\n"
    "1111111111111111111111\tSay \"Hi\"\t('x', 'y')\t"
    "{'66CXWjxzNUsdJxJ2JdwvnR': 'Ariana Grande', '26VFTg2z8YR0cCuwLzESi2': 'Halsey'}\t50\tFalse\tCollab\n"
)
MUSICOSET_FEATS = (
    "song_id\tduration_ms\tkey\tmode\ttime_signature\tacousticness\tdanceability\tenergy\t"
    "instrumentalness\tliveness\tloudness\tspeechiness\tvalence\ttempo\n"
    "3e9HZxeyfWwjeyPAMmWSSQ\t207320\t1\t1\t4\t0.229\t0.717\t0.653\t0\t0.101\t-5.634\t0.0658\t0.412\t106.966\n"
    "1111111111111111111111\t200000\t1\t1\t4\t0.2\t0.7\t0.6\t0\t0.1\t-5\t0.06\t0.4\t100\n"
)
MUSICOSET_ARTISTS = (
    "artist_id\tname\tfollowers\tpopularity\tartist_type\tmain_genre\tgenres\timage_url\n"
    "66CXWjxzNUsdJxJ2JdwvnR\tAriana Grande\t1\t96\tsinger\tdance pop\t['dance pop', 'pop']\thttp://x\n"
    "26VFTg2z8YR0cCuwLzESi2\tHalsey\t1\t90\tsinger\tdance pop\t['electropop']\thttp://y\n"
)


def test_hit_predictor_ids_come_from_its_uri_column():
    cat = load_catalog([("dataset-of-60s.csv", HIT.encode())])
    assert cat[S.TRACK_ID].tolist() == ["1dtKN6wwlolkM8XZy2y9C1"]
    assert cat[S.ARTISTS].iloc[0] == "Garland Green"


def test_musicoset_tab_separated_files_are_joined(tmp_path):
    folder = tmp_path / "musicoset"
    (folder / "meta").mkdir(parents=True)
    (folder / "meta" / "songs.csv").write_text(MUSICOSET_SONGS)
    (folder / "meta" / "artists.csv").write_text(MUSICOSET_ARTISTS)
    (folder / "acoustic_features.csv").write_text(MUSICOSET_FEATS)
    cat = load_catalog(folder).set_index(S.TRACK_ID)
    assert len(cat) == 2
    first, collab = cat.loc["3e9HZxeyfWwjeyPAMmWSSQ"], cat.loc["1111111111111111111111"]
    assert (first[S.TRACK], first[S.ARTISTS], first[S.ENERGY]) == (
        "thank u, next",
        "Ariana Grande",
        0.653,
    )
    assert collab[S.TRACK] == 'Say "Hi"' and collab[S.ARTISTS] == "Ariana Grande, Halsey"
    assert first[S.GENRE] == "dance pop" and "electropop" in collab[S.TAGS]


def test_a_header_only_part_does_not_abort_a_folder(tmp_path):
    header = HF.splitlines()[0] + "\n"
    (tmp_path / "chillout.csv").write_text(header)
    (tmp_path / "electro.csv").write_text(HF)
    (tmp_path / "notes.md").write_text("not a catalog")
    load = read_catalog(tmp_path)
    assert len(load.catalog) == 1
    notes = {Path(r.name).name: r.note for r in load.parts}
    assert "header only" in notes["chillout.csv"]
    with pytest.raises(CatalogError, match="header only"):
        load_catalog([tmp_path / "chillout.csv"])


def test_a_zip_of_parts_and_several_uploads_load_as_one(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data/electro.csv", HF)
        zf.writestr("data/empty.csv", HF.splitlines()[0] + "\n")
        zf.writestr("__MACOSX/._electro.csv", b"\x00\x05junk")
    cat = load_catalog([("catalog.zip", buf.getvalue()), ("spotify_songs.csv", TIDY.encode())])
    assert set(cat[S.TRACK_ID]) == {"DDDDDDDDDDDDDDDDDDDDDD", "AAAAAAAAAAAAAAAAAAAAAA",
                                    "BBBBBBBBBBBBBBBBBBBBBB", "CCCCCCCCCCCCCCCCCCCCCC"}  # fmt: skip


def test_symlinks_in_a_folder_are_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "electro.csv").write_text(HF)
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "link.csv").symlink_to(tmp_path / "real" / "electro.csv")
    with pytest.raises(CatalogError, match="no catalog files"):
        load_catalog(tmp_path / "cat")


def test_combined_catalogs_first_wins_later_fill_gaps_and_conflicts_are_dropped():
    first = (
        f"track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATS},time_signature,track_genre\n"
        f"DDDDDDDDDDDDDDDDDDDDDD,Daft Punk;Pharrell Williams,RAM,Get Lucky,82,369000,False,"
        f"0.5,0.6,1,-6,1,0.05,0.1,0,0.1,,120,4,electro\n"
    )  # valence missing here
    second = (
        f"track,artist,uri,{FEATS},duration_ms,time_signature,chorus_hit,sections,target\n"
        f"Get Lucky (feat. Pharrell Williams),Daft Punk,spotify:track:DDDDDDDDDDDDDDDDDDDDDD,"
        f"0.9,0.9,1,-6,1,0.05,0.1,0,0.1,0.33,99,369000,4,1,1,1\n"
        f"Jealous Kind Of Fella,Garland Green,spotify:track:CCCCCCCCCCCCCCCCCCCCCC,{VALS},173533,3,1,1,1\n"
    )  # fmt: skip
    load = read_catalog([("a.csv", first.encode()), ("b.csv", second.encode()),
                         ("spotify_songs.csv", TIDY.encode())])  # fmt: skip
    cat = load.catalog.set_index(S.TRACK_ID)
    lucky = cat.loc["DDDDDDDDDDDDDDDDDDDDDD"]
    assert (lucky[S.ENERGY], lucky[S.TEMPO], lucky[S.VALENCE]) == (0.6, 120, 0.33)
    # C is "Jealous Kind Of Fella" by Garland Green in b.csv; tidytuesday's C is Poker Face by Lady Gaga
    assert cat.loc["CCCCCCCCCCCCCCCCCCCCCC", S.TRACK] == "Jealous Kind Of Fella"
    reports = {r.name: r for r in load.parts}
    assert reports["spotify_songs.csv"].conflicts == 1 and reports["b.csv"].conflicts == 0
    assert reports["b.csv"].tracks == 1


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("['permanent wave', 'pop']", ["permanent wave", "pop"]),
        ("[]", []),
        ("['rock-and-roll', \"children's music\"]", ["rock-and-roll", "children's music"]),
        (
            "{'66CX': 'Ariana Grande', '26VF': 'Halsey'}",
            ["66CX", "Ariana Grande", "26VF", "Halsey"],
        ),
        ("[pop - rock, indie]", ["pop - rock", "indie"]),
        ("[" * 100_000 + "]" * 100_000, []),
        ("['unterminated", ["unterminated"]),
    ],
)
def test_list_literals_are_parsed_without_eval(cell, expected):
    assert parse_list_literal(cell) == expected


def test_a_huge_genre_cell_is_cut_not_evaluated():
    cell = "[" + ", ".join(["'x'"] * 1_000_000) + "]"  # 5 MB
    assert len(parse_list_literal(cell)) == 200
    assert len(parse_list_literal(cell, max_items=10_000)) <= 20_000 // 5 + 1


def _gz_bomb(size: int, line: bytes) -> bytes:
    out, comp = io.BytesIO(), zlib.compressobj(9, zlib.DEFLATED, 31)
    block = line * (1_048_576 // len(line))
    for _ in range(size // len(block)):
        out.write(comp.compress(block))
    out.write(comp.flush())
    return out.getvalue()


def test_a_gzip_bomb_stops_at_the_byte_limit():
    header = (HF.splitlines()[0] + "\n").encode()
    data = gzip.compress(header) + _gz_bomb(64 * 1_048_576, b"a" * 64)  # then one endless cell
    assert len(data) < 1_000_000
    small = CatalogLimits(max_file_bytes=4 * 1_048_576)
    with pytest.raises(CatalogError, match="over the limit for one catalog file"):
        load_catalog([("bomb.csv.gz", data)], small)


def test_a_row_bomb_stops_at_the_row_limit():
    header = (HF.splitlines()[0] + "\n").encode()
    row = HF.splitlines()[1].encode() + b"\n"
    data = gzip.compress(header) + _gz_bomb(8 * 1_048_576, row)
    with pytest.raises(CatalogError, match="more than 1,000 rows"):
        load_catalog([("rows.csv.gz", data)], CatalogLimits(max_rows=1_000))


# --- matching stays correct at the bigger size ---------------------------------------------

VERSIONS = (
    f"track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATS},time_signature,track_genre\n"
    f"TS000000000000000000A1,Taylor Swift,Red,All Too Well,80,329000,False,{VALS},4,pop\n"
    f"TS000000000000000000A2,Taylor Swift,Red (TV),All Too Well (Taylor's Version),85,329000,False,{VALS},4,pop\n"
    f"TS000000000000000000A3,Taylor Swift,Fearless,Love Story,80,235000,False,{VALS},4,pop\n"
    f"KL000000000000000000A4,Kendrick Lamar,Single,The Heart Part 4,70,280000,False,{VALS},4,hip-hop\n"
    f"PA000000000000000000A5,Someone,Album,Parallel 6,40,200000,False,{VALS},4,ambient\n"
    f"CO000000000000000000A6,Coldplay,Parachutes,Yellow,80,266000,False,{VALS},4,rock\n"
    f"CO000000000000000000A7,Coldplay,Live 2012,Yellow - Live,50,300000,False,{VALS},4,rock\n"
    f"AV000000000000000000A8,Avicii,True,Wake Me Up,80,247000,False,{VALS},4,edm\n"
)  # fmt: skip


@pytest.mark.parametrize(
    ("artist", "track", "expected"),
    [
        ("Taylor Swift", "All Too Well (Taylor's Version)", "TS000000000000000000A2"),
        ("Taylor Swift", "All Too Well", "TS000000000000000000A1"),
        ("Taylor Swift", "Love Story (Taylor's Version)", None),  # only the original is catalogued
        ("Kendrick Lamar", "The Heart Part 5", None),
        ("Someone", "Parallel 2", None),
        ("Coldplay", "Yellow - Live in Buenos Aires", "CO000000000000000000A7"),
        ("Coldplay", "Yellow - Remastered 2020", "CO000000000000000000A6"),
        ("Coldplay", "Yellow (Live)", "CO000000000000000000A7"),
        ("Avicii", "Wake Me Up - Remix", None),
        ("Avicii", "Wake Me Up - Radio Edit", "AV000000000000000000A8"),
        ("Avicii", "Wake Me Upp", "AV000000000000000000A8"),  # a typo still matches by fuzzy
    ],
)
def test_versions_and_numbers_never_match_another_recording(artist, track, expected):
    cat = load_catalog([("dataset.csv", VERSIONS.encode())])
    m = match_plays(_plays([(artist, track, None)]), cat)
    got = m[S.ITEM_ID].iloc[0]
    if expected is None:
        assert m[S.MATCH_METHOD].iloc[0] == "artist" and got.startswith("local:")
    else:
        assert got == expected


def test_an_id_whose_catalog_names_disagree_is_not_a_uri_match():
    cat = load_catalog([("dataset.csv", VERSIONS.encode())])
    plays = _plays([("Garland Green", "Jealous Kind Of Fella", "spotify:track:CO000000000000000000A6"),
                    ("Coldplay", "Yellow", "spotify:track:CO000000000000000000A6")])  # fmt: skip
    m = match_plays(plays, cat)
    assert list(m[S.MATCH_METHOD]) == ["none", "uri"]


# --- the match summary (``musicrec catalog match --json``) -----------------------------------


def test_the_summary_reports_every_level():
    from musicrec.matching import LEVELS, match_summary

    plays = pd.DataFrame({S.MATCH_METHOD: ["uri", "name", "artist", "none", "none"],
                          S.MS_PLAYED: [3.6e6, 3.6e6, 3.6e6, 3.6e6, 3.6e6],
                          "sound_source": ["track", "track", "artist", "alongside", None]})  # fmt: skip
    got = match_summary(plays)
    by = {r["level"]: r for r in got["levels"]}
    assert list(by) == list(LEVELS) and got["counted_plays"] == 5 and got["note"] == ""
    assert by["alongside"]["plays"] == 1 and by["none"]["plays"] == 1 and by["genre"]["plays"] == 0
    assert by["uri"]["share_time"] == 0.2 and got["hours"] == 5


def test_a_history_with_no_counted_plays_says_so(shared_data: Path):
    from musicrec.config import DEFAULT_COUNTING
    from musicrec.history import apply_counting_rule, load_paths
    from musicrec.matching import match_summary

    video = sorted((shared_data / "spotify-extended-history" / "milesreng").glob("*Video*.json"))
    plays = apply_counting_rule(load_paths(video).plays, DEFAULT_COUNTING)
    got = match_summary(match_plays(plays, None))
    assert got["counted_plays"] == 0 and "no counted plays" in got["note"]
    assert all(r["plays"] == 0 for r in got["levels"])


def _patched_zip(members: dict[str, str], patch: str, flag: int = 0, method: int = 0) -> bytes:
    """A zip whose member ``patch`` claims encryption (flag bit 0) or another compression method."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    data = bytearray(buf.getvalue())
    local = data.find(b"PK\x03\x04")  # first local header
    while local != -1:
        name_len = int.from_bytes(data[local + 26 : local + 28], "little")
        if data[local + 30 : local + 30 + name_len].decode() == patch:
            data[local + 6] |= flag
            if method:
                data[local + 8 : local + 10] = method.to_bytes(2, "little")
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_len].decode() == patch:
            data[central + 8] |= flag
            if method:
                data[central + 10 : central + 12] = method.to_bytes(2, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@pytest.mark.parametrize(
    ("flag", "method", "problem"), [(1, 0, "encrypted"), (0, 9, "cannot be unpacked")]
)
def test_an_encrypted_or_deflate64_member_is_that_members_error(flag, method, problem):
    data = _patched_zip(
        {"good.csv": HF, "bad.csv": HF.replace("D" * 22, "E" * 22)}, "bad.csv", flag, method
    )
    load = read_catalog([("catalog.zip", data)])
    assert load.catalog[S.TRACK_ID].tolist() == ["D" * 22]
    assert any(problem in r.note and r.name.endswith("bad.csv") for r in load.parts)


def test_the_cli_takes_a_catalog_folder_and_reports_every_level(tmp_path, capsys):
    import json

    from musicrec.cli import main

    parts = tmp_path / "catalog"
    parts.mkdir()
    (parts / "electro.csv").write_text(HF)
    (parts / "chillout.csv").write_text(HF.splitlines()[0] + "\n")  # header only
    (parts / "tidy.csv").write_text(TIDY)
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(json.dumps([
        {"endTime": "2024-01-01 10:00", "artistName": "Daft Punk", "trackName": "Get Lucky", "msPlayed": 240000},
        {"endTime": "2024-01-01 10:05", "artistName": "Lady Gaga", "trackName": "Bad Romance", "msPlayed": 240000},
        {"endTime": "2024-01-01 10:09", "artistName": "Nobody", "trackName": "Nothing", "msPlayed": 240000},
    ]))  # fmt: skip
    assert (
        main(["catalog", "match", "--history", str(history), "--catalog", str(parts), "--json"])
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    by = {r["level"]: r["plays"] for r in got["levels"]}
    assert got["counted_plays"] == 3 and (by["name"], by["artist"]) == (1, 1)
    # "Nobody" is in no catalog: "alongside" when musicrec.sound's session level is switched on
    # (it is only where it beats the catalog mean), else "none"
    assert by["alongside"] + by["none"] == 1


def test_an_artist_known_only_from_collaborations_gets_artist_level_features():
    cat = load_catalog([("dataset.csv", HF.encode())])  # "Daft Punk;Pharrell Williams"
    m = match_plays(_plays([("Pharrell Williams", "Happy", None)]), cat)
    assert m[S.MATCH_METHOD].iloc[0] == "artist"
    items = build_workspace(
        m.drop(columns=[S.ITEM_ID, S.MATCH_METHOD]).assign(**{S.KIND: "music"}), cat, rule=None
    ).items
    row = items.set_index(S.ITEM_ID).loc["local:pharrell williams|happy"]
    assert row[S.FEATURE_SOURCE] == "artist" and row[S.ENERGY] == 0.6
