"""Catalogs in one click: the pinned registry, the guarded downloader (SSRF, slow servers, bombs,
no echoed bodies) and the per-person cache, all against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
import time
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.catalog import CatalogLimits
from musicrec.catalog_sources import (
    CATALOGS,
    CatalogSource,
    FetchRules,
    cache_dir,
    cached_catalogs,
    display_name,
    fetch_catalog,
    fetch_source,
    fetch_sources,
    load_sources,
    offer,
)
from musicrec.errors import CatalogError

LOCAL = FetchRules(allow_hosts=frozenset({"127.0.0.1"}), stall_s=5)
"""The explicit allow-list these tests set to reach their own server; off by default."""
UNREACHABLE = "could not download (the address cannot be reached or is not allowed)"
FEATS = "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo"
HF = (
    f"track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATS},time_signature,track_genre\n"
    "DDDDDDDDDDDDDDDDDDDDDD,Daft Punk;Pharrell Williams,RAM,Get Lucky,82,369000,False,"
    "0.5,0.6,1,-6,1,0.05,0.1,0,0.1,0.7,120,4,electro\n"
)  # fmt: skip


class _Server:
    """A real HTTP server on 127.0.0.1 whose routes the test sets; it records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.hits: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                route = server.routes.get(self.path.split("?")[0])
                if callable(route):
                    route(self)
                    return
                status, body, headers = route if route else (404, b"secret-404-body", {})
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture()
def server():
    s = _Server()
    yield s
    s.httpd.shutdown()


# --- SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "2130706433", "0.0.0.0", "[::1]", "127.1", "[::ffff:127.0.0.1]"],
)
def test_loopback_in_any_spelling_is_refused_by_default(server, tmp_path, host):
    server.routes["/secret.csv"] = (200, HF.encode(), {})
    with pytest.raises(CatalogError) as err:
        fetch_catalog(f"http://{host}:{server.port}/secret.csv", directory=tmp_path)
    assert UNREACHABLE in str(err.value)
    assert server.hits == [] and not list(tmp_path.glob("*.parquet"))


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/x.csv", "http://169.254.169.254/latest", "http://192.168.1.1/",
            "http://[fe80::1]/", "http://224.0.0.1/", "http://240.0.0.1/"],
)  # fmt: skip
def test_private_link_local_and_reserved_addresses_are_refused(tmp_path, url):
    start = time.monotonic()
    with pytest.raises(CatalogError, match="not allowed"):
        fetch_catalog(url, directory=tmp_path, rules=LOCAL)
    assert time.monotonic() - start < 2  # refused before any connection attempt


def test_every_refused_or_failed_kind_gives_the_same_message(server, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    messages = set()
    for url, rules in [
        (f"http://127.0.0.1:{server.port}/x.csv", None),  # refused address
        (f"http://127.0.0.1:{closed}/x.csv", LOCAL),  # connection refused
        ("http://no-such-host.invalid/x.csv", LOCAL),  # DNS failure
        ("http://10.255.255.1/x.csv", LOCAL),  # private
    ]:
        with pytest.raises(CatalogError) as err:
            fetch_catalog(url, directory=tmp_path, rules=rules)
        messages.add(str(err.value).split(": ", 1)[1])
    assert len(messages) == 1


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.1/x.csv", "http://169.254.169.254/", "ftp://127.0.0.1/x.csv",
     "file:///etc/passwd", "http://[::1]:{port}/ok.csv"],
)  # fmt: skip
def test_redirects_are_checked_like_the_first_address(server, tmp_path, location):
    server.routes["/ok.csv"] = (200, HF.encode(), {})
    server.routes["/go.csv"] = (302, b"", {"Location": location.format(port=server.port)})
    with pytest.raises(CatalogError, match="not allowed"):
        fetch_catalog(f"{server.url}/go.csv", directory=tmp_path, rules=LOCAL)
    assert "/ok.csv" not in server.hits


def test_an_allowed_redirect_is_followed(server, tmp_path):
    server.routes["/ok.csv"] = (200, HF.encode(), {})
    server.routes["/go.csv"] = (301, b"", {"Location": "/ok.csv"})
    path = fetch_catalog(f"{server.url}/go.csv", directory=tmp_path, rules=LOCAL)
    assert len(pd.read_parquet(path)) == 1 and server.hits == ["/go.csv", "/ok.csv"]


