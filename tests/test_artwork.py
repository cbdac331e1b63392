"""Album art from Spotify's oEmbed, against a fake endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time

import pytest

from musicrec import artwork
from musicrec.artwork import OEMBED_URL, ArtworkRules, cover, endpoint
from tests.fake_oembed import FakeOEmbed

TRACK = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.fixture
def fake(monkeypatch):
    artwork.clear_cache()
    with FakeOEmbed() as server:
        monkeypatch.setenv("MUSICREC_OEMBED_URL", server.url)
        monkeypatch.setenv("MUSICREC_FETCH_ALLOW_HOSTS", "127.0.0.1")
        yield server
    artwork.clear_cache()


def test_a_cover_is_the_oembed_thumbnail_and_is_asked_once(fake) -> None:
    url = cover(TRACK)
    assert url == f"{fake.url.removesuffix('/oembed')}/cover/{TRACK}.jpg"
    assert cover(TRACK) == url
    assert fake.asked == [TRACK]  # cached: one request


def test_the_test_endpoint_needs_its_host_allowed(monkeypatch) -> None:
    monkeypatch.setenv("MUSICREC_OEMBED_URL", "http://10.0.0.5/oembed")
    monkeypatch.setenv("MUSICREC_FETCH_ALLOW_HOSTS", "127.0.0.1")
    assert endpoint() == OEMBED_URL == "https://open.spotify.com/oembed"
    monkeypatch.delenv("MUSICREC_FETCH_ALLOW_HOSTS")
    assert endpoint() == OEMBED_URL


@pytest.mark.parametrize("bad", ["", "spotify:track:x", "../../admin?x=1", TRACK + "A", None])
def test_a_malformed_id_asks_nothing(fake, bad) -> None:
    assert cover(bad) is None
    assert fake.asked == []


@pytest.mark.parametrize(
    "answer",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"thumbnail_url": "https://evil.example/x.jpg"}).encode(),
        json.dumps({"thumbnail_url": "javascript:alert(1)"}).encode(),
        json.dumps({"thumbnail_url": 5}).encode(),
    ],
)
def test_an_answer_without_a_spotify_image_gives_no_cover(fake, answer) -> None:
    fake.answer = answer
    assert cover(TRACK) is None


def test_a_spotify_image_host_is_accepted(fake) -> None:
    fake.answer = json.dumps({"thumbnail_url": "https://i.scdn.co/image/ab67616d00001e02"}).encode()
    assert cover(TRACK) == "https://i.scdn.co/image/ab67616d00001e02"


def test_offline_is_no_cover_quickly_and_not_retried_at_once(monkeypatch) -> None:
    artwork.clear_cache()
    with socket.socket() as s:  # a port nobody listens on: connection refused, as offline
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MUSICREC_OEMBED_URL", f"http://127.0.0.1:{port}/oembed")
    monkeypatch.setenv("MUSICREC_FETCH_ALLOW_HOSTS", "127.0.0.1")
    t = time.perf_counter()
    assert cover(TRACK, ArtworkRules(timeout_s=1.0)) is None
    assert time.perf_counter() - t < 1.5
    with FakeOEmbed() as server:  # back online, but the failure is remembered for a while
        monkeypatch.setenv("MUSICREC_OEMBED_URL", server.url)
        assert cover(TRACK) is None and server.asked == []
        assert cover(TRACK, ArtworkRules(retry_after_s=0.0)) is not None
    artwork.clear_cache()


def test_the_cache_is_bounded(fake) -> None:
    rules = ArtworkRules(cache_entries=3)
    for i in range(5):
        cover(f"{i:022d}", rules)
    assert len(artwork._cache) == 3
