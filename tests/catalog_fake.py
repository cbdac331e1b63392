"""A tiny public catalog served from 127.0.0.1 in place of the registry, and a small export that
it covers: the known answer of the catalog flow (AppTest and the real browser).

The catalog is in the 114k Spotify Tracks Dataset's schema. The export (account-data
``StreamingHistory_music_0.json``) plays, in listening time:
- 60% tracks the catalog holds (measured): Sunny Band's bright songs, Grey Rain's sad ones;
- 25% a Sunny Band song the catalog lacks (from the artist);
- 15% an artist nobody catalogued (unknown).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading

FEATS = "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo"
HEADER = f"track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATS},time_signature,track_genre"
# (id, artist, title, energy, valence)
TRACKS = [
    ("SUNNY" + "0" * 16 + "1", "Sunny Band", "Golden Morning", 0.85, 0.9),
    ("SUNNY" + "0" * 16 + "2", "Sunny Band", "Dance All Day", 0.9, 0.85),
    ("SUNNY" + "0" * 16 + "3", "Sunny Band", "Bright Lights", 0.8, 0.8),
    ("GREYR" + "0" * 16 + "1", "Grey Rain", "Empty Rooms", 0.2, 0.1),
    ("GREYR" + "0" * 16 + "2", "Grey Rain", "Slow Goodbye", 0.25, 0.15),
]
KEY = "tiny-test-catalog"
NAME = "Tiny test catalog"


def catalog_csv() -> bytes:
    """The catalog file (5 tracks, two artists)."""
    rows = [
        f"{tid},{artist},Album,{title},50,200000,False,0.6,{energy},1,-6,1,0.05,0.3,0,0.1,{valence},120,4,pop"
        for tid, artist, title, energy, valence in TRACKS
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def export_json() -> bytes:
    """An account-data export: 20 plays of 3 minutes (12 measured, 5 artist-level, 3 unknown)."""
    plays = [(a, t) for _, a, t, _, _ in TRACKS] * 2 + [("Sunny Band", "Golden Morning")] * 2
    plays += [("Sunny Band", "Unreleased Demo")] * 5 + [("Nobody Knows", "Hidden Song")] * 3
    records = [
        {"endTime": f"2024-03-{1 + i // 6:02d} {10 + i % 6:02d}:00", "artistName": a,
         "trackName": t, "msPlayed": 180_000}
        for i, (a, t) in enumerate(plays)
    ]  # fmt: skip
    return json.dumps(records).encode()


class CatalogServer:
    """A real HTTP server on 127.0.0.1 serving ``files`` (path -> bytes; by default the tiny
    catalog at ``/tiny/tracks.csv``), 404 elsewhere; it records every request."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        files = {"/tiny/tracks.csv": catalog_csv()} if files is None else files
        self.hits: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                body = files.get(self.path)
                self.send_response(404 if body is None else 200)
                self.send_header("Content-Length", str(0 if body is None else len(body)))
                self.end_headers()
                if body is not None:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def registry(self) -> dict:
        """What ``install`` needs: the file's URL, SHA-256 and size."""
        body = catalog_csv()
        return {"url": f"{self.url}/tiny/tracks.csv", "sha": hashlib.sha256(body).hexdigest(),
                "size": len(body)}  # fmt: skip

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def install(spec: dict, setattr_=setattr) -> None:
    """Make the tiny catalog the only offered one (``setattr_``: pytest's monkeypatch.setattr in
    process; plain setattr in a server started for a browser test)."""
    import musicrec.catalog_sources as cs

    base = spec["url"].rsplit("/", 1)[0] + "/"
    src = cs.CatalogSource(KEY, NAME, "five test tracks", len(TRACKS), "tests/catalog_fake.py",
                           "test data", ((spec["url"], spec["sha"], spec["size"]),))  # fmt: skip
    setattr_(cs, "CATALOGS", (src,))
    setattr_(cs, "BY_KEY", {KEY: src})
    setattr_(cs, "PINS", {**cs.PINS, KEY: (base, "")})
