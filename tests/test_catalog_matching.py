"""Catalog loading (public schemas, quirks), download+cache over real HTTP, and matching."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.catalog import catalog_playlists, fetch_catalog, load_catalog
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
        ("Track [Live]", "track"),
        ("Halo - Live at Wembley", "halo"),
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
            ("whoever", "whatever", "spotify:track:CCCCCCCCCCCCCCCCCCCCCC"),
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
    m = match_plays(_plays([("Tyler", "Yonkers", None)]), cat)
    assert m[S.MATCH_METHOD].iloc[0] == "none"


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


def test_fetch_downloads_verifies_and_caches_parquet(server, tmp_path):
    url, routes = server
    body = TIDY.encode()
    routes["/spotify_songs.csv"] = (200, body)
    seen = []
    path = fetch_catalog(f"{url}/spotify_songs.csv", sha256=hashlib.sha256(body).hexdigest(), directory=tmp_path,
                         progress=lambda d, t: seen.append((d, t)))  # fmt: skip
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
        fetch_catalog(f"{url}{route}", sha256=sha, directory=tmp_path, timeout=5)
    assert not list(tmp_path.glob("*.parquet"))


def test_fetch_connection_refused(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CatalogError, match="could not download"):
        fetch_catalog(f"http://127.0.0.1:{port}/x.csv", directory=tmp_path, timeout=2)


def test_shared_catalogs_load(shared_data: Path):
    root = shared_data / "track-catalog"
    tidy = load_catalog([root / "tidytuesday-30k-spotify-songs" / "spotify_songs.csv.gz"])
    assert 28_300 <= len(tidy) <= 28_356 and tidy[S.TRACK_ID].is_unique
    pop = load_catalog(sorted((root / "spotify-2024-popularity").glob("*.csv")))
    assert len(pop) == 1437 + 3101 - 43
    hits = load_catalog([root / "top-hits-2000-2022" / "playlist_2010to2022.csv"])
    assert len(hits) == 2202 and hits[S.TAGS].str.contains("pop").any()


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