def test_a_redirect_loop_stops(server, tmp_path):
    server.routes["/loop.csv"] = (302, b"", {"Location": "/loop.csv"})
    with pytest.raises(CatalogError, match="not allowed"):
        fetch_catalog(f"{server.url}/loop.csv", directory=tmp_path, rules=LOCAL)
    assert len(server.hits) == LOCAL.max_redirects + 1


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b"API_KEY=sk-live-123,INTERNAL_TOKEN\n1,2\n"), (500, b"API_KEY=sk-live-123 stack trace"),
     (200, b"\x00\x01API_KEY=sk-live-123 binary")],
)  # fmt: skip
def test_a_response_body_is_never_echoed(server, tmp_path, status, body):
    server.routes["/x.csv"] = (status, body, {})
    with pytest.raises(CatalogError) as err:
        fetch_catalog(f"{server.url}/x.csv", directory=tmp_path, rules=LOCAL)
    assert "API_KEY" not in str(err.value) and "sk-live" not in str(err.value)


# --- time and size ----------------------------------------------------------------------------


def _trickle(handler, header_only=False):
    handler.send_response(200)
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    for _ in range(30):
        try:
            handler.wfile.write(b"a")
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(1)


def test_a_server_sending_one_byte_at_a_time_fails_quickly(server, tmp_path):
    server.routes["/slow.csv"] = _trickle
    rules = FetchRules(allow_hosts=frozenset({"127.0.0.1"}), grace_s=2, min_rate=1_000)
    start = time.monotonic()
    with pytest.raises(CatalogError, match="sending too slowly"):
        fetch_catalog(f"{server.url}/slow.csv", directory=tmp_path, rules=rules)
    assert time.monotonic() - start < 6


def _slow_headers(handler):
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for i in range(30):
        try:
            handler.wfile.write(f"X-Pad-{i}: 1\r\n".encode())
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(0.5)


def test_the_total_deadline_covers_slow_headers(server, tmp_path):
    server.routes["/hdr.csv"] = _slow_headers
    rules = FetchRules(allow_hosts=frozenset({"127.0.0.1"}), deadline_s=2)
    start = time.monotonic()
    with pytest.raises(CatalogError, match="longer than 2 s"):
        fetch_catalog(f"{server.url}/hdr.csv", directory=tmp_path, rules=rules)
    assert time.monotonic() - start < 5


def test_a_download_over_the_size_limit_is_refused(server, tmp_path):
    server.routes["/big.csv"] = (200, b"x" * 200_000, {})
    with pytest.raises(CatalogError, match="download limit"):
        fetch_catalog(f"{server.url}/big.csv", directory=tmp_path, rules=LOCAL, max_bytes=100_000)


def test_a_downloaded_gzip_bomb_stops_at_the_decompressed_limit(server, tmp_path):
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"a" * 1_048_576
    body = gzip.compress((HF.splitlines()[0] + "\n").encode())
    body += b"".join(comp.compress(block) for _ in range(64)) + comp.flush()
    assert len(body) < 200_000
    server.routes["/bomb.csv.gz"] = (200, body, {})
    limits = CatalogLimits(max_file_bytes=8 * 1_048_576)
    with pytest.raises(CatalogError, match="over a size limit"):
        fetch_catalog(f"{server.url}/bomb.csv.gz", directory=tmp_path, rules=LOCAL, limits=limits)
    assert not list(tmp_path.rglob("*.parquet")) and not list(tmp_path.rglob("download*"))


# --- the registry -------------------------------------------------------------------------------


def test_the_registry_describes_every_catalog():
    assert len(CATALOGS) == 5
    for c in CATALOGS:
        assert c.name and c.holds and c.source and c.terms and c.rows > 10_000
        assert c.files and all(len(sha) == 64 for _, sha, _ in c.files)
        assert all(url.startswith("https://raw.githubusercontent.com/") for url, _, _ in c.files)
        assert all(len(u.split("/")[5]) == 40 for u, _, _ in c.files)  # pinned to a commit
    total = sum(c.download_bytes for c in CATALOGS)
    assert 50e6 < total < 70e6


def _tiny_source(
    server, bodies: dict[str, bytes], pins: dict[str, bytes] | None = None
) -> CatalogSource:
    pins = pins or bodies
    for name, body in bodies.items():
        server.routes[f"/mirror/{name}"] = (200, body, {})
    files = tuple(
        (f"https://example.org/base/{name}", hashlib.sha256(body).hexdigest(), len(body))
        for name, body in pins.items()
    )
    return CatalogSource("tiny", "Tiny", "two parts", 2, "a test", "none", files)


