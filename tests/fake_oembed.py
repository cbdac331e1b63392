"""A fake Spotify oEmbed endpoint over real HTTP on 127.0.0.1 (tests of album art).

It answers ``GET /oembed?url=https://open.spotify.com/track/ID`` the way Spotify does: JSON
with ``type``, ``title``, ``thumbnail_url`` (here an image on the fake itself) and the
thumbnail's size. ``answer`` replaces the body for every request (bad answers on purpose).
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOEmbed:
    """``with FakeOEmbed() as fake:``; ``fake.url`` is the endpoint, ``fake.asked`` the track
    ids asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer: bytes | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/oembed"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                if parts.path != "/oembed":
                    self.send_error(404)
                    return
                url = urllib.parse.parse_qs(parts.query).get("url", [""])[0]
                track_id = url.rsplit("/", 1)[-1]
                fake.asked.append(track_id)
                port = fake.server.server_port
                oembed = {
                    "html": f'<iframe src="https://open.spotify.com/embed/track/{track_id}">',
                    "type": "rich",
                    "version": "1.0",
                    "provider_name": "Spotify",
                    "title": "A song",
                    "thumbnail_width": 300,
                    "thumbnail_height": 300,
                    "thumbnail_url": f"http://127.0.0.1:{port}/cover/{track_id}.jpg",
                }
                body = fake.answer or json.dumps(oembed).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> FakeOEmbed:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
