"""Album art without an API key: Spotify's oEmbed answer for a track gives its cover.

``cover(track_id)`` asks ``https://open.spotify.com/oembed`` (the one fixed host; no key,
no token) and returns the ``thumbnail_url`` it names, or None: offline, slow (3 s), an
answer that is not oEmbed JSON, a thumbnail that is not an https image on Spotify's image
hosts. Answers (and failures, for a few minutes) are kept in a small bounded cache shared by
the server: covers are public, the same for everyone, and the track id is the only input.

Tests point it at a fake on 127.0.0.1 with ``MUSICREC_OEMBED_URL``, honoured only for a
host named in ``MUSICREC_FETCH_ALLOW_HOSTS`` (the catalog downloads' test switch).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.parse
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass

from musicrec.catalog_sources import ALLOW_HOSTS_ENV

OEMBED_URL = "https://open.spotify.com/oembed"
"""Spotify's oEmbed endpoint, the only place a cover is asked for."""
OEMBED_URL_ENV = "MUSICREC_OEMBED_URL"
"""Environment variable for tests: another oEmbed endpoint, used only when its host is named
in ``MUSICREC_FETCH_ALLOW_HOSTS``."""
_TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")


@dataclass(frozen=True)
class ArtworkRules:
    """How covers are fetched."""

    timeout_s: float = 3.0
    """Longest wait for Spotify's answer (connect and read)."""
    max_bytes: int = 64_000
    """Largest oEmbed answer read (Spotify's are ~1 kB)."""
    cache_entries: int = 2_048
    """Covers kept in memory (about 200 bytes each)."""
    retry_after_s: float = 300.0
    """A failed look-up is not tried again for this long (offline: one wait, not one per rerun)."""
    image_hosts: frozenset[str] = frozenset(
        {"i.scdn.co", "image-cdn-ak.spotifycdn.com", "image-cdn-fa.spotifycdn.com",
         "mosaic.scdn.co"}
    )  # fmt: skip
    """Hosts a thumbnail may be on (it is shown by the person's browser)."""


_cache: OrderedDict[str, tuple[str | None, float]] = OrderedDict()
_lock = threading.Lock()


def _allowed_hosts() -> set[str]:
    return {h.strip() for h in os.environ.get(ALLOW_HOSTS_ENV, "").split(",") if h.strip()}


def endpoint() -> str:
    """The oEmbed endpoint in use: Spotify's, or a test's own when its host is allowed."""
    override = os.environ.get(OEMBED_URL_ENV, "")
    if override and urllib.parse.urlsplit(override).hostname in _allowed_hosts():
        return override
    return OEMBED_URL


def _thumbnail(answer: bytes, rules: ArtworkRules) -> str | None:
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    url = data.get("thumbnail_url") if isinstance(data, dict) else None
    if not isinstance(url, str) or len(url) > 500:
        return None
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host in rules.image_hosts:
        return url
    if host in _allowed_hosts():  # a test's fake serves its own images
        return url
    return None


def _fetch(track_id: str, rules: ArtworkRules) -> str | None:
    query = urllib.parse.urlencode({"url": f"https://open.spotify.com/track/{track_id}"})
    # no proxy from the environment and no redirects to elsewhere: one fixed host only
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    request = urllib.request.Request(
        f"{endpoint()}?{query}", headers={"User-Agent": "musicrec", "Accept": "application/json"}
    )
    try:
        with opener.open(request, timeout=rules.timeout_s) as answer:
            if answer.status != 200:
                return None
            return _thumbnail(answer.read(rules.max_bytes + 1)[: rules.max_bytes], rules)
    except (OSError, ValueError):  # offline, refused, timed out, HTTP error, bad URL
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def cover(track_id: str, rules: ArtworkRules = ArtworkRules()) -> str | None:
    """The cover image URL of a Spotify track (its 22-character id), or None.

    None when the id is malformed, the look-up fails or times out, or the answer names no
    image on Spotify's image hosts. Cached: a cover once, a failure for ``retry_after_s``.
    """
    if not isinstance(track_id, str) or not _TRACK_ID.fullmatch(track_id):
        return None
    now = time.monotonic()
    with _lock:
        held = _cache.get(track_id)
        if held is not None and (held[0] is not None or now - held[1] < rules.retry_after_s):
            _cache.move_to_end(track_id)
            return held[0]
    url = _fetch(track_id, rules)
    with _lock:
        _cache[track_id] = (url, now)
        _cache.move_to_end(track_id)
        while len(_cache) > rules.cache_entries:
            _cache.popitem(last=False)
    return url


def clear_cache() -> None:
    """Forget every cover and failure (tests)."""
    with _lock:
        _cache.clear()
