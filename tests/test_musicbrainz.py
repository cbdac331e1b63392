"""MusicBrainz lookups against a fake web service on 127.0.0.1 answering in its documented JSON.

Search: ``/ws/2/artist?query=artist:"NAME"&fmt=json`` -> {"created", "count", "offset",
"artists": [{"id", "type", "score", "name", "sort-name", "tags": [{"count", "name"}]}]}.
Lookup: ``/ws/2/artist/MBID?inc=genres+tags&fmt=json`` -> {"id", "name", "genres": [{"id",
"name", "count", "disambiguation"}], "tags": [{"count", "name"}]}.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from musicrec import genres as G
from musicrec import musicbrainz as MB

ARTISTS = {
    "architects": [
        {
            "id": "a-1",
            "name": "Architects",
            "score": 100,
            "tags": [{"count": 9, "name": "metalcore"}],
        }
    ],
    "duman": [{"id": "d-1", "name": "Duman", "score": 100, "tags": []}],
    # two artists with one name, both tagged: nothing tells them apart
    "nirvana": [
        {"id": "n-1", "name": "Nirvana", "score": 100, "tags": [{"count": 30, "name": "grunge"}]},
        {
            "id": "n-2",
            "name": "Nirvana",
            "score": 100,
            "tags": [{"count": 2, "name": "psychedelic"}],
        },
    ],
    # two namesakes, only one tagged: that one
    "peso pluma": [
        {
            "id": "p-1",
            "name": "Peso Pluma",
            "score": 100,
            "tags": [{"count": 3, "name": "corridos"}],
        },
        {"id": "p-2", "name": "Peso Pluma", "score": 98},
    ],
    # a near name is not the artist
    "sezen aksu": [{"id": "s-9", "name": "Sezen Aksu Tribute Band", "score": 95}],
}
LOOKUPS = {
    "a-1": {
        "id": "a-1",
        "name": "Architects",
        "genres": [
            {"id": "g1", "name": "Metalcore", "count": 12, "disambiguation": ""},
            {"id": "g2", "name": "post-hardcore", "count": 3, "disambiguation": ""},
        ],
        "tags": [{"count": 12, "name": "metalcore"}, {"count": 1, "name": "british"}],
    },
    "d-1": {
        "id": "d-1",
        "name": "Duman",
        "genres": [],
        "tags": [{"count": 4, "name": "turkish rock"}],
    },
    "p-1": {
        "id": "p-1",
        "name": "Peso Pluma",
        "genres": [{"id": "g3", "name": "corridos tumbados", "count": 5, "disambiguation": ""}],
        "tags": [],
    },
}


class FakeMusicBrainz(BaseHTTPRequestHandler):
    log: list = []  # noqa: RUF012  (per-server, reset by the fixture)
    busy: dict = {}  # noqa: RUF012  name -> 503 replies still to send
    redirect: str | None = None  # answer every request with a redirect there

    def log_message(self, *args) -> None:
        pass

    def _json(self, code: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        type(self).log.append((time.monotonic(), self.path, self.headers.get("User-Agent")))
        if self.redirect:
            self.send_response(302)
            self.send_header("Location", self.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if q.get("fmt") != ["json"]:
            return self._json(400, {"error": "fmt=json expected"})
        if url.path == "/ws/2/artist":
            name = q["query"][0].removeprefix('artist:"').removesuffix('"').lower()
            if name == "slow band":
                time.sleep(1.5)
            if self.busy.get(name, 0) > 0:
                self.busy[name] -= 1
                return self._json(503, {"error": "rate limited"}, {"Retry-After": "0"})
            found = ARTISTS.get(name, [])
            return self._json(
                200, {"created": "2026-12-01T00:00:00Z", "count": len(found), "offset": 0,
                      "artists": [{"type": "Group", "sort-name": a["name"], **a} for a in found]},
            )  # fmt: skip
        if url.path.startswith("/ws/2/artist/"):
            mbid = url.path.rsplit("/", 1)[1]
            if q.get("inc") != ["genres tags"]:
                return self._json(400, {"error": "inc=genres+tags expected"})
            if mbid in LOOKUPS:
                return self._json(200, LOOKUPS[mbid])
            return self._json(404, {"error": "Not Found"})
        return self._json(404, {"error": "Not Found"})


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("MUSICREC_FETCH_ALLOW_HOSTS", "127.0.0.1")  # the test allow-list
    FakeMusicBrainz.log = []
    FakeMusicBrainz.busy = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeMusicBrainz)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def config(httpd, **kw) -> MB.MusicBrainzConfig:
    base = f"http://127.0.0.1:{httpd.server_address[1]}/ws/2"
    return MB.MusicBrainzConfig(base_url=base, min_interval=0.05, backoff=0.01, timeout=1.0, **kw)


def test_defaults_follow_musicbrainz_rules():
    cfg = MB.MusicBrainzConfig()
    assert cfg.min_interval >= 1.0
    assert cfg.base_url == "https://musicbrainz.org/ws/2"
    assert "musicrec" in cfg.user_agent and "(" in cfg.user_agent  # app/version (contact)


def test_match_genres_and_tags(server, tmp_path):
    cache = MB.MusicBrainzCache(tmp_path / "mb.jsonl")
    report = MB.fetch_artists(["Architects", "Duman"], cache, config(server))
    assert report.counts == {"ok": 2}
    arch = cache.get("architects")
    assert arch["mbid"] == "a-1"
    assert arch["genres"] == [["metalcore", 12], ["post-hardcore", 3]]
    ev = MB.evidence(cache)
    # genres when there are some, tags otherwise
    assert set(ev[ev[G.ARTIST_KEY] == "architects"][G.LABEL]) == {"metalcore", "post-hardcore"}
    assert list(ev[ev[G.ARTIST_KEY] == "duman"][G.LABEL]) == ["turkish rock"]
    table = G.artist_genres(G.genre_evidence(None, extra=ev))
    assert table.loc["architects", "genre"] == "metalcore"
    # only the artist name left the machine, with the descriptive User-Agent
    paths = [p for _, p, _ in FakeMusicBrainz.log]
    assert paths[0].startswith("/ws/2/artist?query=artist%3A%22Architects%22")
    assert all(ua == MB.DEFAULT_MUSICBRAINZ.user_agent for _, _, ua in FakeMusicBrainz.log)


def test_no_match_namesakes_and_near_names(server, tmp_path):
    cache = MB.MusicBrainzCache(tmp_path / "mb.jsonl")
    report = MB.fetch_artists(
        ["Nirvana", "Peso Pluma", "Sezen Aksu", "Nobody Knows Us"], cache, config(server)
    )
    assert cache.get("nirvana")["status"] == "ambiguous"
    assert cache.get("peso pluma")["mbid"] == "p-1"
    assert cache.get("sezen aksu")["status"] == "no-match"
    assert cache.get("nobody knows us")["status"] == "no-match"
    assert report.counts == {"ambiguous": 1, "ok": 1, "no-match": 2}
    assert "several artists share the name" in report.summary()
    assert set(MB.evidence(cache)[G.ARTIST_KEY]) == {"peso pluma"}


def test_rate_limit_is_retried_then_reported_and_resumed(server, tmp_path):
    FakeMusicBrainz.busy = {"architects": 1, "duman": 10}
    cache = MB.MusicBrainzCache(tmp_path / "mb.jsonl")
    report = MB.fetch_artists(["Architects", "Duman"], cache, config(server, retries=2))
    assert cache.get("architects")["status"] == "ok"  # one 503, then answered
    assert cache.get("duman")["status"] == "rate-limited"
    assert report.pending == ["Duman"]
    assert "retried next time" in report.summary()
    # a new run (a new process: the cache is re-read from disk) asks only what is pending
    FakeMusicBrainz.busy = {}
    FakeMusicBrainz.log = []
    again = MB.fetch_artists(
        ["Architects", "Duman"], MB.MusicBrainzCache(cache.path), config(server)
    )
    assert again.cached == 1 and again.counts == {"ok": 2}
    assert len(FakeMusicBrainz.log) == 2  # search + lookup of Duman only
    assert all("Architects" not in p for _, p, _ in FakeMusicBrainz.log)


def test_timeout_is_an_error_not_a_crash(server, tmp_path):
    cache = MB.MusicBrainzCache(tmp_path / "mb.jsonl")
    report = MB.fetch_artists(["Slow Band", "Architects"], cache, config(server))
    assert cache.get("slow band")["status"] == "error"
    assert "did not answer" in cache.get("slow band")["error"]
    assert cache.get("architects")["status"] == "ok"  # the rest keeps working
    assert report.pending == ["Slow Band"]


def test_pacing_between_requests(server, tmp_path):
    cache = MB.MusicBrainzCache(tmp_path / "mb.jsonl")
    cfg = MB.MusicBrainzConfig(base_url=config(server).base_url, min_interval=0.3)
    start = time.monotonic()
    MB.fetch_artists(["Architects", "Duman"], cache, cfg)
    elapsed = time.monotonic() - start
    times = [t for t, _, _ in FakeMusicBrainz.log]
    assert len(times) == 4
    assert elapsed >= 3 * 0.3  # four requests, each at least 0.3 s after the previous one
    # arrival times at the server jitter with thread scheduling on a loaded machine (one gap was
    # 0.11 s at load average 13), so the server side checks the span, with 0.3 s of slack
    assert times[-1] - times[0] >= 3 * 0.3 - 0.3


def test_progress_stop_and_cut_cache_line(server, tmp_path):
    path = tmp_path / "mb.jsonl"
    path.write_text(
        '{"key": "duman", "status": "ok", "genres": [["turkish rock", 4]]}\n{"key": "arch'
    )
    cache = MB.MusicBrainzCache(path)  # the cut last line is ignored
    assert cache.get("duman")["status"] == "ok"
    stop = threading.Event()
    seen = []

    def progress(done, total, name):
        seen.append((done, total, name))
        stop.set()

    report = MB.fetch_artists(["Duman", "Architects", "Peso Pluma"], cache, config(server),
                              progress=progress, stop=stop)  # fmt: skip
    assert seen == [(1, 2, "Architects")]
    assert report.stopped and report.pending == ["Peso Pluma"]
    assert "run it again" in report.summary()


def test_artists_by_listening_and_coverage(tmp_path):
    plays = pd.DataFrame(
        {
            "artist": ["Duman", "Architects", "Duman", "Rare"],
            "ms_played": pd.array([600_000, 100_000, 300_000, None], dtype="Int64"),
        }
    )
    # a play without a duration counts the median play (300,000 ms), as everywhere else
    assert MB.artists_by_listening(plays, limit=2) == ["Duman", "Rare"]
    cache = MB.MusicBrainzCache(tmp_path / "mb.jsonl")
    cache.put({"key": "duman", "status": "ok", "genres": [["turkish rock", 4]]})
    assert MB.coverage_of(cache, plays) == pytest.approx(900_000 / 1_300_000)


def test_data_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path))
    assert MB.MusicBrainzCache().path == tmp_path / "musicbrainz" / "artists.jsonl"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/ws/2", "http://musicbrainz.org/ws/2", "https://musicbrainz.org.evil.example/ws/2",
     "https://10.0.0.1/ws/2", "file:///etc/passwd"],
)  # fmt: skip
def test_only_the_musicbrainz_host_is_ever_asked(url, monkeypatch):
    monkeypatch.delenv("MUSICREC_FETCH_ALLOW_HOSTS", raising=False)
    with pytest.raises(MB.MusicBrainzError, match="not allowed"):
        MB.lookup_artist("Duman", MB.MusicBrainzConfig(base_url=url, min_interval=0.0))
    assert MB.host_allowed("https://musicbrainz.org/ws/2/artist?query=x")


def test_the_app_setting_points_elsewhere_only_for_an_allowed_host(server, monkeypatch):
    monkeypatch.setenv("MUSICREC_MUSICBRAINZ_URL", "http://127.0.0.1:1/ws/2")
    assert MB.config_from_env().base_url == "http://127.0.0.1:1/ws/2"
    monkeypatch.setenv("MUSICREC_MUSICBRAINZ_URL", "http://169.254.169.254/ws/2")
    assert MB.config_from_env().base_url == "https://musicbrainz.org/ws/2"


def test_a_redirect_to_another_host_is_not_followed(server, tmp_path):
    FakeMusicBrainz.redirect = "http://10.0.0.1/ws/2/artist"
    try:
        with pytest.raises(MB.MusicBrainzError, match="HTTP 30"):
            MB.lookup_artist("Duman", config(server))
    finally:
        FakeMusicBrainz.redirect = None


def test_the_answers_are_kept_per_person_when_served(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICREC_DATA_DIR", str(tmp_path))
    a, b = MB.cache_path("session-a"), MB.cache_path("session-b")
    assert a != b and a.name == b.name == "artists.jsonl" and "session" not in str(a)
    assert MB.cache_path() == tmp_path / "musicbrainz" / "artists.jsonl"