def test_fetch_source_downloads_pinned_parts_with_progress(server, tmp_path, monkeypatch):
    import musicrec.catalog_sources as cs

    other = HF.replace("DDDDDDDDDDDDDDDDDDDDDD", "EEEEEEEEEEEEEEEEEEEEEE").replace(
        "Get Lucky", "Lose"
    )
    src = _tiny_source(server, {"a.csv": HF.encode(), "b.csv": other.encode()})
    monkeypatch.setitem(cs.PINS, "tiny", ("https://example.org/base/", ""))
    seen = []
    path = fetch_source(src, directory=tmp_path, rules=LOCAL, mirror=f"{server.url}/mirror",
                        progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert path == tmp_path / "tiny.parquet" and len(pd.read_parquet(path)) == 2
    assert seen[-1] == (src.download_bytes, src.download_bytes)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    hits = len(server.hits)
    assert fetch_source(src, directory=tmp_path, rules=LOCAL, mirror=f"{server.url}/mirror") == path
    assert len(server.hits) == hits  # cached: not downloaded again


def test_a_changed_file_fails_its_pin_and_nothing_is_cached(server, tmp_path, monkeypatch):
    import musicrec.catalog_sources as cs

    src = _tiny_source(server, {"a.csv": HF.encode() + b"tampered"}, pins={"a.csv": HF.encode()})
    monkeypatch.setitem(cs.PINS, "tiny", ("https://example.org/base/", ""))
    with pytest.raises(CatalogError, match="checksum mismatch"):
        fetch_source(src, directory=tmp_path, rules=LOCAL, mirror=f"{server.url}/mirror")
    assert not list(tmp_path.rglob("*.parquet"))


def test_the_offered_catalogs_download_from_a_local_mirror(shared_data: Path, tmp_path):
    root = shared_data / "track-catalog"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    mirrors = {"hit-predictor-41k": f"{base}/hit-predictor-41k",
               "musicoset-2019": f"{base}/musicoset-2019/"}  # fmt: skip
    mirror_files = {"musicoset_songfeatures/", "musicoset_metadata/"}
    # the mirror is a flat folder: map the repository sub-folders away
    import musicrec.catalog_sources as cs

    try:
        seen = []
        src = cs.BY_KEY["musicoset-2019"]
        flat = CatalogSource(src.key, src.name, src.holds, src.rows, src.source, src.terms,
                             tuple((u.replace(next(m for m in mirror_files if m in u), "")
                                    if any(m in u for m in mirror_files) else u, s, n)
                                   for u, s, n in src.files))  # fmt: skip
        paths = [
            fetch_source("hit-predictor-41k", directory=tmp_path, rules=LOCAL,
                         mirror=mirrors["hit-predictor-41k"], progress=lambda d, t: seen.append(d)),
            fetch_source(flat, directory=tmp_path, rules=LOCAL,
                         mirror=mirrors["musicoset-2019"].rstrip("/")),
        ]  # fmt: skip
    finally:
        httpd.shutdown()
    assert [p.name for p in paths] == ["hit-predictor-41k.parquet", "musicoset-2019.parquet"]
    assert len(pd.read_parquet(paths[0])) == 40_560 and len(pd.read_parquet(paths[1])) == 20_405
    assert seen[-1] == cs.BY_KEY["hit-predictor-41k"].download_bytes
    combined = load_sources(directory=tmp_path)
    assert len(combined.catalog) > 40_560
    cached = list((tmp_path / "combined").glob("union-*.parquet"))
    assert len(cached) == 1
    again = load_sources(directory=tmp_path)  # read from the combined cache
    pd.testing.assert_frame_equal(again.catalog, combined.catalog)
    assert list((tmp_path / "combined").glob("union-*.parquet")) == cached
    assert {p.name for p in cached_catalogs(tmp_path)} == {p.name for p in paths}
    assert display_name(paths[0]) == "Hit predictor (1960s-2010s)"
    assert str(tmp_path) not in display_name(paths[0])


def test_the_cache_is_per_person_when_served(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path))
    a, b = cache_dir("session-a"), cache_dir("session-b")
    assert a != b and a.parent == b.parent and "session" not in str(a)
    assert cache_dir() == tmp_path / "catalogs"


def test_people_folders_of_ended_sessions_are_pruned(tmp_path, monkeypatch):
    import os

    from musicrec.catalog_sources import prune_people

    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path))
    assert prune_people() == 0  # nothing there yet
    old, new = cache_dir("ended"), cache_dir("current")
    for d in (old, new, cache_dir()):
        d.mkdir(parents=True, exist_ok=True)
        (d / "x.parquet").write_bytes(b"x")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    assert prune_people() == 1
    assert not old.exists() and new.exists() and (cache_dir() / "x.parquet").exists()


