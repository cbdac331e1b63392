"""A fake Spotify (accounts service + Web API) served over real HTTP on 127.0.0.1 for tests.

It behaves like the 2026 API for a development-mode app: old endpoints
(``/playlists/{id}/tracks``, ``/users/{id}/playlists``, batch ``/tracks``) answer 403;
playlist items are at ``/playlists/{id}/items`` (50 per page, entries under ``item``);
playlists are created with ``POST /me/playlists``. Switches make it fail on purpose.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _track(i: int, user: str) -> dict:
    tid = f"{user[:4]:x<4}{i:018d}"[:22]
    return {"type": "track", "id": tid, "uri": f"spotify:track:{tid}", "name": f"{user} song {i}",
            "artists": [{"name": f"{user} artist {i % 5}"}], "album": {"name": f"{user} album"}, "duration_ms": 200_000}  # fmt: skip


@dataclass
class FakeUser:
    id: str
    tracks: list[dict] = field(default_factory=list)
    playlists: dict[str, dict] = field(default_factory=dict)
    created: list[dict] = field(default_factory=list)


class FakeSpotify:
    """Start with ``with FakeSpotify() as fake:``; ``fake.accounts_url`` / ``fake.api_url`` point at it."""

    def __init__(self) -> None:
        self.users = {name: self._make_user(name) for name in ("alice", "bob")}
        self.next_login = "alice"
        self.fail: dict[str, tuple[int, dict, dict]] = {}  # path prefix -> (status, headers, body)
        self.drop: set[str] = set()  # path prefixes whose connections are closed without an answer
        self.refresh_invalid = False
        self.calls: list[tuple[str, str]] = []
        self.tokens: dict[str, str] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.accounts_url = self.url
        self.api_url = f"{self.url}/v1/"

    @staticmethod
    def _make_user(name: str) -> FakeUser:
        u = FakeUser(id=name, tracks=[_track(i, name) for i in range(120)])
        u.playlists[f"{name}Mix1"] = {"id": f"{name}Mix1", "name": f"{name}'s mix", "owner": {"id": name},
                                     "collaborative": False, "items": u.tracks[:75]}  # fmt: skip
        u.playlists["SpotifyEditorial"] = {"id": "SpotifyEditorial", "name": "Not mine", "owner": {"id": "spotify"},
                                            "collaborative": False, "items": u.tracks[:3]}  # fmt: skip
        return u

    def __enter__(self) -> FakeSpotify:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- HTTP ------------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(
                self, status: int, body: dict | None = None, headers: dict | None = None
            ) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, str(v))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                parsed = urllib.parse.urlparse(self.path)
                path, query = parsed.path, dict(urllib.parse.parse_qsl(parsed.query))
                fake.calls.append((method, path))
                if any(path.startswith(p) for p in fake.drop):
                    self.connection.close()
                    return
                for prefix, (status, headers, body) in fake.fail.items():
                    if path.startswith(prefix):
                        return self._send(status, body, headers)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if path == "/authorize":
                    code = f"code-{fake.next_login}"
                    target = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query.get('state', '')})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if path == "/api/token":
                    form = dict(urllib.parse.parse_qsl(raw.decode()))
                    if form.get("grant_type") == "authorization_code" and form.get(
                        "code", ""
                    ).startswith("code-"):
                        user = form["code"].removeprefix("code-")
                    elif form.get("grant_type") == "refresh_token" and not fake.refresh_invalid:
                        user = form.get("refresh_token", "").removeprefix("refresh-")
                    else:
                        return self._send(
                            400,
                            {
                                "error": "invalid_grant",
                                "error_description": "Refresh token revoked",
                            },
                        )
                    token = f"token-{user}-{len(fake.tokens)}"
                    fake.tokens[token] = user
                    return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                            "refresh_token": f"refresh-{user}", "scope": form.get("scope", "")})  # fmt: skip
                auth = self.headers.get("Authorization", "")
                user = fake.users.get(fake.tokens.get(auth.removeprefix("Bearer "), ""))
                if user is None:
                    return self._send(
                        401, {"error": {"status": 401, "message": "The access token expired"}}
                    )
                return self._api(method, path.removeprefix("/v1").rstrip("/"), query, raw, user)

            def _page(self, items: list, query: dict, base: str, key: str | None = None) -> dict:
                limit, offset = min(int(query.get("limit", 20)), 50), int(query.get("offset", 0))
                chunk = items[offset : offset + limit]
                nxt = (
                    f"{fake.api_url}{base}?offset={offset + limit}&limit={limit}"
                    if offset + limit < len(items)
                    else None
                )
                return {"items": [({key: t, "added_at": "2026-01-01T00:00:00Z"} if key else t) for t in chunk],
                        "next": nxt, "total": len(items), "limit": limit, "offset": offset}  # fmt: skip

            def _api(self, method: str, path: str, query: dict, raw: bytes, user: FakeUser):
                if path == "/me":
                    return self._send(200, {"id": user.id, "display_name": user.id.title()})
                if path == "/me/player/recently-played":
                    items = [
                        {
                            "track": t,
                            "played_at": f"2026-11-{1 + i % 20:02d}T{i % 24:02d}:00:00.000Z",
                        }
                        for i, t in enumerate(user.tracks[:50])
                    ]
                    return self._send(200, {"items": items, "next": None})
                if path in ("/me/top/tracks", "/me/top/artists"):
                    if query.get("time_range") not in ("short_term", "medium_term", "long_term"):
                        return self._send(
                            400, {"error": {"status": 400, "message": "bad time_range"}}
                        )
                    items = (
                        user.tracks[:10]
                        if path.endswith("tracks")
                        else [{"name": f"{user.id} artist {i}"} for i in range(5)]
                    )
                    return self._send(200, {"items": items, "next": None})
                if path == "/me/tracks":
                    return self._send(200, self._page(user.tracks, query, "me/tracks", key="track"))
                if path == "/me/playlists" and method == "GET":
                    pls = [
                        {k: v for k, v in p.items() if k != "items"}
                        for p in user.playlists.values()
                    ]
                    return self._send(200, self._page(pls, query, "me/playlists"))
                if path == "/me/playlists" and method == "POST":
                    body = json.loads(raw or b"{}")
                    pid = f"New{len(user.created)}"
                    pl = {"id": pid, "name": body.get("name"), "public": body.get("public"), "owner": {"id": user.id},
                          "items": [], "external_urls": {"spotify": f"https://open.spotify.com/playlist/{pid}"}}  # fmt: skip
                    user.playlists[pid] = pl
                    user.created.append(pl)
                    return self._send(201, {k: v for k, v in pl.items() if k != "items"})
                parts = path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == "playlists" and parts[2] == "items":
                    pl = user.playlists.get(parts[1])
                    if pl is None or pl["owner"]["id"] not in (user.id,):
                        return self._send(403, {"error": {"status": 403, "message": "Forbidden"}})
                    if method == "GET":
                        return self._send(
                            200,
                            self._page(
                                pl["items"], query, f"playlists/{parts[1]}/items", key="item"
                            ),
                        )
                    uris = json.loads(raw or b"[]")
                    uris = uris.get("uris", []) if isinstance(uris, dict) else uris
                    if len(uris) > 100:
                        return self._send(
                            400, {"error": {"status": 400, "message": "Too many ids"}}
                        )
                    pl["items"] += [{"uri": u, "type": "track"} for u in uris]
                    return self._send(201, {"snapshot_id": "s"})
                # removed in development mode (Feb 2026)
                return self._send(
                    403, {"error": {"status": 403, "message": f"{path} is not available"}}
                )

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

        return Handler
