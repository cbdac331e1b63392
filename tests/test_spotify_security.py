"""Spotify log-in safety: no log line at any level carries the secret, the code or a token."""

from __future__ import annotations

import base64
import logging

import pytest

from musicrec.spotify import QUIET_LOGGERS, quiet_http_logs
from tests.fake_spotify import FakeSpotify
from tests.test_spotify import login


@pytest.fixture()
def fake():
    with FakeSpotify() as f:
        yield f


@pytest.fixture(autouse=True)
def _no_cache_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


def test_token_exchange_and_calls_log_no_secret_even_at_debug(fake, caplog):
    # Someone turns everything up to DEBUG: the root logger and each HTTP-stack logger by name.
    caplog.set_level(logging.DEBUG)
    for name in QUIET_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    session = login(fake, "alice")  # authorize URL, code, token exchange
    session.profile()  # a bearer-token call
    session._auth.refresh_access_token("refresh-alice")  # a refresh-token call
    secrets = [
        "secret",  # the client secret
        base64.b64encode(b"cid:secret").decode(),  # the Basic authorization header
        "code-alice",
        "refresh-alice",
        *fake.tokens,  # every bearer token handed out
    ]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records) + caplog.text
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    assert fake.tokens  # the exchange really happened


def test_warnings_still_pass_with_credentials_redacted(caplog):
    quiet_http_logs()
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("spotipy.client")
    log.warning("headers %s", {"Authorization": "Bearer tok123", "x": 1})
    log.error("body code=abc&refresh_token=zzz client_secret: 's3cr3t'")
    log.debug("RESULTS: %s", {"access_token": "hidden"})
    messages = [r.getMessage() for r in caplog.records if r.name == "spotipy.client"]
    assert len(messages) == 2  # the DEBUG line is dropped
    joined = " ".join(messages)
    for secret in ("tok123", "abc", "zzz", "s3cr3t", "hidden"):
        assert secret not in joined
    assert "Authorization': '[redacted]" in joined and "code=[redacted]" in joined


def test_installing_twice_adds_one_filter():
    quiet_http_logs()
    quiet_http_logs()
    for name in QUIET_LOGGERS:
        assert len(logging.getLogger(name).filters) == 1