def test_the_offer_appears_when_listening_has_no_sound_data(tmp_path):
    plays = pd.DataFrame({S.MATCH_METHOD: ["none", "artist", "name"], S.MS_PLAYED: [100, 100, 1]})
    got = offer(plays, directory=tmp_path)
    assert got.show and got.message.startswith("Your listening has no sound data yet")
    assert got.message.endswith(f"get the free catalogs, {round(got.download_bytes / 1e6)} MB")
    assert len(got.keys) == 5
    covered = pd.DataFrame({S.MATCH_METHOD: ["name", "uri"], S.MS_PLAYED: [100, 100]})
    assert not offer(covered, directory=tmp_path).show
    assert not offer(None, directory=tmp_path).show


def test_a_history_without_durations_is_weighed_in_plays():
    """Last.fm scrobbles carry no durations: 3 of 4 plays found is 75% of the listening, so the
    offer stays away and the match report's time shares are the play shares (they were all 0)."""
    from musicrec.matching import match_report, match_summary

    plays = pd.DataFrame({S.MATCH_METHOD: ["name", "name", "uri", "none"],
                          S.MS_PLAYED: pd.array([None] * 4, dtype="Int64")})  # fmt: skip
    assert not offer(plays, directory=Path("/nonexistent")).show
    rep = match_report(plays).set_index("method")
    assert rep.loc["name", "share_time"] == pytest.approx(0.5)
    assert rep["share_time"].tolist() == pytest.approx(rep["share_plays"].tolist())
    levels = {lv["level"]: lv for lv in match_summary(plays)["levels"]}
    assert levels["none"]["share_time"] == pytest.approx(0.25) and levels["none"]["hours"] == 0
    assert S.listening_weights(plays)[1] == "plays"
    # with durations, a play without one counts the median play
    timed = plays.assign(**{S.MS_PLAYED: pd.array([100, 300, None, 200], dtype="Int64")})
    assert S.listening_weights(timed)[0].tolist() == [100, 300, 200, 200]


def test_fetch_sources_reports_overall_progress(server, tmp_path, monkeypatch):
    import musicrec.catalog_sources as cs

    src = _tiny_source(server, {"a.csv": HF.encode()})
    monkeypatch.setitem(cs.PINS, "tiny", ("https://example.org/base/", ""))
    monkeypatch.setattr(cs, "CATALOGS", (src,))
    monkeypatch.setitem(cs.BY_KEY, "tiny", src)
    seen = []
    paths = fetch_sources(["tiny"], directory=tmp_path, rules=LOCAL,
                          mirrors={"tiny": f"{server.url}/mirror"},
                          progress=lambda d, t, name: seen.append((d, t, name)))  # fmt: skip
    assert paths == [tmp_path / "tiny.parquet"] and seen[-1] == (len(HF), len(HF), "Tiny")


def test_https_certificates_are_verified(tmp_path):
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    s = _Server()
    s.routes["/x.csv"] = (200, HF.encode(), {})
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s.httpd.socket = ctx.wrap_socket(s.httpd.socket, server_side=True)
    try:
        with pytest.raises(CatalogError, match="not allowed"):
            fetch_catalog(f"https://127.0.0.1:{s.port}/x.csv", directory=tmp_path, rules=LOCAL)
    finally:
        s.httpd.shutdown()
    assert s.hits == [] and not list(tmp_path.glob("*.parquet"))  # no request got through


def test_the_cli_lists_the_offered_catalogs(capsys):
    import json

    from musicrec.cli import main

    assert main(["catalog", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in rows] == [c.key for c in CATALOGS]
    assert all(r["download_mb"] > 0 and r["terms"] and r["source"] for r in rows)
    assert main(["catalog", "list"]) == 0
    assert "spotify-tracks-114k" in capsys.readouterr().out


def test_the_cli_fetches_a_registry_catalog_by_key(server, tmp_path, monkeypatch, capsys):
    import musicrec.catalog_sources as cs
    from musicrec.cli import main

    body = HF.encode()
    server.routes["/base/a.csv"] = (200, body, {})
    src = CatalogSource("tiny", "Tiny", "one part", 1, "a test", "none",
                        ((f"{server.url}/base/a.csv", hashlib.sha256(body).hexdigest(), len(body)),))  # fmt: skip
    monkeypatch.setitem(cs.PINS, "tiny", (f"{server.url}/base/", ""))
    monkeypatch.setattr(cs, "CATALOGS", (src,))
    monkeypatch.setitem(cs.BY_KEY, "tiny", src)
    monkeypatch.setenv("MUSICREC_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MUSICREC_FETCH_ALLOW_HOSTS", "127.0.0.1")
    assert main(["catalog", "fetch", "tiny"]) == 0
    out = capsys.readouterr()
    assert Path(out.out.strip()) == tmp_path / "catalogs" / "tiny.parquet" and "MB" in out.err
